/**
 * `runInExecutor()`: asyncio's `loop.run_in_executor(executor, func,
 * *args)`, with the loop's default executor (`setDefaultExecutor`,
 * `shutdownDefaultExecutor`). The loop's methods of those names call these.
 *
 * How it works: each loop has at most one default executor, a
 * `WorkerPoolExecutor` made on the first `runInExecutor(loop, null, …)`
 * (or set by `setDefaultExecutor`). A loop's `close()` shuts it down
 * (`wait: false`, and its Workers end then: see `WorkerPoolExecutor`), and
 * a closed loop or one whose `shutdownDefaultExecutor()` was called never
 * makes another, as asyncio's.
 *
 * @module
 */
import { RuntimeError } from "../exceptions/builtins.ts";
import { describe } from "../exceptions/describe.ts";
import { closeHooks, installExecutors } from "../loop/_hooks.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type { WorkerFunction } from "../loop/executor.ts";
import type { Future } from "../tasks/future.ts";
import {
  checkWorkerFunction,
  kSubmit,
  WorkerPoolExecutor,
} from "./worker_pool_executor.ts";

const defaults = new WeakMap<AbstractEventLoop, WorkerPoolExecutor>();
/** The loops whose `shutdownDefaultExecutor()` was called, or that closed. */
const shutdownCalled = new WeakSet<AbstractEventLoop>();

closeHooks.push((loop) => {
  const closed = loop as AbstractEventLoop;
  shutdownCalled.add(closed);
  const executor = defaults.get(closed);
  if (executor === undefined) return;
  defaults.delete(closed);
  executor.shutdown({ wait: false, cancelFutures: true });
});

function checkLoop(api: string, loop: unknown): AbstractEventLoop {
  if (typeof (loop as AbstractEventLoop)?.createFuture !== "function") {
    throw new TypeError(
      `${api}: loop must be an event loop, got ${describe(loop)}`,
    );
  }
  return loop as AbstractEventLoop;
}

function checkExecutor(api: string, executor: unknown): WorkerPoolExecutor {
  if (!(executor instanceof WorkerPoolExecutor)) {
    throw new TypeError(
      `${api}: executor must be a WorkerPoolExecutor, got ${
        describe(executor)
      }`,
    );
  }
  return executor;
}

/** `loop`'s default executor, made now if it has none. */
function defaultExecutor(loop: AbstractEventLoop): WorkerPoolExecutor {
  let executor = defaults.get(loop);
  if (executor === undefined) {
    if (shutdownCalled.has(loop)) {
      throw new RuntimeError("Executor shutdown has been called");
    }
    defaults.set(loop, executor = new WorkerPoolExecutor());
  }
  return executor;
}

/**
 * Arrange for `fn(...args)` to be called in `executor` (a Worker of the
 * pool), as asyncio's `loop.run_in_executor`; return a Future of `loop`
 * with its result. `executor` `null` is the loop's default executor, a
 * `WorkerPoolExecutor` with `navigator.hardwareConcurrency` Workers made on
 * first use and shut down when the loop closes. `fn` must be made by
 * `workerFunction(moduleUrl, exportName)`: a plain JavaScript function
 * cannot run on another thread (a `TypeError` names the fix).
 *
 * Cancelling the Future unqueues the job, or terminates the Worker running
 * it (see `WorkerPoolExecutor`).
 *
 * @param loop The loop the Future belongs to.
 * @param executor The pool, or `null` for the loop's default one.
 * @param fn The function, made by `workerFunction()`.
 * @param args Its arguments, by structured clone.
 * @returns A Future of `fn`'s (awaited) result.
 * @throws {RuntimeError} If the loop is closed, or `executor` (or the
 * default one) was shut down.
 *
 * @example Running a named function on the default executor
 * ```ts
 * import { getRunningLoop, workerFunction } from "@asyncio/deno";
 * async function main(jobs: string) {
 *   const fib = workerFunction<(n: number) => number>(jobs, "fib");
 *   return await getRunningLoop().runInExecutor(null, fib, 30);
 * }
 * // await run(main(import.meta.resolve("./jobs.ts")));
 * console.log(typeof main); // function
 * ```
 */
export function runInExecutor<
  // deno-lint-ignore no-explicit-any
  F extends (...args: any[]) => unknown,
>(
  loop: AbstractEventLoop,
  executor: WorkerPoolExecutor | null,
  fn: WorkerFunction<F>,
  ...args: Parameters<F>
): Future<Awaited<ReturnType<F>>> {
  const api = "runInExecutor";
  checkLoop(api, loop);
  if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
  const target = checkWorkerFunction(api, fn);
  const pool = executor === null
    ? defaultExecutor(loop)
    : checkExecutor(api, executor);
  return pool[kSubmit](
    loop,
    api,
    target.moduleUrl,
    target.exportName,
    args,
  ) as Future<Awaited<ReturnType<F>>>;
}

/**
 * Set `executor` as the default executor of `loop`, as asyncio's
 * `loop.set_default_executor`: `runInExecutor(loop, null, …)` and
 * `toThread` then use it, and closing the loop shuts it down. The previous
 * one is not shut down.
 *
 * @param loop The loop.
 * @param executor The pool to use by default.
 *
 * @example A smaller default pool
 * ```ts
 * import { getEventLoop, WorkerPoolExecutor } from "@asyncio/deno";
 * const loop = getEventLoop();
 * loop.setDefaultExecutor(new WorkerPoolExecutor({ maxWorkers: 1 }));
 * loop.close(); // shuts it down
 * ```
 */
export function setDefaultExecutor(
  loop: AbstractEventLoop,
  executor: WorkerPoolExecutor,
): void {
  const api = "setDefaultExecutor";
  checkLoop(api, loop);
  defaults.set(loop, checkExecutor(api, executor));
}

/**
 * Schedule the shutdown of `loop`'s default executor and wait for its
 * Workers to end, as asyncio's `loop.shutdown_default_executor()`; after
 * it, `runInExecutor(loop, null, …)` raises `RuntimeError`.
 *
 * @param loop The loop.
 * @returns A Future of `loop`, done once the default executor's jobs are
 * done and its Workers have ended (at once if it has none).
 *
 * @example At the end of a program
 * ```ts
 * import { getRunningLoop, run } from "@asyncio/deno";
 * await run(async () => {
 *   await getRunningLoop().shutdownDefaultExecutor();
 *   console.log("done"); // done
 * });
 * ```
 */
export function shutdownDefaultExecutor(loop: AbstractEventLoop): Future<void> {
  checkLoop("shutdownDefaultExecutor", loop);
  shutdownCalled.add(loop);
  const fut = loop.createFuture<void>();
  const executor = defaults.get(loop);
  if (executor === undefined) {
    fut.setResult(undefined);
    return fut;
  }
  executor.shutdown({ wait: true }).then(() => {
    if (fut.done() || loop.isClosed()) return;
    try {
      fut.setResult(undefined);
    } catch {
      // the loop is closed
    }
  });
  return fut;
}

installExecutors({
  runInExecutor: (loop, executor, fn, args) =>
    runInExecutor(
      loop as AbstractEventLoop,
      executor as WorkerPoolExecutor | null,
      fn as WorkerFunction,
      ...args,
    ),
  setDefaultExecutor: (loop, executor) =>
    setDefaultExecutor(
      loop as AbstractEventLoop,
      executor as WorkerPoolExecutor,
    ),
  shutdownDefaultExecutor: (loop) =>
    shutdownDefaultExecutor(loop as AbstractEventLoop),
});
