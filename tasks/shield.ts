/**
 * `shield()`: protect an awaitable from being cancelled.
 *
 * @module
 */
import { toFuture } from "./_combinators.ts";
import { failWith, Future } from "./future.ts";
import { awaitsThrough } from "./_introspection.ts";

/**
 * Protect an awaitable from being cancelled, as `asyncio.shield`: return a
 * Future that mirrors `aw` (wrapped in a Task if it is a coroutine) and that
 * may be cancelled, or whose awaiting task may be cancelled, while `aw` goes
 * on. If `aw` is cancelled itself, the returned Future is cancelled too. If
 * `aw` is already done, it is returned as it is.
 *
 * `shield(a())` adopts the `async` coroutine into its own task, so the
 * caller's cancellation does not reach its waits; keep a reference to that
 * task (or the coroutine's result) if it must finish after the caller is
 * gone.
 *
 * @param aw A Future, Task, coroutine of either kind or Promise.
 * @returns The outer Future, awaitable with `await` and `yield*`.
 *
 * @example Cancelling the waiter, not the work
 * ```ts
 * import { createTask, run, shield, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const work = createTask(sleep(0.02, "saved"));
 *   const outer = shield(work);
 *   outer.cancel();
 *   console.log(outer.cancelled(), await work); // true saved
 * });
 * ```
 */
export function shield<T>(aw: PromiseLike<T>): Future<T> {
  const inner = toFuture<T>("shield", aw, null);
  if (inner.done()) return inner;
  const loop = inner.getLoop();
  const outer = new Future<T>({ loop });
  awaitsThrough(outer, inner); // for the call graph (`_introspection.ts`)
  const innerDone = (inner: Future<T>) => {
    if (outer.cancelled()) {
      // Mark the inner result retrieved: nobody waits for it any more.
      if (!inner.cancelled()) inner.exception();
      return;
    }
    if (inner.cancelled()) {
      outer.cancel();
    } else {
      const exc = inner.exception();
      if (exc !== null) failWith(outer, exc);
      else outer.setResult(inner.result());
    }
  };
  const outerDone = () => {
    if (!inner.done()) inner.removeDoneCallback(innerDone);
  };
  inner.addDoneCallback(innerDone);
  outer.addDoneCallback(outerDone);
  return outer;
}
