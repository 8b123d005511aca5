/**
 * `EventLoop`, asyncio's event loop: the public face (arguments checked,
 * callbacks and timers made into handles, the exception handler, the task
 * factory, debug mode, closing) over its run loop (`_run_loop.ts`), which
 * runs the callbacks, waits for task steps and meets Deno.
 *
 * @module
 */
import { RuntimeError, ValueError } from "../exceptions/builtins.ts";
// Types only, erased at run time (see loop/events.ts).
import type { Awaitable, Future } from "../tasks/future.ts";
import type { Executor, WorkerFunction } from "./executor.ts";
import type {
  DatagramProtocolLike,
  ProtocolLike,
  SubprocessProtocolLike,
} from "./protocols.ts";
import type {
  ConnectionOptions,
  DatagramEndpointOptions,
  DatagramTransport,
  LoopStartTlsOptions,
  ServerOptions,
  SslClientOptions,
  SubprocessTransport,
  SubprocessTransportOptions,
  Transport,
  UnixServerOptions,
} from "./transports.ts";
import type { Task, TaskCoroutine } from "../tasks/task.ts";
import { enterFreshHolder } from "./_adoption.ts";
import { callHandler, formatContext } from "./_exception_handler.ts";
import {
  closeHooks,
  executorFactories,
  kCoroutineFunction,
  networkFactories,
  subprocessFactories,
  taskDumpFormatter,
  taskFactories,
} from "./_hooks.ts";
import { RunLoop } from "./_run_loop.ts";
import { SignalHandlers } from "./_signal_handlers.ts";
import { type SignalName, signalName } from "./signals.ts";
import { runningLoop, setRunningLoop } from "./_running_loop.ts";
import { installLoop } from "./_step.ts";
import { type Clock, MonotonicClock, VirtualClock } from "./clock.ts";
import {
  type AbstractEventLoop,
  type AbstractServer,
  type CreateTaskOptions,
  type ExceptionContext,
  type ExceptionHandler,
  type FutureLike,
  Handle,
  inspect,
  kOneArg,
  kSchedule,
  kScheduleLater,
  kTimerCancelled,
  type TaskFactory,
  TimerHandle,
} from "./events.ts";
import {
  checkFunction,
  checkOptions,
  checkSeconds,
} from "../exceptions/checks.ts";

/** Options for `new EventLoop()`. */
export interface EventLoopOptions {
  /**
   * Where the loop reads time: a `VirtualClock` (or `"virtual"`, a new one
   * starting at 0) makes timers jump instead of sleeping, for tests;
   * `"monotonic"` is the real clock.
   *
   * @default {new MonotonicClock()}
   */
  clock?: Clock | "virtual" | "monotonic";
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
  #run: RunLoop;
  #running = false;
  #closed = false;
  #exceptionHandler: ExceptionHandler | null = null;
  #taskFactory: TaskFactory | null = null;
  #signals: SignalHandlers | null = null;

  /** In debug mode, callbacks slower than this many seconds are logged. */
  slowCallbackDuration = 0.1;

  /**
   * Make an event loop; most programs use `run()` or `getEventLoop()`.
   *
   * @param options Where the loop reads time.
   */
  constructor(options: EventLoopOptions = {}) {
    const given = checkOptions("EventLoop", options, ["clock"]).clock;
    const clock = given === "virtual"
      ? new VirtualClock()
      : given === undefined || given === "monotonic"
      ? new MonotonicClock()
      : given;
    if (typeof clock?.now !== "function") {
      throw new TypeError("EventLoop: options.clock must have a now() method");
    }
    this.#clock = clock;
    this.#run = new RunLoop(this, clock);
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
    return this.#run.debug;
  }

  /** Turn debug mode on or off: it logs callbacks slower than `slowCallbackDuration`. */
  setDebug(enabled: boolean): void {
    this.#run.debug = Boolean(enabled);
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
    return this.#soon("callSoon", callback, args);
  }

