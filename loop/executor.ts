/**
 * What the loop's executor methods take (`loop.runInExecutor`,
 * `loop.setDefaultExecutor`): an `Executor`, the function it runs (a
 * `WorkerFunction`, named by module URL and export) and the options of
 * `shutdown()`. Types only: `executors/` implements them
 * (`WorkerPoolExecutor`, `workerFunction`) and installs the methods.
 *
 * @module
 */
import type { Future } from "../tasks/future.ts";

/** Options for `executor.shutdown()`. */
export interface ShutdownOptions {
  /**
   * Whether the returned Promise waits for the jobs still to run (the
   * queued ones unless cancelled, and the running ones). Either way, the
   * Workers end once they have no job left.
   *
   * @default {true}
   */
  wait?: boolean;
  /**
   * Cancel the futures of the jobs still queued (not yet running).
   *
   * @default {false}
   */
  cancelFutures?: boolean;
}

/**
 * A function that can run on a Worker, made by `workerFunction()`: it
 * remembers the module URL and export name it lives at. Calling it
 * directly runs it on this thread (importing its module); `toThread` and
 * `runInExecutor` run it on a Worker.
 *
 * @example Naming an exported function
 * ```ts
 * import { workerFunction, type WorkerFunction } from "@asyncio/deno";
 * const fib: WorkerFunction<(n: number) => number> = workerFunction(
 *   "https://example.com/jobs.ts",
 *   "fib",
 * );
 * console.log(fib.exportName); // fib
 * ```
 */
export interface WorkerFunction<
  // deno-lint-ignore no-explicit-any
  F extends (...args: any[]) => unknown = (...args: any[]) => unknown,
> {
  /** Run the function on this thread: import its module, call the export. */
  (...args: Parameters<F>): Promise<Awaited<ReturnType<F>>>;
  /** The absolute URL of the module that exports the function. */
  readonly moduleUrl: string;
  /** The name it is exported under. */
  readonly exportName: string;
}

/**
 * What runs jobs off the loop's thread, as `concurrent.futures.Executor`:
 * `WorkerPoolExecutor` is the one this module has, and the loop's methods
 * take only that.
 *
 * @example An executor's two methods
 * ```ts
 * import { type Executor, WorkerPoolExecutor } from "@asyncio/deno";
 * const executor: Executor = new WorkerPoolExecutor({ maxWorkers: 1 });
 * await executor.shutdown();
 * ```
 */
export interface Executor {
  /** Run `exportName(...args)` of the module at `moduleUrl` off the loop. */
  submit<T = unknown>(
    moduleUrl: string | URL,
    exportName: string,
    ...args: unknown[]
  ): Future<T>;
  /** Free the Workers once the jobs are done; no more jobs after it. */
  shutdown(options?: ShutdownOptions): Promise<void>;
}
