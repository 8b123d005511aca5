/**
 * `Transport`: what a connection offers its protocol, as asyncio's
 * `transports.py` (the socket under a `StreamWriter`, or under a protocol
 * of `loop.createConnection`/`loop.createServer`; the pipes and the child
 * of `loop.subprocessExec`). Interfaces only: the socket transport that
 * implements them is `streams/_socket_transport.ts`, the subprocess one
 * `subprocess/subprocess_transport.ts`.
 *
 * @module
 */
import type { SignalName } from "./signals.ts";

/**
 * What every transport has, as `asyncio.BaseTransport`: `close()`,
 * `isClosing()` and `getExtraInfo()`.
 *
 * @example
 * ```ts
 * import type { BaseTransport } from "@asyncio/deno";
 * function done(transport: BaseTransport): boolean {
 *   return transport.isClosing();
 * }
 * console.log(typeof done); // function
 * ```
 */
export interface BaseTransport {
  /**
   * Close the transport: buffered data is flushed asynchronously, no more
   * data is received, and the protocol's `connectionLost(null)` follows.
   */
  close(): void;
  /** Return `true` if the transport is closing or closed. */
  isClosing(): boolean;
  /**
   * Return optional transport information (`defaultValue` when there is
   * none of that name).
   *
   * @param name What to return.
   * @param defaultValue What to return when there is no such information.
   */
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
}

/**
 * The read end of a pipe, as `asyncio.ReadTransport`: what
 * `SubprocessTransport.getPipeTransport(1)` (the child's stdout) and
 * `getPipeTransport(2)` (its stderr) return. Each chunk goes to the
 * protocol's `pipeDataReceived`; `pauseReading()` holds the child at a
 * full pipe.
 *
 * @example Holding a chatty child
 * ```ts
 * import type { ReadTransport } from "@asyncio/deno";
 * function hold(stdout: ReadTransport | null): void {
 *   if (stdout?.isReading()) stdout.pauseReading();
 * }
 * console.log(typeof hold); // function
 * ```
 */
export interface ReadTransport extends BaseTransport {
  /** Stop reading until `resumeReading()`; no data reaches the protocol. */
  pauseReading(): void;
  /** Go on reading. */
  resumeReading(): void;
  /** Return `true` if the transport is receiving. */
  isReading(): boolean;
}

/**
 * The write end of a pipe, as `asyncio.WriteTransport`: what
 * `SubprocessTransport.getPipeTransport(0)` (the child's stdin) returns.
 * Writes are buffered and never wait; above the high-water mark the
 * protocol's `pauseWriting()` is called, `resumeWriting()` once the buffer
 * is down to the low-water mark.
 *
 * @example Sending a child its input
 * ```ts
 * import type { WriteTransport } from "@asyncio/deno";
 * function send(stdin: WriteTransport, text: string): void {
 *   stdin.write(new TextEncoder().encode(text));
 *   stdin.writeEof(); // the child reads its end of file
 * }
 * console.log(typeof send); // function
 * ```
 */
export interface WriteTransport extends BaseTransport {
  /**
   * Write bytes: they are buffered and sent as the pipe accepts them.
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
  /** Close the pipe once the buffer is flushed: the reader gets its EOF. */
  writeEof(): void;
  /** Return `true`: a pipe can be closed after the buffer is flushed. */
  canWriteEof(): boolean;
  /** Close at once, dropping the buffer. */
  abort(): void;
  /** Return the number of bytes buffered for writing, not yet sent. */
  getWriteBufferSize(): number;
  /** Return `[low, high]`, the flow-control water marks in bytes. */
  getWriteBufferLimits(): [number, number];
  /**
   * Set the flow-control water marks in bytes: `high` defaults to 64 KiB,
   * `low` to a quarter of `high`.
   *
   * @param high The size above which the protocol's `pauseWriting()` is
   * called.
   * @param low The size at which its `resumeWriting()` is.
   */
  setWriteBufferLimits(high?: number | null, low?: number | null): void;
}

/**
 * A child process and its pipes, as `asyncio.SubprocessTransport`: what
 * `loop.subprocessExec` and `loop.subprocessShell` return and their
 * protocol's `connectionMade` gets.
 *
 * @example Killing a child that takes too long
 * ```ts
 * import type { SubprocessTransport } from "@asyncio/deno";
 * function stop(transport: SubprocessTransport): void {
 *   if (transport.getReturncode() === null) transport.kill(); // -9 follows
 *   transport.close();
 * }
 * console.log(typeof stop); // function
 * ```
 */
