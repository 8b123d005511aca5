/**
 * How `await fut` reaches its task: the `then()` that an `await` calls on a
 * Future (or on `sleep(0)`'s `YieldOnce`) becomes a `Waiter`, which the
 * awaiting task takes over, or which waits as a plain callback when no task
 * awaits.
 *
 * How it works, step by step:
 * 1. `then()` calls `awaitThen`, which makes the promise the `await` waits
 *    on (`newPromise`, no closure) and one `Waiter`: that promise's
 *    resolving functions, the awaiter's callbacks, and the future (`null`
 *    for a bare yield to the loop).
 * 2. It finds the awaiting task: in a generator step, the task being stepped
 *    (`syncTask`); else the label of the holder current in the async context
 *    (`currentHolder`, `labelForWait`, `docs/attribution.md`). A wait made
 *    through an entry nobody has adopted yet is held until the stepping task
 *    suspends (`holdWait`, `loop/_step.ts`), and only then looked up.
 * 3. The task path: the task's `[kAwait](waiter)` (`tasks/task.ts`) settles
 *    the waiter at once if the future is done and the task's step is in
 *    progress (the step goes on, as `await done_fut` in CPython); otherwise
 *    it waits on the future (its wake-up, `Task.#wakeAwait`, is a
 *    done-callback of it, and cancelling the task cancels it), or, before
 *    the task's first step, holds the waiter for that step; the step in
 *    progress ends there.
 * 4. The plain-promise path (no running task: a plain callback, or no loop
 *    running): the waiter settles at once if the future is done, else from a
 *    done-callback of it; a bare yield settles from a `callSoon`.
 * 5. Settling (`settle`: from the future's outcome; `fulfil`/`fail`: with a
 *    value or an error, as the task's wake-up may turn it into a
 *    `CancelledError`) calls the awaiter's callback and resolves the promise;
 *    the awaiting coroutine wakes in the next microtask, inside the step the
 *    wake-up began.
 *
 * `await sleep(d)` skips steps 1 and 2: V8 awaits it as a native promise,
 * and its future, an `Await` of its own, starts at step 2's lookup
 * (`startAwait`, from `sleep.ts`).
 *
 * Invariants: every `await` here costs one `Waiter` and one promise, and no
 * closure; a waiter is settled once, by whoever holds it last (the task's
 * wake-up, or the plain path's callback); and a waiter names its task
 * (`task`) only once that task has taken it over.
 *
 * The keys of the Future's internal methods a wait calls (`kAddCallback`,
 * `kCancelledError`) are defined here rather than in `future.ts`, which
 * imports this file (and re-exports them): no run-time import cycle.
 *
 * @module
 */
import { catchOf, finallyOf } from "./_promise_methods.ts";
import { currentHolder, syncTask } from "../loop/_current_task.ts";
import type { Holder, TaskLike } from "../loop/_async_context.ts";
import { holdWait } from "../loop/_step.ts";
import { labelForWait } from "../loop/_entry_holders.ts";
import { madePromise, newPromise } from "../loop/_new_promise.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import type { Awaitable, Future } from "./future.ts";
import { recordAwait, recording, takeAwait } from "./_introspection.ts";

/** Internal: add a done-callback `fn(arg)` without a closure. */
export const kAddCallback: unique symbol = Symbol("addCallback");
/** Internal: how a task takes over an await made in its context. */
export const kAwait: unique symbol = Symbol("await");
/** Internal: the `CancelledError` a cancelled future raises. */
export const kCancelledError: unique symbol = Symbol("cancelledError");

/** A task as the await bridge sees it. */
export interface AwaitingTask extends TaskLike {
  [kAwait](waiter: Await): void;
}

/**
 * An await as a task takes it over: what it waits for, and how to settle
 * it. A `Waiter` is one; so is a sleep's future (`sleep.ts`), which settles
 * the native promise awaited.
 */
export interface Await {
  /** The future waited for, or `null` for a bare yield to the loop. */
  readonly fut: Future<unknown> | null;
  /** The task whose await this is, once it has taken the await over. */
  task: AwaitingTask | null;
  /** Settle from the future's outcome (marks its exception retrieved). */
  settle(): void;
  /** Settle with an error. */
  fail(reason: unknown): void;
}

/**
 * One `then()` call on a Future (or on `sleep(0)`), waiting to be settled: a
 * record rather than closures, because every `await` makes one.
 */
export class Waiter implements Await {
  constructor(
    /** The future waited for, or `null` for a bare yield to the loop. */
    readonly fut: Future<unknown> | null,
    /** The value a bare yield resumes with. */
    readonly value: unknown,
    readonly onFulfilled: ((value: unknown) => unknown) | null | undefined,
    readonly onRejected: ((reason: unknown) => unknown) | null | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
    /** The task whose await this is, if any. */
    public task: AwaitingTask | null,
    /** The loop of the wait (a bare yield's is the current one). */
    readonly loop: AbstractEventLoop,
  ) {}

