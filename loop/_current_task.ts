/**
 * Which task the code running now belongs to. Two sources, as the two kinds
 * of coroutine run:
 * - a generator coroutine's step is one synchronous call: its task is
 *   `syncTask`, set around the call (`enterSyncStep`/`leaveSyncStep`);
 * - an `async` function's code runs in microtasks, in the async context of
 *   the call that made it: its task is the label of the `Holder` current in
 *   that context (`_async_context.ts`), past the entries of the callees it
 *   leaked into (`_entry_holders.ts`); `docs/attribution.md` tells how each
 *   coroutine gets a holder of its own.
 *
 * @module
 */
import { context, type Holder, type TaskLike } from "./_async_context.ts";
import {
  active as entryHolders,
  frameOf,
  labelOf,
  rootHolder,
  settleHooks,
} from "./_entry_holders.ts";

// A holder from the start: coroutines started at module top level or in a test
// body hang their entries on it (without the hooks, they capture it, and
// `createTask` re-labels it).
context.enter(rootHolder);

/**
 * The task a generator step is running for, set synchronously (read it;
 * only this file writes it).
 */
export let syncTask: TaskLike | null = null;

/** A generator step of `task` starts; returns the task to restore after. */
export function enterSyncStep(task: TaskLike | null): TaskLike | null {
  const outer = syncTask;
  syncTask = task;
  return outer;
}

/** The generator step is over: `outer` is what `enterSyncStep` returned. */
export function leaveSyncStep(outer: TaskLike | null): void {
  syncTask = outer;
}

/**
 * The holder of the code running now: the real frame, past the entries of
 * callees it leaked into (see `_entry_holders.ts`).
 */
export function currentHolder(): Holder | undefined {
  if (entryHolders) settleHooks();
  const holder = context.current();
  return holder === undefined ? undefined : frameOf(holder);
}

/**
 * The holder an `await` made now is attributed through: none in a generator
 * task's step (`syncTask` is the task), else `currentHolder()`.
 */
export function awaitingHolder(): Holder | undefined {
  return syncTask === null ? currentHolder() : undefined;
}

/** The running task `holder` belongs to, if any. */
export function taskOf(holder: Holder | undefined): TaskLike | null {
  const task = holder === undefined ? null : labelOf(holder);
  return task === null || task.done() ? null : task;
}

/** The task running now, from a generator step or the async context. */
export function currentTaskLike(): TaskLike | null {
  return syncTask ?? taskOf(currentHolder());
}
