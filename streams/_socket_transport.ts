/**
 * The socket transport under a stream: one read pump and one write loop per
 * connection over a `Deno.Conn`, as asyncio's `_SelectorSocketTransport`.
 *
 * Invariants:
 * - One read pump per connection (`#readLoop`) reads into the reader's
 *   buffer (through the protocol) and wakes its waiter; a task cancelled
 *   while waiting for data cancels only its loop Future, never a Deno read,
 *   so no byte is lost. The pump stops while reading is paused.
 * - Every promise of a Deno op is awaited inside a `try`: no rejection is
 *   ever unhandled. Errors go to the protocol (`connectionLost(exc)`) under
 *   Python's names, or to the loop's exception handler.
 * - A TLS server connection (`sslcontext` given) runs its handshake before
 *   the protocol hears of it (`connectionMade`), as asyncio's `SSLProtocol`:
 *   a client that fails it, or takes longer than 60 seconds, is closed
 *   without the client callback ever running.
 * - `connectionLost` is delivered with `callSoon`, as in asyncio; the
 *   protocol learns that the socket is released (`released()`) only once the
 *   pump and the write loop have settled after `conn.close()`, so that
 *   `waitClosed()` means no Deno op is left.
 *
 * @module
 */
import { closeHooks, describe } from "../loop/_runtime.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import {
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  RuntimeError,
  ValueError,
} from "../tasks/exceptions.ts";
import type { Transport } from "./transport.ts";

/** What the transport calls, as asyncio's `Protocol`. */
export interface Protocol {
  connectionMade(transport: SocketTransport): void;
  dataReceived(data: Uint8Array): void;
  eofReceived(): void;
  connectionLost(exc: unknown): void;
  pauseWriting(): void;
  resumeWriting(): void;
  /** The socket is closed and no Deno op is pending. */
  released(): void;
}

/** What a server counts of its connections. */
export interface ConnectionOwner {
  attach(transport: SocketTransport): void;
  detach(transport: SocketTransport): void;
}

/** Something closed at once when its loop closes (no process left hanging). */
export interface ForceClosable {
  forceCloseSilently(): void;
}

const openResources = new Map<object, Set<ForceClosable>>();

/** Track a resource of `loop`, closed when the loop closes. */
export function track(loop: object, resource: ForceClosable): void {
  let set = openResources.get(loop);
  if (set === undefined) openResources.set(loop, set = new Set());
  set.add(resource);
}

/** Stop tracking a resource. */
export function untrack(loop: object, resource: ForceClosable): void {
  const set = openResources.get(loop);
  if (set === undefined) return;
  set.delete(resource);
  if (set.size === 0) openResources.delete(loop);
}

closeHooks.push((loop) => {
  const set = openResources.get(loop);
  if (set === undefined) return;
  openResources.delete(loop);
  for (const resource of set) resource.forceCloseSilently();
});

/** A Deno error under Python's name (the Deno error is the `cause`). */
export function toPythonError(error: unknown): unknown {
  const errors = Deno.errors;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof errors.ConnectionReset) {
    return new ConnectionResetError(message, { cause: error });
  }
  if (error instanceof errors.ConnectionRefused) {
    return new ConnectionRefusedError(message, { cause: error });
  }
  if (error instanceof errors.BrokenPipe) {
    return new BrokenPipeError(message, { cause: error });
  }
  if (error instanceof errors.ConnectionAborted) {
    return new ConnectionAbortedError(message, { cause: error });
  }
  return error;
}

/** Whether an error is an `OSError` in asyncio's sense (not logged). */
function isOsError(error: unknown): boolean {
  return error instanceof ConnectionError ||
    Object.values(Deno.errors).some((cls) => error instanceof cls);
}

const FIRST_READ_SIZE = 4096;
const MAX_READ_SIZE = 65536;
const DEFAULT_HIGH_WATER = 64 * 1024;
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;
const SSL_HANDSHAKE_TIMEOUT_MS = 60_000;

/**
 * A `[host, port]` pair from a Deno address; for a Unix socket, its path
 * (`""` for an unnamed one), as CPython's AF_UNIX `getpeername()`.
 */
export function addressOf(addr: Deno.Addr): [string, number] | string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return [addr.hostname, addr.port];
  }
  return (addr as Deno.UnixAddr).path ?? "";
}

function callConnectionLost(
  arg: [Protocol, unknown],
): void {
  arg[0].connectionLost(arg[1]);
}

