/**
 * What debug mode says of a callback or task step that held the loop for
 * longer than `loop.slowCallbackDuration`: asyncio's "Executing <Task …>
 * took 0.152 seconds", with a task's creation site when it has one (a task
 * made in debug mode), since the task's repr alone rarely says whose code
 * blocked the loop.
 *
 * @module
 */
import { creationSite } from "./_creation_site.ts";
import { Handle, kFirstArg } from "./events.ts";

/** Whether `value` is a task. */
function isTask(value: unknown): value is object {
  return typeof (value as { getCoro?: unknown })?.getCoro === "function" &&
    typeof (value as { getName?: unknown }).getName === "function";
}

/**
 * The task whose step `handle` is: its first argument is the task, or the
 * trampoline driving a generator task (which has it as `task`).
 */
function taskOf(handle: Handle): object | null {
  const arg = Handle[kFirstArg](handle);
  if (isTask(arg)) return arg;
  const driven = (arg as { task?: unknown } | null)?.task;
  return isTask(driven) ? driven : null;
}

/**
 * The warning for `handle`, which ran for `seconds`: the task's repr for a
 * task step (as CPython's `_format_handle`), else the handle's.
 */
export function slowCallbackMessage(handle: Handle, seconds: number): string {
  const task = taskOf(handle);
  const what = String(task ?? handle);
  const message = `Executing ${what} took ${seconds.toFixed(3)} seconds`;
  const site = task === null ? undefined : creationSite(task);
  if (site === undefined) return message;
  return `${message}\nTask created at (most recent call first):\n${site}`;
}
