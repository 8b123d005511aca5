/**
 * Python's `OSError` tree: what a system call raises, with `errno` and
 * `strerror` (`ConnectionError` and its kinds, `FileNotFoundError`,
 * `PermissionError`, `TimeoutError`, `gaierror`, the `ssl` errors).
 * `streams/_os_errors.ts` maps Deno's errors onto it.
 *
 * @module
 */

/** Options for `new OSError()` and its subclasses. */
export interface OSErrorOptions extends ErrorOptions {
  /** The system's error number (`errno.EADDRINUSE`, …), if known. */
  errno?: number | null;
  /** The system's description of it, if known. */
  strerror?: string | null;
  /** The file or program the call was about, if any. */
  filename?: string | null;
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
  /** The file or program the call was about, or `null`. */
  filename: string | null;

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
    this.filename = options?.filename ?? null;
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
 * Python's `ProcessLookupError`: no such process (`ESRCH`), e.g. a signal
 * sent to a subprocess that has exited.
 *
 * @example Checking the class
 * ```ts
 * import { OSError, ProcessLookupError } from "@asyncio/deno";
 * console.log(new ProcessLookupError() instanceof OSError); // true
 * ```
 */
export class ProcessLookupError extends OSError {
  /**
   * Make the exception.
   *
   * @param message What happened.
   * @param options `errno`, `strerror`, and the underlying error as `cause`.
   */
  constructor(message?: string, options?: OSErrorOptions) {
    super(message, options);
    this.name = "ProcessLookupError";
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
