/**
 * `ensureFuture()`.
 *
 * @module
 */
import { isCoroutineObject } from "./_awaitable.ts";
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { ValueError } from "../exceptions/builtins.ts";
import { Future } from "./future.ts";
import type { Task, TaskCoroutine } from "./task.ts";

/** Options for `ensureFuture()`. */
export interface EnsureFutureOptions {
  /**
   * The loop a new task runs on.
   *
   * @default {getEventLoop()}
   */
  loop?: AbstractEventLoop | null;
}

/**
 * Return `awaitable` as a Future: a Future or Task as it is, anything else
 * (a coroutine of either kind, a Promise) wrapped in a new Task.
 *
 * @example Wrapping a coroutine
 * ```ts
 * import { ensureFuture, run } from "@asyncio/deno";
 * await run(async () => {
 *   const fut = ensureFuture((async () => 1)());
 *   console.log(await fut); // 1
 * });
 * ```
 */
export function ensureFuture<T>(
  awaitable: Future<T> | TaskCoroutine<T>,
  options: EnsureFutureOptions = {},
): Future<T> {
  const loop = options?.loop ?? null;
  if (awaitable instanceof Future) {
    if (loop !== null && loop !== awaitable.getLoop()) {
      throw new ValueError(
        "The future belongs to a different loop than the one specified as the loop argument",
      );
    }
    return awaitable;
  }
  if (!isCoroutineObject(awaitable)) {
    throw new TypeError(
      `ensureFuture: expected a Future, a coroutine or an awaitable, got ${
        describe(awaitable)
      }`,
    );
  }
  return (loop ?? getEventLoop()).createTask(awaitable) as Task<T>;
}
