/**
 * `AwaitedPromise`: a coroutine of the module's that is a native promise,
 * so that V8 awaits it as one, with no wrapper promise and no `then()` call
 * (`docs/performance.md` measures what that saves: about a quarter of a
 * sleeping task). Its prototype's `constructor` is `Promise`, which is what
 * V8 checks; the promise hooks then tell it of each promise chained to it
 * (an `await`, a `then()`) from the `init` of that promise, whose parent it
 * is (`_entry_holders.ts`). Its own `then()` tells the two apart: an
 * `await` means that the body running suspends there, as the `await` of a
 * thenable shows by its wrapper.
 *
 * Invariants: the module settles it, and makes it as its own promise (no
 * entry holder, `newOwnPromise`); a task or a generator coroutine given one
 * runs the coroutine `[kAsCoroutine]()` returns instead; it is used only
 * where the promise hooks are active (without them nothing reports its
 * awaits).
 *
 * @module
 */
import type { Holder } from "./_async_context.ts";

/** Internal: told of a promise chained to it, made in `holder`'s frame. */
export const kAwaited: unique symbol = Symbol("awaited");
/** Internal: start the wait its first await asked for (`startSoon`). */
export const kStart: unique symbol = Symbol("start");
/** Internal: the coroutine a task or `yield*` runs in its stead. */
export const kAsCoroutine: unique symbol = Symbol("asCoroutine");

/**
 * Set while `then()` runs on an `AwaitedPromise` (also from `catch`,
 * `finally`, `Promise.all`, or V8 resolving a promise with it): the chain
 * the hooks see then is not an `await`, which calls no `then()`.
 */
export const chaining = { byThen: false };

/** A native promise whose awaits the promise hooks report (see above). */
export abstract class AwaitedPromise<T> extends Promise<T> {
  /** As `Promise.prototype.then`, told apart from an `await` (`chaining`). */
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const outer = chaining.byThen;
    chaining.byThen = true;
    try {
      return super.then(onFulfilled, onRejected);
    } finally {
      chaining.byThen = outer;
    }
  }

  /** A promise was chained to this one in `holder`'s frame (in a hook). */
  abstract [kAwaited](holder: Holder | undefined): void;
  /** Start the wait of its first await, a microtask after it. */
  abstract [kStart](): void;
  /** The coroutine to run instead, when a task is given this. */
  abstract [kAsCoroutine](): unknown;
  /** `yield*` of it: the generator of that coroutine. */
  abstract [Symbol.iterator](): Generator<unknown, T, unknown>;
}

/**
 * Make `promiseClass` awaited natively: V8 takes a promise as its own only
 * if its `constructor` is `Promise` (and chains to it then make plain
 * promises). Call it once for each concrete subclass.
 */
export function awaitedNatively(
  promiseClass: abstract new (...args: never[]) => AwaitedPromise<unknown>,
): void {
  Object.defineProperty(promiseClass.prototype, "constructor", {
    value: Promise,
    writable: true,
    configurable: true,
  });
}

/**
 * The batch of starts queued since the last thenable await, `null` once
 * sealed. The starts run a microtask after their awaits, where V8 would
 * have queued the job that calls a thenable's `then()`: one microtask per
 * batch, in order, and a batch is sealed when an await of a thenable queues
 * such a job meanwhile (`sealStarts`), so that every wait still starts in
 * the order of the awaits that made them. One microtask per await would
 * keep a closure alive for each of 100,000 sleepers created in one step.
 */
let open: AwaitedPromise<unknown>[] | null = null;

/** Run `promise[kStart]()` a microtask later (called from a hook). */
export function startSoon(promise: AwaitedPromise<unknown>): void {
  if (open !== null) {
    open.push(promise);
    return;
  }
  const batch = [promise];
  open = batch;
  queueMicrotask(() => startBatch(batch));
}

/** An await of a thenable queued its `then()` job: later starts go after. */
export function sealStarts(): void {
  open = null;
}

function startBatch(batch: AwaitedPromise<unknown>[]): void {
  if (open === batch) open = null;
  for (const promise of batch) {
    try {
      promise[kStart]();
    } catch (error) {
      // Not expected; report it without holding up the others.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
