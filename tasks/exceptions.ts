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
 * What `ExceptionGroup.split` and `subgroup` select by: an exception class,
 * an array of them, or a predicate.
 */
export type ExceptionCondition =
  // deno-lint-ignore no-explicit-any
  | (abstract new (...args: any[]) => unknown)
  // deno-lint-ignore no-explicit-any
  | readonly (abstract new (...args: any[]) => unknown)[]
  | ((exc: unknown) => boolean);

function isErrorClass(value: unknown): boolean {
  return typeof value === "function" &&
    (value === Error || value.prototype instanceof Error);
}

/** `condition` as a predicate, or a `TypeError` naming what it got. */
function toPredicate(
  api: string,
  condition: unknown,
): (exc: unknown) => boolean {
  if (isErrorClass(condition)) {
    const cls = condition as new () => unknown;
    return (exc) => exc instanceof cls;
  }
  if (Array.isArray(condition) && condition.every(isErrorClass)) {
    const classes = condition as (new () => unknown)[];
    return (exc) => classes.some((cls) => exc instanceof cls);
  }
  if (typeof condition === "function") {
    return condition as (exc: unknown) => boolean;
  }
  throw new TypeError(
    `ExceptionGroup.${api}: expected an exception class, an array of them or a predicate, got ${
      condition === null ? "null" : typeof condition
    }`,
  );
}

/** `describe` of `loop/_runtime.ts`, copied: this leaf imports nothing. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  const type = typeof value;
  if (type === "object") {
    const name = (value as object).constructor?.name;
    return name && name !== "Object" ? name : "object";
  }
  if (type === "number" || type === "boolean") {
    return `${type} ${String(value)}`;
  }
  if (type === "string") return `string ${JSON.stringify(value)}`;
  return type;
}

/** Above 0 while making a group of thrown values (`uncheckedGroup`). */
let unchecked = 0;

/**
 * Internal: `new ExceptionGroup(message, exceptions)` of values code threw,
 * unchecked: a task of a task group may throw a string, and the group keeps
 * it as it is.
 */
export function uncheckedGroup(
  message: string,
  exceptions: Iterable<unknown>,
): ExceptionGroup {
  unchecked++;
  try {
    return new ExceptionGroup(message, exceptions);
  } finally {
    unchecked--;
  }
}

/**
 * A group of exceptions raised together, as Python's `ExceptionGroup`: what
 * `taskGroup` raises, holding every error of its tasks and body. It is an
 * `AggregateError`: `exceptions` (Python's name) and `errors` (JavaScript's)
 * hold the same exceptions, in order; `message` is Python's `message`, and
 * `toString()` prints Python's `str()` with the count of sub-exceptions.
 *
 * @example Grouping errors
 * ```ts
 * import { ExceptionGroup } from "@asyncio/deno";
 * const group = new ExceptionGroup("two failures", [
 *   new TypeError("a"),
 *   new RangeError("b"),
 * ]);
 * console.log(group.exceptions.length, group instanceof AggregateError); // 2 true
 * console.log(String(group)); // ExceptionGroup: two failures (2 sub-exceptions)
 * ```
 */
export class ExceptionGroup extends AggregateError {
  /** The exceptions of the group, in order (Python's `exceptions`). */
  readonly exceptions: readonly unknown[];

  /**
   * Make the group.
   *
   * @param message What the exceptions have in common.
   * @param exceptions A non-empty array (or iterable) of exceptions: each an
   * `Error`, or another object.
   * @throws {TypeError} If `message` is not a string, `exceptions` not
   * iterable, or one of them not an object (a string, a number, `null`,
   * `undefined`, a class), as Python's `ValueError` for one not an exception.
   * @throws {ValueError} If `exceptions` is empty, as in Python.
   */
  constructor(message: string, exceptions: Iterable<unknown>) {
    if (typeof message !== "string") {
      throw new TypeError(
        `ExceptionGroup: argument 1 must be str, not ${
          message === null ? "null" : typeof message
        }`,
      );
    }
    if (
      exceptions === null || typeof exceptions !== "object" ||
      typeof (exceptions as Iterable<unknown>)[Symbol.iterator] !== "function"
    ) {
      throw new TypeError("second argument (exceptions) must be a sequence");
    }
    const list = Object.freeze([...exceptions]);
    if (list.length === 0) {
      throw new ValueError(
        "second argument (exceptions) must be a non-empty sequence",
      );
    }
    for (let i = 0; unchecked === 0 && i < list.length; i++) {
      const exc = list[i];
      if (exc === null || typeof exc !== "object") {
        throw new TypeError(
          `ExceptionGroup: item ${i} of exceptions must be an Error (or another object), got ${
            describe(exc)
          }`,
        );
      }
    }
    super(list, message);
    this.name = "ExceptionGroup";
    this.exceptions = list;
  }

