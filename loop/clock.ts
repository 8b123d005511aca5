/**
 * The loop's clock. Time is in seconds; `MonotonicClock` reads Deno's
 * monotonic timer, and `VirtualClock` lets tests run timeouts without
 * waiting in real time.
 *
 * @module
 */
import { ValueError } from "../exceptions/builtins.ts";
import { checkSeconds } from "../exceptions/checks.ts";

/** What an event loop reads time from. */
export interface Clock {
  /** The current time, in seconds. */
  now(): number;
  /**
   * A virtual clock jumps to the next deadline instead of sleeping until it.
   * Return `false` (or leave this out) to sleep in real time.
   */
  jump?(to: number): boolean;
}

/**
 * The real clock: `performance.now()`, in seconds.
 *
 * @example Reading the time
 * ```ts
 * import { MonotonicClock } from "@asyncio/deno";
 * const clock = new MonotonicClock();
 * console.log(clock.now() >= 0); // true
 * ```
 */
export class MonotonicClock implements Clock {
  /** The current time, in seconds. */
  now(): number {
    return performance.now() / 1000;
  }
}

/**
 * A virtual clock for tests (as Trio's `MockClock` with autojump): when every
 * task waits on a timer, time jumps straight to the next deadline, so a test of
 * a 5-second timeout takes no real time.
 *
 * @example Running timers without waiting
 * ```ts
 * import { EventLoop, getRunningLoop, run, sleep, VirtualClock } from "@asyncio/deno";
 * const loopFactory = () => new EventLoop({ clock: new VirtualClock() });
 * await run(async () => {
 *   await sleep(3600); // an hour, at once
 *   console.log(getRunningLoop().time()); // 3600
 * }, { loopFactory });
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;

  /**
   * Make a clock that starts at `start`.
   *
   * @param start The time to start at, in seconds.
   */
  constructor(start = 0) {
    if (typeof start !== "number" || !Number.isFinite(start)) {
      throw new TypeError(
        `VirtualClock: start must be a finite number of seconds, got ${typeof start} ${
          String(start)
        }`,
      );
    }
    this.#now = start;
  }

  /** The current virtual time, in seconds. */
  now(): number {
    return this.#now;
  }

  /** Move time forward by `seconds`. */
  advance(seconds: number): void {
    checkSeconds("VirtualClock.advance", "seconds", seconds);
    if (seconds < 0) {
      throw new ValueError(
        `VirtualClock.advance: seconds must be >= 0, got ${seconds}`,
      );
    }
    this.#now += seconds;
  }

  /** Jump to `to` (the loop calls this when it would sleep). */
  jump(to: number): boolean {
    if (to > this.#now) this.#now = to;
    return true;
  }
}
