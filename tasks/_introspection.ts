/**
 * What the call graph and the task dump (`call_graph.ts`, `format_tasks.ts`)
 * read of a task, kept apart so that `task.ts` and `_waiter.ts` record it
 * without importing either of them.
 *
 * How it works: nothing here costs anything on the hot path when no loop is
 * in debug mode. A task already knows the futures it waits on (its waiter
 * fields), and `[kWaitsOn]()` lists them on demand. Its creation time
 * (`[kCreatedAt]`) is kept in debug mode, or once `keepAges()` was called
 * (`dumpOnSignal`): a clock read costs about 150 ns on Deno 2.9.6, a tenth
 * of a task's creation. In debug mode only, every `await` of a
 * Future records the stack of the `then()` call V8 makes for it
 * (`recordAwait`; a `sleep()`, which V8 awaits as a native promise, records
 * it at the await, and keeps it as the future's, `moveAwait`): that stack holds the awaiting `async` functions, "at
 * async inner (file:line:col)", innermost first, which is all JavaScript
 * keeps of a suspended coroutine's frames. The stack is keyed by the waiter
 * until the wait reaches its task (`takeAwait`), then by the task: the
 * latest await of a task is where it is suspended.
 *
 * Invariants: the maps are weak (a recorded task is still collected), and
 * `recording` stays `false` until a debug loop records a first await, so
 * `takeAwait` costs one boolean test otherwise.
 *
 * @module
 */

import type { Holder } from "../loop/_async_context.ts";
import { labelOf } from "../loop/_entry_holders.ts";

/** Internal: the futures a task waits on now (`Task[kWaitsOn]()`). */
export const kWaitsOn: unique symbol = Symbol("waitsOn");
/** Internal: the loop time at which a task was created. */
export const kCreatedAt: unique symbol = Symbol("createdAt");

/** Whether tasks keep their creation time without debug mode. */
export let agesKept = false;

/** From now on every task keeps its creation time (for `formatTasks()`). */
export function keepAges(): void {
  agesKept = true;
}

/** Frames kept in an await site: V8's default of 10 is too few for chains. */
const DEPTH = 20;

/** Whether any await site was recorded yet (see the invariants). */
export let recording = false;

const byWaiter = new WeakMap<object, Error>();
const byTask = new WeakMap<object, Error>();

/**
 * The stacks taken at the `await` itself (a `sleep()`'s, from a promise
 * hook), not in a `then()` a job later, with the frame's holder: below the
 * awaiting coroutines they list plain callers, which may not be awaiters
 * (the creator, when the await is in a prefix). The holder tells them apart
 * when the site is read (`awaitSite`), once the coroutines are adopted.
 */
const takenAtAwait = new WeakMap<Error, Holder>();

/**
 * Record the stack of an `await` being made now (debug mode only); `frame`:
 * for one taken at the await itself, the holder of the awaiting frame (see
 * `takenAtAwait`).
 */
export function recordAwait(waiter: object, frame?: Holder): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = DEPTH;
  // Formatted only when read (`awaitSite`): see `loop/_creation_site.ts`.
  const stack = new Error();
  Error.stackTraceLimit = limit;
  byWaiter.set(waiter, stack);
  if (frame !== undefined) takenAtAwait.set(stack, frame);
  recording = true;
}

/** The wait `waiter` reached `task`: the site becomes the task's. */
export function takeAwait(waiter: object, task: object): void {
  const stack = byWaiter.get(waiter);
  if (stack === undefined) return;
  byWaiter.delete(waiter);
  byTask.set(task, stack);
}

/** The wait recorded as `from` is now `to` (a sleep's, made a job later). */
export function moveAwait(from: object, to: object): void {
  const stack = byWaiter.get(from);
  if (stack === undefined) return;
  byWaiter.delete(from);
  byWaiter.set(to, stack);
}

/** Where a task's latest await was made (debug mode). */
export interface AwaitSite {
  /** The stack (see the module's header). */
  readonly stack: string;
  /**
   * For a stack taken at the await itself, how many of its plain frames are
   * the awaiting coroutines (the rest are callers); 0 keeps them all.
   */
  readonly awaiting: number;
}

/** Where the latest await `task` made in debug mode was, if known. */
export function awaitSite(task: object): AwaitSite | undefined {
  const error = byTask.get(task);
  if (error === undefined) return undefined;
  const frame = takenAtAwait.get(error);
  let awaiting = 0;
  // The awaiting coroutines: the frames of the chain that are the task's.
  for (let h = frame ?? null; h !== null && labelOf(h) === task; h = h.up) {
    awaiting++;
  }
  return { stack: error.stack ?? "", awaiting };
}

/**
 * Futures that stand for others, as asyncio's `future_add_to_awaited_by`
 * links them: `shield()`'s outer future is awaited through to its inner
 * one (a `gather()` tells its children itself, `gather.ts`).
 */
const through = new WeakMap<object, object>();

/** A task awaiting `outer` awaits `inner` (`shield()`). */
export function awaitsThrough(outer: object, inner: object): void {
  through.set(outer, inner);
}

/** What a task awaiting `outer` awaits through it, if anything. */
export function awaitedThrough(outer: object): object | undefined {
  return through.get(outer);
}

/** The live task groups' tasks, by their parent task (`TaskGroup`). */
const children = new WeakMap<object, Set<ReadonlySet<object>>>();

/** A task group of `parent` holds `tasks` from now on (its `#enter`). */
export function addChildren(parent: object, tasks: ReadonlySet<object>): void {
  let sets = children.get(parent);
  if (sets === undefined) children.set(parent, sets = new Set());
  sets.add(tasks);
}

/** The task group holding `tasks` has exited. */
export function removeChildren(
  parent: object,
  tasks: ReadonlySet<object>,
): void {
  const sets = children.get(parent);
  if (sets === undefined) return;
  sets.delete(tasks);
  if (sets.size === 0) children.delete(parent);
}

/** The task sets of the live task groups whose parent is `parent`. */
export function childrenOf(
  parent: object,
): Iterable<ReadonlySet<object>> {
  return children.get(parent) ?? [];
}