  /**
   * A group of the same message holding `exceptions`, as Python's
   * `derive()`: what `split` and `subgroup` make. Override it in a subclass
   * to keep the subclass.
   *
   * @param exceptions The exceptions of the new group.
   */
  derive(exceptions: Iterable<unknown>): ExceptionGroup {
    return new ExceptionGroup(this.message, exceptions);
  }

  /**
   * Split the group by `condition`, as Python's `split()` (the basis of
   * `except*`): `[match, rest]`, each a group keeping the nesting and the
   * message (and `cause`) of the original, or `null` when empty. If the
   * whole group matches, it is `match` itself.
   *
   * @example Handling the type errors of a task group
   * ```ts
   * import { ExceptionGroup } from "@asyncio/deno";
   * const eg = new ExceptionGroup("failed", [new TypeError("a"), new RangeError("b")]);
   * const [typeErrors, rest] = eg.split(TypeError);
   * console.log(typeErrors?.exceptions.length, String(rest)); // 1 ExceptionGroup: failed (1 sub-exception)
   * ```
   *
   * @param condition An exception class, an array of them, or a predicate
   * called with each exception and nested group.
   */
  split(
    condition: ExceptionCondition,
  ): [match: ExceptionGroup | null, rest: ExceptionGroup | null] {
    const matches = toPredicate("split", condition);
    if (matches(this)) return [this, null];
    const match: unknown[] = [];
    const rest: unknown[] = [];
    for (const exc of this.exceptions) {
      if (exc instanceof ExceptionGroup) {
        const [m, r] = exc.split(matches);
        if (m !== null) match.push(m);
        if (r !== null) rest.push(r);
      } else if (matches(exc)) match.push(exc);
      else rest.push(exc);
    }
    return [this.#derived(match), this.#derived(rest)];
  }

  /**
   * The group of the exceptions that match `condition`, as Python's
   * `subgroup()`: `split(condition)[0]`.
   *
   * @param condition An exception class, an array of them, or a predicate.
   */
  subgroup(condition: ExceptionCondition): ExceptionGroup | null {
    return this.split(condition)[0];
  }

  #derived(exceptions: unknown[]): ExceptionGroup | null {
    if (exceptions.length === 0) return null;
    // Its items were admitted once (thrown values, for a task group's).
    unchecked++;
    let group: ExceptionGroup;
    try {
      group = this.derive(exceptions);
    } finally {
      unchecked--;
    }
    if (this.cause !== undefined) group.cause = this.cause;
    return group;
  }

  /** `ExceptionGroup: message (N sub-exceptions)`, as Python's `str()`. */
  override toString(): string {
    const n = this.exceptions.length;
    return `${this.name}: ${this.message} (${n} sub-exception${
      n === 1 ? "" : "s"
    })`;
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

/** Options for `new OSError()` and its subclasses. */
export interface OSErrorOptions extends ErrorOptions {
  /** The system's error number (`errno.EADDRINUSE`, …), if known. */
  errno?: number | null;
  /** The system's description of it, if known. */
  strerror?: string | null;
}

/**
 * Python's `OSError`: a system call failed. The base class of the
 * connection errors, `FileNotFoundError`, `PermissionError`,
 * `InterruptedError`, `BlockingIOError`, `TimeoutError`, `gaierror` and
 * `SSLError`, as in Python; it carries Python's `errno` and `strerror` where
 * the error gave them (its message is then `[Errno N] strerror`, as
 * Python's `str()`), and Deno's error as the `cause`.
 *
 * @example Catching what binding raises
 * ```ts
 * import { ConnectionRefusedError, OSError } from "@asyncio/deno";
 * const e = new OSError("[Errno 98] address already in use", {
 *   errno: 98,
 *   strerror: "address already in use",
 * });
 * console.log(e.errno, new ConnectionRefusedError() instanceof OSError); // 98 true
 * ```
 */
export class OSError extends Error {
  /** The system's error number, or `null`. */
  errno: number | null;
  /** The system's description of the error, or `null`. */
  strerror: string | null;

  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message ?? "", options);
    this.name = "OSError";
    this.errno = options?.errno ?? null;
    this.strerror = options?.strerror ?? null;
  }
}

