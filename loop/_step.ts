/**
 * The atomic task step, as asyncio's: once the loop resumes a task, it runs
 * nothing else until the task waits on a pending Future or ends. In asyncio
 * that holds by construction (`Task.__step` is one synchronous call); here an
 * `async` function resumes in a microtask, after the callback that resumed it
 * has returned, so the loop must be told when the step is over.
 *
 * How it works:
 * - `beginStep(task)` marks the task's step in progress (`stepping`). The
 *   loop, back from the callback that began it, sees `stepping` set and
 *   waits (`base_event_loop.ts`, `#advance`).
 * - The step ends when the task's coroutine waits on a pending Future (its
 *   `await` reaches `Task[kAwait]`, `tasks/task.ts`) or finishes: the task
 *   calls `endStep(task)`, which calls the loop's `resume` (installed by the
 *   running loop) to run on from there, in the same microtask.
 * - A step that awaits a plain promise never says it ended: the loop's
 *   `setImmediate` ends it once microtasks drain.
 * - Inside a ready-queue callback (`inCallback`), a step that ends is picked
 *   up by the loop when the callback returns, not resumed from here.
 * - Waits made during a step, by coroutines whose task is known only once
 *   the step's task suspends, are held (`holdWait`) and registered when it
 *   does (`suspending`) or its step ends, in the order plain JavaScript would
 *   run them.
 *
 * Invariant: at most one step is in progress, and only while its loop runs.
 *
 * @module
 */
import type { Holder, TaskLike } from "./_async_context.ts";
import {
  active as entryHolders,
  steps,
  unclaimedInStep,
} from "./_entry_holders.ts";

/**
 * The task whose `async` step is in progress, if any (read it; only this
 * file writes it).
 */
export let stepping: TaskLike | null = null;

/** A ready-queue callback is running (see the module's header). */
let inCallback = false;

/** Installed by the running loop: resumes it after a step has ended. */
let resume: (() => void) | null = null;

/** The loop starts running (with its `resumeAfterStep`) or stops (`null`). */
export function installLoop(resumeAfterStep: (() => void) | null): void {
  resume = resumeAfterStep;
  stepping = null;
  inCallback = false;
}

/** Start an `async` step of `task`: the loop waits for `endStep`. */
export function beginStep(task: TaskLike): void {
  stepping = task;
  steps.serial++;
}

/**
 * End the `async` step of `task` if it is the one in progress: the coroutine
 * has reached a real suspension (a wait on a pending Future) or its end.
 */
export function endStep(task: TaskLike): void {
  if (stepping === task) {
    stepping = null;
    if (heldWaits.length !== 0) releaseHeldWaits();
    if (!inCallback) resume!();
  }
}

/**
 * A step begun for a generator coroutine: it runs synchronously from here,
 * so nothing is waited for.
 */
export function stepIsSynchronous(): void {
  stepping = null;
}

/** The loop is about to run a ready-queue callback. */
export function enterCallback(): void {
  inCallback = true;
}

/**
 * The callback has returned: the task whose step it began and that is still
 * in progress, if any (the loop then waits for its end).
 */
export function leaveCallback(): TaskLike | null {
  inCallback = false;
  return stepping;
}

/**
 * The task whose step is in progress suspends now: release the waits held
 * in its step first, so that those of coroutines it never adopted (its
 * own) queue before its own wake-up, in the order plain JavaScript would
 * run them. A task's `await` then sees no step of its own in progress.
 */
export function suspending(): void {
  if (heldWaits.length === 0) return;
  const task = stepping;
  stepping = null;
  try {
    releaseHeldWaits();
  } finally {
    stepping = task;
  }
}

/**
 * Waits whose task is known only once the task whose step is in progress
 * suspends (see `unclaimedInStep`): flat triples of the function that
 * registers the wait, the wait, and its holder.
 */
const heldWaits: unknown[] = [];

/**
 * Whether a wait made in `holder` must be held until the task whose step is
 * in progress suspends (see `unclaimedInStep`).
 */
export function mustHold(holder: Holder | undefined | null): holder is Holder {
  return stepping !== null && holder != null && entryHolders &&
    unclaimedInStep(holder);
}

/**
 * Whether a wait made in `holder` must be held until its task suspends (see
 * `suspending`) or its step ends; if so, `register(wait, holder)` is called
 * then.
 */
export function holdWait<W>(
  holder: Holder | undefined | null,
  register: (wait: W, holder: Holder) => void,
  wait: W,
): boolean {
  if (!mustHold(holder)) return false;
  heldWaits.push(register, wait, holder);
  return true;
}

function releaseHeldWaits(): void {
  // Taken out first: a registration that holds more (for a step that starts
  // meanwhile) leaves them for that step's end.
  const held = heldWaits.splice(0);
  for (let i = 0; i < held.length; i += 3) {
    const register = held[i] as (wait: unknown, holder: Holder) => void;
    register(held[i + 1], held[i + 2] as Holder);
  }
}
