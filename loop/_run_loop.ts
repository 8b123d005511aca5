/**
 * The run loop: the ready queue, the timers and what a `runForever` does
 * with them, as CPython's `_run_once`. Each iteration waits for work (the
 * idle sleep, `_deno_wakeup.ts`), makes the ready callbacks plus the timers
 * now due one batch, and runs the batch in order.
 *
 * Invariants:
 * - Callbacks run here only (`#advance`), one at a time, in FIFO order; a
 *   callback scheduled during a batch runs in the next one.
 * - When a callback begins an `async` task step, nothing else runs until
 *   the step ends (`_step.ts`): the loop awaits `#stepEnd()`, and the end of
 *   the step (`resumeAfterStep`) runs on from there. Callbacks that only
 *   resume a task (`taskResumers`) may run straight from the end of the
 *   previous step, in the task's async context; anything else waits for the
 *   loop's own.
 * - `stop()` ends the loop after a whole iteration, as CPython's.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { ioInFlight } from "./_io_in_flight.ts";
import { logger } from "./log.ts";
import { debugFromEnv } from "./_debug_env.ts";
import { slowCallbackMessage } from "./_slow_callback.ts";
import { DenoWakeup } from "./_deno_wakeup.ts";
import { taskResumers } from "./_hooks.ts";
import { madePromise, newPromise } from "./_new_promise.ts";
import { ReadyQueue } from "./_ready_queue.ts";
import { endStep, enterCallback, leaveCallback, stepping } from "./_step.ts";
import { Timers } from "./_timers.ts";
import type { Clock } from "./clock.ts";
import {
  type AbstractEventLoop,
  Handle,
  kCallback,
  kRun,
  type TimerHandle,
} from "./events.ts";

/** Real time a virtual clock waits for awaited I/O before it jumps. */
const IO_GRACE_MS = 250;
/** Callbacks between two looks at the clock for a yield (reading it costs). */
const YIELD_CHECK_HANDLES = 256;

/** Whether `handle` only resumes a task (see `taskResumers`). */
function resumesTask(handle: Handle): boolean {
  const callback = Handle[kCallback](handle);
  return callback !== null && taskResumers.has(callback);
}

/** What the run loop reads of its event loop. */
interface Owner extends AbstractEventLoop {
  slowCallbackDuration: number;
}

/** One event loop's run loop (see the module's header). */
export class RunLoop {
  #loop: Owner;
  #clock: Clock;
  #ready = new ReadyQueue();
  #timers = new Timers();
  /** Where the loop meets Deno. */
  readonly deno: DenoWakeup = new DenoWakeup();
  #stopping = false;
  /** Resolves the wait for the end of the task step in progress. */
  #stepDone: (() => void) | null = null;
  #immediateArmed = false;
  #handlesSinceCheck = 0;
  /** Debug mode: slow callbacks and steps are logged. */
  debug: boolean = debugFromEnv;
  /** Debug mode: the callback (or task step) being timed. */
  #slowHandle: Handle | null = null;
  #slowT0 = 0;

  constructor(loop: Owner, clock: Clock) {
    this.#loop = loop;
    this.#clock = clock;
  }

  /** The scheduled timers. */
  get timers(): Timers {
    return this.#timers;
  }

  /** Schedule `handle` to run in the next batch. */
  push(handle: Handle): void {
    this.#ready.push(handle);
    if (this.deno.sleeping) this.deno.wakeUp();
  }

  /** Schedule `timer`. */
  pushTimer(timer: TimerHandle): TimerHandle {
    this.#timers.push(timer);
    // A sleeping loop must re-arm its Deno timer if this one is earlier.
    const deno = this.deno;
    if (deno.sleeping && timer.when() < deno.timerAt) deno.wakeUp();
    return timer;
  }

  /** Stop after the current iteration. */
  stop(): void {
    this.#stopping = true;
    this.deno.wakeUp();
  }

  /** Drop every callback and timer (the loop closes). */
  clear(): void {
    this.#ready.clear();
    this.#timers.clear();
    this.deno.clearTimer();
    this.deno.whenQuiet(0, null);
  }