  /** Settle from the future's outcome (marks its exception retrieved). */
  settle(): void {
    const fut = this.fut;
    if (fut === null) return this.fulfil(this.value);
    if (fut.cancelled()) return this.fail(fut[kCancelledError]());
    const exception = fut.exception();
    if (exception !== null) this.fail(exception);
    else this.fulfil(fut.result());
  }

  /** Settle with a value. */
  fulfil(value: unknown): void {
    const onFulfilled = this.onFulfilled;
    if (typeof onFulfilled !== "function") return this.resolve(value);
    try {
      this.resolve(onFulfilled(value));
    } catch (error) {
      this.reject(error);
    }
  }

  /** Settle with an error. */
  fail(reason: unknown): void {
    const onRejected = this.onRejected;
    if (typeof onRejected !== "function") return this.reject(reason);
    try {
      this.resolve(onRejected(reason));
    } catch (error) {
      this.reject(error);
    }
  }
}

function settleWaiter(waiter: Await): void {
  waiter.settle();
}

/** Start an await of `fut` (or a bare yield) made by `then()`. */
export function awaitThen(
  fut: Future<unknown> | null,
  value: unknown,
  loop: AbstractEventLoop,
  onFulfilled: ((value: unknown) => unknown) | null | undefined,
  onRejected: ((reason: unknown) => unknown) | null | undefined,
): Promise<never> {
  const promise = newPromise<never>();
  const waiter = new Waiter(
    fut,
    value,
    onFulfilled,
    onRejected,
    madePromise.resolve,
    madePromise.reject,
    null,
    loop,
  );
  // Debug mode: where the awaiting coroutines are (`_introspection.ts`).
  if (loop.getDebug()) recordAwait(waiter);
  if (syncTask !== null) {
    startWait(waiter, syncTask as AwaitingTask);
    return promise;
  }
  startAwait(waiter, currentHolder());
  return promise;
}

/**
 * Start an await made in `holder`: as its task, or, if that is known only
 * once the stepping task suspends, then (`holdWait`).
 */
export function startAwait(waiter: Await, holder: Holder | undefined): void {
  if (!holdWait(holder, startHeldWait, waiter)) {
    startWait(waiter, waitingTask(holder));
  }
}

/** The task a wait made in `holder` belongs to, if it is running. */
function waitingTask(holder: Holder | undefined): AwaitingTask | null {
  const task = holder === undefined ? null : labelForWait(holder);
  return task === null || task.done() ? null : task as AwaitingTask;
}

function startHeldWait(waiter: Await, holder: Holder): void {
  startWait(waiter, waitingTask(holder));
}

/** Wait as `task`, or, outside a task, as a plain callback. */
function startWait(waiter: Await, task: AwaitingTask | null): void {
  const fut = waiter.fut;
  if (task !== null && typeof task[kAwait] === "function") {
    waiter.task = task;
    if (recording) takeAwait(waiter, task);
    task[kAwait](waiter);
  } else if (fut === null) {
    // Only a `Waiter` is a bare yield.
    (waiter as Waiter).loop.callSoon(settleWaiter, waiter);
  } else if (fut.done()) {
    waiter.settle();
  } else {
    fut[kAddCallback](settleWaiter, waiter);
  }
}

/**
 * What `sleep(0)` returns: a bare yield to the loop for one iteration, as
 * CPython's `__sleep0`, then the given value.
 */
export class YieldOnce<T> implements Awaitable<T> {
  /** @param value What the wait resumes with. */
  constructor(readonly value: T) {}

  /** Yield once from an `async` function: `await sleep(0)`. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return awaitThen(
      null,
      this.value,
      getEventLoop(),
      onFulfilled as ((value: unknown) => unknown) | null | undefined,
      onRejected,
    );
  }

  /** As `Promise.prototype.catch` (it awaits, as `then` does). */
  catch<R = never>(
    // `any`, as Promise's own `catch` types it: `(e: Error) => …` is allowed.
    // deno-lint-ignore no-explicit-any
    onRejected?: ((reason: any) => R | PromiseLike<R>) | null,
  ): Promise<T | R> {
    return catchOf(this, onRejected);
  }

  /** As `Promise.prototype.finally`: `onFinally` runs either way. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return finallyOf(this, onFinally);
  }

  /** Yield once from a generator coroutine: `yield* sleep(0)`. */
  *[Symbol.iterator](): Generator<undefined, T, unknown> {
    yield undefined;
    return this.value;
  }
}