export interface SubprocessTransport extends BaseTransport {
  /** Return the child's process id. */
  getPid(): number;
  /**
   * Return the child's exit code once it has exited (minus the signal's
   * number if a signal killed it: `-9` for `SIGKILL`), `null` while it
   * runs.
   */
  getReturncode(): number | null;
  /**
   * Return the transport of the child's stdin (`fd` 0), or `null` unless
   * it is a `PIPE`.
   *
   * @param fd 0.
   */
  getPipeTransport(fd: 0): WriteTransport | null;
  /**
   * Return the transport of the child's stdout (`fd` 1) or stderr (`fd`
   * 2), or `null` unless it is a `PIPE`.
   *
   * @param fd 1 or 2.
   */
  getPipeTransport(fd: 1 | 2): ReadTransport | null;
  /**
   * Return the transport of the pipe `fd` (0, 1 or 2), or `null` unless it
   * is a `PIPE`.
   *
   * @param fd The child's file descriptor.
   */
  getPipeTransport(fd: number): WriteTransport | ReadTransport | null;
  /**
   * Send a signal to the child: a name as Deno's (`"SIGTERM"`) or a Linux
   * number as Python's (`15`). Nothing happens once it has exited;
   * `ProcessLookupError` once the transport's `connectionLost` has run.
   *
   * @param sig The signal.
   */
  sendSignal(sig: SignalName | number): void;
  /** Stop the child with `SIGTERM`. */
  terminate(): void;
  /** Kill the child with `SIGKILL`. */
  kill(): void;
  /**
   * Close the pipes and kill the child if it still runs; the protocol's
   * `pipeConnectionLost`, `processExited` and `connectionLost` follow.
   */
  close(): void;
  /**
   * Return optional information: `"subprocess"`, the child's
   * `Deno.ChildProcess` (where asyncio gives its `Popen`).
   *
   * @param name What to return.
   * @param defaultValue What to return when there is no such information.
   */
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
}

/**
 * The options of `loop.subprocessExec` and `loop.subprocessShell`,
 * asyncio's keywords there. Unlike `createSubprocessExec`'s, each pipe is a
 * `PIPE` unless said otherwise, as in asyncio.
 */
export interface SubprocessTransportOptions {
  /**
   * `PIPE` (-1: `getPipeTransport(0)` writes to the child), `DEVNULL`
   * (-3), or `null`: the parent's.
   *
   * @default {PIPE}
   */
  stdin?: -1 | -3 | null;
  /**
   * `PIPE` (-1: `pipeDataReceived(1, data)`), `DEVNULL` (-3), or `null`:
   * the parent's.
   *
   * @default {PIPE}
   */
  stdout?: -1 | -3 | null;
  /**
   * `PIPE` (-1: `pipeDataReceived(2, data)`), `DEVNULL` (-3), `STDOUT`
   * (-2: into the same pipe or device as `stdout`, so to
   * `pipeDataReceived(1, data)`), or `null`: the parent's.
   *
   * @default {PIPE}
   */
  stderr?: -1 | -2 | -3 | null;
  /**
   * The child's working directory.
   *
   * @default {null}
   */
  cwd?: string | null;
  /**
   * The child's whole environment, as Python's `env` (it replaces the
   * parent's; `null` keeps it).
   *
   * @default {null}
   */
  env?: Record<string, string> | null;
}

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

/** Options for `loop.startTls()`, as asyncio's keyword arguments. */
export interface LoopStartTlsOptions {
  /**
   * Upgrade as the server: not possible on Deno (`RuntimeError`), which has
   * no server-side upgrade; serve TLS with `startServer(…, { ssl })`.
   *
   * @default {false}
   */
  serverSide?: boolean;
  /**
   * The name the server's certificate is checked against.
   *
   * @default {null} (the host connected to)
   */
  serverHostname?: string | null;
  /**
   * Seconds the handshake may take (`ConnectionAbortedError` after).
   *
   * @default {60}
   */
  sslHandshakeTimeout?: number | null;
  /**
   * Seconds the TLS shutdown may take; checked, but closing never waits
   * here.
   *
   * @default {30}
   */
  sslShutdownTimeout?: number | null;
}
