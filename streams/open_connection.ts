/**
 * `openConnection()`: connect to a TCP server, over TLS or not, as
 * `asyncio.open_connection`; and the connecting steps `openUnixConnection`
 * shares.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { type Awaitable, failWith } from "../tasks/future.ts";
import { ValueError } from "../exceptions/builtins.ts";
import { ConnectionAbortedError } from "../exceptions/os_errors.ts";
import { Op } from "../tasks/_op.ts";
import { SocketTransport } from "./_socket_transport.ts";
import { clientTlsOptions } from "./_tls_handshake.ts";
import { connectError, toPythonError } from "./_os_errors.ts";
import { StreamProtocol } from "./_stream_protocol.ts";
import {
  checkHandshakeTimeout,
  checkOnlyWithSsl,
  checkShutdownTimeout,
  checkSsl,
} from "./_checks.ts";
import { checkLimit, checkOptions, checkPort } from "../exceptions/checks.ts";
import { DEFAULT_LIMIT, StreamReader } from "./stream_reader.ts";
import { StreamWriter } from "./stream_writer.ts";

/**
 * The TLS settings of a client, what `ssl` may be besides `true` (Deno's
 * counterpart of an `ssl.SSLContext`): the peer's certificate is always
 * verified, against the system's roots and these.
 */
export interface SslClientOptions {
  /** More root certificates to trust, in PEM format. */
  caCerts?: string[];
}

/** Options for `openConnection()`. */
export interface OpenConnectionOptions {
  /**
   * The buffer limit of the reader, in bytes.
   *
   * @default {65536}
   */
  limit?: number;
  /**
   * Connect over TLS: `true` for the default settings, or the settings.
   *
   * @default {null}
   */
  ssl?: boolean | SslClientOptions | null;
  /**
   * The name the server's certificate is checked against (and sent in
   * SNI); only meaningful with `ssl`. Defaults to `host`.
   *
   * @default {null}
   */
  serverHostname?: string | null;
  /**
   * How long the TLS handshake may take, in seconds, before the connection
   * is aborted (`ConnectionAbortedError`); only meaningful with `ssl`.
   *
   * @default {60}
   */
  sslHandshakeTimeout?: number | null;
  /**
   * asyncio's bound on the wait for the peer's TLS close, in seconds; only
   * meaningful with `ssl`. Checked and kept for ported code: closing never
   * waits for the peer here (Deno sends its close and lets go).
   *
   * @default {30}
   */
  sslShutdownTimeout?: number | null;
}

function settleConnect(
  fut: { done(): boolean; setResult(c: Deno.Conn): void },
  conn: Deno.Conn,
): void {
  if (fut.done()) {
    conn.close(); // the connecting task was cancelled
    return;
  }
  try {
    fut.setResult(conn);
  } catch {
    conn.close(); // the loop is closed
  }
}

/** The keys of `openConnection`'s options. */
const OPTIONS = [
  "limit",
  "ssl",
  "serverHostname",
  "sslHandshakeTimeout",
  "sslShutdownTimeout",
] as const;

/**
 * Establish a TCP connection and return a `[reader, writer]` pair, as
 * `asyncio.open_connection`. The reader is a `StreamReader` with the given
 * limit, the writer a `StreamWriter`. With `ssl`, the connection is TLS
 * (`Deno.connectTls`) and the handshake is done before this returns.
 * Deno's errors are raised under Python's names, with `errno` and
 * `strerror`, as asyncio raises them (`[Errno 111] Connect call failed
 * ('127.0.0.1', 1)`; Deno's error is the `cause`). Needs `--allow-net`.
 *
 * @param host The host name or address to connect to.
 * @param port The port to connect to.
 * @param options The reader's buffer limit; `ssl` and `serverHostname`.
 * @returns `[reader, writer]`, awaitable with `await` and `yield*`.
 * @throws {ConnectionRefusedError} If nothing listens there (errno 111).
 * @throws {TimeoutError} If the connect timed out (errno 110).
 * @throws {gaierror} If `host` could not be resolved (errno -2, …).
 * @throws {OSError} For another system error (`errno` says which):
 * `ConnectionResetError`, `PermissionError`, `OSError` 101 (network
 * unreachable), ….
 * @throws {SSLError} With `ssl`, if the handshake failed
 * (`SSLCertVerificationError` for a certificate that is not trusted).
 * @throws {ConnectionAbortedError} With `ssl`, if the handshake took longer
 * than `sslHandshakeTimeout`.
 *
 * @example A client (declared, not run: it needs a server)
 * ```ts
 * import { openConnection } from "@asyncio/deno";
 * async function hello(): Promise<void> {
 *   const [reader, writer] = await openConnection("127.0.0.1", 8888);
 *   writer.write(new TextEncoder().encode("hello\n"));
 *   console.log(new TextDecoder().decode(await reader.readLine()));
 *   writer.close();
 *   await writer.waitClosed();
 * }
 * console.log(typeof hello); // function
 * ```
 */