/**
 * The operation has exceeded the given deadline: what `waitFor`, `timeout`
 * and `asCompleted` raise. As in Python 3.11 (where `asyncio.TimeoutError`
 * is the builtin `TimeoutError`), a subclass of `OSError`: the streams raise
 * it too, for a connection that timed out (`errno` 110, `ETIMEDOUT`); the
 * one a deadline raises has no `errno`.
 *
 * @example Raising a timeout
 * ```ts
 * import { OSError, TimeoutError } from "@asyncio/deno";
 * const e = new TimeoutError();
 * console.log(e.name, e instanceof OSError, e.errno); // TimeoutError true null
 * ```
 */
export class TimeoutError extends OSError {
  /**
   * Make the exception.
   *
   * @param message What timed out.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "TimeoutError";
  }
}

/**
 * Python's `ConnectionError`: the base class of the connection errors that
 * the streams raise in place of Deno's (`ConnectionResetError`, …). The Deno
 * error, when there is one, is the `cause`.
 *
 * @example Catching any connection error
 * ```ts
 * import { ConnectionError, ConnectionResetError } from "@asyncio/deno";
 * const e = new ConnectionResetError("Connection lost");
 * console.log(e instanceof ConnectionError, e.name); // true ConnectionResetError
 * ```
 */
export class ConnectionError extends OSError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options The underlying error, as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "ConnectionError";
  }
}

/**
 * Python's `ConnectionResetError`: the connection was reset by the peer.
 *
 * @example Checking the name
 * ```ts
 * import { ConnectionResetError } from "@asyncio/deno";
 * console.log(new ConnectionResetError("Connection lost").name); // ConnectionResetError
 * ```
 */
export class ConnectionResetError extends ConnectionError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "ConnectionResetError";
  }
}

/**
 * Python's `ConnectionRefusedError`: nothing listens where we connected.
 *
 * @example Checking the name
 * ```ts
 * import { ConnectionRefusedError } from "@asyncio/deno";
 * console.log(new ConnectionRefusedError().name); // ConnectionRefusedError
 * ```
 */
export class ConnectionRefusedError extends ConnectionError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "ConnectionRefusedError";
  }
}

/**
 * Python's `ConnectionAbortedError`: the connection was aborted locally.
 *
 * @example Checking the name
 * ```ts
 * import { ConnectionAbortedError } from "@asyncio/deno";
 * console.log(new ConnectionAbortedError().name); // ConnectionAbortedError
 * ```
 */
export class ConnectionAbortedError extends ConnectionError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "ConnectionAbortedError";
  }
}

/**
 * Python's `BrokenPipeError`: writing to a connection the peer has closed.
 *
 * @example Checking the name
 * ```ts
 * import { BrokenPipeError } from "@asyncio/deno";
 * console.log(new BrokenPipeError().name); // BrokenPipeError
 * ```
 */
export class BrokenPipeError extends ConnectionError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "BrokenPipeError";
  }
}

/**
 * Python's `FileNotFoundError` (`ENOENT`): `openUnixConnection` to a path
 * where no socket file exists, `startUnixServer` in a directory that does
 * not. The Deno error is the `cause`.
 *
 * @example Checking the name
 * ```ts
 * import { FileNotFoundError } from "@asyncio/deno";
 * console.log(new FileNotFoundError().name); // FileNotFoundError
 * ```
 */
export class FileNotFoundError extends OSError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options The underlying error, as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "FileNotFoundError";
  }
}

/**
 * Python's `PermissionError`: the system refused the operation (`EACCES`,
 * `EPERM`), e.g. a Unix socket file the process may not open. Deno's own
 * sandbox refusal (`Deno.errors.NotCapable`, a missing `--allow-*` flag) is
 * not one: it is raised as it is.
 *
 * @example Checking the class
 * ```ts
 * import { OSError, PermissionError } from "@asyncio/deno";
 * const e = new PermissionError("[Errno 13] Permission denied", {
 *   errno: 13,
 *   strerror: "Permission denied",
 * });
 * console.log(e.name, e instanceof OSError); // PermissionError true
 * ```
 */
export class PermissionError extends OSError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "PermissionError";
  }
}