/** The transport of a connected socket. */
export class SocketTransport implements Transport, ForceClosable {
  #loop: AbstractEventLoop;
  #conn: Deno.Conn;
  #protocol: Protocol;
  #owner: ConnectionOwner | null;
  #extra: Record<string, unknown>;
  #closing = false;
  #connLost = 0;
  #eof = false;
  #readingPaused = false;
  #resumeRead: (() => void) | null = null;
  #pumpDone: Promise<void>;
  #chunks: Uint8Array[] = [];
  #bufferSize = 0;
  #writing: Promise<void> | null = null;
  #high = DEFAULT_HIGH_WATER;
  #low = DEFAULT_HIGH_WATER / 4;
  #protocolPaused = false;
  #released = false;
  #connClosed = false;

  /**
   * @param sslcontext For a TLS connection, what `getExtraInfo("sslcontext")`
   * returns; on a server (with an `owner`), the handshake is then completed
   * before `connectionMade`.
   */
  constructor(
    loop: AbstractEventLoop,
    conn: Deno.Conn,
    protocol: Protocol,
    owner: ConnectionOwner | null = null,
    sslcontext: object | null = null,
  ) {
    this.#loop = loop;
    this.#conn = conn;
    this.#protocol = protocol;
    this.#owner = owner;
    this.#extra = {
      peername: addressOf(conn.remoteAddr),
      sockname: addressOf(conn.localAddr),
    };
    if (sslcontext !== null) this.#extra.sslcontext = sslcontext;
    // asyncio sets TCP_NODELAY on every TCP transport.
    try {
      (conn as Deno.TcpConn).setNoDelay?.(true);
    } catch {
      // not a TCP socket, or already closed
    }
    track(loop, this);
    owner?.attach(this);
    if (sslcontext !== null && owner !== null) {
      this.#pumpDone = this.#handshakeThenRead(conn as Deno.TlsConn);
    } else {
      protocol.connectionMade(this);
      this.#pumpDone = this.#readLoop();
    }
  }

  /** A TLS server connection: the handshake, then `connectionMade`. */
  async #handshakeThenRead(conn: Deno.TlsConn): Promise<void> {
    const timer = setTimeout(() => {
      this.#forceClose(
        new ConnectionAbortedError(
          "SSL handshake is taking longer than 60.0 seconds: " +
            "aborting the connection",
        ),
      );
    }, SSL_HANDSHAKE_TIMEOUT_MS);
    try {
      await conn.handshake();
    } catch (error) {
      if (!this.#closing) this.#fatalError(error, "SSL handshake failed");
      return;
    } finally {
      clearTimeout(timer);
    }
    if (this.#closing) return;
    try {
      this.#protocol.connectionMade(this);
    } catch (error) {
      this.#fatalError(
        error,
        "Error on transport creation for incoming connection",
      );
      return;
    }
    return this.#readLoop();
  }

  /** The read pump: the only reader of the socket. */
  async #readLoop(): Promise<void> {
    let buf = new Uint8Array(FIRST_READ_SIZE);
    try {
      for (;;) {
        while (this.#readingPaused && !this.#closing) {
          await new Promise<void>((resolve) => this.#resumeRead = resolve);
        }
        if (this.#closing) return;
        const n = await this.#conn.read(buf);
        // Closing: as asyncio removes the reader, later data is dropped.
        if (this.#closing) return;
        if (n === null) {
          this.#protocol.eofReceived();
          return; // the stream protocol keeps the transport open
        }
        this.#protocol.dataReceived(buf.subarray(0, n));
        if (n === buf.length && buf.length < MAX_READ_SIZE) {
          buf = new Uint8Array(buf.length * 2);
        }
      }
    } catch (error) {
      if (!this.#closing) {
        this.#fatalError(error, "Fatal read error on socket transport");
      }
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
        console.warn("socket.send() raised exception.");
      }
      this.#connLost++;
      return;
    }
    this.#chunks.push(data.slice());
    this.#bufferSize += data.length;
    if (this.#writing === null) this.#writing = this.#writeLoop();
    this.#maybePauseProtocol();
  }

  writelines(list: Iterable<Uint8Array>): void {
    for (const data of list) this.write(data);
  }

  /** The write loop: sends the buffer, joining the chunks queued meanwhile. */
  async #writeLoop(): Promise<void> {
    try {
      while (this.#chunks.length > 0) {
        const chunks = this.#chunks;
        this.#chunks = [];
        let data: Uint8Array;
        if (chunks.length === 1) data = chunks[0];
        else {
          let total = 0;
          for (const chunk of chunks) total += chunk.length;
          data = new Uint8Array(total);
          let at = 0;
          for (const chunk of chunks) {
            data.set(chunk, at);
            at += chunk.length;
          }
        }
        let sent = 0;
        while (sent < data.length) {
          sent += await this.#conn.write(
            sent === 0 ? data : data.subarray(sent),
          );
        }
        if (this.#connLost > 0) return; // aborted meanwhile
        this.#bufferSize -= data.length;
        this.#maybeResumeProtocol();
      }
    } catch (error) {
      this.#writing = null;
      if (this.#connLost === 0) {
        this.#fatalError(error, "Fatal write error on socket transport");
      }
      return;
    }
    this.#writing = null;
    if (this.#closing) this.#callConnectionLost(null);
    else if (this.#eof) this.#shutdownWrite();
  }

  #shutdownWrite(): void {
    this.#conn.closeWrite().catch(() => {
      // The peer is gone: the read side reports it.
    });
  }

  #maybePauseProtocol(): void {
    if (this.#bufferSize > this.#high && !this.#protocolPaused) {
      this.#protocolPaused = true;
      this.#callProtocol("pauseWriting");
    }
  }

  #maybeResumeProtocol(): void {
    if (this.#protocolPaused && this.#bufferSize <= this.#low) {
      this.#protocolPaused = false;
      this.#callProtocol("resumeWriting");
    }
  }

  #callProtocol(method: "pauseWriting" | "resumeWriting"): void {
    try {
      this.#protocol[method]();
    } catch (exception) {
      this.#report(`protocol.${method}() failed`, exception);
    }
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

  writeEof(): void {
    if (this.#closing || this.#eof) return;
    this.#eof = true;
    if (this.#writing === null) this.#shutdownWrite();
  }

  canWriteEof(): boolean {
    return true;
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#resumeRead?.();
    if (this.#writing === null) this.#callConnectionLost(null);
  }

  abort(): void {
    this.#forceClose(null);
  }

  isClosing(): boolean {
    return this.#closing;
  }

  getWriteBufferSize(): number {
    return this.#bufferSize;
  }

  getWriteBufferLimits(): [number, number] {
    return [this.#low, this.#high];
  }

  setWriteBufferLimits(
    high: number | null = null,
    low: number | null = null,
  ): void {
    if (high === null) high = low === null ? DEFAULT_HIGH_WATER : 4 * low;
    if (low === null) low = Math.floor(high / 4);
    if (!(high >= low && low >= 0)) {
      throw new ValueError(
        `high (${high}) must be >= low (${low}) must be >= 0`,
      );
    }
    this.#high = high;
    this.#low = low;
    this.#maybePauseProtocol();
  }

  pauseReading(): void {
    if (this.#closing || this.#readingPaused) return;
    this.#readingPaused = true;
  }

  resumeReading(): void {
    if (this.#closing || !this.#readingPaused) return;
    this.#readingPaused = false;
    const resume = this.#resumeRead;
    this.#resumeRead = null;
    resume?.();
  }

  isReading(): boolean {
    return !this.#readingPaused && !this.#closing;
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return name in this.#extra ? this.#extra[name] : defaultValue;
  }

  #fatalError(error: unknown, message: string): void {
    const exc = toPythonError(error);
    if (!isOsError(exc)) this.#report(message, exc);
    this.#forceClose(exc);
  }

  #forceClose(exc: unknown): void {
    if (this.#connLost > 0) return;
    this.#chunks = [];
    this.#bufferSize = 0;
    this.#closing = true;
    this.#resumeRead?.();
    this.#callConnectionLost(exc);
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
      await this.#pumpDone;
      while (this.#writing !== null) await this.#writing;
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

  /** The loop closed: close the socket, tell no one. */
  forceCloseSilently(): void {
    this.#closing = true;
    this.#connLost++;
    this.#chunks = [];
    this.#resumeRead?.();
    this.#closeConn();
  }

  /** `<SocketTransport peername=… sockname=…>`. */
  toString(): string {
    const state = this.#connClosed
      ? " closed"
      : this.#closing
      ? " closing"
      : "";
    return `<SocketTransport${state} peername=${
      JSON.stringify(this.#extra.peername)
    } sockname=${JSON.stringify(this.#extra.sockname)}>`;
  }
}
