/**
 * `catch` and `finally` for the module's awaitables (`Future`,
 * `Coroutine`, `YieldOnce`, gevent's `Greenlet`), written once over their
 * `then`, so that `aw.catch(handler)` works as on a Promise. Each awaits as
 * `then` does: in the current task, cancellable.
 *
 * @module
 */

/** `Promise.prototype.catch` over `then`. */
export function catchOf<T, R>(
  awaitable: PromiseLike<T>,
  // deno-lint-ignore no-explicit-any
  onRejected: ((reason: any) => R | PromiseLike<R>) | null | undefined,
): Promise<T | R> {
  return awaitable.then(undefined, onRejected) as Promise<T | R>;
}

/** `Promise.prototype.finally` over `then`: `onFinally` runs either way. */
export function finallyOf<T>(
  awaitable: PromiseLike<T>,
  onFinally: (() => void) | null | undefined,
): Promise<T> {
  return awaitable.then(
    async (value) => {
      await onFinally?.();
      return value;
    },
    async (reason) => {
      await onFinally?.();
      throw reason;
    },
  ) as Promise<T>;
}
