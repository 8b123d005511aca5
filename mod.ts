/**
 * asyncio for Deno: Python's `asyncio` over Deno's own reactor (the event
 * loop, Future, Task and cancellation, generator coroutines, the task
 * combinators, timeouts and task groups, locks and queues, TCP streams), so
 * that a program from an asyncio tutorial ports line by line. This module is
 * the public surface, as asyncio's `__all__`: explicit re-exports only.
 *
 * @example Hello, asyncio
 * ```ts
 * import { run, sleep } from "@asyncio/deno";
 * async function main() {
 *   console.log("Hello ...");
 *   await sleep(0.01);
 *   console.log("... World!");
 * }
 * await run(main());
 * ```
 *
 * @module
 */

// events
export {
  type AbstractEventLoop,
  type CreateTaskOptions,
  type ExceptionContext,
  type ExceptionHandler,
  type FutureLike,
  Handle,
  type TaskFactory,
  TimerHandle,
} from "./loop/events.ts";
export {
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  setEventLoop,
} from "./loop/policy.ts";

// base_events
export { EventLoop, type EventLoopOptions } from "./loop/base_event_loop.ts";
export { type Clock, MonotonicClock, VirtualClock } from "./loop/clock.ts";
export type { SignalName } from "./loop/signals.ts";

// log
export { logger } from "./loop/log.ts";

// runners
export { run, type RunOptions } from "./runners/run.ts";

// exceptions (and the builtins asyncio raises)
export {
  BrokenBarrierError,
  CancelledError,
  InvalidStateError,
} from "./exceptions/asyncio.ts";
export {
  KeyboardInterrupt,
  RuntimeError,
  ValueError,
} from "./exceptions/builtins.ts";
export {
  type ExceptionCondition,
  ExceptionGroup,
} from "./exceptions/exception_group.ts";
export { TimeoutError } from "./exceptions/os_errors.ts";

// futures
export {
  type Awaitable,
  Future,
  type FutureOptions,
  isFuture,
} from "./tasks/future.ts";
export { wrapFuture, type WrapFutureOptions } from "./tasks/wrap_future.ts";

// coroutines
export {
  Coroutine,
  coroutine,
  type CoroutineGenerator,
  isCoroutine,
  isCoroutineFunction,
} from "./tasks/coroutine.ts";

// tasks
export { Task, type TaskCoroutine, type TaskOptions } from "./tasks/task.ts";
export { createTask } from "./tasks/create_task.ts";
export { currentTask } from "./tasks/current_task.ts";
export { allTasks } from "./tasks/all_tasks.ts";
export {
  ensureFuture,
  type EnsureFutureOptions,
} from "./tasks/ensure_future.ts";
export { sleep } from "./tasks/sleep.ts";

// graph (3.14's call-graph introspection), and a dump of the tasks
export {
  type CallGraphOptions,
  captureCallGraph,
  formatCallGraph,
  type FrameCallGraphEntry,
  type FutureCallGraph,
  printCallGraph,
} from "./tasks/call_graph.ts";
export { formatTasks, type FormatTasksOptions } from "./tasks/format_tasks.ts";

// tasks (combinators)
export { gather, type GatherOptions, type Taskable } from "./tasks/gather.ts";
export {
  ALL_COMPLETED,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type ReturnWhen,
  wait,
  type WaitOptions,
} from "./tasks/wait.ts";
export { waitFor } from "./tasks/wait_for.ts";
export {
  asCompleted,
  AsCompletedIterator,
  type AsCompletedOptions,
} from "./tasks/as_completed.ts";
export { shield } from "./tasks/shield.ts";
export {
  createEagerTaskFactory,
  eagerTaskFactory,
  type TaskConstructor,
} from "./tasks/eager_task_factory.ts";

// timeouts
export {
  Timeout,
  timeout,
  timeoutAt,
  type TimeoutBody,
} from "./tasks/timeouts.ts";

// taskgroups
export {
  TaskGroup,
  taskGroup,
  type TaskGroupBody,
  type TaskGroupCreateTaskOptions,
} from "./tasks/task_group.ts";

