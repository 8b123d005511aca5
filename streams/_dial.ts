/**
 * Dialing: `Deno.connect` or a TLS connection (its handshake done, under
 * its timeout), raised as asyncio's `create_connection` raises, and the
 * loop Future a connecting task waits on (`dialed`). What
 * `openConnection`, `openUnixConnection` and `loop.createConnection`
 * share.
 *
 * @module
 */
import { ValueError } from "../exceptions/builtins.ts";
import { checkPort } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { ConnectionAbortedError } from "../exceptions/os_errors.ts";
import { ioEnded, ioStarted } from "../loop/_io_in_flight.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { failWith } from "../tasks/future.ts";
import { connectError, toPythonError } from "./_os_errors.ts";
import { clientTlsOptions } from "./_tls_handshake.ts";
import {
  checkHandshakeTimeout,
  checkOnlyWithSsl,
  checkShutdownTimeout,
  checkSsl,
} from "./_checks.ts";
import type {
  ConnectionOptions,
  SslClientOptions,
} from "../loop/transports.ts";

/**
 * Check a TCP client's `host`, `port` and TLS options, as asyncio's
 * `create_connection`; return how to dial, and the `ssl` settings (`null`
 * for plain TCP).
 */
export function tcpDialer(
  api: string,
  host: unknown,
  port: unknown,
  options: ConnectionOptions,
): { dial: () => Promise<Deno.Conn>; ssl: SslClientOptions | null } {
  if (typeof host !== "string") {
    throw new TypeError(`${api}: host must be a string, got ${describe(host)}`);
  }
  checkPort(api, port);
  const ssl = checkSsl(api, "options.ssl", options.ssl);
  const serverHostname = options.serverHostname ?? null;
  if (serverHostname !== null && typeof serverHostname !== "string") {
    throw new TypeError(
      `${api}: options.serverHostname must be a string, got ${
        describe(serverHostname)
      }`,
    );
  }
  if (serverHostname !== null && ssl === null) {
    throw new ValueError("server_hostname is only meaningful with ssl");
  }
  const handshakeTimeout = checkHandshakeTimeout(
    api,
    options.sslHandshakeTimeout,
  );
  checkShutdownTimeout(api, options.sslShutdownTimeout);
  checkOnlyWithSsl(options, ssl);
  const at = port as number;
  const dial = ssl === null
    ? () => dialTcp(host, at)
    : () => dialTls(host, at, serverHostname ?? host, ssl, handshakeTimeout);
  return { dial, ssl };
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

/** `Deno.connect`, a failure raised as asyncio's `create_connection`. */
export async function dialTcp(
  host: string,
  port: number,
): Promise<Deno.TcpConn> {
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
export async function dialTls(
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
 * Wait, as a loop Future, for the connection `dial` makes; a failure is
 * raised under Python's name, and a connection made after the waiting task
 * was cancelled (or its loop closed) is closed.
 */
export function* dialed(
  loop: AbstractEventLoop,
  dial: () => Promise<Deno.Conn>,
  tls: boolean,
): CoroutineGenerator<Deno.Conn> {
  const fut = loop.createFuture<Deno.Conn>();
  ioStarted(); // until connected or failed (see _io_in_flight.ts)
  dial().then(
    (conn) => {
      ioEnded();
      settleConnect(fut, conn);
    },
    (error) => {
      ioEnded();
      if (fut.done()) return;
      try {
        failWith(fut, toPythonError(error, tls));
      } catch {
        // the loop is closed
      }
    },
  );
  return yield* fut;
}
