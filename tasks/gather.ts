/**
 * `gather()`: run awaitables concurrently and collect their results.
 *
 * @module
 */
import { adoptTogether } from "../loop/_adoption.ts";
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { checkOptions } from "../exceptions/checks.ts";
import { isAwaitable, isTaskable, toFuture } from "./_combinators.ts";
import { failWith, Future, kAddCallback, kCancelledError } from "./future.ts";

/** Options for `gather()`. */
export interface GatherOptions {
  /**
   * Return exceptions (and `CancelledError`s of cancelled children) in the
   * result array instead of raising the first one.
   *
   * @default {false}
   */
  returnExceptions?: boolean;
}

/**
 * The Future `gather()` returns, as CPython's `_GatheringFuture`: cancelling
 * it cancels every child that is not done yet.
 */
class GatheringFuture<T> extends Future<T> {
  readonly children: Future<unknown>[];
  /** A `cancel()` reached at least one child (CPython's `_cancel_requested`). */
  cancelRequested = false;

  constructor(children: Future<unknown>[], loop: AbstractEventLoop) {
    super({ loop });
    this.children = children;
  }

  protected override get kind(): string {
    return "_GatheringFuture";
  }

  /**
   * Cancel every child not done yet; return `true` if one was. The gather
   * then ends with `CancelledError` once every child is done.
   */
  override cancel(msg: string | null = null): boolean {
    if (this.done()) return false;
    let ret = false;
    for (const child of this.children) {
      if (child.cancel(msg)) ret = true;
    }
    if (ret) this.cancelRequested = true;
    return ret;
  }
}

/**
 * Internal: the children of a `gather()`'s future, or `null` for another
 * future (the call graph, `call_graph.ts`, awaits through them).
 */
export function gatheredChildren(
  fut: unknown,
): readonly Future<unknown>[] | null {
  return fut instanceof GatheringFuture ? fut.children : null;
}

/** The shared state of one `gather()` call, passed to each child's callback. */
class Gathering {
  outer: GatheringFuture<unknown[]> | null = null;
  nfinished = 0;
  nfuts = 0;
  children: Future<unknown>[] = [];
  constructor(readonly returnExceptions: boolean) {}
}

/** A child is done: CPython's `_done_callback`. */
function onChildDone(pair: [Gathering, Future<unknown>]): void {
  const [state, fut] = pair;
  state.nfinished++;
  const outer = state.outer;
  if (outer === null || outer.done()) {
    // Mark the exception retrieved: the gather no longer reports it.
    if (!fut.cancelled()) fut.exception();
    return;
  }
  if (!state.returnExceptions) {
    if (fut.cancelled()) {
      outer.setException(fut[kCancelledError]());
      return;
    }
    const exc = fut.exception();
    if (exc !== null) {
      failWith(outer, exc);
      return;
    }
  }
  if (state.nfinished === state.nfuts) {
    const results = new Array(state.children.length);
    for (let i = 0; i < state.children.length; i++) {
      const child = state.children[i];
      if (child.cancelled()) {
        results[i] = child[kCancelledError]();
      } else {
        const exc = child.exception();
        results[i] = exc !== null ? exc : child.result();
      }
    }
    if (outer.cancelRequested) {
      outer.setException(fut[kCancelledError]());
    } else {
      outer.setResult(results);
    }
  }
}

/** A `gather` argument: an awaitable, or a function that makes a coroutine. */
export type Taskable<T> = PromiseLike<T> | (() => PromiseLike<T>);

