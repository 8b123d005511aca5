/**
 * asyncio's own exceptions (CPython's `asyncio/exceptions.py`), with
 * Python's names and data fields: cancellation, invalid state, the queues',
 * the barrier's and the streams'.
 *
 * @module
 */
import { RuntimeError } from "./builtins.ts";

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
 * Raised when `Queue.getNowait()` is called on an empty queue.
 *
 * @example Getting from an empty queue
 * ```ts
 * import { Queue, QueueEmpty } from "@asyncio/deno";
 * try {
 *   new Queue().getNowait();
 * } catch (e) {
 *   console.log(e instanceof QueueEmpty); // true
 * }
 * ```
 */
export class QueueEmpty extends Error {
  /**
   * Make the exception.
   *
   * @param message Empty, as asyncio raises it.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "QueueEmpty";
  }
}

/**
 * Raised when `Queue.putNowait()` is called on a queue that has reached its
 * maxsize.
 *
 * @example Putting into a full queue
 * ```ts
 * import { Queue, QueueFull } from "@asyncio/deno";
 * const queue = new Queue(1);
 * queue.putNowait("a");
 * try {
 *   queue.putNowait("b");
 * } catch (e) {
 *   console.log(e instanceof QueueFull); // true
 * }
 * ```
 */
export class QueueFull extends Error {
  /**
   * Make the exception.
   *
   * @param message Empty, as asyncio raises it.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "QueueFull";
  }
}

/**
 * Raised when putting on to or getting from a queue that was shut down
 * (asyncio 3.13).
 *
 * @example Putting after shutdown
 * ```ts
 * import { Queue, QueueShutDown } from "@asyncio/deno";
 * const queue = new Queue();
 * queue.shutdown();
 * try {
 *   queue.putNowait(1);
 * } catch (e) {
 *   console.log(e instanceof QueueShutDown); // true
 * }
 * ```
 */
export class QueueShutDown extends Error {
  /**
   * Make the exception.
   *
   * @param message Empty, as asyncio raises it.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "QueueShutDown";
  }
}

/**
 * Raised by `Barrier.wait()` when the barrier is broken (aborted) or reset
 * while tasks wait. A subclass of `RuntimeError`, as in asyncio.
 *
 * @example Checking the class
 * ```ts
 * import { BrokenBarrierError, RuntimeError } from "@asyncio/deno";
 * const e = new BrokenBarrierError("Barrier aborted");
 * console.log(e.name, e instanceof RuntimeError); // BrokenBarrierError true
 * ```
 */
export class BrokenBarrierError extends RuntimeError {
  /**
   * Make the exception.
   *
   * @param message Why the barrier is broken.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "BrokenBarrierError";
  }
}

/**
 * Read reached EOF before completing, as `asyncio.IncompleteReadError`:
 * `partial` holds the bytes read before the end of the stream, `expected`
 * the total that was asked for (`null` when reading up to a separator).
 *
 * @example The error `readExactly` raises at EOF
 * ```ts
 * import { IncompleteReadError } from "@asyncio/deno";
 * const e = new IncompleteReadError(new Uint8Array(3), 10);
 * console.log(e.message); // 3 bytes read on a total of 10 expected bytes
 * console.log(e.partial.length, e.expected); // 3 10
 * ```
 */
export class IncompleteReadError extends Error {
  /** The bytes read before the end of the stream was reached. */
  readonly partial: Uint8Array;
  /** The total number of expected bytes, or `null` if unknown. */
  readonly expected: number | null;

  /**
   * Make the exception.
   *
   * @param partial The bytes read before the end of the stream.
   * @param expected The total number of expected bytes, or `null`.
   */
  constructor(partial: Uint8Array, expected: number | null) {
    super(
      `${partial.length} bytes read on a total of ${expected} expected bytes`,
    );
    this.name = "IncompleteReadError";
    this.partial = partial;
    this.expected = expected;
  }
}

/**
 * Reached the buffer limit while looking for a separator, as
 * `asyncio.LimitOverrunError`: `consumed` is the number of bytes to be
 * consumed.
 *
 * @example The error `readUntil` raises past the limit
 * ```ts
 * import { LimitOverrunError } from "@asyncio/deno";
 * const e = new LimitOverrunError("Separator is not found, and chunk exceed the limit", 8);
 * console.log(e.name, e.consumed); // LimitOverrunError 8
 * ```
 */
export class LimitOverrunError extends Error {
  /** The number of bytes to be consumed. */
  readonly consumed: number;

  /**
   * Make the exception.
   *
   * @param message What overran.
   * @param consumed The number of bytes to be consumed.
   */
  constructor(message: string, consumed: number) {
    super(message);
    this.name = "LimitOverrunError";
    this.consumed = consumed;
  }
}
