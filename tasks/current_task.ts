/**
 * `currentTask()`.
 *
 * @module
 */
import type { AbstractEventLoop } from "../loop/events.ts";
import { currentTaskLike } from "../loop/_current_task.ts";
import { runningLoop } from "../loop/_running_loop.ts";
import { Task } from "./task.ts";

/**
 * Return the Task running now, or `null` when called from a plain callback
 * or when no loop runs (code a coroutine runs before `run()` starts the loop
 * belongs to no task yet).
 *
 * @example Naming the current task
 * ```ts
 * import { currentTask, run } from "@asyncio/deno";
 * await run(async () => console.log(currentTask()?.getName()));
 * ```
 */
export function currentTask(
  loop: AbstractEventLoop | null = null,
): Task | null {
  const target = loop ?? runningLoop();
  const task = currentTaskLike();
  return task instanceof Task && task.getLoop() === target ? task : null;
}
