/**
 * Promises the module makes for itself, without a closure per promise to
 * capture the resolving functions: `newPromise()` returns the promise and
 * leaves its resolving functions in `madePromise`, to be taken at once by
 * the caller (the next `newPromise()` overwrites them). Such promises get no
 * holder entry (`_entry_holders.ts`): they are the module's, not a
 * coroutine's.
 *
 * @module
 */
import { ownPromise } from "./_entry_holders.ts";

/** The resolving functions of the promise `newPromise()` made last. */
export const madePromise = {
  resolve: null as unknown as (value: unknown) => void,
  reject: null as unknown as (reason: unknown) => void,
};

function captureResolvers(
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
