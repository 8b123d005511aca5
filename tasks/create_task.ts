/**
 * `createTask()`.
 *
 * @module
 */
import type { CreateTaskOptions } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { runningLoop } from "../loop/_running_loop.ts";
import type { Task, TaskCoroutine } from "./task.ts";
import { reserveRootTaskName } from "./_task_names.ts";

/**
 * Wrap a coroutine into a Task and schedule its execution; return the Task.
 * The coroutine is adopted: from its first `await` on, all its waits belong
 * to the new task, however many coroutines were created before it
 * (`coros.map((c) => createTask(c))`, in any order; docs/attribution.md).
 * Hand it over in the step that created it: one that already waited raises
 * `RuntimeError`. `coro` may also be a function that makes the coroutine at
 * the task's first step, `createTask(() => work())`: nothing of it runs
 * before, as in Python.
 *
 * @example Two tasks at once
 * ```ts
 * import { createTask, run, sleep } from "@asyncio/deno";
 * async function say(delay: number, what: string) {
 *   await sleep(delay);
 *   console.log(what);
 * }
 * await run(async () => {
 *   const t1 = createTask(say(0.02, "world"));
 *   const t2 = createTask(say(0.01, "hello"));
 *   await t1;
 *   await t2;
 * });
 * ```
 */
export function createTask<T>(
  coro: TaskCoroutine<T>,
  options: CreateTaskOptions = {},
): Task<T> {
  let loop = runningLoop();
  if (loop === null) {
    // A coroutine's prefix, before `run()`: keep Task-1 for the coroutine.
    reserveRootTaskName();
    loop = getEventLoop();
  }
  return loop.createTask(coro, options) as Task<T>;
}
