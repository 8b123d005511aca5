/**
 * The socket transport under a stream, as asyncio's
 * `_SelectorSocketTransport`: a façade over a `Deno.Conn` that owns the
 * connection's state (closing, lost, half-closed, paused) and its parts:
 * the read pump (`_read_pump.ts`), the write loop and its buffer
 * (`_write_loop.ts`, `_write_buffer.ts`), the TLS handshakes
 * (`_tls_handshake.ts`) and the mapping of Deno's errors to Python's
 * (`_os_errors.ts`). Each part asks what it needs of the transport through
 * a small host interface, which the class implements.
 *
 * Invariants:
 * - The read pump is the only reader of the socket; a TLS handshake runs
 *   in its place (`handshaking`). A TLS server connection (`sslcontext`
 *   given) runs its handshake before the protocol hears of it
 *   (`connectionMade`), as asyncio's `SSLProtocol`.
 * - Every promise of a Deno op is awaited inside a `try`: no rejection is
 *   ever unhandled. Errors go to the protocol (`connectionLost(exc)`) under
 *   Python's names, or to the loop's exception handler.
 * - `connectionLost` is delivered with `callSoon`, as in asyncio; the
 *   protocol learns that the socket is released (`released()`) only once the
 *   pump, the write loop and any handshake have settled after
 *   `conn.close()`, so that `waitClosed()` means no Deno op is left.
 * - A transport is tracked by its loop until released
 *   (`_open_resources.ts`): closing the loop closes its socket.
 * - The addresses `getExtraInfo()` gives are read from the socket when
 *   first asked (few ever are: an idle connection holds less), and before
 *   a `startTls` replaces it (a `Deno.startTls` conn has none).
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { logger } from "../loop/log.ts";
import { stateWord } from "./_state_word.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import { ConnectionResetError } from "../exceptions/os_errors.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { failWith, type Future } from "../tasks/future.ts";
import type { SslClientOptions } from "../loop/transports.ts";
import { addressOf } from "./_address.ts";
import { type ForceClosable, track, untrack } from "./_open_resources.ts";
import { isOsError, toPythonError } from "./_os_errors.ts";
import type { TransportProtocol } from "./_protocol.ts";
import { ReadPump, type ReadPumpHost } from "./_read_pump.ts";
import {
  serverHandshake,
  type TlsHost,
  upgradeRefusal,
  upgradeToTls,
} from "./_tls_handshake.ts";
import { WriteLoop, type WriteLoopHost } from "./_write_loop.ts";
import type { Transport } from "../loop/transports.ts";

/** What a server counts of its connections. */
export interface ConnectionOwner {
  /** How long a TLS client's handshake may take, in seconds. */
  readonly sslHandshakeTimeout: number;
  attach(transport: SocketTransport): void;
  detach(transport: SocketTransport): void;
}

const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

function settle(future: Future<undefined>, exc: unknown): void {
  if (future.done()) return; // the waiting task was cancelled
  try {
    if (exc === null) future.setResult(undefined);
    else failWith(future, exc);
  } catch {
    // the loop is closed
  }
}

function callConnectionLost(arg: [TransportProtocol, unknown]): void {
  arg[0].connectionLost(arg[1]);
}

