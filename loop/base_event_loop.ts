/**
 * The event loop's engine: a FIFO ready queue, a timer heap and the run loop
 * that meets Deno's reactor.
 *
 * How the loop meets Deno (measured on Deno 2.9.6): a microtask costs about
 * 0.06 µs, `setImmediate` about 2–3 µs, `setTimeout(0)` about 2 ms. So the loop
 * runs its callbacks inside one chain of microtasks, sleeps on a single Deno
 * timer (armed for the earliest deadline) or on a promise that `callSoon`
 * resolves, and yields to Deno's macrotask queue with `setImmediate` only
 * every few milliseconds of busy work, so that I/O is never starved.
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
import { TimerHeap } from "./_heap.ts";
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

/** Heap clean-up thresholds, as CPython's `base_events`. */
const MIN_SCHEDULED_TIMER_HANDLES = 100;
/** The longest delay Deno's `setTimeout` keeps (2^31 - 1 ms, ~24.9 days). */
const MAX_DENO_TIMER_MS = 2 ** 31 - 1;
/** Busy work, in milliseconds, after which the loop lets Deno run I/O. */
const YIELD_INTERVAL_MS = 4;
/** `#lastYieldMs` after an idle wake-up: the next busy check starts it. */
const NOT_MEASURED = -1;
/** Callbacks between two looks at the clock for that (reading it costs). */
const YIELD_CHECK_HANDLES = 256;

function stopLoopCallback(fut: FutureLike): void {
  (fut.getLoop() as AbstractEventLoop).stop();
}

