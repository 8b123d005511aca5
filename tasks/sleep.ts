/**
 * `sleep()`.
 *
 * @module
 */
import type { AbstractEventLoop, TimerHandle } from "../loop/events.ts";
import { checkSeconds } from "../exceptions/checks.ts";
import { getEventLoop } from "../loop/policy.ts";
import { Coroutine, type CoroutineGenerator } from "./coroutine.ts";
import {
  type Awaitable,
  Future,
  kAddCallback,
  scheduleLater,
} from "./future.ts";
import { YieldOnce } from "./_waiter.ts";

/**
 * A sleep's future. Its timer starts when a wait registers on it (its first
 * done-callback), not when `sleep()` is called: in a coroutine's prefix,
 * which JavaScript runs at call time, that is the task's first step, as in
 * asyncio. Cancelling it drops its timer too.
 */
class SleepFuture<T> extends Future<T> {
  #timer: TimerHandle | null = null;

  constructor(
    loop: AbstractEventLoop,
    readonly delay: number,
    readonly wakeValue: T,
  ) {
    super({ loop });
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
 * What `sleep(delay)` returns for a delay above 0: a coroutine, lazy as
 * asyncio's, whose timer starts when it is first waited on.
 */
class Sleep<T> extends Coroutine<T> {
  constructor(readonly delay: number, readonly value: T) {
    super(null, "sleep");
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
    return new SleepFuture(getEventLoop(), this.delay, this.value);
  }
}

/**
 * Coroutine that completes after a given time (in seconds), with `result`.
 * `sleep(0)` yields to the loop for one iteration, as in asyncio. Cancelling
 * the waiting task cancels the sleep.
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
  return new Sleep(delay, result as T);
}