  /** Run iterations until `stop()`. */
  async run(): Promise<void> {
    this.deno.started();
    try {
      let first = true;
      for (;;) {
        if (this.#ready.peek() === undefined) {
          // An iteration is over (or none has run): as CPython's
          // `run_forever`, stop after a whole one.
          if (this.#stopping && !first) break;
          first = false;
          // The start of an iteration, as CPython's `_run_once`: wait for
          // work (or let Deno run I/O after busy work), then make the ready
          // callbacks, with the due timers after them, the batch to run.
          if (this.#ready.size === 0 && !this.#stopping) {
            const woken = this.#idle();
            if (woken !== null) {
              await woken;
              this.deno.slept();
            }
          } else if (this.#handlesSinceCheck >= YIELD_CHECK_HANDLES) {
            this.#handlesSinceCheck = 0;
            await this.deno.yieldIfBusy();
          }
          this.#startBatch();
        }
        if (this.#advance(true)) await this.#stepEnd();
      }
    } finally {
      this.#stopping = false;
      this.deno.clearTimer();
      this.deno.clearQuiet();
    }
  }

  #startBatch(): void {
    if (this.#timers.size > 0) {
      this.#timers.collectDue(this.#clock.now(), this.#ready);
    }
    this.#handlesSinceCheck += this.#ready.startBatch();
  }

  /**
   * Run the batch's callbacks in order. Return `true` when one has started an
   * `async` task step: the loop must then wait for `endStep` before it runs
   * the next one, so a task step is atomic as in asyncio. This is the single
   * place callbacks run.
   *
   * `inLoop` is false when called from the end of a step, inside the task's
   * async context: then only `taskResumers` may run (and the next iteration
   * may start, when nothing needs waiting); anything else returns `false`, for
   * the loop to carry on in its own context.
   */
  #advance(inLoop: boolean): boolean {
    const ready = this.#ready;
    for (;;) {
      for (let handle; (handle = ready.peek()) !== undefined;) {
        if (!inLoop && !resumesTask(handle)) return false;
        ready.take();
        if (this.debug) this.#debugStart(handle);
        enterCallback();
        handle[kRun](this.#loop);
        if (leaveCallback() !== null) {
          // A step that awaits a plain promise never signals its end; once
          // microtasks drain, `setImmediate` runs and ends it.
          if (!this.#immediateArmed) {
            this.#immediateArmed = true;
            setImmediate(this.#onImmediate);
          }
          return true;
        }
        if (this.debug) this.#debugEnd();
      }
      if (
        inLoop || this.#stopping || ready.size === 0 ||
        this.#handlesSinceCheck >= YIELD_CHECK_HANDLES
      ) {
        return false;
      }
      this.#startBatch();
    }
  }

  /**
   * Sleep until a callback is ready or the earliest timer is due: the promise
   * to await, or `null` when a timer is due already. Not `async`: a wake-up
   * costs the loop one promise and one microtask hop, no more.
   */
  #idle(): Promise<void> | null {
    const next = this.#timers.earliest();
    const deno = this.deno;
    // Nothing scheduled at all: only the world outside can wake the loop.
    if (next === undefined) deno.startQuietWatch();
    // The clock is read only to arm an earlier Deno timer: one armed for this
    // deadline or before wakes the loop in time (even if already expired).
    if (
      next !== undefined &&
      (next.when() < deno.timerAt || deno.timerAt === Infinity ||
        this.#clock.jump !== undefined)
    ) {
      const now = this.#clock.now();
      const delay = next.when() - now;
      if (delay <= 0) return null;
      if (this.#clock.jump) return this.#idleVirtual(next.when(), delay);
      deno.armTimer(next.when(), delay, now);
    }
    return deno.sleep();
  }

  /**
   * With a virtual clock: jump to `when` unless something comes first (a
   * callback, or, for up to `IO_GRACE_MS`, the real I/O a task awaits).
   */
  async #idleVirtual(when: number, delay: number): Promise<void> {
    // Let settled promises from Deno call `callSoon` before time jumps.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#ready.size > 0 || this.#stopping) return;
    if (ioInFlight() > 0) {
      // Real I/O that a task awaits: give it up to IO_GRACE_MS of real time
      // before time jumps over it (as Trio's autojump threshold).
      let graceOver = false;
      const timer = setTimeout(() => {
        graceOver = true;
        this.deno.wakeUp();
      }, IO_GRACE_MS);
      await this.deno.sleep();
      clearTimeout(timer);
      if (!graceOver) return; // it came: the loop runs it, then idles again
    }
    if (this.#clock.jump!(when)) return;
    this.deno.armTimer(when, delay, this.#clock.now());
    await this.deno.sleep();
  }

  /** Wait until the task step in progress ends (see `#advance`). */
  #stepEnd(): Promise<void> {
    const promise = newPromise<void>();
    this.#stepDone = madePromise.resolve as () => void;
    return promise;
  }

  /**
   * A step ended (`endStep`, installed with `installLoop`): run on from here
   * if possible, else wake the loop.
   */
  resumeAfterStep = (): void => {
    if (this.debug) this.#debugEnd();
    if (this.#advance(false)) return;
    const done = this.#stepDone;
    this.#stepDone = null;
    done?.();
  };

  #onImmediate = (): void => {
    this.#immediateArmed = false;
    const task = stepping;
    if (task !== null) endStep(task);
  };

  #debugStart(handle: Handle): void {
    this.#slowHandle = handle;
    this.#slowT0 = performance.now();
  }

  #debugEnd(): void {
    const handle = this.#slowHandle;
    if (handle === null) return;
    this.#slowHandle = null;
    const seconds = (performance.now() - this.#slowT0) / 1000;
    if (seconds >= this.#loop.slowCallbackDuration) {
      logger.warning(slowCallbackMessage(handle, seconds));
    }
  }
}
