/**
 * `toThread()` and `workerFunction()`: asyncio's `to_thread`, on a Worker.
 *
 * A plain JavaScript function cannot run on another thread: a Worker is
 * another isolate, and a function does not cross structured clone. So the
 * function to run is named where it lives, by module URL and export name
 * (`workerFunction`), and the Worker imports it, as Python's process pools
 * import a top-level function. `toThread(fn, …)` refuses a plain function
 * with a `TypeError` that names this fix.
 *
 * @module
 */
import { getRunningLoop } from "../loop/policy.ts";
import type { WorkerFunction } from "../loop/executor.ts";
import type { Future } from "../tasks/future.ts";
import { runInExecutor } from "./run_in_executor.ts";
import {
  checkExportName,
  checkModuleUrl,
  checkWorkerFunction,
  kWorkerFunction,
} from "./worker_pool_executor.ts";

/**
 * Name the function exported as `exportName` by the module at `moduleUrl`,
 * for `toThread` and `runInExecutor` to run on a Worker. The result is
 * callable too: called directly, it imports the module and runs the
 * function on this thread. Give the function's type to type the arguments
 * and the result.
 *
 * @param moduleUrl The module's absolute URL (`import.meta.resolve(…)`).
 * @param exportName The name the function is exported under.
 * @returns A callable that remembers where the function lives.
 * @throws {TypeError} If `moduleUrl` is not an absolute URL, or
 * `exportName` not a non-empty string.
 *
 * @example Naming a function of a module
 * ```ts
 * import { workerFunction } from "@asyncio/deno";
 * const fib = workerFunction<(n: number) => number>(
 *   "https://example.com/jobs.ts",
 *   "fib",
 * );
 * console.log(fib.moduleUrl, fib.exportName); // https://example.com/jobs.ts fib
 * ```
 */
export function workerFunction<
  // deno-lint-ignore no-explicit-any
  F extends (...args: any[]) => unknown = (...args: any[]) => unknown,
>(moduleUrl: string | URL, exportName: string): WorkerFunction<F> {
  const url = checkModuleUrl("workerFunction", moduleUrl);
  const name = checkExportName("workerFunction", exportName);
  const call = async (...args: unknown[]) => {
    const fn = (await import(url))[name];
    if (typeof fn !== "function") {
      throw new TypeError(
        `${url} exports no function named ${JSON.stringify(name)}`,
      );
    }
    return await fn(...args);
  };
  Object.defineProperties(call, {
    name: { value: name },
    moduleUrl: { value: url, enumerable: true },
    exportName: { value: name, enumerable: true },
    [kWorkerFunction]: { value: true },
  });
  return call as unknown as WorkerFunction<F>;
}

/**
 * Run `fn(...args)` on a Worker of the running loop's default executor and
 * return a Future of its result, as asyncio's `to_thread`. The default
 * executor is a `WorkerPoolExecutor` made lazily for each loop (with
 * `navigator.hardwareConcurrency` Workers, or the one `setDefaultExecutor`
 * set) and shut down when the loop closes.
 *
 * `fn` must be made by `workerFunction(moduleUrl, exportName)`: a plain
 * JavaScript function cannot run on another thread, and passing one raises
 * a `TypeError` that says so and names the fix. Arguments and the result go
 * by structured clone; nothing like Python's `contextvars` is carried over.
 *
 * @param fn The function, made by `workerFunction()`.
 * @param args Its arguments, by structured clone.
 * @returns A Future of `fn`'s (awaited) result.
 * @throws {RuntimeError} Outside a running loop ("no running event loop").
 * @throws {TypeError} If `fn` is a plain function.
 *
 * @example A blocking computation off the loop
 * ```ts
 * import { toThread, workerFunction } from "@asyncio/deno";
 * async function main(jobs: string) {
 *   const fib = workerFunction<(n: number) => number>(jobs, "fib");
 *   return await toThread(fib, 35); // the loop keeps running meanwhile
 * }
 * // await run(main(import.meta.resolve("./jobs.ts")));
 * console.log(typeof main); // function
 * ```
 */
export function toThread<
  // deno-lint-ignore no-explicit-any
  F extends (...args: any[]) => unknown,
>(
  fn: WorkerFunction<F>,
  ...args: Parameters<F>
): Future<Awaited<ReturnType<F>>> {
  const loop = getRunningLoop();
  checkWorkerFunction("toThread", fn);
  return runInExecutor(loop, null, fn, ...args);
}
