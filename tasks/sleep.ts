/**
 * `sleep()`.
 *
 * Where the promise hooks are active, `await sleep(d)` awaits a native
 * promise (`SleepPromise`, an `AwaitedPromise`): V8 makes no wrapper for it
 * and calls no `then()`. The hooks report the await; a microtask later, as
 * V8 would have called `then()`, the sleep starts its future and hands it
 * to the awaiting task as the await itself (`Await`, `_waiter.ts`). The
 * task's wake-up settles the promise, and the coroutine resumes in the next
 * microtask. Without the hooks, and for a task or `yield*`, a sleep is the
 * `Sleep` coroutine, which waits through `then()` as any Future does.
 *
 * @module
 */
import type { AbstractEventLoop, TimerHandle } from "../loop/events.ts";
import type { Holder } from "../loop/_async_context.ts";
import {
  awaitedNatively,
  AwaitedPromise,
  kAsCoroutine,
  kAwaited,
  kStart,
  startSoon,
} from "../loop/_awaited_promise.ts";
import { active as hooksActive, rootHolder } from "../loop/_entry_holders.ts";
import {
  captureResolvers,
  madePromise,
  newOwnPromise,
} from "../loop/_new_promise.ts";
import { runningLoop } from "../loop/_running_loop.ts";
import { checkSeconds } from "../exceptions/checks.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import { getEventLoop } from "../loop/policy.ts";
import { Coroutine, type CoroutineGenerator } from "./coroutine.ts";
import {
  type Awaitable,
  Future,
  kAddCallback,
  kCancelledError,
  scheduleLater,
} from "./future.ts";
import {
  type Await,
  type AwaitingTask,
  startAwait,
  YieldOnce,
} from "./_waiter.ts";
import { moveAwait, recordAwait } from "./_introspection.ts";

/**
 * A sleep's future. Its timer starts when a wait registers on it (its first
 * done-callback), not when `sleep()` is called: in a coroutine's prefix,
 * which JavaScript runs at call time, that is the task's first step, as in
 * asyncio. Cancelling it drops its timer too. For an `await` of a
 * `SleepPromise` it is also the await the task takes over.
 */
class SleepFuture<T> extends Future<T> implements Await {
  #timer: TimerHandle | null = null;
  /** See `Await`. */
  task: AwaitingTask | null = null;

  constructor(
    loop: AbstractEventLoop,
    readonly delay: number,
    readonly wakeValue: T,
    /** The promise awaited, for an `await`; `null` for a task or `yield*`. */
    readonly promise: SleepPromise<T> | null,
  ) {
    super({ loop });
  }

  /** See `Await`: the await waits for this future itself. */
  get fut(): Future<unknown> {
    return this as Future<unknown>;
  }

  /** See `Await`. */
  settle(): void {
    if (this.cancelled()) this.fail(this[kCancelledError]());
    else this.promise!.settle(true, this.result());
  }

  /** See `Await`. */
  fail(reason: unknown): void {
    this.promise!.settle(false, reason);
  }

  override [kAddCallback]<A>(fn: (arg: A) => unknown, arg: A): void {
    super[kAddCallback](fn, arg);
    if (this.#timer === null && !this.done()) {
      this.#timer = scheduleLater(
        this.getLoop(),
        this.delay,
        wakeSleeper<T>,
        this,
      );
    }
  }

  override cancel(msg: string | null = null): boolean {
    const cancelled = super.cancel(msg);
    if (cancelled) this.#timer?.cancel();
    return cancelled;
  }
}

function wakeSleeper<T>(fut: SleepFuture<T>): void {
  if (!fut.done()) fut.setResult(fut.wakeValue);
}

/**
 * What `sleep(delay)` returns for a delay above 0 without the promise hooks,
 * and what a task or `yield*` runs: a coroutine, lazy as asyncio's, whose
 * timer starts when it is first waited on.
 */
class Sleep<T> extends Coroutine<T> {
  constructor(
    readonly delay: number,
    readonly value: T,
    /** The `SleepPromise` it runs for, which runs once with it. */
    readonly promise: SleepPromise<T> | null = null,
  ) {
    super(null, "sleep");
  }

  /** A coroutine runs once: as itself or, awaited, as its promise. */
  protected override claim(): void {
    this.promise?.claimToRun();
    super.claim();
  }

  /** `await sleep(d)`: wait on a fresh sleep future. */
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const reused = this.claimForThen(onFulfilled, onRejected);
    if (reused !== null) return reused;
    return this.#future().then(onFulfilled, onRejected);
  }

  /** `yield* sleep(d)`, or a task running it. */
  protected override *generator(): CoroutineGenerator<T> {
    return yield* this.#future();
  }

  #future(): SleepFuture<T> {
    return new SleepFuture(getEventLoop(), this.delay, this.value, null);
  }
}