// locks
export { Barrier } from "./sync/barrier.ts";
export { Condition } from "./sync/condition.ts";
export { Event } from "./sync/event.ts";
export { Lock, type RunBody } from "./sync/lock.ts";
export { BoundedSemaphore, Semaphore } from "./sync/semaphore.ts";

// queues
export {
  LifoQueue,
  PriorityQueue,
  type PriorityQueueOptions,
  Queue,
} from "./sync/queue.ts";
export { QueueEmpty, QueueFull, QueueShutDown } from "./exceptions/asyncio.ts";

// streams
export {
  IncompleteReadError,
  LimitOverrunError,
} from "./exceptions/asyncio.ts";
export {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileNotFoundError,
  gaierror,
  InterruptedError,
  OSError,
  type OSErrorOptions,
  PermissionError,
  ProcessLookupError,
  SSLCertVerificationError,
  SSLError,
} from "./exceptions/os_errors.ts";
export {
  openConnection,
  type OpenConnectionOptions,
} from "./streams/open_connection.ts";
export {
  openUnixConnection,
  type OpenUnixConnectionOptions,
} from "./streams/open_unix_connection.ts";
export { Server, type TransportSocket } from "./streams/server.ts";
export {
  type ClientConnectedCallback,
  startServer,
  type StartServerOptions,
} from "./streams/start_server.ts";
export {
  startUnixServer,
  type StartUnixServerOptions,
} from "./streams/start_unix_server.ts";
export { StreamReader } from "./streams/stream_reader.ts";
export { type StartTlsOptions, StreamWriter } from "./streams/stream_writer.ts";
export type {
  BaseTransport,
  ConnectionOptions,
  DatagramEndpointOptions,
  DatagramTransport,
  LoopStartTlsOptions,
  ReadTransport,
  ServerOptions,
  SslClientOptions,
  SslServerOptions,
  SubprocessTransport,
  SubprocessTransportOptions,
  Transport,
  UnixServerOptions,
  WriteTransport,
} from "./loop/transports.ts";
export {
  BaseProtocol,
  BufferedProtocol,
  DatagramProtocol,
  type DatagramProtocolLike,
  Protocol,
  type ProtocolLike,
  SubprocessProtocol,
  type SubprocessProtocolLike,
} from "./loop/protocols.ts";
export type { AbstractServer } from "./loop/events.ts";
// Installs loop.createConnection / loop.createServer / loop.createDatagramEndpoint
// (the protocol layer).
import "./streams/create_connection.ts";

// Subprocesses
export {
  createSubprocessExec,
  createSubprocessShell,
  type SubprocessOptions,
} from "./subprocess/create_subprocess.ts";
export { DEVNULL, PIPE, STDOUT } from "./subprocess/constants.ts";
export { Process } from "./subprocess/process.ts";
// Installs loop.subprocessExec / loop.subprocessShell (the protocol form).
import "./subprocess/subprocess_transport.ts";

// Thread-safe calls, across Workers
export { connectLoop, RemoteLoop } from "./workers/connect_loop.ts";
export { type ExposedFunctions, exposeLoop } from "./workers/expose_loop.ts";
export { runCoroutineThreadsafe } from "./workers/run_coroutine_threadsafe.ts";

// gevent-style helpers
export {
  Greenlet,
  type GreenletGetOptions,
  type GreenletKillOptions,
  type GreenletResult,
  joinall,
  type JoinallOptions,
  spawn,
} from "./gevent/greenlet.ts";
export { Pool } from "./gevent/pool.ts";

// Runner
export { Runner, type RunnerOptions } from "./runners/runner.ts";

// Executors
import "./executors/run_in_executor.ts"; // loop.runInExecutor and the default executor
export type {
  Executor,
  ShutdownOptions,
  WorkerFunction,
} from "./loop/executor.ts";
export { toThread, workerFunction } from "./executors/to_thread.ts";
export {
  WorkerPoolExecutor,
  type WorkerPoolExecutorOptions,
} from "./executors/worker_pool_executor.ts";
