/**
 * `allTasks()`.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getRunningLoop } from "../loop/policy.ts";
import { pendingTasksOf } from "./_pending_tasks.ts";
import type { Task } from "./task.ts";

/**
 * Return the set of tasks of the loop (the running one by default) that are
 * not yet done.
 *
 * @example Counting tasks
 * ```ts
 * import { allTasks, run } from "@asyncio/deno";
 * await run(async () => console.log(allTasks().size)); // 1
 * ```
 */
export function allTasks(loop: AbstractEventLoop | null = null): Set<Task> {
  if (loop !== null && typeof loop?.callSoon !== "function") {
    throw new TypeError(
      `allTasks: loop must be an event loop or null, got ${describe(loop)}`,
    );
  }
  return pendingTasksOf(loop ?? getRunningLoop());
}
