/**
 * The TLS handshakes of a socket transport: a TLS server connection's
 * first, before the protocol hears of the connection (as asyncio's
 * `SSLProtocol`), and a client's `startTls` upgrade of a plain TCP
 * connection. Each runs in the read pump's place: while it does, its host
 * is `handshaking` and nothing else reads the socket.
 *
 * How it works: each awaits Deno's ops inside a `try` (no rejection is ever
 * unhandled) under a timer that force-closes the connection with asyncio's
 * `ConnectionAbortedError` once the handshake has taken its timeout. A
 * failure is reported through the host's `fail()` (asyncio's names, the
 * exception handler unless an `OSError`) unless the transport is already
 * closing. An upgrade takes the TCP connection: `Deno.startTls` gives the
 * TLS one, which the host then owns (`conn`), so that closing the
 * transport during the handshake closes the TLS connection.
 *
 * @module
 */
import {
  ConnectionAbortedError,
  ConnectionResetError,
} from "../exceptions/os_errors.ts";
import type { SslClientOptions } from "../loop/transports.ts";

/** What a handshake needs of its transport. */
export interface TlsHost {
  /** The socket; an upgrade replaces it with the TLS one. */
  conn: Deno.Conn;
  /** The socket was closed (`close()` or `abort()` came in meanwhile). */
  readonly connClosed: boolean;
  isClosing(): boolean;
  /** Close at once, `connectionLost(exc)`. */
  forceClose(exc: unknown): void;
  /** Close on `error`, reported as `message` unless an `OSError`; as raised. */
  fail(error: unknown, message: string): unknown;
}

/** Deno's options for a client TLS connection checked against `hostname`. */
export function clientTlsOptions(
  hostname: string,
  ssl: SslClientOptions,
): Deno.StartTlsOptions {
  return ssl.caCerts === undefined
    ? { hostname }
    : { hostname, caCerts: ssl.caCerts };
}

/**
 * A TLS server connection's handshake, under `timeout` seconds. Return
 * whether it completed with the transport still open.
 */
export async function serverHandshake(
  host: TlsHost,
  conn: Deno.TlsConn,
  timeout: number,
): Promise<boolean> {
  const timer = abortAfter(timeout, (error) => host.forceClose(error));
  try {
    await conn.handshake();
  } catch (error) {
    if (!host.isClosing()) host.fail(error, "SSL handshake failed");
    return false;
  } finally {
    clearTimeout(timer);
  }
  return !host.isClosing();
}

/**
 * Why a connection cannot be upgraded with `startTls`, or `null` if it can:
 * it was `accepted` by a server, is `alreadyTls`, is not over `tcp`, or an
 * upgrade is `inProgress`.
 */
export function upgradeRefusal(
  accepted: boolean,
  alreadyTls: boolean,
  transport: Deno.Addr["transport"],
  inProgress: boolean,
): string | null {
  if (accepted) {
    return "Deno has no server-side TLS upgrade (no Deno API upgrades an " +
      "accepted connection); serve TLS with startServer(…, { ssl }) instead";
  }
  if (alreadyTls) {
    return "the transport is already TLS (Deno has no TLS over TLS)";
  }
  if (transport !== "tcp") {
    return "only a TCP connection can be upgraded (Deno.startTls), " +
      `got a ${transport} socket`;
  }
  if (inProgress) return "a TLS upgrade is already in progress";
  return null;
}

/**
 * Upgrade the host's TCP connection (no read pending): `Deno.startTls` to
 * `hostname`, then the handshake under `timeout` seconds. Return `null`
 * once done with the transport still open, else what `startTls` raises.
 */
export async function upgradeToTls(
  host: TlsHost,
  ssl: SslClientOptions,
  hostname: string,
  timeout: number,
): Promise<unknown> {
  let aborted: ConnectionAbortedError | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const tls = await Deno.startTls(
      host.conn as Deno.TcpConn,
      clientTlsOptions(hostname, ssl),
    );
    host.conn = tls;
    if (host.connClosed) {
      // Closed meanwhile: closing the TCP connection that Deno.startTls
      // had taken did nothing.
      tls.close();
      return new ConnectionResetError("Connection lost");
    }
    timer = abortAfter(timeout, (error) => {
      aborted = error;
      host.forceClose(error);
    });
    await tls.handshake();
  } catch (error) {
    if (aborted !== null) return aborted;
    if (host.isClosing()) return new ConnectionResetError("Connection lost");
    return host.fail(error, "SSL handshake failed");
  } finally {
    clearTimeout(timer);
  }
  return host.isClosing() ? new ConnectionResetError("Connection lost") : null;
}

/**
 * Call `abort` with asyncio's error once a handshake has taken `timeout`
 * seconds (never, past what a Deno timer can wait: 24.8 days); the timer.
 */
function abortAfter(
  timeout: number,
  abort: (error: ConnectionAbortedError) => void,
): ReturnType<typeof setTimeout> | undefined {
  const timeoutMs = timeout * 1000;
  if (timeoutMs > 0x7fffffff) return undefined;
  return setTimeout(() => {
    abort(
      new ConnectionAbortedError(
        `SSL handshake is taking longer than ${
          Number.isInteger(timeout) ? timeout.toFixed(1) : timeout
        } seconds: aborting the connection`,
      ),
    );
  }, timeoutMs);
}
