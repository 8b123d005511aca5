/**
 * `wrapFuture()`: a Promise as a cancellable Future.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { failWith, Future } from "./future.ts";

/** Options for `wrapFuture()`. */
export interface WrapFutureOptions {
  /**
   * The loop the Future belongs to.
   *
   * @default {getEventLoop()}
   */
  loop?: AbstractEventLoop | null;
}

/**
 * Wrap a Promise (or any thenable) in a Future of the loop, as
 * `asyncio.wrap_future` wraps a `concurrent.futures.Future`. Cancelling the
 * Future stops the wait, not the work behind the Promise (pass a task's
 * `signal` to the work for that).
 *
 * @example Waiting for a Promise with a loop Future
 * ```ts
 * import { run, wrapFuture } from "@asyncio/deno";
 * await run(async () => {
 *   const fut = wrapFuture(Promise.resolve("from a promise"));
 *   console.log(await fut);
 * });
 * ```
 */
export function wrapFuture<T>(
  promise: PromiseLike<T>,
  options: WrapFutureOptions = {},
): Future<T> {
  if (typeof (promise as PromiseLike<T>)?.then !== "function") {
    throw new TypeError(
      `wrapFuture: expected a Promise, got ${describe(promise)}`,
    );
  }
  if (promise instanceof Future) return promise;
  const loop = options?.loop ?? getEventLoop();
  const fut = new Future<T>({ loop });
  promise.then(
    (value) => {
      if (!fut.done() && !loop.isClosed()) fut.setResult(value);
    },
    (error) => {
      // Any value a promise rejects with (`undefined` becomes a RuntimeError).
      if (!fut.done() && !loop.isClosed()) failWith(fut, error);
    },
  );
  return fut;
}
