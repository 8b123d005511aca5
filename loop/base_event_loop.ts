/**
 * The event loop's engine: a FIFO ready queue (`_ready_queue.ts`), the
 * timers (`_timers.ts`), and the run loop, which runs a batch of ready
 * callbacks per iteration as CPython's `_run_once`, waits for the end of a
 * task step that one of them began (`_step.ts`), and sleeps or yields where
 * it meets Deno (`_deno_wakeup.ts`).
 *
 * @module
 */
import { setImmediate } from "node:timers";
import { RuntimeError, ValueError } from "../exceptions/builtins.ts";
import {
  closeHooks,
  kCoroutineFunction,
  taskFactories,
  taskResumers,
} from "./_hooks.ts";
import { runningLoop, setRunningLoop } from "./_running_loop.ts";
import {
  endStep,
  enterCallback,
  installLoop,
  leaveCallback,
  stepping,
} from "./_step.ts";
import { enterFreshHolder } from "./_adoption.ts";
import { madePromise, newPromise } from "./_new_promise.ts";
// Types only (see loop/events.ts).
import type { Future } from "../tasks/future.ts";
import type { Task, TaskCoroutine } from "../tasks/task.ts";
import { Timers } from "./_timers.ts";
import { DenoWakeup } from "./_deno_wakeup.ts";
import { callHandler, formatContext } from "./_exception_handler.ts";
import { ReadyQueue } from "./_ready_queue.ts";
// Types only: erased at run time, so the loop still imports nothing of tasks/.
import { type Clock, MonotonicClock } from "./clock.ts";
import {
  type AbstractEventLoop,
  checkCallback,
  checkSeconds,
  type CreateTaskOptions,
  type ExceptionContext,
  type ExceptionHandler,
  type FutureLike,
  Handle,
  inspect,
  kCallback,
  kOneArg,
  kRun,
  kSchedule,
  kScheduleLater,
  kTimerCancelled,
  type TaskFactory,
  TimerHandle,
} from "./events.ts";

/** Options for `new EventLoop()`. */
export interface EventLoopOptions {
  /**
   * Where the loop reads time: a `VirtualClock` makes timers jump instead of
   * sleeping, for tests.
   *
   * @default {new MonotonicClock()}
   */
  clock?: Clock;
}

/**
 * Internal: `loop[kWhenQuiet](ms, fn)` calls `fn` once the loop has slept for
 * `ms` milliseconds of real time with no callback ready and no timer left
 * (`fn` `null` to stop): nothing the loop knows of can happen any more, so a
 * task still pending waits on something outside it (`run()`'s shutdown gives
 * such tasks up). Once `fn` has been called, the futures and tasks of the
 * loop drop their callbacks after `close()` instead of throwing "Event loop
 * is closed" (see `kSchedule`).
 */
export const kWhenQuiet: unique symbol = Symbol("whenQuiet");

/** Whether `handle` only resumes a task (see `taskResumers`). */
function resumesTask(handle: Handle): boolean {
  const callback = Handle[kCallback](handle);
  return callback !== null && taskResumers.has(callback);
}

/** Callbacks between two looks at the clock for that (reading it costs). */
const YIELD_CHECK_HANDLES = 256;

function stopLoopCallback(fut: FutureLike): void {
  (fut.getLoop() as AbstractEventLoop).stop();
}

const AsyncFunction = (async () => {}).constructor;
const NO_ARGS: unknown[] = [];

/**
 * The event loop (asyncio's `EventLoop`): runs callbacks, timers and tasks.
 * Most programs use `run()` or `getEventLoop()` rather than making one.
 *
 * @example Running callbacks in order
 * ```ts
 * import { EventLoop } from "@asyncio/deno";
 * const loop = new EventLoop();
 * loop.callSoon(console.log, "first");
 * loop.callSoon(console.log, "second");
 * loop.callSoon(() => loop.stop());
 * await loop.runForever();
 * loop.close();
 * ```
 */
export class EventLoop implements AbstractEventLoop {
  #clock: Clock;
  #ready = new ReadyQueue();
  #timers = new Timers();
  #deno = new DenoWakeup();
  #running = false;
  #stopping = false;
  #closed = false;
  #debug = false;
  #exceptionHandler: ExceptionHandler | null = null;
  #taskFactory: TaskFactory | null = null;
  /** Resolves the wait for the end of the task step in progress. */
  #stepDone: (() => void) | null = null;
  #immediateArmed = false;
  #handlesSinceCheck = 0;
  /** Debug mode: the callback (or task step) being timed. */
  #slowHandle: Handle | null = null;
  #slowT0 = 0;