  /**
   * `callSoon`, from code outside the loop's callbacks: a Worker's message
   * handler, a Deno timer, an I/O callback. Every `callSoon` is safe there
   * (JavaScript runs one callback at a time per thread, and it wakes a
   * sleeping loop); this is its asyncio name. Another Worker reaches this
   * loop through `exposeLoop()`.
   */
  // deno-lint-ignore no-explicit-any
  callSoonThreadsafe<A extends any[]>(
    callback: (...args: A) => unknown,
    ...args: A
  ): Handle {
    return this.#soon("callSoonThreadsafe", callback, args);
  }

  #soon(api: string, callback: unknown, args: unknown[]): Handle {
    this.#checkCallback(api, callback);
    // Keep no empty rest array alive per handle.
    const handle = new Handle(
      callback as () => unknown,
      args.length === 0 ? NO_ARGS : args,
    );
    this.#run.push(handle);
    return handle;
  }

  /**
   * Call `callback(...args)` each time the process receives `sig` (a name,
   * `"SIGUSR1"`, or a Linux number, `10`), as a callback of the loop, as
   * asyncio's `add_signal_handler`; it replaces the signal's previous
   * handler. `close()` removes the loop's handlers.
   *
   * @throws {ValueError} For an unknown signal.
   * @throws {RuntimeError} If the loop is closed, or for a signal that
   * cannot be caught (`SIGKILL`, `SIGSTOP`).
   */
  // deno-lint-ignore no-explicit-any
  addSignalHandler<A extends any[]>(
    sig: SignalName | number,
    callback: (...args: A) => unknown,
    ...args: A
  ): void {
    const name = signalName("addSignalHandler", sig);
    this.#checkCallback("addSignalHandler", callback);
    const handle = new Handle(callback, args.length === 0 ? NO_ARGS : args);
    this.#signals ??= new SignalHandlers((h) => this.#run.push(h));
    this.#signals.add(name, handle);
  }

  /**
   * Remove the handler of `sig`; return whether there was one.
   *
   * @throws {ValueError} For an unknown signal.
   */
  removeSignalHandler(sig: SignalName | number): boolean {
    const name = signalName("removeSignalHandler", sig);
    return this.#signals?.remove(name) ?? false;
  }

  /**
   * Run `fn(...args)` on a Worker of `executor`, or of the loop's default
   * `WorkerPoolExecutor` when `null`, as asyncio's `run_in_executor`: a
   * Future of its result. `fn` is made by `workerFunction()` (see
   * `executors/run_in_executor.ts`).
   */
  // deno-lint-ignore no-explicit-any
  runInExecutor<F extends (...args: any[]) => unknown>(
    executor: Executor | null,
    fn: WorkerFunction<F>,
    ...args: Parameters<F>
  ): Future<Awaited<ReturnType<F>>> {
    return executorFactories("runInExecutor").runInExecutor(
      this,
      executor,
      fn,
      args,
    ) as Future<Awaited<ReturnType<F>>>;
  }

  /** Make `executor` the default one (`runInExecutor(null, …)`, `toThread`). */
  setDefaultExecutor(executor: Executor): void {
    executorFactories("setDefaultExecutor").setDefaultExecutor(this, executor);
  }

  /** Shut the default executor down: a Future done once its Workers end. */
  shutdownDefaultExecutor(): Future<void> {
    return executorFactories("shutdownDefaultExecutor")
      .shutdownDefaultExecutor(this) as Future<void>;
  }

  /**
   * Print, with `console.log`, the table of the loop's pending tasks that
   * `formatTasks(loop)` makes (name, state, age, coroutine, what each waits
   * on, and the deadlocks among them); `run(main, { dumpOnSignal: true })`
   * calls it on `SIGUSR1`. Not in asyncio, whose nearest is `python -m
   * asyncio ps PID` (3.14).
   *
   * @throws {RuntimeError} If `tasks/format_tasks.ts` is not loaded (import
   * `mod.ts`).
   *
   * @example Printing the tasks
   * ```ts
   * import { createTask, getRunningLoop, run, sleep } from "@asyncio/deno";
   * await run(async () => {
   *   createTask(sleep(1), { name: "sleeper" });
   *   await sleep(0);
   *   getRunningLoop().dumpTasks(); // a row for Task-1, one for sleeper
   * });
   * ```
   */
  dumpTasks(): void {
    console.log(taskDumpFormatter("dumpTasks")(this));
  }

  /** Internal: `callSoon(fn, arg)` without the checks, for futures and tasks. */
  [kSchedule]<A>(fn: (arg: A) => unknown, arg: A): void {
    if (this.#closed) {
      // A given-up task whose promise settled after all ends from a promise
      // reaction, where a throw kills Deno; in asyncio it would never run
      // again, so nothing it schedules runs.
      if (this.#run.deno.gaveUp) return;
      throw new RuntimeError("Event loop is closed");
    }
    this.#run.push(Handle[kOneArg](new Handle(fn, NO_ARGS), arg));
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
      this.#run.timers.nextSeq(),
      fn,
      NO_ARGS,
      this,
    );
    return this.#run.pushTimer(Handle[kOneArg](timer, arg));
  }

  #scheduleAt(
    api: string,
    when: number,
    // deno-lint-ignore no-explicit-any
    callback: (...args: any[]) => unknown,
    args: unknown[],
  ): TimerHandle {
    this.#checkCallback(api, callback);
    return this.#run.pushTimer(
      new TimerHandle(when, this.#run.timers.nextSeq(), callback, args, this),
    );
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
    const name = checkOptions("createTask", options, ["name"]).name ?? null;
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

  /**
   * Connect to `host:port` and drive the protocol `protocolFactory` makes,
   * as asyncio's `create_connection`: `[transport, protocol]` once
   * connected (see `streams/create_connection.ts`).
   */
  createConnection<P extends ProtocolLike>(
    protocolFactory: () => P,
    host: string,
    port: number,
    options: ConnectionOptions = {},
  ): Awaitable<[Transport, P]> {
    this.#checkClosed();
    return networkFactories("createConnection").createConnection(
      this,
      protocolFactory,
      host,
      port,
      options,
    ) as Awaitable<[Transport, P]>;
  }

  /**
   * Listen on `host:port`, a protocol from `protocolFactory` per client,
   * as asyncio's `create_server`: the `Server`.
   */
  createServer(
    protocolFactory: () => ProtocolLike,
    host: string | null,
    port: number,
    options: ServerOptions = {},
  ): Awaitable<AbstractServer> {
    this.#checkClosed();
    return networkFactories("createServer").createServer(
      this,
      protocolFactory,
      host,
      port,
      options,
    ) as Awaitable<AbstractServer>;
  }

  /**
   * Connect to the Unix socket `path` and drive the protocol
   * `protocolFactory` makes, as asyncio's `create_unix_connection` (see
   * `streams/create_unix_connection.ts`).
   */
  createUnixConnection<P extends ProtocolLike>(
    protocolFactory: () => P,
    path: string,
    options: Record<string, never> = {},
  ): Awaitable<[Transport, P]> {
    this.#checkClosed();
    return networkFactories("createUnixConnection").createUnixConnection(
      this,
      protocolFactory,
      path,
      options,
    ) as Awaitable<[Transport, P]>;
  }

  /**
   * Listen on the Unix socket `path`, a protocol from `protocolFactory` per
   * client, as asyncio's `create_unix_server`: the `Server`.
   */
  createUnixServer(
    protocolFactory: () => ProtocolLike,
    path: string,
    options: UnixServerOptions = {},
  ): Awaitable<AbstractServer> {
    this.#checkClosed();
    return networkFactories("createUnixServer").createUnixServer(
      this,
      protocolFactory,
      path,
      options,
    ) as Awaitable<AbstractServer>;
  }

  /**
   * Open a UDP endpoint and drive the protocol `protocolFactory` makes, as
   * asyncio's `create_datagram_endpoint`: `[transport, protocol]` once
   * `connectionMade` has run (see `streams/create_datagram_endpoint.ts`).
   */
  createDatagramEndpoint<P extends DatagramProtocolLike>(
    protocolFactory: () => P,
    options: DatagramEndpointOptions = {},
  ): Awaitable<[DatagramTransport, P]> {
    this.#checkClosed();
    return networkFactories("createDatagramEndpoint").createDatagramEndpoint(
      this,
      protocolFactory,
      options,
    ) as Awaitable<[DatagramTransport, P]>;
  }

  /**
   * Upgrade the TCP `transport` that drives `protocol` to TLS, client side,
   * as asyncio's `start_tls`: the same transport, once the handshake is
   * done. Call it before the transport reads again: from `dataReceived`,
   * or from a task woken by what it did; with a read pending it raises
   * `RuntimeError` (`Deno.startTls` cannot run then). See
   * `streams/loop_start_tls.ts`.
   *
   * @example Upgrading after a STARTTLS go-ahead
   * ```ts
   * import { getRunningLoop, type Protocol, type Transport } from "@asyncio/deno";
   * async function upgrade(transport: Transport, protocol: Protocol) {
   *   return await getRunningLoop().startTls(transport, protocol, true, {
   *     serverHostname: "mail.example.com",
   *   });
   * }
   * console.log(typeof upgrade); // function
   * ```
   */
  startTls(
    transport: Transport,
    protocol: ProtocolLike,
    sslcontext: true | SslClientOptions,
    options: LoopStartTlsOptions = {},
  ): Awaitable<Transport> {
    this.#checkClosed();
    return networkFactories("startTls").startTls(
      this,
      transport,
      protocol,
      sslcontext,
      options,
    ) as Awaitable<Transport>;
  }

  /**
   * Start `program` with `args` (no shell between) and drive the protocol
   * `protocolFactory` makes, as asyncio's `subprocess_exec`:
   * `[transport, protocol]` once `connectionMade` has run (see
   * `subprocess/subprocess_transport.ts`).
   */
  subprocessExec<P extends SubprocessProtocolLike>(
    protocolFactory: () => P,
    program: string,
    args: readonly string[] = [],
    options: SubprocessTransportOptions = {},
  ): Awaitable<[SubprocessTransport, P]> {
    this.#checkClosed();
    return subprocessFactories("subprocessExec").subprocessExec(
      this,
      protocolFactory,
      program,
      args,
      options,
    ) as Awaitable<[SubprocessTransport, P]>;
  }

  /**
   * Run `cmd` in the shell (`sh -c cmd`) and drive the protocol
   * `protocolFactory` makes, as asyncio's `subprocess_shell`:
   * `[transport, protocol]` once `connectionMade` has run.
   */
  subprocessShell<P extends SubprocessProtocolLike>(
    protocolFactory: () => P,
    cmd: string,
    options: SubprocessTransportOptions = {},
  ): Awaitable<[SubprocessTransport, P]> {
    this.#checkClosed();
    return subprocessFactories("subprocessShell").subprocessShell(
      this,
      protocolFactory,
      cmd,
      options,
    ) as Awaitable<[SubprocessTransport, P]>;
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
    this.#run.stop();
  }

  /** Close the loop: pending callbacks and timers are dropped. */
  close(): void {
    if (this.#running) {
      throw new RuntimeError("Cannot close a running event loop");
    }
    if (this.#closed) return;
    this.#closed = true;
    this.#run.clear();
    this.#signals?.clear();
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
    installLoop(this.#run.resumeAfterStep);
    // The loop's own context: callbacks never run inside a task's.
    enterFreshHolder(null);
    // Let the awaits that coroutines started before the loop ran reach their
    // futures before the first iteration.
    await null;
    try {
      await this.#run.run();
    } finally {
      this.#running = false;
      setRunningLoop(null);
      installLoop(null);
    }
  }

  /** Internal: see `kWhenQuiet`. */
  [kWhenQuiet](ms: number, fn: (() => void) | null): void {
    this.#run.deno.whenQuiet(ms, fn);
  }

  /** A timer was cancelled: clean the heap once most of it is dead. */
  [kTimerCancelled](): void {
    this.#run.timers.cancelled();
  }

  #checkCallback(api: string, callback: unknown): void {
    this.#checkClosed();
    checkFunction(api, "callback", callback);
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
    return `<EventLoop running=${this.#running} closed=${this.#closed} debug=${this.#run.debug}>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}
