/**
 * The module's shared running state: the running loop, the current task and
 * the step in progress. Everything mutable that crosses files lives here.
 *
 * @module
 */
import { context, Holder, type TaskLike } from "./_async_context.ts";
import {
  active as entryHolders,
  frameOf,
  labelForWait,
  labelOf,
  ownPromise,
  rootHolder,
  settleHooks,
  steps,
  unclaimedInStep,
} from "./_entry_holders.ts";

export { context, entryHolders, Holder, labelForWait, labelOf, type TaskLike };

// A holder from the start: coroutines started at module top level or in a test
// body hang their entries on it (without the hooks, they capture it, and
// `createTask` re-labels it).
context.enter(rootHolder);

/** Mutable state shared by the loop and the tasks. */
export const runtime = {
  /** The loop whose `runForever` is in progress, if any. */
  running: null as object | null,
  /**
   * The task whose `async` step is in progress: the loop waits for the step
   * to end (see `endStep`) before it runs the next callback.
   */
  stepping: null as TaskLike | null,
  /** The task a generator step is running for, set synchronously. */
  syncTask: null as TaskLike | null,
  /**
   * A callback is running from the loop's ready queue: a step that ends
   * inside it ends there, and the loop carries on by itself.
   */
  inCallback: false,
  /** Installed by the running loop: resumes it after a step has ended. */
  resume: null as (() => void) | null,
  /** Inside `adoptTogether`: 1 before the first adoption, 2 after it. */
  sharedAdoption: 0,
};

/** Internal: the resolving functions of the promise `newPromise()` made last. */
export const madePromise = {
  resolve: null as unknown as (value: unknown) => void,
  reject: null as unknown as (reason: unknown) => void,
};

function captureResolvers(
  resolve: (value: unknown) => void,
  reject: (reason: unknown) => void,
): void {
  madePromise.resolve = resolve;
  madePromise.reject = reject;
}

/**
 * Internal: a pending promise; its resolving functions are in `madePromise`
 * (no closure made to capture them).
 */
export function newPromise<R>(): Promise<R> {
  ownPromise.making = true;
  const promise = new Promise<R>(
    captureResolvers as (resolve: (value: R) => void) => void,
  );
  ownPromise.making = false;
  return promise;
}

/**
 * End the `async` step of `task` if it is the one in progress: the coroutine
 * has reached a real suspension (a wait on a pending Future) or its end.
 */
export function endStep(task: TaskLike): void {
  if (runtime.stepping === task) {
    runtime.stepping = null;
    if (heldWaits.length !== 0) releaseHeldWaits();
    if (!runtime.inCallback) runtime.resume!();
  }
}

/**
 * The task whose step is in progress suspends now: release the waits held
 * in its step first, so that those of coroutines it never adopted (its
 * own) queue before its own wake-up, in the order plain JavaScript would
 * run them. A task's `await` then sees no step of its own in progress.
 */
export function suspending(): void {
  if (heldWaits.length === 0) return;
  const task = runtime.stepping;
  runtime.stepping = null;
  try {
    releaseHeldWaits();
  } finally {
    runtime.stepping = task;
  }
}

