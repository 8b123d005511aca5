/**
 * asyncio's exceptions, with Python's names and data fields. This module is a
 * leaf: it imports nothing, so every layer may use it.
 *
 * @module
 */

/**
 * The operation has been cancelled. Thrown into a task at the point where it
 * waits when the task is cancelled.
 *
 * @example Catching a cancellation
 * ```ts
 * import { CancelledError } from "@asyncio/deno";
 * const e = new CancelledError("stop");
 * console.log(e.name, e.message); // CancelledError stop
 * ```
 */
export class CancelledError extends Error {
  /**
   * Make the exception.
   *
   * @param message The cancel message given to `cancel(msg)`, if any.
   */
  constructor(message?: string | null) {
    super(message ?? "");
    this.name = "CancelledError";
  }
}

/**
 * The operation has exceeded the given deadline.
 *
 * @example Raising a timeout
 * ```ts
 * import { TimeoutError } from "@asyncio/deno";
 * console.log(new TimeoutError().name); // TimeoutError
 * ```
 */
export class TimeoutError extends Error {
  /**
   * Make the exception.
   *
   * @param message What timed out.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "TimeoutError";
  }
}

/**
 * Invalid internal state of a Task or Future, e.g. setting a result twice.
 *
 * @example Checking the class
 * ```ts
 * import { InvalidStateError } from "@asyncio/deno";
 * console.log(new InvalidStateError("invalid state").message);
 * ```
 */
export class InvalidStateError extends Error {
  /**
   * Make the exception.
   *
   * @param message What was invalid.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "InvalidStateError";
  }
}

/**
 * Python's `RuntimeError`: raised where asyncio raises it (no running event
 * loop, closing a running loop, …).
 *
 * @example Checking the name
 * ```ts
 * import { RuntimeError } from "@asyncio/deno";
 * console.log(new RuntimeError("no running event loop").name); // RuntimeError
 * ```
 */
export class RuntimeError extends Error {
  /**
   * Make the exception.
   *
   * @param message What went wrong.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "RuntimeError";
  }
}

/**
 * Python's `ValueError`: an argument of the right type has a bad value.
 *
 * @example Checking the name
 * ```ts
 * import { ValueError } from "@asyncio/deno";
 * console.log(new ValueError("bad").name); // ValueError
 * ```
 */
export class ValueError extends Error {
  /**
   * Make the exception.
   *
   * @param message What was wrong with the value.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "ValueError";
  }
}
