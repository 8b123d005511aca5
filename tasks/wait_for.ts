/**
 * `waitFor()`: wait for an awaitable, with a timeout.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { getEventLoop } from "../loop/policy.ts";
import {
  awaitResult,
  isAwaitable,
  releaseWaiter,
  toFuture,
} from "./_combinators.ts";
import { checkSecondsOrNull } from "../exceptions/checks.ts";
import { type Coroutine, coroutine } from "./coroutine.ts";
import { CancelledError } from "../exceptions/asyncio.ts";
import { TimeoutError } from "../exceptions/os_errors.ts";
import type { Future } from "./future.ts";
import { timeout as withTimeout } from "./timeouts.ts";

/**
 * Cancel `fut` and wait until it is done, as CPython's `_cancel_and_wait`:
 * the wait is on a separate waiter, so that it stays cancellable itself.
 */
function* cancelAndWait(fut: Future<unknown>): Generator<unknown, void> {
  const waiter = fut.getLoop().createFuture<undefined>();
  const cb = () => releaseWaiter(waiter);
  fut.addDoneCallback(cb);
  try {
    fut.cancel();
    yield* waiter;
  } finally {
    fut.removeDoneCallback(cb);
  }
}

const waitForNow = coroutine(function* _waitFor<T>(aw: PromiseLike<T>) {
  // A timeout <= 0: the awaitable gets no time at all (CPython 3.12). It is
  // wrapped here, when awaited, as `wait_for`'s coroutine body does: not in
  // a coroutine's prefix, ahead of its task.
  const fut = toFuture<T>("waitFor", aw, getEventLoop());
  if (fut.done()) return fut.result();
  yield* cancelAndWait(fut);
  try {
    return fut.result();
  } catch (error) {
    if (error instanceof CancelledError) {
      const timeoutError = new TimeoutError();
      timeoutError.cause = error;
      throw timeoutError;
    }
    throw error;
  }
});

/**
 * Wait for `aw` to complete, with a timeout in seconds, and return its
 * result, as `asyncio.wait_for` (3.12): the awaitable runs inside
 * `timeout(timeout)`. At the deadline the current task's wait is cancelled:
 * a Task in `aw` is cancelled and waited for until it ends, a coroutine is
 * cancelled where it waits (it runs inline, in the caller's task, as in
 * CPython 3.12), and `TimeoutError` is raised. Cancelling the caller
 * cancels `aw` the same way. `timeout` of `null` waits forever; a `timeout`
 * of 0 or less raises `TimeoutError` at once unless `aw` is a Future that is
 * already done (a coroutine is wrapped in a task and cancelled before it
 * runs further).
 *
 * A plain Promise (not an `async` coroutine of this module's tasks, e.g.
 * `fetch()`) cannot be interrupted: the cancellation lands when it settles;
 * pass `currentTask()!.signal` to such APIs so that they stop at the deadline.
 *
 * @param aw A Future, Task, coroutine of either kind or Promise.
 * @param timeout Seconds to wait at most, or `null` for no limit.
 * @returns The result of `aw`, awaitable with `await` and `yield*`.
 * @throws {TimeoutError} If `aw` did not finish in time.
 *
 * @example Timing out a slow coroutine
 * ```ts
 * import { run, sleep, TimeoutError, waitFor } from "@asyncio/deno";
 * await run(async () => {
 *   console.log(await waitFor(sleep(0.01, "quick"), 1)); // quick
 *   try {
 *     await waitFor(sleep(10), 0.01);
 *   } catch (e) {
 *     console.log(e instanceof TimeoutError); // true
 *   }
 * });
 * ```
 */
export function waitFor<T>(
  aw: PromiseLike<T>,
  timeout: number | null,
): Coroutine<T> {
  if (!isAwaitable(aw)) {
    throw new TypeError(
      `waitFor: expected a Future, a coroutine or an awaitable, got ${
        describe(aw)
      }`,
    );
  }
  checkSecondsOrNull("waitFor", "timeout", timeout);
  if (timeout !== null && timeout <= 0) {
    return waitForNow(aw) as Coroutine<T>;
  }
  return withTimeout(timeout, () => awaitResult(aw)) as Coroutine<T>;
}