/** The transport of a connected socket. */
export class SocketTransport
  implements Transport, ForceClosable, ReadPumpHost, WriteLoopHost, TlsHost {
  readonly #loop: AbstractEventLoop;
  readonly #protocol: TransportProtocol;
  readonly #owner: ConnectionOwner | null;
  /** For a TLS connection, what `getExtraInfo("sslcontext")` returns. */
  #sslcontext: object | null;
  /** `getExtraInfo()`'s addresses, made when first asked (most never are). */
  #addresses: { peername: unknown; sockname: unknown } | null = null;
  /** The host connected to: `startTls`'s default server name. */
  readonly #host: string | null;
  readonly #pump: ReadPump;
  readonly #writer: WriteLoop;
  #conn: Deno.Conn;
  #closing = false;
  #connLost = 0;
  #connClosed = false;
  #eof = false;
  #readingPaused = false;
  #upgrading = false;
  #handshaking = false;
  #released = false;

  /**
   * @param sslcontext For a TLS connection, what `getExtraInfo("sslcontext")`
   * returns; on a server (with an `owner`), the handshake is then completed
   * before `connectionMade`.
   * @param host The host a client connected to (`startTls`'s default server
   * name), `null` for an accepted connection.
   */
  constructor(
    loop: AbstractEventLoop,
    conn: Deno.Conn,
    protocol: TransportProtocol,
    owner: ConnectionOwner | null = null,
    sslcontext: object | null = null,
    host: string | null = null,
  ) {
    this.#loop = loop;
    this.#conn = conn;
    this.#host = host;
    this.#protocol = protocol;
    this.#owner = owner;
    this.#pump = new ReadPump(loop, protocol, this);
    this.#writer = new WriteLoop(loop, this);
    this.#sslcontext = sslcontext;
    // asyncio sets TCP_NODELAY on every TCP transport.
    try {
      (conn as Deno.TcpConn).setNoDelay?.(true);
    } catch {
      // not a TCP socket, or already closed
    }
    track(loop, this);
    owner?.attach(this);
    if (sslcontext !== null && owner !== null) {
      this.#handshakeThenRead(conn as Deno.TlsConn, owner.sslHandshakeTimeout);
    } else {
      protocol.connectionMade(this);
      this.#pump.start();
    }
  }

  /** A TLS server connection: the handshake, `connectionMade`, the pump. */
  async #handshakeThenRead(conn: Deno.TlsConn, timeout: number): Promise<void> {
    this.#handshaking = true;
    let ready = await serverHandshake(this, conn, timeout);
    if (ready) {
      try {
        this.#protocol.connectionMade(this);
      } catch (error) {
        this.fail(error, "Error on transport creation for incoming connection");
        ready = false;
      }
    }
    this.#handshaking = false;
    if (ready) this.#pump.start();
    else this.#pump.end();
  }

  /**
   * Internal: the reader waits for data. A parked pump reads (after the
   * deferred send, if one waits); a pending read will deliver.
   */
  wantData(): void {
    this.#pump.want(this.#writer.scheduled);
  }

  /**
   * `StreamWriter.startTls` and `loop.startTls` (`api`, which its errors
   * name): upgrade this client TCP connection to TLS once
   * the write loop is idle, checking the server's certificate against
   * `serverHostname` (default: the host connected to). Raises
   * `RuntimeError` on an accepted connection, a TLS one, a Unix socket, or
   * while a read is pending (it cannot be cancelled; `Deno.startTls` would
   * fail and lose the socket). A failed handshake, or one longer than
   * `timeout` seconds (`ConnectionAbortedError`), closes the connection and
   * is raised; so is cancellation, after closing the connection, as asyncio.
   */
  *startTls(
    ssl: SslClientOptions,
    serverHostname: string | null,
    timeout: number,
    api: string,
  ): CoroutineGenerator<void> {
    const refusal = upgradeRefusal(
      this.#owner !== null,
      this.#sslcontext !== null,
      this.#conn.remoteAddr.transport,
      this.#upgrading,
    );
    if (refusal !== null) {
      throw new RuntimeError(`${api}: ${refusal}`);
    }
    this.#upgrading = true;
    try {
      // The plain-text bytes go out before the handshake.
      while (this.#writer.writing && !this.#closing) {
        const idle = this.#loop.createFuture<undefined>();
        this.#writer.whenIdle().then(() => settle(idle, null));
        yield* idle;
      }
      if (this.#closing || this.#pump.ended) {
        throw new ConnectionResetError("Connection lost");
      }
      if (this.#pump.reading) {
        throw new RuntimeError(
          `${api}: cannot start TLS while a read is in progress`,
        );
      }
      const future = this.#loop.createFuture<undefined>();
      const hostname = serverHostname ?? this.#host ??
        (this.#address("peername") as [string, number])[0];
      this.#handshaking = true;
      upgradeToTls(this, ssl, hostname, timeout).then((exc) => {
        this.#handshaking = false;
        if (exc === null) this.#sslcontext = ssl;
        settle(future, exc);
        if (exc === null) this.#pump.next();
        else this.#pump.end();
      });
      try {
        yield* future;
      } catch (error) {
        this.close(); // as asyncio: a failed or cancelled start_tls closes
        throw error;
      }
    } finally {
      this.#upgrading = false;
      // The read-ahead held while upgrading (a protocol's), over TLS now.
      this.#pump.readAheadIfWanted();
    }
  }

  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `data argument must be a bytes-like object, not '${describe(data)}'`,
      );
    }
    if (this.#eof) {
      throw new RuntimeError("Cannot call write() after write_eof()");
    }
    if (data.length === 0) return;
    if (this.#connLost > 0) {
      if (this.#connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
        logger.warning("socket.send() raised exception.");
      }
      this.#connLost++;
      return;
    }
    this.#writer.write(data);
  }

  writelines(list: Iterable<Uint8Array>): void {
    for (const data of list) this.write(data);
  }

  writeEof(): void {
    if (this.#closing || this.#eof) return;
    this.#eof = true;
    if (!this.#writer.writing) this.#shutdownWrite();
  }

  canWriteEof(): boolean {
    return true;
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#pump.next();
    if (!this.#writer.writing) this.#callConnectionLost(null);
  }

  abort(): void {
    this.forceClose(null);
  }

  isClosing(): boolean {
    return this.#closing;
  }

  getWriteBufferSize(): number {
    return this.#writer.size;
  }

  getWriteBufferLimits(): [number, number] {
    return this.#writer.limits;
  }

  setWriteBufferLimits(
    high: number | null = null,
    low: number | null = null,
  ): void {
    this.#writer.setLimits(high, low);
  }

  pauseReading(): void {
    if (this.#closing || this.#readingPaused) return;
    this.#readingPaused = true;
  }

  resumeReading(): void {
    if (this.#closing || !this.#readingPaused) return;
    this.#readingPaused = false;
    this.#pump.next();
  }

  isReading(): boolean {
    return !this.#readingPaused && !this.#closing;
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    if (name === "peername" || name === "sockname") return this.#address(name);
    if (name === "sslcontext") return this.#sslcontext ?? defaultValue;
    return defaultValue;
  }

  /** The socket's address (`sockname`) or its peer's (`peername`). */
  #address(name: "peername" | "sockname"): unknown {
    const addresses = this.#addresses ??= {
      peername: addressOf(this.#conn.remoteAddr),
      sockname: addressOf(this.#conn.localAddr),
    };
    return addresses[name];
  }

  /** The loop closed: close the socket, tell no one. */
  forceCloseSilently(): void {
    this.#closing = true;
    this.#connLost++;
    this.#writer.clear();
    this.#pump.next();
    this.#closeConn();
  }

  /** `<SocketTransport peername=… sockname=…>`. */
  toString(): string {
    const state = stateWord(this.#connClosed, this.#closing);
    return `<SocketTransport${state} peername=${
      JSON.stringify(this.#address("peername"))
    } sockname=${JSON.stringify(this.#address("sockname"))}>`;
  }

  // Internal: what the read pump, the write loop and the TLS handshakes ask
  // of their transport (their host interfaces).

  /** Internal: the socket (a `startTls` upgrade replaces it). */
  get conn(): Deno.Conn {
    return this.#conn;
  }

  set conn(conn: Deno.Conn) {
    // The addresses of the TCP socket: a `Deno.startTls` conn lacks them.
    this.#address("peername");
    this.#conn = conn;
  }

  /** Internal: the protocol it drives (`loop.startTls` checks it). */
  get protocol(): TransportProtocol {
    return this.#protocol;
  }

  /** Internal: the socket was closed. */
  get connClosed(): boolean {
    return this.#connClosed;
  }

  /** Internal: the connection is lost, nothing more is sent. */
  get lost(): boolean {
    return this.#connLost > 0;
  }

  /** Internal: a TLS handshake has the socket. */
  get handshaking(): boolean {
    return this.#handshaking;
  }

  /** Internal: a `startTls` is under way. */
  get upgrading(): boolean {
    return this.#upgrading;
  }

  /** Internal: the write loop sent everything: close or half-close if asked. */
  writeEnded(): void {
    if (this.#closing) this.#callConnectionLost(null);
    else if (this.#eof) this.#shutdownWrite();
  }

  /** Internal: after a deferred send, the read a reader asked meanwhile. */
  readAfterSend(): void {
    this.#pump.next();
  }

  /** Internal: the protocol's flow control, errors reported. */
  flowControl(method: "pauseWriting" | "resumeWriting"): void {
    try {
      this.#protocol[method]();
    } catch (exception) {
      this.#report(`protocol.${method}() failed`, exception);
    }
  }

  /** Internal: close on `error`, reported unless an `OSError`; as raised. */
  fail(error: unknown, message: string): unknown {
    const tls = this.#sslcontext !== null || this.#upgrading;
    const exc = toPythonError(error, tls);
    if (!isOsError(exc)) this.#report(message, exc);
    this.forceClose(exc);
    return exc;
  }

  /** Internal: close at once, dropping the buffer; `connectionLost(exc)`. */
  forceClose(exc: unknown): void {
    if (this.#connLost > 0) return;
    this.#writer.clear();
    this.#closing = true;
    this.#pump.next();
    this.#callConnectionLost(exc);
  }

  #shutdownWrite(): void {
    this.#conn.closeWrite().catch(() => {
      // The peer is gone: the read side reports it.
    });
  }

  #report(message: string, exception: unknown): void {
    if (this.#loop.isClosed()) return;
    this.#loop.callExceptionHandler({
      message,
      exception,
      transport: this,
      protocol: this.#protocol,
    });
  }

  /**
   * Close the socket now, deliver `connectionLost(exc)` with `callSoon`,
   * and `released()` once the pump and the write loop have settled.
   */
  #callConnectionLost(exc: unknown): void {
    if (this.#connLost > 0 && this.#connClosed) return;
    this.#connLost++;
    this.#closeConn();
    if (!this.#loop.isClosed()) {
      this.#loop.callSoon(callConnectionLost, [this.#protocol, exc]);
    }
    this.#awaitRelease();
  }

  #closeConn(): void {
    if (this.#connClosed) return;
    this.#connClosed = true;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }

  async #awaitRelease(): Promise<void> {
    try {
      await this.#pump.whenEnded();
      while (this.#writer.writing) await this.#writer.whenIdle();
    } catch {
      // both catch their own errors
    }
    if (this.#released) return;
    this.#released = true;
    untrack(this.#loop, this);
    if (this.#loop.isClosed()) return;
    try {
      this.#protocol.released();
      this.#owner?.detach(this);
    } catch (exception) {
      this.#report("Exception in connection release", exception);
    }
  }
}
