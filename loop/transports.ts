/**
 * `Transport`: what a connection offers its protocol, as asyncio's
 * `transports.py` (the socket under a `StreamWriter`, or under a protocol
 * of `loop.createConnection`/`loop.createServer`). Interfaces only: the
 * socket transport that implements them is `streams/_socket_transport.ts`.
 *
 * @module
 */

/**
 * A bidirectional transport over a socket, as `asyncio.Transport`:
 * `StreamWriter.transport`, and what a protocol's `connectionMade` gets.
 * Writes are buffered and never wait; above the high-water mark the
 * protocol's `pauseWriting()` is called (a stream's `drain()` waits), and
 * `resumeWriting()` once the buffer is down to the low-water mark.
 */
export interface Transport {
  /**
   * Write bytes: they are buffered and sent as the socket accepts them.
   *
   * @param data The bytes to send.
   */
  write(data: Uint8Array): void;
  /**
   * Write every chunk of `list`.
   *
   * @param list The chunks to send, in order.
   */
  writelines(list: Iterable<Uint8Array>): void;
  /** Close the write end once the buffer is flushed (half-close). */
  writeEof(): void;
  /** Return `true`: a TCP transport can half-close. */
  canWriteEof(): boolean;
  /** Close once the buffer is flushed; nothing more is read. */
  close(): void;
  /** Close at once, dropping the buffer, as `transport.abort()`. */
  abort(): void;
  /** Return `true` if the transport is closing or closed. */
  isClosing(): boolean;
  /** Return the number of bytes buffered for writing, not yet sent. */
  getWriteBufferSize(): number;
  /** Return `[low, high]`, the flow-control water marks in bytes. */
  getWriteBufferLimits(): [number, number];
  /**
   * Set the flow-control water marks in bytes: `high` defaults to 64 KiB,
   * `low` to a quarter of `high`.
   *
   * @param high The size above which the writer must wait in `drain()`.
   * @param low The size at which it may go on.
   */
  setWriteBufferLimits(high?: number | null, low?: number | null): void;
  /** Stop reading from the socket until `resumeReading()`. */
  pauseReading(): void;
  /** Go on reading from the socket. */
  resumeReading(): void;
  /** Return `true` if the transport is receiving. */
  isReading(): boolean;
  /**
   * Return optional transport information: `"peername"` and `"sockname"`
   * as `[host, port]` (for a Unix socket, the path, `""` when unnamed, as
   * CPython), and `"sslcontext"`: for a TLS stream the `ssl` option it was
   * opened (or upgraded by `startTls`) with (`{}` for `ssl: true`), `null`
   * otherwise.
   *
   * @param name What to return.
   * @param defaultValue What to return when there is no such information.
   */
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
}

/**
 * A datagram (UDP) transport, as `asyncio.DatagramTransport`: what
 * `loop.createDatagramEndpoint` returns and its protocol's `connectionMade`
 * gets. Each `sendto` is one datagram; nothing waits.
 */
export interface DatagramTransport {
  /**
   * Send `data` as one datagram to `addr`, or, when `addr` is omitted (or
   * `null`), to the endpoint's `remoteAddr`. With a `remoteAddr`, another
   * `addr` is a `ValueError`, as asyncio's. An empty `data` sends a
   * zero-length datagram (as Python 3.13). A failed send is reported to
   * the protocol's `errorReceived`; after `close()` nothing is sent.
   *
   * @param data The datagram's bytes.
   * @param addr Where to send it, `[host, port]`.
   */
  sendto(data: Uint8Array, addr?: [string, number] | null): void;
  /**
   * Close the endpoint once the datagrams in flight are sent; the
   * protocol's `connectionLost(null)` comes on a later loop iteration.
   */
  close(): void;
  /** Close at once, dropping what is not sent yet; `connectionLost(null)`. */
  abort(): void;
  /** Return `true` if the transport is closing or closed. */
  isClosing(): boolean;
  /**
   * Return the number of bytes in flight (each datagram counts 8 bytes more
   * for its header, as Python 3.13's).
   */
  getWriteBufferSize(): number;
  /**
   * Return optional transport information: `"sockname"`, the local
   * `[host, port]`, and `"peername"`, the `remoteAddr` (resolved), or
   * `null` without one.
   *
   * @param name What to return.
   * @param defaultValue What to return when there is no such information.
   */
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
}

