/**
 * What the floors above the loop install in it, so that the loop imports
 * nothing of theirs: how to make a Future and a Task (`loop.createFuture()`,
 * `loop.createTask()`, `runUntilComplete`), which callbacks only resume a
 * task, and what to do when a loop closes. `tasks/` and `streams/` fill
 * them when they load; the loop alone runs callbacks and timers without
 * them, and says what to import when asked for a future.
 *
 * @module
 */
import { RuntimeError } from "../exceptions/builtins.ts";
import type { FutureLike } from "./events.ts";

/** How `tasks/` makes its futures and tasks for the loop. */
export interface TaskFactories {
  future(loop: object): FutureLike;
  task(loop: object, coro: unknown, name: string | null): FutureLike;
  isFuture(value: unknown): value is FutureLike;
}

let installed: TaskFactories | null = null;

/** `tasks/` is loaded: the loop makes its futures and tasks with these. */
export function installTaskFactories(factories: TaskFactories): void {
  installed = factories;
}

/** The factories `tasks/` installed; a `RuntimeError` naming `api` if none. */
export function taskFactories(api: string): TaskFactories {
  if (installed === null) {
    throw new RuntimeError(
      `${api}: no Future class is loaded; import mod.ts (or tasks/task.ts) first`,
    );
  }
  return installed;
}

/** How `streams/` connects and serves protocols (`loop.createConnection`). */
export interface NetworkFactories {
  createConnection(
    loop: object,
    factory: unknown,
    host: unknown,
    port: unknown,
    options: unknown,
  ): unknown;
  createServer(
    loop: object,
    factory: unknown,
    host: unknown,
    port: unknown,
    options: unknown,
  ): unknown;
  createDatagramEndpoint(
    loop: object,
    factory: unknown,
    options: unknown,
  ): unknown;
  createUnixConnection(
    loop: object,
    factory: unknown,
    path: unknown,
    options: unknown,
  ): unknown;
  createUnixServer(
    loop: object,
    factory: unknown,
    path: unknown,
    options: unknown,
  ): unknown;
  startTls(
    loop: object,
    transport: unknown,
    protocol: unknown,
    sslcontext: unknown,
    options: unknown,
  ): unknown;
}

let network: NetworkFactories | null = null;

/** `streams/` is loaded: the loop connects and serves with these. */
export function installNetwork(factories: NetworkFactories): void {
  network = factories;
}

/** The network `streams/` installed; a `RuntimeError` naming `api` if none. */
export function networkFactories(api: string): NetworkFactories {
  if (network === null) {
    throw new RuntimeError(
      `${api}: the protocol layer is not loaded; import mod.ts (or streams/create_connection.ts) first`,
    );
  }
  return network;
}

/** How `subprocess/` starts children driven by protocols (`loop.subprocessExec`). */
export interface SubprocessFactories {
  subprocessExec(
    loop: object,
    factory: unknown,
    program: unknown,
    args: unknown,
    options: unknown,
  ): unknown;
  subprocessShell(
    loop: object,
    factory: unknown,
    cmd: unknown,
    options: unknown,
  ): unknown;
}

let subprocesses: SubprocessFactories | null = null;

/** `subprocess/` is loaded: the loop starts children with these. */
export function installSubprocesses(factories: SubprocessFactories): void {
  subprocesses = factories;
}

/** What `subprocess/` installed; a `RuntimeError` naming `api` if nothing. */
export function subprocessFactories(api: string): SubprocessFactories {
  if (subprocesses === null) {
    throw new RuntimeError(
      `${api}: the subprocess protocol layer is not loaded; import mod.ts (or subprocess/subprocess_transport.ts) first`,
    );
  }
  return subprocesses;
}

/** How `executors/` runs functions off the loop (`loop.runInExecutor`). */
export interface ExecutorFactories {
  runInExecutor(
    loop: object,
    executor: unknown,
    fn: unknown,
    args: unknown[],
  ): unknown;
  setDefaultExecutor(loop: object, executor: unknown): void;
  shutdownDefaultExecutor(loop: object): unknown;
}

let executors: ExecutorFactories | null = null;

/** `executors/` is loaded: the loop runs functions on Workers with these. */
export function installExecutors(factories: ExecutorFactories): void {
  executors = factories;
}

/** What `executors/` installed; a `RuntimeError` naming `api` if nothing. */
export function executorFactories(api: string): ExecutorFactories {
  if (executors === null) {
    throw new RuntimeError(
      `${api}: the executors are not loaded; import mod.ts (or executors/run_in_executor.ts) first`,
    );
  }
  return executors;
}

/** How `tasks/` formats a loop's tasks (`loop.dumpTasks()`). */
export type TaskDump = (loop: object) => string;

let taskDump: TaskDump | null = null;

/** `tasks/format_tasks.ts` is loaded: `loop.dumpTasks()` prints with this. */
export function installTaskDump(format: TaskDump): void {
  taskDump = format;
}

/** What `tasks/` installed; a `RuntimeError` naming `api` if nothing. */
export function taskDumpFormatter(api: string): TaskDump {
  if (taskDump === null) {
    throw new RuntimeError(
      `${api}: the task dump is not loaded; import mod.ts (or tasks/format_tasks.ts) first`,
    );
  }
  return taskDump;
}

/**
 * The internal callbacks that only resume a suspended `async` task (settle
 * the promise its `await` waits on). They run the same in any async context,
 * so the loop may run them straight from the end of the previous task's step,
 * without first returning to its own context. `tasks/` registers them.
 */
export const taskResumers: Set<(arg: never) => unknown> = new Set();

/** Callbacks run when a loop closes (tasks/ reports unretrieved errors). */
export const closeHooks: Array<(loop: object) => void> = [];

/** Marks the functions `coroutine()` makes (asyncio's `_is_coroutine`). */
export const kCoroutineFunction: unique symbol = Symbol("coroutineFunction");