export function openConnection(
  host: string,
  port: number,
  options: OpenConnectionOptions = {},
): Awaitable<[StreamReader, StreamWriter]> {
  if (typeof host !== "string") {
    throw new TypeError(
      `openConnection: host must be a string, got ${describe(host)}`,
    );
  }
  checkPort("openConnection", port);
  checkOptions("openConnection", options, OPTIONS);
  const limit = checkLimit("openConnection", options.limit ?? DEFAULT_LIMIT);
  const ssl = checkSsl("openConnection", "options.ssl", options.ssl);
  const serverHostname = options.serverHostname ?? null;
  if (serverHostname !== null && typeof serverHostname !== "string") {
    throw new TypeError(
      `openConnection: options.serverHostname must be a string, got ${
        describe(serverHostname)
      }`,
    );
  }
  if (serverHostname !== null && ssl === null) {
    throw new ValueError("server_hostname is only meaningful with ssl");
  }
  const handshakeTimeout = checkHandshakeTimeout(
    "openConnection",
    options.sslHandshakeTimeout,
  );
  checkShutdownTimeout("openConnection", options.sslShutdownTimeout);
  checkOnlyWithSsl(options, ssl);
  const dial = ssl === null
    ? () => dialTcp(host, port)
    : () => dialTls(host, port, serverHostname ?? host, ssl, handshakeTimeout);
  return new Op(
    openStream(getEventLoop(), dial, limit, ssl, host),
    "openConnection",
  );
}

/** `Deno.connect`, a failure raised as asyncio's `create_connection`. */
async function dialTcp(host: string, port: number): Promise<Deno.TcpConn> {
  try {
    return await Deno.connect({ hostname: host, port });
  } catch (error) {
    throw connectError(error, host, port);
  }
}

/**
 * Connect over TLS and finish the handshake, so that a bad certificate is
 * raised here, as asyncio does. The name checked is `serverHostname`: when
 * it is not `host`, the TCP connection is upgraded with `Deno.startTls`.
 */
async function dialTls(
  host: string,
  port: number,
  serverHostname: string,
  ssl: SslClientOptions,
  handshakeTimeout: number,
): Promise<Deno.TlsConn> {
  let conn: Deno.TlsConn;
  if (serverHostname === host) {
    try {
      conn = await Deno.connectTls({ port, ...clientTlsOptions(host, ssl) });
    } catch (error) {
      throw connectError(error, host, port, true);
    }
  } else {
    const tcp = await dialTcp(host, port);
    try {
      conn = await Deno.startTls(tcp, clientTlsOptions(serverHostname, ssl));
    } catch (error) {
      try {
        tcp.close();
      } catch {
        // Deno.startTls took the socket (and closed it)
      }
      throw error;
    }
  }
  // A peer that accepts TCP but never speaks TLS: abort, as asyncio does.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    conn.close(); // the pending handshake then fails
  }, Math.ceil(handshakeTimeout * 1000));
  try {
    await conn.handshake();
  } catch (error) {
    if (timedOut) {
      throw new ConnectionAbortedError(
        `SSL handshake is taking longer than ${
          handshakeTimeout.toFixed(1)
        } seconds: aborting the connection`,
      );
    }
    conn.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return conn;
}

/**
 * Open a stream over the connection `dial` makes (`openConnection`,
 * `openUnixConnection`): `[reader, writer]` once connected. `host` is the
 * host connected to, `startTls`'s default `serverHostname`.
 */
export function* openStream(
  loop: AbstractEventLoop,
  dial: () => Promise<Deno.Conn>,
  limit: number,
  sslcontext: object | null = null,
  host: string | null = null,
): CoroutineGenerator<[StreamReader, StreamWriter]> {
  const fut = loop.createFuture<Deno.Conn>();
  dial().then(
    (conn) => settleConnect(fut, conn),
    (error) => {
      if (fut.done()) return;
      try {
        failWith(fut, toPythonError(error, sslcontext !== null));
      } catch {
        // the loop is closed
      }
    },
  );
  const conn = yield* fut;
  const reader = new StreamReader(limit, loop);
  const protocol = new StreamProtocol(reader, null, loop);
  const transport = new SocketTransport(
    loop,
    conn,
    protocol,
    null,
    sslcontext,
    host,
  );
  const writer = new StreamWriter(transport, protocol, reader, loop);
  return [reader, writer];
}
