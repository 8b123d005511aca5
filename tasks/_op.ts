/**
 * `Op`: the lazy coroutine that the waiting methods of `sync/` and `streams/`
 * return.
 *
 * @module
 */
import {
  awaitingHolder,
  currentHolder,
  enterSyncStep,
  leaveSyncStep,
  syncTask,
  taskOf,
} from "../loop/_current_task.ts";
import { context, type Holder, type TaskLike } from "../loop/_async_context.ts";
import { holdWait } from "../loop/_step.ts";
import { labelForWait } from "../loop/_entry_holders.ts";
import { madePromise, newPromise } from "../loop/_new_promise.ts";
import { Coroutine, type CoroutineGenerator } from "./coroutine.ts";
import { Future, kAwait, mustWaitTurn, Waiter, waitTurn } from "./future.ts";

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

type Callback = ((value: unknown) => unknown) | null | undefined;

/**
 * The waits `Op.then` started, registered together a microtask later: the
 * first `queued` slots (the array keeps its capacity from round to round).
 */
const toRegister: Array<OpAwait | null> = [];
let queued = 0;

/**
 * Register an await a microtask later, as an `await` would be: a `.then()`
 * called in the synchronous prefix of a coroutine that `createTask` then
 * adopts must wait as the new task (its holder is re-labelled).
 */
function queueRegister(waiter: OpAwait): void {
  toRegister[queued++] = waiter;
  if (queued === 1) queueMicrotask(registerWaiters);
}

function registerWaiters(): void {
  // One registering may start another (a callback awaiting an op): it
  // joins this round, in order.
  for (let i = 0; i < queued; i++) {
    const waiter = toRegister[i]!;
    toRegister[i] = null;
    try {
      waiter.register();
    } catch (error) {
      // Not expected; report it without holding up the others.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  queued = 0;
}

type AwaitingTask = TaskLike & { [kAwait](waiter: Waiter): void };

/** An `await op` that waits on a loop Future, as the task of the await. */
abstract class OpAwait extends Waiter {
  constructor(
    fut: Future<unknown>,
    onFulfilled: Callback,
    onRejected: Callback,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
    /** The async context of the await: whose task it is. */
    readonly holder: Holder | null,
  ) {
    super(
      fut,
      undefined,
      onFulfilled,
      onRejected,
      resolve,
      reject,
      null,
      fut.getLoop(),
    );
  }

  /** Start waiting, as the task the await belongs to (if any). */
  register(): void {
    if (!holdWait(this.holder, OpAwait.#registerHeld, this)) this.#register();
  }

  static #registerHeld(waiter: OpAwait): void {
    waiter.#register();
  }

  #register(): void {
    const task = this.holder === null ? null : labelForWait(this.holder);
    if (task == null || task.done() || !(kAwait in task)) {
      return this.finishElsewhere();
    }
    this.task = task as AwaitingTask;
    this.task[kAwait](this);
  }

  /** No task to wait as: go on with the method's generator the general way. */
  protected abstract finishElsewhere(): void;

  /**
   * Drive `generator`, which yielded `yielded`, with its awaits in the
   * await's own async context, as if they had been made there.
   */
  protected runElsewhere(
    generator: CoroutineGenerator<unknown>,
    yielded: unknown,
  ): void {
    const run = () =>
      finish(generator, yielded, this.onFulfilled, this.onRejected);
    this.resolve(
      this.holder === null ? run() : context.run(this.holder, run, undefined),
    );
  }
}

/**
 * An `await` of a `QuickOp` in its method's one wait (`wait()`): once the
 * Future is done, the method finishes in the task's step.
 */
class QuickWaiter extends OpAwait {
  constructor(
    fut: Future<unknown>,
    readonly op: QuickOp<unknown, unknown, unknown>,
    onFulfilled: Callback,
    onRejected: Callback,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
    holder: Holder | null,
  ) {
    super(fut, onFulfilled, onRejected, resolve, reject, holder);
  }

  override fulfil(): void {
    this.#finish(false, undefined);
  }

  override fail(reason: unknown): void {
    this.#finish(true, reason);
  }

  #finish(failed: boolean, error: unknown): void {
    const outer = enterSyncStep(this.task);
    let outcome: unknown;
    try {
      outcome = this.op.finishWait(this.fut!, failed, error);
      failed = false;
    } catch (thrown) {
      error = thrown;
      failed = true;
    } finally {
      leaveSyncStep(outer);
    }
    if (failed) super.fail(error);
    else super.fulfil(outcome);
  }

  protected finishElsewhere(): void {
    const generator = this.op.resumeAfter(this.fut!);
    this.runElsewhere(generator, generator.next().value);
  }
}

/**
 * An `await op` whose method's generator waits on a loop Future: settling
 * it resumes the generator (in the task's step, as the task), and the await
 * only once the generator returns or throws.
 */
class OpWaiter extends OpAwait {
  constructor(
    fut: Future<unknown>,
    readonly generator: CoroutineGenerator<unknown>,
    onFulfilled: Callback,
    onRejected: Callback,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
    holder: Holder | null,
  ) {
    super(fut, onFulfilled, onRejected, resolve, reject, holder);
  }

  override fulfil(value: unknown): void {
    this.#resume(value, undefined, false);
  }

  override fail(reason: unknown): void {
    this.#resume(undefined, reason, true);
  }

  #resume(value: unknown, error: unknown, failed: boolean): void {
    const task = this.task!;
    const outer = enterSyncStep(task);
    let step: IteratorResult<unknown, unknown> | null = null;
    try {
      step = failed ? this.generator.throw(error) : this.generator.next(value);
    } catch (thrown) {
      error = thrown;
    } finally {
      leaveSyncStep(outer);
    }
    if (step === null) return super.fail(error);
    if (step.done) return super.fulfil(step.value);
    const yielded = step.value;
    if (!(yielded instanceof Future)) {
      return this.runElsewhere(this.generator, yielded);
    }
    // Wait again. Inside the wake-up callback the step ends there, and the
    // loop carries on (`inCallback`, `loop/_step.ts`).
    const waiter = new OpWaiter(
      yielded,
      this.generator,
      this.onFulfilled,
      this.onRejected,
      this.resolve,
      this.reject,
      this.holder,
    );
    waiter.task = task;
    task[kAwait](waiter);
  }

  protected finishElsewhere(): void {
    this.runElsewhere(this.generator, this.fut);
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

/**
 * Go on with a generator that waits: each wait is the awaiting task's. The
 * await's callbacks are called here, not chained with `then()` (one promise
 * and one microtask fewer).
 */
async function finish<T, R1 = T, R2 = never>(
  generator: CoroutineGenerator<T>,
  yielded: unknown,
  onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
  onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
): Promise<R1 | R2> {
  let result: T;
  try {
    for (;;) {
      let step: IteratorResult<unknown, T>;
      try {
        const value = await (yielded as PromiseLike<unknown>);
        step = generator.next(value);
      } catch (error) {
        step = generator.throw(error);
      }
      if (step.done) {
        result = step.value;
        break;
      }
      yielded = step.value;
    }
  } catch (error) {
    if (typeof onRejected !== "function") throw error;
    return onRejected(error);
  }
  return typeof onFulfilled === "function"
    ? onFulfilled(result)
    : result as unknown as R1;
}