const AsyncFunction = (async () => {}).constructor;
function ignore(): void {}
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
  #timers = new TimerHeap();
  #cancelledTimers = 0;
  #timerSeq = 0;
  #running = false;
  #stopping = false;
  #closed = false;
  #debug = false;
  #exceptionHandler: ExceptionHandler | null = null;
  #taskFactory: TaskFactory | null = null;
  /** Resolves the idle wait; set only while the loop sleeps. */
  #wake: (() => void) | null = null;
  #denoTimer: ReturnType<typeof setTimeout> | undefined;
  #denoTimerAt = Infinity;
  /** Resolves the wait for the end of the task step in progress. */
  #stepDone: (() => void) | null = null;
  #immediateArmed = false;
  #lastYieldMs = 0;
  #handlesSinceCheck = 0;
  /** Debug mode: the callback (or task step) being timed. */
  #slowHandle: Handle | null = null;
  #slowT0 = 0;
  /** See `kWhenQuiet`; the Deno timer runs only while the loop sleeps. */
  #onQuiet: (() => void) | null = null;
  #quietMs = 0;
  #quietTimer: ReturnType<typeof setTimeout> | undefined;
  /** The quiet callback was called: pending tasks were given up. */
  #gaveUp = false;

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
    if (this.#wake !== null) this.#wakeUp();
    return handle;
  }

  /** Internal: `callSoon(fn, arg)` without the checks, for futures and tasks. */
  [kSchedule]<A>(fn: (arg: A) => unknown, arg: A): void {
    if (this.#closed) {
      // A given-up task whose promise settled after all ends from a promise
      // reaction, where a throw kills Deno; in asyncio it would never run
      // again, so nothing it schedules runs.
      if (this.#gaveUp) return;
      throw new RuntimeError("Event loop is closed");
    }
    this.#ready.push(Handle[kOneArg](new Handle(fn, NO_ARGS), arg));
    if (this.#wake !== null) this.#wakeUp();
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
      this.#timerSeq++,
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
      new TimerHandle(when, this.#timerSeq++, callback, args, this),
    );
  }

  #pushTimer(timer: TimerHandle): TimerHandle {
    const when = timer.when();
    timer.scheduled = true;
    this.#timers.push(timer);
    // A sleeping loop must re-arm its Deno timer if this one is earlier.
    if (this.#wake !== null && when < this.#denoTimerAt) this.#wakeUp();
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
    const lines = [context.message || "Unhandled exception in event loop"];
    for (const key of Object.keys(context).sort()) {
      if (key === "message" || key === "exception") continue;
      if (key === "sourceTraceback") continue;
      lines.push(`${key}: ${String(context[key])}`);
    }
    if (typeof context.sourceTraceback === "string") {
      // asyncio's "Object created at (most recent call last)", in V8's order
      lines.push("Object created at (most recent call first):");
      lines.push(context.sourceTraceback);
    }
    const exc = context.exception;
    if (exc !== undefined) {
      lines.push(exc instanceof Error ? exc.stack ?? String(exc) : String(exc));
    }
    console.error(lines.join("\n"));
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
    const handler = this.#exceptionHandler;
    let result: unknown;
    try {
      if (handler === null) result = this.defaultExceptionHandler(context);
      else result = handler(this, context);
    } catch (exception) {
      this.#handlerFailed(handler, exception, context);
      return;
    }
    // Unwatched, an async handler's rejection would kill Deno.
    if (result instanceof Promise) {
      result.then(undefined, (exception: unknown) => {
        this.#handlerFailed(handler, exception, context);
      });
    }
  }

  /** Log what the exception handler raised, as asyncio does. */
  #handlerFailed(
    handler: ExceptionHandler | null,
    exception: unknown,
    context: ExceptionContext,
  ): void {
    try {
      const result: unknown = this.defaultExceptionHandler({
        message: handler === null
          ? "Exception in default exception handler"
          : "Unhandled error in exception handler",
        exception,
        context: JSON.stringify(context.message),
      });
      // An async override of the default handler: nothing is left to report to.
      if (result instanceof Promise) result.then(undefined, ignore);
    } catch {
      // Nothing is left to report to; the loop must go on.
    }
  }

  /** Stop running: the current iteration finishes first. */
  stop(): void {
    this.#stopping = true;
    this.#wakeUp();
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
    this.#clearDenoTimer();
    this[kWhenQuiet](0, null);
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
    this.#lastYieldMs = performance.now();
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
              // Deno ran I/O meanwhile: busy time counts from the next check.
              this.#lastYieldMs = NOT_MEASURED;
            }
          } else if (this.#handlesSinceCheck >= YIELD_CHECK_HANDLES) {
            await this.#yieldIfBusy();
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
      this.#clearDenoTimer();
      this.#clearQuietTimer();
    }
  }

  /** After busy work, let Deno's macrotasks (I/O, timers) run. */
  async #yieldIfBusy(): Promise<void> {
    this.#handlesSinceCheck = 0;
    const now = performance.now();
    if (this.#lastYieldMs === NOT_MEASURED) this.#lastYieldMs = now;
    else if (now - this.#lastYieldMs >= YIELD_INTERVAL_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      this.#lastYieldMs = performance.now();
    }
  }

  #startBatch(): void {
    if (this.#timers.size > 0) this.#collectDueTimers();
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
    const next = this.#earliestTimer();
    // Nothing scheduled at all: only the world outside can wake the loop.
    if (next === undefined && this.#onQuiet !== null) {
      this.#clearQuietTimer();
      this.#quietTimer = setTimeout(this.#onQuietTimer, this.#quietMs);
    }
    // The clock is read only to arm an earlier Deno timer: one armed for this
    // deadline or before wakes the loop in time (even if already expired).
    if (
      next !== undefined &&
      (next.when() < this.#denoTimerAt || this.#denoTimer === undefined ||
        this.#clock.jump !== undefined)
    ) {
      const delay = next.when() - this.#clock.now();
      if (delay <= 0) return null;
      if (this.#clock.jump) return this.#idleVirtual(next.when(), delay);
      this.#armDenoTimer(next.when(), delay);
    }
    return this.#sleep();
  }

  /** With a virtual clock: jump to `when` unless something comes first. */
  async #idleVirtual(when: number, delay: number): Promise<void> {
    // Let settled promises from Deno call `callSoon` before time jumps.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#ready.size > 0 || this.#stopping) return;
    if (this.#clock.jump!(when)) return;
    this.#armDenoTimer(when, delay);
    await this.#sleep();
  }

  /** A promise that `#wakeUp` resolves. */
  #sleep(): Promise<void> {
    const promise = newPromise<void>();
    this.#wake = madePromise.resolve as () => void;
    return promise;
  }

  #wakeUp(): void {
    const wake = this.#wake;
    if (wake !== null) {
      this.#wake = null;
      // Something happened: the quiet time starts again at the next sleep.
      if (this.#quietTimer !== undefined) this.#clearQuietTimer();
      wake();
    }
  }

  /** Internal: see `kWhenQuiet`. */
  [kWhenQuiet](ms: number, fn: (() => void) | null): void {
    this.#onQuiet = fn;
    this.#quietMs = ms;
    if (fn === null) this.#clearQuietTimer();
  }

  #onQuietTimer = (): void => {
    this.#quietTimer = undefined;
    this.#gaveUp = true;
    this.#onQuiet?.();
  };

  #clearQuietTimer(): void {
    if (this.#quietTimer !== undefined) clearTimeout(this.#quietTimer);
    this.#quietTimer = undefined;
  }

  #armDenoTimer(when: number, delay: number): void {
    // An earlier wake-up is armed already.
    if (this.#denoTimer !== undefined && when >= this.#denoTimerAt) return;
    this.#clearDenoTimer();
    let ms = Math.ceil(delay * 1000);
    if (ms > MAX_DENO_TIMER_MS) {
      // Deno fires a longer timer after 1 ms (with a warning), every time:
      // wake at the limit instead, and arm again from there.
      ms = MAX_DENO_TIMER_MS;
      when = this.#clock.now() + ms / 1000;
    }
    this.#denoTimerAt = when;
    this.#denoTimer = setTimeout(this.#onDenoTimer, ms);
  }

  #onDenoTimer = (): void => {
    this.#denoTimer = undefined;
    this.#denoTimerAt = Infinity;
    this.#wakeUp();
  };

  #clearDenoTimer(): void {
    if (this.#denoTimer !== undefined) clearTimeout(this.#denoTimer);
    this.#denoTimer = undefined;
    this.#denoTimerAt = Infinity;
  }

  /** The earliest live timer; cancelled ones at the top are dropped. */
  #earliestTimer(): TimerHandle | undefined {
    const timers = this.#timers;
    let top = timers.peek();
    while (top !== undefined && top.cancelled()) {
      timers.pop();
      top.scheduled = false;
      this.#cancelledTimers--;
      top = timers.peek();
    }
    return top;
  }

  #collectDueTimers(): void {
    const now = this.#clock.now();
    for (;;) {
      const top = this.#earliestTimer();
      if (top === undefined || top.when() > now) return;
      this.#timers.pop();
      top.scheduled = false;
      this.#ready.push(top);
    }
  }

  /** A timer was cancelled: clean the heap once most of it is dead. */
  [kTimerCancelled](): void {
    this.#cancelledTimers++;
    const size = this.#timers.size;
    if (
      size > MIN_SCHEDULED_TIMER_HANDLES && this.#cancelledTimers * 2 > size
    ) {
      this.#timers.filter((timer) => {
        if (!timer.cancelled()) return true;
        timer.scheduled = false;
        return false;
      });
      this.#cancelledTimers = 0;
    }
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
