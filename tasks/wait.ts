/**
 * `wait()` and its `returnWhen` constants.
 *
 * @module
 */
import type { Taskable } from "./gather.ts";
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop, TimerHandle } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { checkOptions, checkSecondsOrNull } from "../exceptions/checks.ts";
import { isAwaitable, releaseWaiter, toFutureSet } from "./_combinators.ts";
import { type Coroutine, coroutine } from "./coroutine.ts";
import { ValueError } from "../exceptions/builtins.ts";
import { Future } from "./future.ts";

/**
 * `wait()` returns when any future finishes or is cancelled.
 *
 * @example Waiting for the first
 * ```ts
 * import { FIRST_COMPLETED, run, sleep, wait } from "@asyncio/deno";
 * await run(async () => {
 *   const [done] = await wait([sleep(0.01, 1), sleep(0.05, 2)], {
 *     returnWhen: FIRST_COMPLETED,
 *   });
 *   console.log(done.size); // 1
 * });
 * ```
 */
export const FIRST_COMPLETED = "FIRST_COMPLETED";
/**
 * `wait()` returns when any future finishes by raising an exception, or
 * when all finish (as `ALL_COMPLETED`) if none raises.
 *
 * @example Stopping at the first error
 * ```ts
 * import { FIRST_EXCEPTION, run, sleep, wait } from "@asyncio/deno";
 * await run(async () => {
 *   const failing = (async () => {
 *     await sleep(0.01);
 *     throw new Error("boom");
 *   })();
 *   const [done, pending] = await wait([failing, sleep(0.05)], {
 *     returnWhen: FIRST_EXCEPTION,
 *   });
 *   console.log(done.size, pending.size); // 1 1
 *   for (const fut of done) fut.exception(); // retrieved
 * });
 * ```
 */
export const FIRST_EXCEPTION = "FIRST_EXCEPTION";
/**
 * `wait()` returns when all futures finish or are cancelled (the default).
 *
 * @example Waiting for all
 * ```ts
 * import { ALL_COMPLETED, run, sleep, wait } from "@asyncio/deno";
 * await run(async () => {
 *   const [done, pending] = await wait([sleep(0.01), sleep(0.02)], {
 *     returnWhen: ALL_COMPLETED,
 *   });
 *   console.log(done.size, pending.size); // 2 0
 * });
 * ```
 */
export const ALL_COMPLETED = "ALL_COMPLETED";

/** When `wait()` returns: one of the three constants. */
export type ReturnWhen =
  | typeof FIRST_COMPLETED
  | typeof FIRST_EXCEPTION
  | typeof ALL_COMPLETED;

/** Options for `wait()`. */
export interface WaitOptions {
  /**
   * Return after this many seconds at most, with what is done by then
   * (`null`: no limit). `wait()` never raises `TimeoutError`.
   *
   * @default {null}
   */
  timeout?: number | null;
  /**
   * When to return: `FIRST_COMPLETED`, `FIRST_EXCEPTION` or
   * `ALL_COMPLETED`.
   *
   * @default {ALL_COMPLETED}
   */
  returnWhen?: ReturnWhen;
}

const waitImpl = coroutine(function* _wait<T>(
  fs: Set<Future<T>>,
  timeout: number | null,
  returnWhen: ReturnWhen,
  loop: AbstractEventLoop,
) {
  const waiter = loop.createFuture<undefined>();
  let timeoutHandle: TimerHandle | null = null;
  // An infinite timeout never fires: no timer at all.
  if (timeout !== null && timeout !== Infinity) {
    timeoutHandle = loop.callLater(timeout, releaseWaiter, waiter);
  }
  let counter = fs.size;
  const onCompletion = (f: Future<T>) => {
    counter--;
    if (
      counter <= 0 || returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && !f.cancelled() &&
        f.exception() !== null)
    ) {
      timeoutHandle?.cancel();
      if (!waiter.done()) waiter.setResult(undefined);
    }
  };
  for (const f of fs) f.addDoneCallback(onCompletion);
  try {
    yield* waiter;
  } finally {
    timeoutHandle?.cancel();
    for (const f of fs) f.removeDoneCallback(onCompletion);
  }
  const done = new Set<Future<T>>(), pending = new Set<Future<T>>();
  for (const f of fs) (f.done() ? done : pending).add(f);
  return [done, pending] as [Set<Future<T>>, Set<Future<T>>];
});

/**
 * Wait for the Futures and Tasks in `aws` to complete, as `asyncio.wait`,
 * and return two Sets, `[done, pending]`. It never cancels what is pending
 * and never raises `TimeoutError`: on timeout it returns what is done so far.
 * Coroutines and Promises in `aws` are wrapped in Tasks (as Python 3.11
 * does; 3.12 refuses them), and the Sets then hold those Tasks. Arguments
 * are checked, and coroutines wrapped, when `wait()` is called; the wait
 * itself starts when the result is awaited.
 *
 * @param aws An iterable (array, Set…) of Futures, Tasks or coroutines; not
 * empty.
 * @param options The `timeout` in seconds and `returnWhen`.
 * @returns `[done, pending]`, awaitable with `await` and `yield*`.
 * @throws {ValueError} If `aws` is empty or `returnWhen` is not one of the
 * three constants.
 *
 * @example Taking the first task to finish
 * ```ts
 * import { createTask, FIRST_COMPLETED, run, sleep, wait } from "@asyncio/deno";
 * await run(async () => {
 *   const fast = createTask(sleep(0.01, "fast"));
 *   const slow = createTask(sleep(0.05, "slow"));
 *   const [done, pending] = await wait([fast, slow], {
 *     returnWhen: FIRST_COMPLETED,
 *   });
 *   console.log(done.has(fast), pending.has(slow)); // true true
 *   slow.cancel();
 * });
 * ```
 */
export function wait<T>(
  aws: Iterable<Future<T> | Taskable<T>>,
  options?: WaitOptions,
): Coroutine<[Set<Future<T>>, Set<Future<T>>]> {
  if (aws instanceof Future || isAwaitable(aws)) {
    throw new TypeError(`expect a list of futures, not ${describe(aws)}`);
  }
  if (
    aws === null || typeof aws !== "object" ||
    typeof (aws as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `wait: aws must be an iterable of futures, got ${describe(aws)}`,
    );
  }
  const opts = checkOptions("wait", options, ["timeout", "returnWhen"]);
  const timeout = checkSecondsOrNull(
    "wait",
    "options.timeout",
    opts.timeout ?? null,
  );
  const returnWhen = opts.returnWhen ?? ALL_COMPLETED;
  const items = [...aws];
  if (items.length === 0) {
    throw new ValueError("Set of Tasks/Futures is empty.");
  }
  if (
    returnWhen !== FIRST_COMPLETED && returnWhen !== FIRST_EXCEPTION &&
    returnWhen !== ALL_COMPLETED
  ) {
    throw new ValueError(`Invalid return_when value: ${String(returnWhen)}`);
  }
  const fs = toFutureSet<T>("wait", new Set(items));
  return waitImpl(fs, timeout, returnWhen, getEventLoop());
}
