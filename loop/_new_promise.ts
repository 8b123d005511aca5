/**
 * Promises the module makes for itself, without a closure per promise to
 * capture the resolving functions: `newPromise()` returns the promise and
 * leaves its resolving functions in `madePromise`, to be taken at once by
 * the caller (the next `newPromise()` overwrites them). Such promises get no
 * holder entry (`_entry_holders.ts`): they are the module's, not a
 * coroutine's. `startOwnIo()` does the same for the promises Deno makes
 * when a transport starts a read or a write.
 *
 * @module
 */
import { ownPromise } from "./_entry_holders.ts";

/** The resolving functions of the promise `newPromise()` made last. */
export const madePromise = {
  resolve: null as unknown as (value: unknown) => void,
  reject: null as unknown as (reason: unknown) => void,
};

/** The executor that leaves a new promise's resolving functions in `madePromise`. */
export function captureResolvers(
  resolve: (value: unknown) => void,
  reject: (reason: unknown) => void,
): void {
  madePromise.resolve = resolve;
  madePromise.reject = reject;
}

/** A pending promise; its resolving functions are in `madePromise`. */
export function newPromise<R>(): Promise<R> {
  ownPromise.making = true;
  const promise = new Promise<R>(
    captureResolvers as (resolve: (value: R) => void) => void,
  );
  ownPromise.making = false;
  return promise;
}

/**
 * `make(a, b)`, which constructs a promise of a subclass that passes
 * `captureResolvers` to `super`, as one of the module's own: no holder
 * entry; its resolving functions are in `madePromise`.
 */
export function newOwnPromise<A, B, P extends Promise<unknown>>(
  make: (a: A, b: B) => P,
  a: A,
  b: B,
): P {
  ownPromise.making = true;
  try {
    return make(a, b);
  } finally {
    ownPromise.making = false;
  }
}

/**
 * Call `start(target)`, which starts a Deno read or write and chains the
 * module's handlers to it, with the promise hooks skipping every promise
 * made meanwhile (Deno's, and that of the `then`): they are nobody's
 * await. If it throws, `failed(target, error)` runs after, hooks on again.
 */
export function startOwnIo<T>(
  start: (target: T) => void,
  failed: (target: T, error: unknown) => void,
  target: T,
): void {
  ownPromise.making = true;
  let threw = false;
  let error: unknown;
  try {
    start(target);
  } catch (thrown) {
    threw = true;
    error = thrown;
  } finally {
    ownPromise.making = false;
  }
  if (threw) failed(target, error);
}
