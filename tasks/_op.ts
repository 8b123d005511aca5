/**
 * `Op`: the lazy coroutine that the waiting methods of `sync/` and `streams/`
 * return, and `QuickOp`, for a method that mostly needs no wait. How their
 * waits go through the awaiting task is in `_op_waiters.ts`.
 *
 * @module
 */
import {
  awaitingHolder,
  currentHolder,
  syncTask,
  taskOf,
} from "../loop/_current_task.ts";
import { madePromise, newPromise } from "../loop/_new_promise.ts";
import { Coroutine, type CoroutineGenerator } from "./coroutine.ts";
import { Future } from "./future.ts";
import { mustWaitTurn, waitTurn } from "./_wait_turn.ts";
import {
  type Callback,
  finish,
  OpWaiter,
  queueRegister,
  QuickWaiter,
} from "./_op_waiters.ts";

/**
 * What every method that may wait returns: a lazy coroutine, as the `async
 * def` methods of asyncio return. Nothing happens until it is awaited (or
 * given to `createTask`), and then the method's generator runs in the
 * awaiting task: `yield* op` delegates to it; `await op` runs it at once and,
 * when it finishes without waiting (a free lock, a non-full queue, a set
 * event), resumes within the same task step, so programs interleave in
 * CPython's order.
 *
 * Invariant: `await op` runs the generator in the awaiting task's step. When
 * the awaiting task is not the one stepping (the synchronous prefix of an
 * `async` coroutine, which JavaScript runs before its task's first step), it
 * first awaits a done Future, which the task settles at its own turn.
 */
export class Op<T> extends Coroutine<T> {
  /** `await op`: run the method in the awaiting task. */
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const reused = this.claimForThen(onFulfilled, onRejected);
    if (reused !== null) return reused;
    const holder = awaitingHolder();
    if (mustWaitTurn(holder)) {
      // A native reaction, not the Future's callback: it runs in the async
      // context captured here, the task's, so the generator's waits are its.
      return waitTurn().then(() => start(this.generator())).then(
        onFulfilled,
        onRejected,
      );
    }
    const task = syncTask ?? taskOf(holder);
    if (task === null) {
      return start(this.generator()).then(onFulfilled, onRejected);
    }
    // In the task's step, a method that needs no wait settles the await at
    // once, as a done Future does: no promise hop for a free lock or
    // buffered bytes (and no generator either for a `QuickOp`).
    let now: T | typeof MUST_WAIT;
    try {
      now = this.now();
    } catch (error) {
      return settleNow(onRejected, error, false);
    }
    if (now !== MUST_WAIT) return settleNow(onFulfilled, now, true);
    // A `QuickOp`'s one wait: the task finishes the method from its wake-up
    // callback, with no generator.
    let fut: Future<unknown> | null;
    try {
      fut = this.wait();
    } catch (error) {
      return settleNow(onRejected, error, false);
    }
    if (fut !== null) {
      const promise = newPromise<R1 | R2>();
      queueRegister(
        new QuickWaiter(
          fut,
          this as unknown as QuickOp<unknown, unknown, unknown>,
          onFulfilled as Callback,
          onRejected,
          madePromise.resolve,
          madePromise.reject,
          holder ?? currentHolder() ?? null,
        ),
      );
      return promise;
    }
    const generator = this.generator();
    let step: IteratorResult<unknown, T>;
    try {
      step = generator.next();
    } catch (error) {
      return settleNow(onRejected, error, false);
    }
    if (step.done) return settleNow(onFulfilled, step.value, true);
    const yielded = step.value;
    if (yielded instanceof Future) {
      // The common wait (a loop Future): the task resumes the generator
      // from its wake-up callback, with no async frame of ours between the
      // future and the await.
      const promise = newPromise<R1 | R2>();
      queueRegister(
        new OpWaiter(
          yielded,
          generator,
          onFulfilled as Callback,
          onRejected,
          madePromise.resolve,
          madePromise.reject,
          holder ?? currentHolder() ?? null,
        ),
      );
      return promise;
    }
    return finish(generator, yielded, onFulfilled, onRejected);
  }

  /** Internal: the method's outcome when it needs no wait, else `MUST_WAIT`. */
  now(): T | typeof MUST_WAIT {
    return MUST_WAIT;
  }

  /**
   * Internal: start the method's one wait and return its Future, or `null`
   * to run the method's generator.
   */
  wait(): Future<unknown> | null {
    return null;
  }
}

