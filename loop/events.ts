/**
 * The event loop's interface, apart from its engine: `Handle`,
 * `TimerHandle`, the exception-handler context and `AbstractEventLoop`.
 *
 * @module
 */
// Types only, erased at run time: the loop runs without tasks/ loaded, but
// its interface names the Future and Task it makes (docs/design.md says why).
import type { SignalName } from "./signals.ts";
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
import { checkFunction, checkSeconds } from "../exceptions/checks.ts";

/** Custom inspection for `console.log` and `Deno.inspect`. */
export const inspect: unique symbol = Symbol.for("Deno.customInspect") as never;

/** Internal: run the handle's callback (the loop's single call site). */
export const kRun: unique symbol = Symbol("run");
/** Internal: `callSoon(fn, arg)` for the module's own callbacks, unchecked. */
export const kSchedule: unique symbol = Symbol("schedule");
/** Internal: `callLater(delay, fn, arg)` for the module's own timers, unchecked. */
export const kScheduleLater: unique symbol = Symbol("scheduleLater");
/** Internal: read the callback a handle will call. */
export const kCallback: unique symbol = Symbol("callback");
/** Internal: read the first argument a handle's callback takes. */
export const kFirstArg: unique symbol = Symbol("firstArg");
/** Internal: make a handle call its callback with one argument, no array. */
export const kOneArg: unique symbol = Symbol("oneArg");
/** Internal: a timer handle tells its loop it was cancelled. */
export const kTimerCancelled: unique symbol = Symbol("timerCancelled");

/**
 * The context given to an exception handler: a plain object, as in asyncio.
 */
export interface ExceptionContext {
  /** What happened. */
  message: string;
  /** The exception, if any. */
  exception?: unknown;
  /** The future concerned, if any. */
  future?: unknown;
  /** The task concerned, if any. */
  task?: unknown;
  /**
   * In debug mode, where the future or task concerned was created (asyncio's
   * `source_traceback`), most recent call first.
   */
  sourceTraceback?: string;
  /** The callback handle concerned, if any. */
  handle?: Handle;
  /** Anything else the caller passed. */
  [key: string]: unknown;
}

/** A function that handles errors the loop cannot raise to anyone. */
export type ExceptionHandler = (
  loop: AbstractEventLoop,
  context: ExceptionContext,
) => void;

/** The name of a function for a repr, as CPython prints `cb()`. */
function callbackName(fn: unknown): string {
  const name = typeof fn === "function" ? fn.name : "";
  return `${name || "<anonymous>"}()`;
}

/**
 * Report the rejection of the promise a callback returned as an error it
 * threw. A function, not a private method: a class with one stamps a brand
 * on every instance it makes, and a Handle is made per `callSoon`.
 */
function watchResult(
  loop: AbstractEventLoop,
  handle: Handle,
  message: string,
  promise: Promise<unknown>,
): void {
  promise.then(undefined, (exception: unknown) => {
    loop.callExceptionHandler({ message, exception, handle });
  });
}

/**
 * A callback wrapper object returned by `loop.callSoon()`; `cancel()` stops it
 * from running.
 *
 * @example Cancelling a callback
 * ```ts
 * import { newEventLoop } from "@asyncio/deno";
 * const loop = newEventLoop();
 * const handle = loop.callSoon(() => console.log("never"));
 * handle.cancel();
 * console.log(handle.cancelled()); // true
 * loop.close();
 * ```
 */
export class Handle {
  // Few fields: a handle is made per `callSoon`, the hottest path.
  #callback: ((...args: never[]) => unknown) | null;
  /** The arguments; `null` when the single argument is in `#arg`. */
  #args: unknown[] | null;
  #arg: unknown = undefined;

  /**
   * Made by the loop; user code gets handles from `callSoon`.
   *
   * @param callback The function to call.
   * @param args Its arguments.
   * @throws {TypeError} If `callback` is not a function (asyncio fails only
   * when it runs).
   */
  constructor(
    // deno-lint-ignore no-explicit-any
    callback: (...args: any[]) => unknown,
    args: unknown[],
  ) {
    // One test inline: a handle is made per `callSoon`.
    if (typeof callback !== "function") {
      checkFunction(new.target.name, "callback", callback);
    }
    this.#callback = callback;
    this.#args = args;
  }

  /** Internal: the callback `handle` will call (`null` once cancelled). */
  static [kCallback](handle: Handle): ((...args: never[]) => unknown) | null {
    return handle.#callback;
  }