  /** In debug mode, callbacks slower than this many seconds are logged. */
  slowCallbackDuration = 0.1;

  /**
   * Make an event loop; most programs use `run()` or `getEventLoop()`.
   *
   * @param options Where the loop reads time.
   */
  constructor(options: EventLoopOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `EventLoop: options must be an object, got ${typeof options}`,
      );
    }
    const clock = options.clock ?? new MonotonicClock();
    if (typeof clock?.now !== "function") {
      throw new TypeError("EventLoop: options.clock must have a now() method");
    }
    this.#clock = clock;
  }

  /** The loop's time, in seconds, from its monotonic clock. */
  time(): number {
    return this.#clock.now();
  }

  /** Whether the loop is running. */
  isRunning(): boolean {
    return this.#running;
  }

  /** Whether the loop was closed. */
  isClosed(): boolean {
    return this.#closed;
  }

  /** Whether debug mode is on. */
  getDebug(): boolean {
    return this.#debug;
  }

  /** Turn debug mode on or off: it logs callbacks slower than `slowCallbackDuration`. */
  setDebug(enabled: boolean): void {
    this.#debug = Boolean(enabled);
  }

  /**
   * Arrange for a callback to be called as soon as possible. An error it
   * throws, or the rejection of a promise it returns, goes to the exception
   * handler as "Exception in callback …", as for `callLater`, `callAt` and a
   * Future's done-callbacks.
   */
  // deno-lint-ignore no-explicit-any
  callSoon<A extends any[]>(
    callback: (...args: A) => unknown,
    ...args: A
  ): Handle {
    this.#checkCallback("callSoon", callback);
    // Keep no empty rest array alive per handle.
    const handle = new Handle(callback, args.length === 0 ? NO_ARGS : args);
    this.#ready.push(handle);
    if (this.#deno.sleeping) this.#deno.wakeUp();
    return handle;
  }

  /** Internal: `callSoon(fn, arg)` without the checks, for futures and tasks. */
  [kSchedule]<A>(fn: (arg: A) => unknown, arg: A): void {
    if (this.#closed) {
      // A given-up task whose promise settled after all ends from a promise
      // reaction, where a throw kills Deno; in asyncio it would never run
      // again, so nothing it schedules runs.
      if (this.#deno.gaveUp) return;
      throw new RuntimeError("Event loop is closed");
    }
    this.#ready.push(Handle[kOneArg](new Handle(fn, NO_ARGS), arg));
    if (this.#deno.sleeping) this.#deno.wakeUp();
  }

  /** Arrange for a callback to be called after `delay` seconds. */
  // deno-lint-ignore no-explicit-any
  callLater<A extends any[]>(
    delay: number,
    callback: (...args: A) => unknown,
    ...args: A
  ): TimerHandle {
    checkSeconds("callLater", "delay", delay);
    return this.#scheduleAt(
      "callLater",
      this.#clock.now() + delay,
      callback,
      args,
    );
  }

  /** Arrange for a callback to be called at loop time `when`, in seconds. */
  // deno-lint-ignore no-explicit-any
  callAt<A extends any[]>(
    when: number,
    callback: (...args: A) => unknown,
    ...args: A
  ): TimerHandle {
    checkSeconds("callAt", "when", when);
    return this.#scheduleAt("callAt", when, callback, args);
  }

  /**
   * Internal: `callLater(delay, fn, arg)` without the checks and with no
   * arguments array, for `sleep` (a timer per sleeping task).
   */
  [kScheduleLater]<A>(
    delay: number,
    fn: (arg: A) => unknown,
    arg: A,
  ): TimerHandle {
    this.#checkClosed();
    const timer = new TimerHandle(
      this.#clock.now() + delay,
      this.#timers.nextSeq(),
      fn,
      NO_ARGS,
      this,
    );
    return this.#pushTimer(Handle[kOneArg](timer, arg));
  }

  #scheduleAt(
    api: string,
    when: number,
    // deno-lint-ignore no-explicit-any
    callback: (...args: any[]) => unknown,
    args: unknown[],
  ): TimerHandle {
    this.#checkCallback(api, callback);
    return this.#pushTimer(
      new TimerHandle(when, this.#timers.nextSeq(), callback, args, this),
    );
  }

  #pushTimer(timer: TimerHandle): TimerHandle {
    this.#timers.push(timer);
    // A sleeping loop must re-arm its Deno timer if this one is earlier.
    const deno = this.#deno;
    if (deno.sleeping && timer.when() < deno.timerAt) deno.wakeUp();
    return timer;
  }

  /** Create a Future attached to the loop. */
  createFuture<T = unknown>(): Future<T> {
    this.#checkClosed();
    return taskFactories("createFuture").future(this) as Future<T>;
  }

  /** Schedule a coroutine as a task; return the Task. */
  createTask<T>(
    coro: TaskCoroutine<T>,
    options: CreateTaskOptions = {},
  ): Task<T> {
    this.#checkClosed();
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `createTask: options must be an object, got ${typeof options}`,
      );
    }
    for (const key of Object.keys(options)) {
      if (key !== "name") {
        throw new TypeError(`createTask: unknown option "${key}"`);
      }
    }
    const name = options.name ?? null;
    if (name !== null && typeof name !== "string") {
      throw new TypeError(
        `createTask: options.name must be a string, got ${typeof name}`,
      );
    }
    if (this.#taskFactory !== null) {
      return this.#taskFactory(this, coro, { name }) as Task<T>;
    }
    return taskFactories("createTask").task(this, coro, name) as Task<T>;
  }

  /** Set the factory `createTask` uses; `null` restores the default. */
  setTaskFactory(factory: TaskFactory | null): void {
    if (factory !== null && typeof factory !== "function") {
      throw new TypeError("task factory must be a callable or None");
    }
    this.#taskFactory = factory;
  }

  /** The factory `createTask` uses, or `null` for the default. */
  getTaskFactory(): TaskFactory | null {
    return this.#taskFactory;
  }

  /**
   * Set the exception handler; `null` restores the default. What it throws,
   * or the rejection of a promise it returns (an `async` handler), is logged
   * by the default handler as "Unhandled error in exception handler".
   */
  setExceptionHandler(handler: ExceptionHandler | null): void {
    if (handler !== null && typeof handler !== "function") {
      throw new TypeError(
        `A callable object or None is expected, got ${typeof handler}`,
      );
    }
    this.#exceptionHandler = handler;
  }

  /** The exception handler, or `null` when the default is in use. */
  getExceptionHandler(): ExceptionHandler | null {
    return this.#exceptionHandler;
  }

  /**
   * The default exception handler: logs the message, every other key of the
   * context, where the object was created (`sourceTraceback`, in debug
   * mode) and the exception's stack, as asyncio does.
   */
  defaultExceptionHandler(context: ExceptionContext): void {
    console.error(formatContext(context));
  }

  /**
   * Call the current exception handler; errors it throws, and the rejection
   * of a promise it returns (an `async` handler), are logged, never raised.
   */
  callExceptionHandler(context: ExceptionContext): void {
    if (context === null || typeof context !== "object") {
      throw new TypeError(
        `callExceptionHandler: context must be an object, got ${
          context === null ? "null" : typeof context
        }`,
      );
    }
    callHandler(this, this.#exceptionHandler, context);
  }

  /** Stop running: the current iteration finishes first. */
  stop(): void {
    this.#stopping = true;
    this.#deno.wakeUp();
  }

  /** Close the loop: pending callbacks and timers are dropped. */
  close(): void {
    if (this.#running) {
      throw new RuntimeError("Cannot close a running event loop");
    }
    if (this.#closed) return;
    this.#closed = true;
    this.#ready.clear();
    this.#timers.clear();
    this.#deno.clearTimer();
    this.#deno.whenQuiet(0, null);
    for (const hook of closeHooks) hook(this);
  }

  /** Run until the future (or a coroutine, wrapped in a task) is done; return its result. */
  async runUntilComplete<T>(
    future: PromiseLike<T> | Iterable<unknown>,
  ): Promise<T> {
    this.#checkClosed();
    this.#checkRunning();
    const isFuture = taskFactories("runUntilComplete").isFuture(future);
    const fut: FutureLike = isFuture
      ? future
      : this.createTask(future as TaskCoroutine<T>);
    if (fut.getLoop() !== this) {
      throw new ValueError(
        "The future belongs to a different loop than the one specified as the loop argument",
      );
    }
    fut.addDoneCallback(stopLoopCallback);
    try {
      await this.runForever();
    } catch (error) {
      // The error is raised here; the task's own is then not "unretrieved".
      if (!isFuture && fut.done() && !fut.cancelled()) fut.exception();
      throw error;
    } finally {
      fut.removeDoneCallback(stopLoopCallback);
    }
    if (!fut.done()) {
      throw new RuntimeError("Event loop stopped before Future completed.");
    }
    return fut.result() as T;
  }

  /** Run until `stop()` is called. */
  async runForever(): Promise<void> {
    this.#checkClosed();
    this.#checkRunning();
    this.#running = true;
    setRunningLoop(this);
    installLoop(this.#resumeAfterStep);
    // The loop's own context: callbacks never run inside a task's.
    enterFreshHolder(null);
    // Let the awaits that coroutines started before the loop ran reach their
    // futures before the first iteration.
    await null;
    this.#deno.started();
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
              this.#deno.slept();
            }
          } else if (this.#handlesSinceCheck >= YIELD_CHECK_HANDLES) {
            this.#handlesSinceCheck = 0;
            await this.#deno.yieldIfBusy();
          }
          this.#startBatch();
        }
        if (this.#advance(true)) await this.#stepEnd();
      }
    } finally {
      this.#stopping = false;
      this.#running = false;
      setRunningLoop(null);
      installLoop(null);
      this.#deno.clearTimer();
      this.#deno.clearQuiet();
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
        if (this.#debug) this.#debugStart(handle);
        enterCallback();
        handle[kRun](this);
        if (leaveCallback() !== null) {
          // A step that awaits a plain promise never signals its end; once
          // microtasks drain, `setImmediate` runs and ends it.
          if (!this.#immediateArmed) {
            this.#immediateArmed = true;
            setImmediate(this.#onImmediate);
          }
          return true;
        }
        if (this.#debug) this.#debugEnd();
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
    const deno = this.#deno;
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

  /** With a virtual clock: jump to `when` unless something comes first. */
  async #idleVirtual(when: number, delay: number): Promise<void> {
    // Let settled promises from Deno call `callSoon` before time jumps.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#ready.size > 0 || this.#stopping) return;
    if (this.#clock.jump!(when)) return;
    this.#deno.armTimer(when, delay, this.#clock.now());
    await this.#deno.sleep();
  }

  /** Internal: see `kWhenQuiet`. */
  [kWhenQuiet](ms: number, fn: (() => void) | null): void {
    this.#deno.whenQuiet(ms, fn);
  }

  /** A timer was cancelled: clean the heap once most of it is dead. */
  [kTimerCancelled](): void {
    this.#timers.cancelled();
  }

  /** Wait until the task step in progress ends (see `#advance`). */
  #stepEnd(): Promise<void> {
    const promise = newPromise<void>();
    this.#stepDone = madePromise.resolve as () => void;
    return promise;
  }

  /** A step ended (`endStep`): run on from here if possible, else wake the loop. */
  #resumeAfterStep = (): void => {
    if (this.#debug) this.#debugEnd();
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
    if (seconds >= this.slowCallbackDuration) {
      console.warn(`Executing ${handle} took ${seconds.toFixed(3)} seconds`);
    }
  }

  #checkCallback(api: string, callback: unknown): void {
    this.#checkClosed();
    checkCallback(api, callback);
    if (
      (callback as () => void).constructor === AsyncFunction ||
      (callback as unknown as Record<symbol, unknown>)[kCoroutineFunction]
    ) {
      throw new TypeError(`coroutines cannot be used with ${api}()`);
    }
  }

  #checkClosed(): void {
    if (this.#closed) throw new RuntimeError("Event loop is closed");
  }

  #checkRunning(): void {
    if (this.#running) {
      throw new RuntimeError("This event loop is already running");
    }
    if (runningLoop() !== null) {
      throw new RuntimeError(
        "Cannot run the event loop while another loop is running",
      );
    }
  }

  /** `<EventLoop running=false closed=false debug=false>`, as in CPython. */
  toString(): string {
    return `<EventLoop running=${this.#running} closed=${this.#closed} debug=${this.#debug}>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}