/**
 * Python's `InterruptedError`: a system call was interrupted (`EINTR`).
 *
 * @example Checking the class
 * ```ts
 * import { InterruptedError, OSError } from "@asyncio/deno";
 * const e = new InterruptedError("[Errno 4] Interrupted system call", { errno: 4 });
 * console.log(e.name, e.errno, e instanceof OSError); // InterruptedError 4 true
 * ```
 */
export class InterruptedError extends OSError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "InterruptedError";
  }
}

/**
 * Python's `BlockingIOError`: an operation would block a non-blocking
 * socket (`EAGAIN`).
 *
 * @example Checking the class
 * ```ts
 * import { BlockingIOError, OSError } from "@asyncio/deno";
 * const e = new BlockingIOError("[Errno 11] Resource temporarily unavailable", { errno: 11 });
 * console.log(e.name, e.errno, e instanceof OSError); // BlockingIOError 11 true
 * ```
 */
export class BlockingIOError extends OSError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "BlockingIOError";
  }
}

/**
 * Python's `socket.gaierror`: a host name could not be resolved
 * (`getaddrinfo` failed), as `openConnection` and `startServer` raise it.
 * `errno` is the `EAI_*` code (negative on Linux: -2 for
 * `EAI_NONAME`), `strerror` the resolver's text. Python's own name, in lower
 * case, as every class keeps its Python name and `e.name` is that name.
 *
 * @example Catching a failed lookup
 * ```ts
 * import { gaierror, OSError } from "@asyncio/deno";
 * const e = new gaierror("[Errno -2] Name or service not known", {
 *   errno: -2,
 *   strerror: "Name or service not known",
 * });
 * console.log(e.name, e.errno, e instanceof OSError); // gaierror -2 true
 * ```
 */
export class gaierror extends OSError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "gaierror";
  }
}

/**
 * Python's `ssl.SSLError`: a TLS handshake or record failed (a peer that
 * speaks no TLS, an alert from the peer). Deno's error is the `cause`.
 *
 * @example Catching TLS failures
 * ```ts
 * import { SSLCertVerificationError, SSLError } from "@asyncio/deno";
 * const e = new SSLCertVerificationError("invalid peer certificate: UnknownIssuer");
 * console.log(e instanceof SSLError, e.reason); // true CERTIFICATE_VERIFY_FAILED
 * ```
 */
export class SSLError extends OSError {
  /** What failed, in OpenSSL's words where there is one. */
  reason: string;

  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options The underlying error, as `cause`.
   * @param reason What failed; `"SSL_ERROR"` unless told.
   */
  constructor(
    message?: string,
    options?: OSErrorOptions,
    reason = "SSL_ERROR",
  ) {
    super(message, options);
    this.name = "SSLError";
    this.reason = reason;
  }
}

/**
 * Python's `ssl.SSLCertVerificationError`: the peer's certificate is not
 * trusted or does not match the server name. `verifyMessage` says why (in
 * Deno's words).
 *
 * @example Checking the reason
 * ```ts
 * import { SSLCertVerificationError } from "@asyncio/deno";
 * const e = new SSLCertVerificationError("invalid peer certificate: UnknownIssuer");
 * console.log(e.verifyMessage); // invalid peer certificate: UnknownIssuer
 * ```
 */
export class SSLCertVerificationError extends SSLError {
  /** Why the certificate was refused. */
  verifyMessage: string;

  /**
   * Make the exception.
   *
   * @param verifyMessage Why the certificate was refused.
   * @param options The underlying error, as `cause`.
   */
  constructor(verifyMessage = "", options?: ErrorOptions) {
    super(
      `[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ${verifyMessage}`,
      options,
      "CERTIFICATE_VERIFY_FAILED",
    );
    this.name = "SSLCertVerificationError";
    this.verifyMessage = verifyMessage;
  }
}

/**
 * Python's `KeyboardInterrupt`: what `run()` rejects with when Ctrl-C
 * (SIGINT) cancelled its main task. Its `cause` is that `CancelledError`.
 *
 * @example Cleaning up after Ctrl-C
 * ```ts
 * import { KeyboardInterrupt, run, sleep } from "@asyncio/deno";
 * try {
 *   await run(sleep(0.01));
 * } catch (error) {
 *   if (!(error instanceof KeyboardInterrupt)) throw error;
 *   console.log("interrupted");
 * }
 * ```
 */
export class KeyboardInterrupt extends Error {
  /**
   * Make the exception.
   *
   * @param options What was interrupted, as `cause`.
   */
  constructor(options?: ErrorOptions) {
    super("", options);
    this.name = "KeyboardInterrupt";
  }
}