  /** Internal: the first argument of `handle`'s callback (a task's steps: the task). */
  static [kFirstArg](handle: Handle): unknown {
    return handle.#args === null ? handle.#arg : handle.#args[0];
  }

  /** Internal: `handle` calls its callback with `arg` alone (saves an array). */
  static [kOneArg]<H extends Handle>(handle: H, arg: unknown): H {
    handle.#args = null;
    handle.#arg = arg;
    return handle;
  }

  /** Cancel the callback. If it has already run or been cancelled, nothing happens. */
  cancel(): void {
    this.#callback = null;
    this.#args = null;
    this.#arg = undefined;
  }

  /** Return `true` if the callback was cancelled. */
  cancelled(): boolean {
    return this.#callback === null;
  }

  /**
   * Run the callback; an error it throws, or the rejection of a promise it
   * returns, goes to `loop`'s exception handler.
   */
  [kRun](loop: AbstractEventLoop): void {
    const callback = this.#callback;
    if (callback === null) return;
    const args = this.#args;
    let result: unknown;
    try {
      // Spread only when needed: most internal callbacks take one argument.
      if (args === null) {
        result = (callback as (a: unknown) => unknown)(this.#arg);
      } else if (args.length === 1) {
        result = (callback as (a: unknown) => unknown)(args[0]);
      } else if (args.length === 0) result = (callback as () => unknown)();
      else result = (callback as (...a: unknown[]) => unknown)(...args);
    } catch (exception) {
      loop.callExceptionHandler({
        message: `Exception in callback ${this.describeCallback()}`,
        exception,
        handle: this,
      });
      return;
    }
    // Nobody else holds the promise an `async` callback (a done-callback, or
    // `() => work()`) returns: unwatched, its rejection would kill Deno. The
    // loop's own callbacks return undefined and pay one comparison.
    if (result !== undefined && result instanceof Promise) {
      // The message now: a later `cancel()` forgets the callback.
      watchResult(
        loop,
        this,
        `Exception in callback ${this.describeCallback()}`,
        result,
      );
    }
  }

  /** `cb()` as CPython prints it. */
  protected describeCallback(): string {
    return this.#callback === null ? "" : callbackName(this.#callback);
  }

  /** `<Handle cb()>`, as in CPython. */
  toString(): string {
    const state = this.cancelled() ? "cancelled" : this.describeCallback();
    return `<${this.constructor.name} ${state}>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}

/**
 * A handle for a callback scheduled at a time, returned by `callLater` and
 * `callAt`.
 *
 * @example Reading the deadline
 * ```ts
 * import { newEventLoop } from "@asyncio/deno";
 * const loop = newEventLoop();
 * const timer = loop.callLater(10, () => {});
 * console.log(timer.when() > loop.time()); // true
 * timer.cancel();
 * loop.close();
 * ```
 */
export class TimerHandle extends Handle {
  #when: number;
  #loop: AbstractEventLoop;
  /** Scheduling order, for ties: timers due at the same time run FIFO. */
  readonly seq: number;
  /** Whether the handle sits in the loop's timer heap. */
  scheduled = false;

  /**
   * Made by the loop; user code gets timer handles from `callLater`.
   *
   * @param when The loop time, in seconds, at which to run.
   * @param seq The loop's scheduling counter.
   * @param callback The function to call.
   * @param args Its arguments.
   * @param loop The loop that runs it.
   * @throws {TypeError} If `when` is not a number or is `NaN`, as `callAt`
   * (asyncio takes `nan` and runs the callback at once), or if `callback`
   * is not a function.
   */
  constructor(
    when: number,
    seq: number,
    // deno-lint-ignore no-explicit-any
    callback: (...args: any[]) => unknown,
    args: unknown[],
    loop: AbstractEventLoop,
  ) {
    super(callback, args);
    this.#loop = loop;
    this.#when = checkSeconds("TimerHandle", "when", when);
    this.seq = seq;
  }

  /** Return the scheduled callback time, in seconds of `loop.time()`. */
  when(): number {
    return this.#when;
  }

  /** Cancel the callback; the loop forgets it. */
  override cancel(): void {
    if (this.cancelled()) return;
    super.cancel();
    if (this.scheduled) {
      (this.#loop as unknown as { [kTimerCancelled](): void })
        [kTimerCancelled]();
    }
  }

  /** `<TimerHandle when=… cb()>`, as in CPython. */
  override toString(): string {
    const state = this.cancelled() ? "cancelled" : this.describeCallback();
    return `<TimerHandle when=${this.#when} ${state}>`;
  }
}

/** Options for `createTask`. */
export interface CreateTaskOptions {
  /** The task's name; `Task-N` by default. */
  name?: string | null;
}

/**
 * The part of a Future the loop itself uses (`runUntilComplete`): what it
 * knows of the futures `tasks/` makes.
 *
 * @example A Future is one
 * ```ts
 * import { type FutureLike, newEventLoop } from "@asyncio/deno";
 * const loop = newEventLoop();
 * const fut: FutureLike = loop.createFuture();
 * console.log(fut.done()); // false
 * loop.close();
 * ```
 */
export interface FutureLike<T = unknown> {
  /** Whether it is done. */
  done(): boolean;
  /** Whether it was cancelled. */
  cancelled(): boolean;
  /** Its result; raises its exception. */
  result(): T;
  /** Its exception, or `null`. */
  exception(): unknown;
  /** Cancel it. */
  cancel(msg?: string | null): boolean;
  /** Its loop. */
  getLoop(): AbstractEventLoop;
  /** Call `fn` with it once it is done. */
  // deno-lint-ignore no-explicit-any
  addDoneCallback(fn: (fut: any) => unknown): void;
  /** Remove a done-callback; return how many were removed. */
  // deno-lint-ignore no-explicit-any
  removeDoneCallback(fn: (fut: any) => unknown): number;
}

/** What `setTaskFactory` accepts: makes the loop's tasks. */
export type TaskFactory = (
  loop: AbstractEventLoop,
  coro: unknown,
  options: CreateTaskOptions,
) => unknown;

/** A listening socket of a server, as asyncio's `TransportSocket`. */
export interface TransportSocket {
  /**
   * The bound address: `[host, port]` (the port chosen when 0 was asked), or
   * the path of a Unix socket.
   */
  getsockname(): [string, number] | string;
}

/** A server, as asyncio's `AbstractServer` (`Server` implements it). */
export interface AbstractServer {
  /** Stop listening; the connections already accepted stay open. */
  close(): void;
  /** Close every connection accepted. */
  closeClients(): void;
  /** Abort every connection accepted. */
  abortClients(): void;
  /** The loop the server belongs to. */
  getLoop(): AbstractEventLoop;
  /** Whether it is accepting connections. */
  isServing(): boolean;
  /** The listening sockets. */
  readonly sockets: TransportSocket[];
  /** Start accepting connections. */
  startServing(): Awaitable<void>;
  /** Accept connections until cancelled or closed. */
  serveForever(): Awaitable<void>;
  /** Wait until closed and every connection is gone. */
  waitClosed(): Awaitable<void>;
}

/**
 * The interface of an event loop, as asyncio's `AbstractEventLoop`. `tasks/`
 * sees only this.
 */
export interface AbstractEventLoop {
  /** Run until `stop()` is called. */
  runForever(): Promise<void>;
  /** Run until the future (or coroutine, wrapped in a task) is done; return its result. */
  runUntilComplete<T>(future: PromiseLike<T> | Iterable<unknown>): Promise<T>;
  /** Stop running: the current iteration finishes first. */
  stop(): void;
  /** Whether the loop is running. */
  isRunning(): boolean;
  /** Whether the loop was closed. */
  isClosed(): boolean;
  /** Close the loop: pending callbacks are dropped. */
  close(): void;
  /** Arrange for a callback to be called as soon as possible. */
  // deno-lint-ignore no-explicit-any
  callSoon<A extends any[]>(
    callback: (...args: A) => unknown,
    ...args: A
  ): Handle;
  /** `callSoon`, from outside the loop's callbacks (see `EventLoop`). */
  // deno-lint-ignore no-explicit-any
  callSoonThreadsafe<A extends any[]>(
    callback: (...args: A) => unknown,
    ...args: A
  ): Handle;
  /** Call `callback(...args)` each time the process receives `sig`. */
  // deno-lint-ignore no-explicit-any
  addSignalHandler<A extends any[]>(
    sig: SignalName | number,
    callback: (...args: A) => unknown,
    ...args: A
  ): void;
  /** Remove the handler of `sig`; return whether there was one. */
  removeSignalHandler(sig: SignalName | number): boolean;
  /** Run `fn(...args)` on a Worker of `executor` (`null`: the default). */
  // deno-lint-ignore no-explicit-any
  runInExecutor<F extends (...args: any[]) => unknown>(
    executor: Executor | null,
    fn: WorkerFunction<F>,
    ...args: Parameters<F>
  ): Future<Awaited<ReturnType<F>>>;
  /** Make `executor` the one `runInExecutor(null, …)` and `toThread` use. */
  setDefaultExecutor(executor: Executor): void;
  /** Shut the default executor down and wait for its Workers to end. */
  shutdownDefaultExecutor(): Future<void>;
  /** Print the table of the loop's tasks (`formatTasks(loop)`). */
  dumpTasks(): void;
  /** Arrange for a callback to be called after `delay` seconds. */
  // deno-lint-ignore no-explicit-any
  callLater<A extends any[]>(
    delay: number,
    callback: (...args: A) => unknown,
    ...args: A
  ): TimerHandle;
  /** Arrange for a callback to be called at loop time `when`, in seconds. */
  // deno-lint-ignore no-explicit-any
  callAt<A extends any[]>(
    when: number,
    callback: (...args: A) => unknown,
    ...args: A
  ): TimerHandle;
  /** The loop's time, in seconds, from its monotonic clock. */
  time(): number;
  /** Create a Future attached to the loop. */
  createFuture<T = unknown>(): Future<T>;
  /** Schedule a coroutine as a task. */
  createTask<T>(coro: TaskCoroutine<T>, options?: CreateTaskOptions): Task<T>;
  /** Set the factory `createTask` uses; `null` restores the default. */
  setTaskFactory(factory: TaskFactory | null): void;
  /** The factory `createTask` uses, or `null` for the default. */
  getTaskFactory(): TaskFactory | null;
  /** Set the exception handler; `null` restores the default. */
  setExceptionHandler(handler: ExceptionHandler | null): void;
  /** The exception handler, or `null` when the default is in use. */
  getExceptionHandler(): ExceptionHandler | null;
  /** Call the current exception handler. */
  callExceptionHandler(context: ExceptionContext): void;
  /** The default exception handler: logs the context. */
  defaultExceptionHandler(context: ExceptionContext): void;
  /** Whether debug mode is on. */
  getDebug(): boolean;
  /** Turn debug mode on or off. */
  setDebug(enabled: boolean): void;
  /** In debug mode, callbacks slower than this many seconds are logged. */
  slowCallbackDuration: number;
  /** Connect a protocol to `host:port`: `[transport, protocol]`. */
  createConnection<P extends ProtocolLike>(
    protocolFactory: () => P,
    host: string,
    port: number,
    options?: ConnectionOptions,
  ): Awaitable<[Transport, P]>;
  /** Serve a new protocol for each client on `host:port`. */
  createServer(
    protocolFactory: () => ProtocolLike,
    host: string | null,
    port: number,
    options?: ServerOptions,
  ): Awaitable<AbstractServer>;
  /** Connect a protocol to the Unix socket `path`: `[transport, protocol]`. */
  createUnixConnection<P extends ProtocolLike>(
    protocolFactory: () => P,
    path: string,
    options?: Record<string, never>,
  ): Awaitable<[Transport, P]>;
  /** Serve a new protocol for each client on the Unix socket `path`. */
  createUnixServer(
    protocolFactory: () => ProtocolLike,
    path: string,
    options?: UnixServerOptions,
  ): Awaitable<AbstractServer>;
  /**
   * Open a UDP endpoint driven by a protocol: `[transport, protocol]`
   * (Deno 2.9 needs `--unstable-net`).
   */
  createDatagramEndpoint<P extends DatagramProtocolLike>(
    protocolFactory: () => P,
    options?: DatagramEndpointOptions,
  ): Awaitable<[DatagramTransport, P]>;
  /**
   * Upgrade a protocol's TCP transport to TLS, client side: the same
   * transport once the handshake is done (see `streams/loop_start_tls.ts`).
   */
  startTls(
    transport: Transport,
    protocol: ProtocolLike,
    sslcontext: true | SslClientOptions,
    options?: LoopStartTlsOptions,
  ): Awaitable<Transport>;
  /**
   * Start `program` with `args`, driven by a protocol:
   * `[transport, protocol]` (each pipe a `PIPE` unless said otherwise).
   */
  subprocessExec<P extends SubprocessProtocolLike>(
    protocolFactory: () => P,
    program: string,
    args?: readonly string[],
    options?: SubprocessTransportOptions,
  ): Awaitable<[SubprocessTransport, P]>;
  /** Run `cmd` in the shell (`sh -c`), driven by a protocol: `[transport, protocol]`. */
  subprocessShell<P extends SubprocessProtocolLike>(
    protocolFactory: () => P,
    cmd: string,
    options?: SubprocessTransportOptions,
  ): Awaitable<[SubprocessTransport, P]>;
}
