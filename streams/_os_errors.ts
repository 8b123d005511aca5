/**
 * Deno's errors under Python's names: the one place where an error a Deno
 * call raised (connect, listen, read, write, TLS) becomes the exception
 * CPython's asyncio raises, in Python's `OSError` tree.
 *
 * Invariants:
 * - An error is an OS error if Deno's message carries `(os error N)`
 *   (Rust's `io::Error` text: `strerror (os error N)`), or if it is one of
 *   Deno's kinds with a known errno (`Deno.errors.TimedOut` → 110): then
 *   `errno` is N (the message wins over the kind's Linux default),
 *   `strerror` the text before `(os error N)` (the C library's, the same
 *   text Python's `os.strerror` gives) or the kind's Linux text, and the
 *   class is the one Python's `OSError(errno, …)` picks for that errno
 *   (`ECONNREFUSED` → `ConnectionRefusedError`, …; plain `OSError` when
 *   Python has no subclass). The message is Python's `str()`:
 *   `[Errno N] strerror`.
 * - Deno's failed name lookup (a plain `Error`, "failed to lookup address
 *   information: …") is `gaierror`, with the `EAI_*` code of its text.
 * - Deno's `InvalidData` is an `SSLError` on a TLS connection only.
 * - Anything else (Deno's `NotCapable`, `BadResource`, an error thrown by a
 *   callback, an error already mapped) is returned as it is.
 * - Every mapped error keeps Deno's error as its `cause`.
 *
 * @module
 */
import {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileNotFoundError,
  gaierror,
  InterruptedError,
  OSError,
  type OSErrorOptions,
  PermissionError,
  SSLCertVerificationError,
  SSLError,
  TimeoutError,
} from "../exceptions/os_errors.ts";

type OSErrorClass = new (message?: string, options?: OSErrorOptions) => OSError;

/** Linux's text for the errnos Deno's kinds stand for (`strerror(3)`). */
const STRERROR: ReadonlyMap<number, string> = new Map([
  [1, "Operation not permitted"],
  [2, "No such file or directory"],
  [4, "Interrupted system call"],
  [11, "Resource temporarily unavailable"],
  [13, "Permission denied"],
  [32, "Broken pipe"],
  [98, "Address already in use"],
  [99, "Cannot assign requested address"],
  [101, "Network is unreachable"],
  [103, "Software caused connection abort"],
  [104, "Connection reset by peer"],
  [107, "Transport endpoint is not connected"],
  [110, "Connection timed out"],
  [111, "Connection refused"],
  [113, "No route to host"],
]);

/** The class Python's `OSError(errno, …)` makes for each errno (Linux). */
const CLASS_OF_ERRNO: ReadonlyMap<number, OSErrorClass> = new Map<
  number,
  OSErrorClass
>([
  [1, PermissionError], // EPERM
  [2, FileNotFoundError], // ENOENT
  [4, InterruptedError], // EINTR
  [11, BlockingIOError], // EAGAIN, EWOULDBLOCK
  [13, PermissionError], // EACCES
  [32, BrokenPipeError], // EPIPE
  [103, ConnectionAbortedError], // ECONNABORTED
  [104, ConnectionResetError], // ECONNRESET
  [108, BrokenPipeError], // ESHUTDOWN
  [110, TimeoutError], // ETIMEDOUT
  [111, ConnectionRefusedError], // ECONNREFUSED
  [114, BlockingIOError], // EALREADY
  [115, BlockingIOError], // EINPROGRESS
]);

/** The Linux errno of each of Deno's kinds, when the message has none. */
function kindErrno(error: Error): number | null {
  const e = Deno.errors;
  if (error instanceof e.ConnectionRefused) return 111;
  if (error instanceof e.ConnectionReset) return 104;
  if (error instanceof e.ConnectionAborted) return 103;
  if (error instanceof e.BrokenPipe) return 32;
  if (error instanceof e.NotFound) return 2;
  if (error instanceof e.PermissionDenied) return 13;
  if (error instanceof e.AddrInUse) return 98;
  if (error instanceof e.AddrNotAvailable) return 99;
  if (error instanceof e.NotConnected) return 107;
  if (error instanceof e.TimedOut) return 110;
  if (error instanceof e.Interrupted) return 4;
  if (error instanceof e.WouldBlock) return 11;
  if (error instanceof e.NetworkUnreachable) return 101;
  return null;
}

/** Whether `error` came from Deno: one of its kinds, or its plain `Error`. */
function isDenoError(error: unknown): error is Error {
  return error instanceof Error &&
    (error.constructor === Error ||
      Object.values(Deno.errors).some((cls) => error.constructor === cls));
}

/** The errno and strerror of a Deno error, or `null` if not an OS error. */
function osErrorOf(
  error: Error,
): { errno: number; strerror: string } | null {
  const match = /^(.*?) ?\(os error (-?\d+)\)/s.exec(error.message);
  if (match !== null) {
    const errno = Number(match[2]);
    return { errno, strerror: match[1] || (STRERROR.get(errno) ?? "") };
  }
  if (error.constructor === Error) return null;
  const errno = kindErrno(error);
  if (errno === null) return null;
  return { errno, strerror: STRERROR.get(errno) ?? error.message };
}

/** `getaddrinfo`'s texts (glibc; macOS's for `EAI_NONAME`) and codes. */
const EAI: ReadonlyMap<string, number> = new Map([
  ["Bad value for ai_flags", -1],
  ["Name or service not known", -2],
  ["Temporary failure in name resolution", -3],
  ["Non-recoverable failure in name resolution", -4],
  ["No address associated with hostname", -5],
  ["ai_family not supported", -6],
  ["ai_socktype not supported", -7],
  ["Servname not supported for ai_socktype", -8],
  ["Address family for hostname not supported", -9],
  ["Memory allocation failure", -10],
  ["System error", -11],
  ["nodename nor servname provided, or not known", 8],
]);