/** The options of `loop.createDatagramEndpoint`, asyncio's keywords. */
export interface DatagramEndpointOptions {
  /**
   * The local `[host, port]` to bind (port 0 for any free one). Without it
   * the endpoint binds port 0 on `127.0.0.1` (`::1`) if `remoteAddr` is a
   * loopback address, else on `0.0.0.0` (`::`).
   *
   * @default {null}
   */
  localAddr?: [string, number] | null;
  /**
   * The peer `[host, port]`: `sendto` without an address sends there, and
   * datagrams from any other address are dropped (Deno cannot `connect()`
   * a UDP socket, so the transport filters them).
   *
   * @default {null}
   */
  remoteAddr?: [string, number] | null;
  /**
   * Let several sockets bind the same address (Deno's `reuseAddress`:
   * `SO_REUSEADDR` and `SO_REUSEPORT`).
   *
   * @default {false}
   */
  reusePort?: boolean | null;
  /**
   * Allow sending to broadcast addresses. Deno's UDP sockets always may
   * (`SO_BROADCAST` is set), so this only keeps asyncio's other effect:
   * with it, datagrams from other addresses than `remoteAddr` are not
   * dropped.
   *
   * @default {false}
   */
  allowBroadcast?: boolean | null;
}

/**
 * The TLS settings of a client, what `ssl` may be besides `true` (Deno's
 * counterpart of an `ssl.SSLContext`): the peer's certificate is always
 * verified, against the system's roots and these.
 */
export interface SslClientOptions {
  /** More root certificates to trust, in PEM format. */
  caCerts?: string[];
}

/**
 * The options of a TCP client connection: `openConnection`'s (besides
 * `limit`) and `loop.createConnection`'s.
 */
export interface ConnectionOptions {
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

/**
 * The TLS settings of a server (Deno's counterpart of a server-side
 * `ssl.SSLContext`): its certificate chain and private key.
 */
export interface SslServerOptions {
  /** The certificate chain, in PEM format. */
  cert: string;
  /** The private key (PKCS #8, RSA or EC), in PEM format. */
  key: string;
}

/**
 * The options of a TCP server: `startServer`'s (besides `limit`) and
 * `loop.createServer`'s.
 */
export interface ServerOptions {
  /**
   * The listen backlog. Accepted for compatibility: Deno does not expose it
   * (it uses its own default).
   *
   * @default {100}
   */
  backlog?: number;
  /**
   * Let several sockets bind the same port (`SO_REUSEPORT`). Deno 2.9 needs
   * `--unstable-net` for it.
   *
   * @default {false}
   */
  reusePort?: boolean;
  /**
   * Serve over TLS (`Deno.listenTls`) with this certificate and key. Each
   * client's handshake is done before its callback runs; a client that
   * fails it (or takes longer than `sslHandshakeTimeout`) is closed unseen.
   *
   * @default {null}
   */
  ssl?: SslServerOptions | null;
  /**
   * How long a client's TLS handshake may take, in seconds, before it is
   * aborted; only meaningful with `ssl`. Deno lets the handshake itself run
   * on, so the socket of a client that never speaks stays open until that
   * client goes away; its handler never runs.
   *
   * @default {60}
   */
  sslHandshakeTimeout?: number | null;
  /**
   * asyncio's bound on the wait for a client's TLS close, in seconds; only
   * meaningful with `ssl`. Checked and kept for ported code: closing never
   * waits for the peer here (Deno sends its close and lets go).
   *
   * @default {30}
   */
  sslShutdownTimeout?: number | null;
  /**
   * Start accepting connections at once.
   *
   * @default {true}
   */
  startServing?: boolean;
}

/**
 * Options of `loop.createUnixServer`: asyncio's `create_unix_server`
 * keywords that Deno can honour (no TLS over a Unix socket).
 */
export interface UnixServerOptions {
  /**
   * The listen backlog. Accepted for compatibility: Deno does not expose it.
   *
   * @default {100}
   */
  backlog?: number;
  /**
   * Start accepting connections at once.
   *
   * @default {true}
   */
  startServing?: boolean;
}