function isOptions(value: unknown): boolean {
  if (value === null || typeof value !== "object" || isAwaitable(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Run awaitables concurrently and return a Future of their results, in the
 * order of the arguments, as `asyncio.gather`. Coroutines are wrapped in
 * tasks. If one child raises, the gather raises that error at once and the
 * other children keep running; with `{ returnExceptions: true }` errors are
 * returned in the array instead. Cancelling the gather cancels every child
 * not yet done; a child cancelled on its own counts as an error
 * (`CancelledError`).
 *
 * The trailing options object is told from the awaitables as a plain object
 * (`{}` literal). Coroutines made in the call (`gather(a(), b())`) are each
 * their own task, as in asyncio (docs/attribution.md). JavaScript caps the
 * number of spread arguments (about 100,000 on Deno 2.9.6).
 *
 * @param args The awaitables (Futures, Tasks, coroutines of either kind,
 * Promises), then optionally `{ returnExceptions }`.
 * @returns A Future of the results, awaitable with `await` and `yield*`.
 *
 * @example Gathering three computations
 * ```ts
 * import { gather, run, sleep } from "@asyncio/deno";
 * async function square(n: number) {
 *   await sleep(0.01);
 *   return n * n;
 * }
 * await run(async () => {
 *   console.log(await gather(square(1), square(2), square(3))); // [1, 4, 9]
 * });
 * ```
 *
 * @example Returning errors instead of raising
 * ```ts
 * import { gather, run } from "@asyncio/deno";
 * async function fail() {
 *   throw new Error("boom");
 * }
 * await run(async () => {
 *   const [a, b] = await gather(fail(), Promise.resolve(2), {
 *     returnExceptions: true,
 *   });
 *   console.log((a as Error).message, b); // boom 2
 * });
 * ```
 */
export function gather<T extends unknown[]>(
  ...args: [...{ [K in keyof T]: Taskable<T[K]> }]
): Future<T>;
/**
 * `gather(...aws, { returnExceptions })`: as above, with the options object
 * last; with `returnExceptions: true` an element of the result may be the
 * child's error.
 *
 * @example Collecting an error with the results
 * ```ts
 * import { gather, run } from "@asyncio/deno";
 * const [ok, failed] = await run(async () =>
 *   await gather(
 *     (async () => "ok")(),
 *     (async () => { throw new Error("boom"); })(),
 *     { returnExceptions: true },
 *   )
 * );
 * console.log(ok, (failed as Error).message); // ok boom
 * ```
 *
 * @param args The awaitables, then `{ returnExceptions }`.
 * @returns A Future of the results (or errors), in argument order.
 */
export function gather<T extends unknown[]>(
  ...args: [...{ [K in keyof T]: Taskable<T[K]> }, GatherOptions]
): Future<{ [K in keyof T]: T[K] | Error }>;
export function gather(...args: unknown[]): Future<unknown[]> {
  let count = args.length;
  let returnExceptions = false;
  if (count > 0 && isOptions(args[count - 1])) {
    const options = checkOptions(
      "gather",
      args[count - 1] as GatherOptions,
      ["returnExceptions"],
    );
    const value = options.returnExceptions ?? false;
    if (typeof value !== "boolean") {
      throw new TypeError(
        `gather: options.returnExceptions must be a boolean, got ${
          describe(value)
        }`,
      );
    }
    returnExceptions = value;
    count--;
  }
  // Check every argument before wrapping any in a task: a bad call starts
  // nothing.
  for (let i = 0; i < count; i++) {
    if (!isTaskable(args[i])) {
      throw new TypeError(
        `gather: argument ${i} must be a Future, a coroutine or an awaitable, got ${
          describe(args[i])
        }`,
      );
    }
  }
  if (count === 0) {
    const outer = new Future<unknown[]>({ loop: getEventLoop() });
    outer.setResult([]);
    return outer;
  }
  const state = new Gathering(returnExceptions);
  const argToFut = new Map<unknown, Future<unknown>>();
  const doneFuts: Future<unknown>[] = [];
  let loop: AbstractEventLoop | null = null;
  adoptTogether(() => {
    for (let i = 0; i < count; i++) {
      const arg = args[i];
      let fut = argToFut.get(arg);
      if (fut === undefined) {
        fut = toFuture("gather", arg, loop);
        loop ??= fut.getLoop();
        state.nfuts++;
        argToFut.set(arg, fut);
        if (fut.done()) doneFuts.push(fut);
        else fut[kAddCallback](onChildDone, [state, fut]);
      }
      state.children.push(fut);
    }
  });
  const outer = new GatheringFuture<unknown[]>(state.children, loop!);
  state.outer = outer;
  for (const fut of doneFuts) onChildDone([state, fut]);
  return outer;
}