/** What a `QuickOp`'s `now` returns when the method has to run as a generator. */
export const MUST_WAIT: unique symbol = Symbol("mustWait");

/**
 * A method that mostly needs no wait, for `QuickOp`: `now` returns its
 * outcome (or throws its error) at once, or `MUST_WAIT` (and then has done
 * nothing); `make` is the method as a generator, for `yield*`, or with a
 * `once` wait, only for what that wait does not cover.
 */
export interface QuickMethod<S, A, T> {
  /** For reprs: `"StreamReader.read"`. */
  readonly name: string;
  now(target: S, arg: A): T | typeof MUST_WAIT;
  make(target: S, arg: A): CoroutineGenerator<T>;
  /** Optional: the method's one wait, run with no generator. */
  readonly once?: OneWait<S, A, T>;
}

/**
 * The one wait of a method that waits at most once (as `StreamReader.read`),
 * after `now` returned `MUST_WAIT`.
 */
export interface OneWait<S, A, T> {
  /**
   * Start it; the loop Future to wait on, or `null` for `make` (and then it
   * has done nothing).
   */
  start(target: S, arg: A): Future<unknown> | null;
  /** It is over, however it ended (as a `finally`). */
  ended(target: S, arg: A, fut: Future<unknown>): void;
  /** Then the method's outcome (or it throws). */
  outcome(target: S, arg: A): T;
}

/**
 * An `Op` for a method that mostly needs no wait (a read of buffered bytes,
 * a drain below the high-water mark): awaited in its task's step, it first
 * tries the method's `now`, then its `once` wait, and only otherwise (or for
 * `yield*`) makes its generator.
 */
export class QuickOp<S, A, T> extends Op<T> {
  #target: S;
  #arg: A;
  #method: QuickMethod<S, A, T>;

  constructor(target: S, arg: A, method: QuickMethod<S, A, T>) {
    super(null, method.name);
    this.#target = target;
    this.#arg = arg;
    this.#method = method;
  }

  override now(): T | typeof MUST_WAIT {
    return this.#method.now(this.#target, this.#arg);
  }

  /** The method as a generator: from `now` and `once` when it has one. */
  protected override generator(): CoroutineGenerator<T> {
    const method = this.#method;
    return method.once === undefined
      ? method.make(this.#target, this.#arg)
      : this.#waitOnce();
  }

  *#waitOnce(): CoroutineGenerator<T> {
    const method = this.#method;
    const now = method.now(this.#target, this.#arg);
    if (now !== MUST_WAIT) return now;
    const fut = this.wait();
    if (fut === null) return yield* method.make(this.#target, this.#arg);
    return yield* this.resumeAfter(fut);
  }

  override wait(): Future<unknown> | null {
    const once = this.#method.once;
    return once === undefined ? null : once.start(this.#target, this.#arg);
  }

  /** Internal: the wait `wait()` started is over; the method's outcome. */
  finishWait(fut: Future<unknown>, failed: boolean, error: unknown): T {
    const once = this.#method.once!; // `wait()` started it
    once.ended(this.#target, this.#arg, fut);
    if (failed) throw error;
    return once.outcome(this.#target, this.#arg);
  }

  /**
   * Internal: the method as a generator that has started its wait on `fut`
   * (from `wait()`) already: its first step yields `fut`.
   */
  *resumeAfter(fut: Future<unknown>): CoroutineGenerator<T> {
    try {
      yield fut;
    } catch (error) {
      return this.finishWait(fut, true, error);
    }
    return this.finishWait(fut, false, undefined);
  }
}

const RESOLVED = Promise.resolve(undefined);

/** Call `callback` now; what `then()` returns for an outcome known at once. */
function settleNow<R>(
  callback: ((value: never) => R | PromiseLike<R>) | null | undefined,
  value: unknown,
  ok: boolean,
): Promise<R> {
  if (typeof callback !== "function") {
    return (ok ? Promise.resolve(value) : Promise.reject(value)) as Promise<R>;
  }
  try {
    const result = callback(value as never);
    // The resolve function of an `await` returns nothing: share one promise.
    return (result === undefined
      ? RESOLVED
      : Promise.resolve(result)) as Promise<R>;
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Run a method's generator: settled at once unless it has to wait. */
function start<T>(generator: CoroutineGenerator<T>): Promise<T> {
  let step: IteratorResult<unknown, T>;
  try {
    step = generator.next();
  } catch (error) {
    return Promise.reject(error);
  }
  if (step.done) return Promise.resolve(step.value);
  return finish(generator, step.value);
}