/** Start an `async` step of `task`: the loop waits for `endStep`. */
export function beginStep(task: TaskLike): void {
  runtime.stepping = task;
  steps.serial++;
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
  return runtime.stepping !== null && holder != null && entryHolders &&
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
 * task's step (`runtime.syncTask` is the task), else `currentHolder()`.
 */
export function awaitingHolder(): Holder | undefined {
  return runtime.syncTask === null ? currentHolder() : undefined;
}

/** The running task `holder` belongs to, if any. */
export function taskOf(holder: Holder | undefined): TaskLike | null {
  const task = holder === undefined ? null : labelOf(holder);
  return task === null || task.done() ? null : task;
}

/** The task running now, from a generator step or the async context. */
export function currentTaskLike(): TaskLike | null {
  return runtime.syncTask ?? taskOf(currentHolder());
}

/**
 * The fallback where the promise hooks are missing (see `_entry_holders.ts`):
 * give the code running now a fresh holder with the same label, and
 * re-label the one it had to `task`: the coroutine started last captured
 * that one, so its every later await belongs to `task`. Coroutines started
 * together share it (see `adoptTogether`).
 */
export function adoptHolder(task: TaskLike): void {
  if (runtime.sharedAdoption !== 0) {
    if (runtime.sharedAdoption === 2) return;
    runtime.sharedAdoption = 2;
  }
  const captured = context.current();
  context.enter(new Holder(captured?.task ?? null));
  if (captured !== undefined) captured.task = task;
}

/**
 * Make tasks of coroutines that were all started before one call
 * (`gather(a(), b())`'s arguments): they captured the same holder, so only the
 * first adoption splits it; the others would each pay an `enterWith` to split
 * a holder nobody captured.
 */
export function adoptTogether<T>(make: () => T): T {
  const outer = runtime.sharedAdoption;
  runtime.sharedAdoption = 1;
  try {
    return make();
  } finally {
    runtime.sharedAdoption = outer;
  }
}

/**
 * Run the code from here on in a holder of its own, labelled `task` (by
 * default, as the current one is), so that re-labelling it never reaches the
 * code that captured the current one.
 */
export function enterFreshHolder(
  task: TaskLike | null = currentTaskLike(),
): void {
  context.enter(new Holder(task));
}

/**
 * The internal callbacks that only resume a suspended `async` task (settle
 * the promise its `await` waits on). They run the same in any async context,
 * so the loop may run them straight from the end of the previous task's step,
 * without first returning to its own context. `tasks/` registers them.
 */
export const taskResumers: Set<(arg: never) => unknown> = new Set();

/** Marks the functions `coroutine()` makes (asyncio's `_is_coroutine`). */
export const kCoroutineFunction: unique symbol = Symbol("coroutineFunction");

/** Callbacks run when a loop closes (tasks/ reports unretrieved errors). */
export const closeHooks: Array<(loop: object) => void> = [];

/** The part of a Future the loop uses (`runUntilComplete`, `run`). */
export interface FutureLike {
  done(): boolean;
  cancelled(): boolean;
  result(): unknown;
  exception(): unknown;
  cancel(msg?: string | null): boolean;
  getLoop(): object;
  // deno-lint-ignore no-explicit-any
  addDoneCallback(fn: (fut: any) => unknown): void;
  // deno-lint-ignore no-explicit-any
  removeDoneCallback(fn: (fut: any) => unknown): number;
}

/**
 * What `tasks/` installs so the loop can make futures and tasks without
 * importing them.
 */
export const factories = {
  future: null as ((loop: object) => FutureLike) | null,
  task: null as
    | ((loop: object, coro: unknown, name: string | null) => FutureLike)
    | null,
  isFuture: null as ((value: unknown) => value is FutureLike) | null,
  allTasks: null as ((loop: object) => Set<FutureLike>) | null,
};

/** `run(main)` with a function: the task calls it at its first step. */
export class LazyCoroutine {
  constructor(readonly start: () => unknown, readonly name: string) {}
}

let taskCounter = 0;
let reservedRootNumber = 0;

/**
 * The `N` of the next `Task-N` name, from one global counter as in CPython
 * (a task makes the string only when asked).
 */
export function nextTaskNumber(): number {
  return ++taskCounter;
}

/**
 * A coroutine's prefix (JS runs it before `run()` is called) may create tasks
 * before the task that `run()` makes for it: keep `Task-1` for that one.
 */
export function reserveRootTaskName(): void {
  if (reservedRootNumber === 0) reservedRootNumber = ++taskCounter;
}

/** The name kept by `reserveRootTaskName`, once, or a fresh one. */
export function takeRootTaskName(): string {
  const n = reservedRootNumber;
  reservedRootNumber = 0;
  return `Task-${n === 0 ? nextTaskNumber() : n}`;
}