/**
 * Not awaited yet; awaited (its wait is started); run as a `Sleep` (by a
 * task's step or a `yield*`); awaited after that (the await fails).
 */
const FRESH = 0, AWAITED = 1, RUN = 2, REUSED = 3;

/**
 * What `sleep(delay)` returns for a delay above 0 where the promise hooks
 * are active: a native promise the hooks report the awaits of (see the
 * module's header). Lazy: nothing starts before its first await.
 */
class SleepPromise<T> extends AwaitedPromise<T> implements Awaitable<T> {
  readonly #resolve: (value: unknown) => void;
  readonly #reject: (reason: unknown) => void;
  #state: typeof FRESH | typeof AWAITED | typeof RUN | typeof REUSED = FRESH;
  /** The frame of its first await, until the wait starts. */
  #holder: Holder | undefined = undefined;

  constructor(readonly delay: number, readonly value: T) {
    super(captureResolvers as (resolve: (value: T) => void) => void);
    this.#resolve = madePromise.resolve;
    this.#reject = madePromise.reject;
  }

  static {
    awaitedNatively(SleepPromise);
  }

  /**
   * The first await starts the sleep a microtask later, as V8 would call a
   * thenable's `then()` (this runs in a promise hook: it only records; the
   * stepping task's step may end when the wait starts). Later awaits share
   * its outcome.
   */
  override [kAwaited](holder: Holder | undefined): void {
    const state = this.#state;
    if (state === AWAITED || state === REUSED) return;
    if (state === RUN) {
      this.#state = REUSED;
    } else {
      this.#state = AWAITED;
      this.#holder = holder;
      if (runningLoop()?.getDebug()) recordAwait(this, holder ?? rootHolder);
    }
    startSoon(this);
  }

  /** Start the sleep as the awaiting task's wait (see `startSoon`). */
  override [kStart](): void {
    if (this.#state === REUSED) {
      // A task or `yield*` runs it: as CPython's second `await` of a
      // coroutine.
      this.#reject(new RuntimeError("cannot reuse already awaited coroutine"));
      return;
    }
    const holder = this.#holder;
    this.#holder = undefined;
    const fut = new SleepFuture(getEventLoop(), this.delay, this.value, this);
    moveAwait(this, fut);
    // The frame as the hook found it: `frameOf` again would skip an entry
    // adopted since, whose wait this is (no promise job ran in between).
    startAwait(fut, holder);
  }

  /** Settle the awaits: from the sleep's wake-up, or its failure. */
  settle(fulfilled: boolean, value: unknown): void {
    if (fulfilled) this.#resolve(value);
    else this.#reject(value);
  }

  /**
   * What a task runs: the `Sleep` coroutine, which claims this promise when
   * it starts running (for a task, as it is made).
   */
  override [kAsCoroutine](): Sleep<T> {
    return new Sleep(this.delay, this.value, this);
  }

  /** `yield* sleep(d)`: run as the `Sleep` coroutine. */
  [Symbol.iterator](): CoroutineGenerator<T> {
    return this[kAsCoroutine]()[Symbol.iterator]();
  }

  /**
   * Its `Sleep` starts running it.
   *
   * @throws {RuntimeError} If it was awaited already.
   */
  claimToRun(): void {
    if (this.#state !== FRESH) {
      throw new RuntimeError("cannot reuse already awaited coroutine");
    }
    this.#state = RUN;
  }
}

function makeSleepPromise<T>(delay: number, value: T): SleepPromise<T> {
  return new SleepPromise(delay, value);
}

/**
 * Coroutine that completes after a given time (in seconds), with `result`.
 * `sleep(0)` yields to the loop for one iteration, as in asyncio. Cancelling
 * the waiting task cancels the sleep.
 *
 * Lazy as asyncio's: its timer starts when it is first awaited (in a
 * coroutine's prefix, at its task's first step). For a delay above 0 it is a
 * native `Promise`, which `await` takes without a `then()` call (a quarter
 * less memory per sleeping task); a second `await` of the same sleep shares
 * its outcome, where Python raises `RuntimeError`.
 *
 * @example Sleeping in an async function and in a generator coroutine
 * ```ts
 * import { coroutine, run, sleep } from "@asyncio/deno";
 * await run(async () => console.log(await sleep(0.01, "async")));
 * const gen = coroutine(function* () {
 *   return yield* sleep(0.01, "generator");
 * });
 * console.log(await run(gen()));
 * ```
 */
export function sleep<T = undefined>(delay: number, result?: T): Awaitable<T> {
  checkSeconds("sleep", "delay", delay);
  if (delay <= 0) return new YieldOnce(result as T);
  if (!hooksActive) return new Sleep(delay, result as T);
  return newOwnPromise(makeSleepPromise, delay, result as T);
}
