/**
 * Where the loop meets Deno's own event loop. The loop runs its callbacks
 * in microtasks; everything from outside (I/O, Deno's timers, signals)
 * comes in Deno's macrotasks. This is the one place the two meet:
 *
 * - **The idle sleep.** With nothing ready, the loop awaits `sleep()`, a
 *   promise that `wakeUp()` resolves: `callSoon` from a Deno callback, a
 *   new earlier timer, `stop()`.
 * - **The one Deno timer**, armed for the earliest loop timer
 *   (`armTimer`), never more than one. Deno fires a timer longer than
 *   2^31 - 1 ms after 1 ms, so a longer one is armed at the limit and
 *   re-armed from there.
 * - **Yields after busy work.** A loop that always has ready callbacks
 *   would starve Deno's I/O: after `YIELD_INTERVAL_MS` of busy work it
 *   awaits a `setImmediate` (`yieldIfBusy`).
 * - **The quiet watch** (`whenQuiet`): a real-time timer, armed only while
 *   the loop sleeps with nothing scheduled, that tells `run()`'s shutdown
 *   that nothing the loop knows of can happen any more.
 *
 * Why so (measured on Deno 2.9.6): a microtask costs about 0.06 µs,
 * `setImmediate` about 2–3 µs, `setTimeout(0)` about 2 ms; so the loop runs
 * its callbacks in one chain of microtasks and comes out to Deno only to
 * sleep or, every few milliseconds of busy work, to let I/O in.
 *
 * Virtual time (a `VirtualClock`) jumps instead of arming the Deno timer;
 * that decision is the loop's (`#idle` in `base_event_loop.ts`).
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { madePromise, newPromise } from "./_new_promise.ts";

/** The longest delay Deno's `setTimeout` keeps (2^31 - 1 ms, ~24.9 days). */
const MAX_DENO_TIMER_MS = 2 ** 31 - 1;
/** Busy work, in milliseconds, after which the loop lets Deno run I/O. */
const YIELD_INTERVAL_MS = 4;
/** `#lastYieldMs` after an idle wake-up: the next busy check starts it. */
const NOT_MEASURED = -1;

/** One loop's meeting point with Deno (see the module's header). */
export class DenoWakeup {
  /** Resolves the idle sleep; set only while the loop sleeps. */
  #wake: (() => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  #lastYieldMs = 0;
  #onQuiet: (() => void) | null = null;
  #quietMs = 0;
  #quietTimer: ReturnType<typeof setTimeout> | undefined;
  /** The quiet callback was called: pending tasks were given up. */
  gaveUp = false;

  /** Whether the loop is asleep in `sleep()`. */
  get sleeping(): boolean {
    return this.#wake !== null;
  }

  /** When the armed Deno timer wakes the loop (`Infinity`: none is armed). */
  get timerAt(): number {
    return this.#timerAt;
  }

  /** The loop sleeps: a promise that `wakeUp()` resolves. */
  sleep(): Promise<void> {
    const promise = newPromise<void>();
    this.#wake = madePromise.resolve as () => void;
    return promise;
  }

  /** Wake the sleeping loop, if it sleeps. */
  wakeUp(): void {
    const wake = this.#wake;
    if (wake !== null) {
      this.#wake = null;
      // Something happened: the quiet time starts again at the next sleep.
      if (this.#quietTimer !== undefined) this.clearQuiet();
      wake();
    }
  }

  /** Arm the Deno timer to wake the loop at loop time `when`, `delay` s away. */
  armTimer(when: number, delay: number, now: number): void {
    // An earlier wake-up is armed already.
    if (this.#timer !== undefined && when >= this.#timerAt) return;
    this.clearTimer();
    let ms = Math.ceil(delay * 1000);
    if (ms > MAX_DENO_TIMER_MS) {
      // Deno fires a longer timer after 1 ms (with a warning), every time:
      // wake at the limit instead, and arm again from there.
      ms = MAX_DENO_TIMER_MS;
      when = now + ms / 1000;
    }
    this.#timerAt = when;
    this.#timer = setTimeout(this.#onTimer, ms);
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.wakeUp();
  };

  /** Disarm the Deno timer. */
  clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  /** The loop starts running: busy time counts from now. */
  started(): void {
    this.#lastYieldMs = performance.now();
  }

  /** The loop slept and Deno ran I/O: busy time counts from the next check. */
  slept(): void {
    this.#lastYieldMs = NOT_MEASURED;
  }

  /** After busy work, let Deno's macrotasks (I/O, timers) run. */
  async yieldIfBusy(): Promise<void> {
    const now = performance.now();
    if (this.#lastYieldMs === NOT_MEASURED) this.#lastYieldMs = now;
    else if (now - this.#lastYieldMs >= YIELD_INTERVAL_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      this.#lastYieldMs = performance.now();
    }
  }

  /** Call `fn` after `ms` of sleep with nothing scheduled (`null`: stop). */
  whenQuiet(ms: number, fn: (() => void) | null): void {
    this.#onQuiet = fn;
    this.#quietMs = ms;
    if (fn === null) this.clearQuiet();
  }

  /** The loop sleeps with nothing scheduled: start the quiet watch. */
  startQuietWatch(): void {
    if (this.#onQuiet === null) return;
    this.clearQuiet();
    this.#quietTimer = setTimeout(this.#onQuietTimer, this.#quietMs);
  }

  #onQuietTimer = (): void => {
    this.#quietTimer = undefined;
    this.gaveUp = true;
    this.#onQuiet?.();
  };

  /** Stop the quiet watch. */
  clearQuiet(): void {
    if (this.#quietTimer !== undefined) clearTimeout(this.#quietTimer);
    this.#quietTimer = undefined;
  }
}
