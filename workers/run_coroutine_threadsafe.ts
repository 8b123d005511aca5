/**
 * `runCoroutineThreadsafe()`: submit a coroutine to a loop from code
 * outside its callbacks, as asyncio's `run_coroutine_threadsafe`.
 *
 * @module
 */
import { CancelledError } from "../exceptions/asyncio.ts";
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type { Task, TaskCoroutine } from "../tasks/task.ts";

/**
 * Run `coro` as a task of `loop`, scheduled with `callSoonThreadsafe`
 * (so from anywhere: a Deno timer, a Worker's message handler, another
 * loop's task), and return a Promise of its result, as asyncio's
 * `run_coroutine_threadsafe` returns a `concurrent.futures.Future`. The
 * Promise rejects with the task's error, or `CancelledError`. For a loop on
 * another Worker, see `connectLoop(port).runCoroutineThreadsafe(name)`.
 *
 * @param coro The coroutine (or the lazy form, `() => work()`).
 * @param loop The loop to run it on.
 * @returns A Promise of the task's result.
 *
 * @example From a Deno timer into a running loop
 * ```ts
 * import { getRunningLoop, run, runCoroutineThreadsafe, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const loop = getRunningLoop();
 *   setTimeout(async () => {
 *     console.log(await runCoroutineThreadsafe(() => sleep(0.01, "done"), loop));
 *   }, 0);
 *   await sleep(0.1);
 * });
 * ```
 */
export function runCoroutineThreadsafe<T>(
  coro: TaskCoroutine<T>,
  loop: AbstractEventLoop,
): Promise<T> {
  if (typeof loop?.callSoonThreadsafe !== "function") {
    throw new TypeError(
      `runCoroutineThreadsafe: loop must be an event loop, got ${
        describe(loop)
      }`,
    );
  }
  const outcome = Promise.withResolvers<T>();
  loop.callSoonThreadsafe(() => {
    const task: Task<T> = loop.createTask(coro);
    task.addDoneCallback((done: Task<T>) => {
      if (done.cancelled()) outcome.reject(new CancelledError());
      else if (done.exception() !== null) outcome.reject(done.exception());
      else outcome.resolve(done.result());
    });
  });
  // Handled here: a result nobody awaits is dropped, as Python's
  // concurrent future drops it, instead of killing the process.
  outcome.promise.catch(() => {});
  return outcome.promise;
}
