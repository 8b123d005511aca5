/**
 * `sleep()`.
 *
 * @module
 */
import {
  type AbstractEventLoop,
  checkSeconds,
  type TimerHandle,
} from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { type Awaitable, Future, scheduleLater, YieldOnce } from "./future.ts";

/** A sleep's future: cancelling it drops its timer too. */
class SleepFuture<T> extends Future<T> {
  timer: TimerHandle | null = null;

  /** @param wakeValue The result it gets when its timer fires. */
  constructor(loop: AbstractEventLoop, readonly wakeValue: T) {
    super({ loop });
  }

  override cancel(msg: string | null = null): boolean {
    const cancelled = super.cancel(msg);
    if (cancelled) this.timer?.cancel();
    return cancelled;
  }
}

function wakeSleeper<T>(fut: SleepFuture<T>): void {
  if (!fut.done()) fut.setResult(fut.wakeValue);
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
  const loop = getEventLoop();
  const fut = new SleepFuture<T>(loop, result as T);
  fut.timer = scheduleLater(loop, delay, wakeSleeper<T>, fut);
  return fut;
}
