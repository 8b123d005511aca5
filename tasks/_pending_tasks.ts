/**
 * The pending tasks of every loop, oldest first: what `allTasks()` lists.
 *
 * How it works: the list is threaded through the tasks themselves (each
 * has a `[kPrevPending]` and a `[kNextPending]` link): a `Set` would
 * compute a hash per task, most of the cost of adding it. A task joins when
 * it is created and leaves when it is done, or when its loop closes (it
 * never runs again then). `pendingTasksOf(loop)` walks the list.
 *
 * Invariants:
 * - A task is listed from its creation until it is done or its loop closes;
 *   a task that is not listed has both links `null` and is not `#first`.
 * - `#first`/`#last` and the links form one doubly linked list.
 *
 * @module
 */
import { closeHooks } from "../loop/_hooks.ts";
import { creationSite } from "../loop/_creation_site.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type { Task } from "./task.ts";

/** Internal: a task's links in the list of pending tasks. */
export const kPrevPending: unique symbol = Symbol("prevPending");
/** Internal: see `kPrevPending`. */
export const kNextPending: unique symbol = Symbol("nextPending");

/** What the list needs of a task. */
interface Listed {
  [kPrevPending]: Listed | null;
  [kNextPending]: Listed | null;
  getLoop(): AbstractEventLoop;
  done(): boolean;
}

let first: Listed | null = null;
let last: Listed | null = null;

/** List a new task, last. */
export function addPending(task: Listed): void {
  task[kPrevPending] = last;
  if (last === null) first = task;
  else last[kNextPending] = task;
  last = task;
}

/** Take a task off the list (nothing if it is not listed). */
export function removePending(task: Listed): void {
  const prev = task[kPrevPending], next = task[kNextPending];
  if (prev === null && first !== task) return; // not listed
  if (prev === null) first = next;
  else prev[kNextPending] = next;
  if (next === null) last = prev;
  else next[kPrevPending] = prev;
  task[kPrevPending] = task[kNextPending] = null;
}

/** The pending tasks of `loop`, oldest first. */
export function pendingTasksOf(loop: AbstractEventLoop): Set<Task> {
  const tasks = new Set<Task>();
  for (let task = first; task !== null; task = task[kNextPending]) {
    if (task.getLoop() === loop && !task.done()) tasks.add(task as Task);
  }
  return tasks;
}

// A task still pending when its loop closes never runs again: say so, as
// CPython does when it collects one ("Task was destroyed but it is
// pending!"), with where it was made in debug mode.
closeHooks.push((closing) => {
  const loop = closing as AbstractEventLoop;
  for (let task = first; task !== null;) {
    const next = task[kNextPending];
    if (task.getLoop() === loop) {
      removePending(task);
      if (!task.done()) reportDestroyed(loop, task as Task);
    }
    task = next;
  }
});

function reportDestroyed(loop: AbstractEventLoop, task: Task): void {
  const sourceTraceback = creationSite(task);
  loop.callExceptionHandler({
    message: "Task was destroyed but it is pending!",
    task,
    ...(sourceTraceback === undefined ? {} : { sourceTraceback }),
  });
}