const LOOKUP_FAILED = /^failed to lookup address information: (.*)$/s;

/** Python's `OSError(errno, strerror)`: its class, `[Errno N] strerror`. */
function makeOsError(
  errno: number,
  strerror: string,
  cause: unknown,
  cls: OSErrorClass = CLASS_OF_ERRNO.get(errno) ?? OSError,
): OSError {
  return new cls(`[Errno ${errno}] ${strerror}`, { errno, strerror, cause });
}

/**
 * A Deno error under Python's name, with `errno` and `strerror` (the Deno
 * error is the `cause`), as the module's invariants say; on a TLS
 * connection (`tls`), Deno's `InvalidData` is an `SSLError`, or an
 * `SSLCertVerificationError` when it is about the certificate. What is not
 * Deno's OS error is returned as it is.
 */
export function toPythonError(error: unknown, tls = false): unknown {
  if (error instanceof OSError || !isDenoError(error)) return error;
  const message = error.message;
  if (tls && error instanceof Deno.errors.InvalidData) {
    return /certificate/i.test(message)
      ? new SSLCertVerificationError(message, { cause: error })
      : new SSLError(message, { cause: error });
  }
  const lookup = LOOKUP_FAILED.exec(message);
  if (lookup !== null) {
    const strerror = lookup[1];
    const errno = EAI.get(strerror) ?? null;
    return new gaierror(
      errno === null ? strerror : `[Errno ${errno}] ${strerror}`,
      { errno, strerror, cause: error },
    );
  }
  const os = osErrorOf(error);
  if (os === null) return error;
  return makeOsError(os.errno, os.strerror, error);
}

/**
 * Whether an error is an `OSError` in asyncio's sense: a transport closes
 * on it without reporting it to the exception handler.
 */
export function isOsError(error: unknown): boolean {
  return error instanceof OSError ||
    Object.values(Deno.errors).some((cls) => error instanceof cls);
}

/** Python's `repr()` of a string: quoted, with its escapes. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === "\\" || ch === quote) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f) {
      out += `\\x${code.toString(16).padStart(2, "0")}`;
    } else out += ch;
  }
  return quote + out + quote;
}

/**
 * Python's repr of the socket address of `host`: `('127.0.0.1', 8080)`, or
 * `('::1', 8080, 0, 0)` for an IPv6 address.
 */
function sockaddr(host: string, port: number): string {
  return host.includes(":")
    ? `(${pyRepr(host)}, ${port}, 0, 0)`
    : `(${pyRepr(host)}, ${port})`;
}

/**
 * The errnos a non-blocking TCP `connect()` reports later, through
 * `SO_ERROR`, which asyncio raises as `OSError(err, 'Connect call failed
 * (host, port)')`; the others `connect()` raises at once, as they are.
 */
const LATE_CONNECT_ERRNOS: ReadonlySet<number> = new Set([
  103, // ECONNABORTED
  104, // ECONNRESET
  110, // ETIMEDOUT
  111, // ECONNREFUSED
  113, // EHOSTUNREACH
]);

/**
 * What a failed TCP (or TLS) connect to `host`:`port` raises, as asyncio's
 * `create_connection`: `[Errno 111] Connect call failed ('127.0.0.1', 1)`
 * (`strerror` is the text after the errno, as CPython's), or the error
 * under its Python name (`gaierror` for a failed lookup). CPython names the
 * address it resolved; Deno does not say which, so this names `host`.
 */
export function connectError(
  error: unknown,
  host: string,
  port: number,
  tls = false,
): unknown {
  const exc = toPythonError(error, tls);
  if (
    !(exc instanceof OSError) || exc instanceof gaierror ||
    exc instanceof SSLError || exc.cause !== error || exc.errno === null ||
    !LATE_CONNECT_ERRNOS.has(exc.errno)
  ) return exc;
  return makeOsError(
    exc.errno,
    `Connect call failed ${sockaddr(host, port)}`,
    error,
  );
}

/**
 * What a failed TCP bind raises, as asyncio's `create_server`: the class of
 * the errno, with `[Errno 98] error while attempting to bind on address
 * ('127.0.0.1', 8080): address already in use` (CPython's text, `strerror`
 * lower-cased, and that whole text after the errno as `strerror`); a failed
 * lookup is `gaierror`; what is not an OS error is returned as it is.
 */
export function bindError(
  error: unknown,
  host: string,
  port: number,
): unknown {
  const exc = toPythonError(error);
  if (
    !(exc instanceof OSError) || exc instanceof gaierror ||
    exc.cause !== error || exc.errno === null
  ) return exc;
  return makeOsError(
    exc.errno,
    `error while attempting to bind on address ${sockaddr(host, port)}: ${
      (exc.strerror ?? "").toLowerCase()
    }`,
    error,
  );
}

/**
 * What a failed Unix socket bind at `path` raises, as asyncio's
 * `create_unix_server`: a taken path is `OSError` 98 `Address '/tmp/s' is
 * already in use` (a plain `OSError`, as CPython's); any other error under
 * its Python name (a missing directory: `FileNotFoundError`).
 */
export function unixBindError(error: unknown, path: string): unknown {
  const exc = toPythonError(error);
  if (exc instanceof OSError && exc.cause === error && exc.errno === 98) {
    return makeOsError(
      98,
      `Address ${pyRepr(path)} is already in use`,
      error,
      OSError,
    );
  }
  return exc;
}
