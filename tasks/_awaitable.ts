/**
 * "Is it awaitable?", asked once: what a task, `ensureFuture` and `run()`
 * accept as a coroutine or an awaitable.
 *
 * @module
 */

/** Whether `value` has a `then()` method (`await` would call it). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/**
 * Whether `value` is an object a task can run: a thenable (an `async`
 * function's promise, a Future) or an iterable (a generator coroutine).
 */
export function isCoroutineObject(value: unknown): boolean {
  return value !== null && typeof value === "object" &&
    (isThenable(value) ||
      typeof (value as Iterable<unknown>)[Symbol.iterator] === "function");
}
