/**
 * The socket transport under a stream: one read pump and one write loop per
 * connection over a `Deno.Conn`, as asyncio's `_SelectorSocketTransport`.
 *
 * Invariants:
 * - One read pump per connection (`#pump`) reads into the reader's
 *   buffer (through the protocol) and wakes its waiter; a task cancelled
 *   while waiting for data cancels only its loop Future, never a Deno read,
 *   so no byte is lost. The pump stops while reading is paused.
 * - The pump is demand-driven: it reads a loop turn after the start, at
 *   once after a read that filled its buffer, when the reader asks for data
 *   (`wantData()`; after the deferred send, if one waits), and, a loop turn
 *   after a delivery it did not ask for, when the reader left bytes
 *   unconsumed (a slow reader: reading ahead up to the pause at twice the
 *   limit, as asyncio's). Otherwise it parks. So once the reader has taken
 *   the peer's last reply and nobody waits in a read, no Deno read is
 *   pending, which `startTls` needs (a pending Deno read cannot be
 *   cancelled, and `Deno.startTls` fails while one is, losing the socket).
 * - `startTls` hands the upgrade to the parked pump, which runs
 *   `Deno.startTls` and the handshake and then reads from the TLS
 *   connection: the pump stays the only reader, and `released()` waits for
 *   the upgrade's Deno ops too.
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
import { closeHooks } from "../loop/_hooks.ts";
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { RuntimeError, ValueError } from "../exceptions/builtins.ts";
import {
  ConnectionAbortedError,
  ConnectionResetError,
  OSError,
} from "../exceptions/os_errors.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { failWith, type Future, schedule } from "../tasks/future.ts";
import type { SslClientOptions } from "./open_connection.ts";
import { toPythonError } from "./_os_errors.ts";
import type { Transport } from "./transport.ts";

/** What the transport calls, as asyncio's `Protocol`. */
export interface Protocol {
  connectionMade(transport: SocketTransport): void;
  dataReceived(data: Uint8Array): void;
  /** The bytes received and not yet consumed (the pump reads ahead then). */
  bufferedSize(): number;
  eofReceived(): void;
  connectionLost(exc: unknown): void;
  pauseWriting(): void;
  resumeWriting(): void;
  /** The socket is closed and no Deno op is pending. */
  released(): void;
}

/** What a server counts of its connections. */
export interface ConnectionOwner {
  /** How long a TLS client's handshake may take, in seconds. */
  readonly sslHandshakeTimeout: number;
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

/** Deno's options for a client TLS connection checked against `hostname`. */
export function clientTlsOptions(
  hostname: string,
  ssl: SslClientOptions,
): Deno.StartTlsOptions {
  return ssl.caCerts === undefined
    ? { hostname }
    : { hostname, caCerts: ssl.caCerts };
}

/** A `startTls` request, run by the read pump. */
interface TlsUpgrade {
  ssl: SslClientOptions;
  hostname: string;
  /** The handshake timeout, in seconds. */
  timeout: number;
  /** Done when the upgrade is (or failed); what `startTls` waits on. */
  future: Future<undefined>;
}

function settle(future: Future<undefined>, exc: unknown): void {
  if (future.done()) return; // the waiting task was cancelled
  try {
    if (exc === null) future.setResult(undefined);
    else failWith(future, exc);
  } catch {
    // the loop is closed
  }
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

/** Whether an error is an `OSError` in asyncio's sense (not logged). */
function isOsError(error: unknown): boolean {
  return error instanceof OSError ||
    Object.values(Deno.errors).some((cls) => error instanceof cls);
}

const FIRST_READ_SIZE = 4096;
const MAX_READ_SIZE = 65536;
const JOIN_LIMIT = 65536;
const MIN_BLOCK = 1024;
const MAX_BLOCK = 16 * 1024;
const MAX_BLOCK_WRITE = 4096;
const EMPTY = new Uint8Array(0);
const DEFAULT_HIGH_WATER = 64 * 1024;
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

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
  /** What the pump reads into; it grows after full reads. */
  #buf = new Uint8Array(FIRST_READ_SIZE);
  /** The last read filled the buffer: read again at once (more is likely). */
  #readAtOnce = false;
  /** The pending read was asked for by the reader (`wantData()`). */
  #readWasDemanded = false;
  /** The reader asked for data while no read was pending. */
  #readWanted = false;
  /** The reader itself asked (`wantData()`): it consumes what comes. */
  #readDemanded = false;
  /** A Deno read is pending. */
  #readPending = false;
  /** The pump has ended (EOF, error or close): nothing reads anymore. */
  #pumpEnded = false;
  /** The host connected to: `startTls`'s default server name. */
  #host: string | null;
  /** The `startTls` request the pump is to run. */
  #upgrade: TlsUpgrade | null = null;
  #upgrading = false;
  /**
   * A TLS handshake runs in the pump's place (a TLS server connection's
   * first, or a `startTls` upgrade): its Deno ops are pending.
   */
  #tlsBusy = false;
  #pumpEndSignal: PromiseWithResolvers<void> | null = null;
  /**
   * What is queued for sending: copies, never the caller's arrays; then the
   * block's open run (`#block[#blockStart:#blockUsed]`).
   */
  #chunks: Uint8Array[] = [];
  /**
   * Small writes are copied into this block, one after the other and never
   * over each other (what is queued or in flight stays as it is), so that
   * they cost no allocation each; a run of them is queued as one chunk when
   * it is sent or something else is queued after it. Once everything is
   * sent, the next writes fill it again from the start (it stays warm).
   */
  #block = EMPTY;
  #blockStart = 0;
  #blockUsed = 0;
  #bufferSize = 0;
  /** The write loop is running: a Deno write is pending or about to be. */
  #writing = false;
  /** The write loop waits for `#sendSoon`; so does a read asked for meanwhile. */
  #sendDeferred = false;
  /** The chunk being sent, and how much of it Deno has taken. */
  #inFlight: Uint8Array | null = null;
  #sent = 0;
  #writeIdleSignal: PromiseWithResolvers<void> | null = null;
  #high = DEFAULT_HIGH_WATER;
  #low = DEFAULT_HIGH_WATER / 4;
  #protocolPaused = false;
  #released = false;
  #connClosed = false;

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
    protocol: Protocol,
    owner: ConnectionOwner | null = null,
    sslcontext: object | null = null,
    host: string | null = null,
  ) {
    this.#loop = loop;
    this.#conn = conn;
    this.#host = host;
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
      this.#handshakeThenRead(conn as Deno.TlsConn);
    } else {
      protocol.connectionMade(this);
      this.#startPump();
    }
  }

  /** A TLS server connection: the handshake, then the pump. */
  async #handshakeThenRead(conn: Deno.TlsConn): Promise<void> {
    this.#tlsBusy = true;
    const ready = await this.#serverHandshake(conn);
    this.#tlsBusy = false;
    if (ready) this.#startPump();
    else this.#endPump();
  }

  /** The handshake, then `connectionMade`; whether to go on reading. */
  async #serverHandshake(conn: Deno.TlsConn): Promise<boolean> {
    const timer = abortAfter(this.#owner!.sslHandshakeTimeout, (error) => {
      this.#forceClose(error);
    });
    try {
      await conn.handshake();
    } catch (error) {
      if (!this.#closing) this.#fatalError(error, "SSL handshake failed");
      return false;
    } finally {
      clearTimeout(timer);
    }
    if (this.#closing) return false;
    try {
      this.#protocol.connectionMade(this);
    } catch (error) {
      this.#fatalError(
        error,
        "Error on transport creation for incoming connection",
      );
      return false;
    }
    return true;
  }

  /**
   * The read pump: the only reader of the socket, run on callbacks. It
   * reads a loop turn after the start (so that a `startTls` right after
   * connecting finds no read pending), at once after a read that filled its
   * buffer (more is likely queued), and otherwise when the reader asks for
   * data (`wantData()`) or has left data unconsumed (`#readAheadIfUnread`);
   * else it parks, with nothing pending, until something calls `#pump()`
   * again. It parks while reading is paused. Parked is not paused:
   * `isReading()` stays true. Once closing, it ends; handed a `startTls`
   * upgrade, it runs it and goes on reading from the TLS connection.
   */
  #startPump(): void {
    if (!this.#loop.isClosed()) {
      this.#loop.callSoon(SocketTransport.#firstRead, this);
    }
    this.#pump();
  }

  /** The pump's next move (see `#startPump`). */
  #pump(): void {
    if (this.#pumpEnded || this.#readPending || this.#tlsBusy) return;
    if (this.#closing) return this.#endPump();
    const upgrade = this.#upgrade;
    if (upgrade !== null) {
      this.#upgrade = null;
      this.#tlsBusy = true;
      this.#runUpgrade(upgrade).then((goOn) => {
        this.#tlsBusy = false;
        if (goOn) this.#pump();
        else this.#endPump();
      });
      return;
    }
    if (this.#readingPaused || !(this.#readAtOnce || this.#readWanted)) {
      return; // parked
    }
    this.#readWasDemanded = this.#readDemanded;
    this.#readAtOnce = this.#readWanted = this.#readDemanded = false;
    this.#readPending = true;
    let read: Promise<number | null>;
    try {
      read = this.#conn.read(this.#buf);
    } catch (error) {
      return this.#onReadError(error);
    }
    read.then(this.#onRead, this.#onReadError);
  }

  #onRead = (n: number | null): void => {
    this.#readPending = false;
    // Closing: as asyncio removes the reader, later data is dropped.
    if (this.#closing) return this.#endPump();
    try {
      if (n === null) {
        this.#protocol.eofReceived();
        return this.#endPump(); // the stream protocol keeps the transport open
      }
      const buf = this.#buf;
      this.#protocol.dataReceived(buf.subarray(0, n));
      if (n === buf.length) {
        this.#readAtOnce = true;
        if (buf.length < MAX_READ_SIZE) {
          this.#buf = new Uint8Array(buf.length * 2);
        }
      } else if (!this.#readWasDemanded && !this.#loop.isClosed()) {
        // A waiting reader asks again once it has consumed what came.
        this.#loop.callSoon(SocketTransport.#readAheadIfUnread, this);
      }
    } catch (error) {
      return this.#onReadError(error);
    }
    this.#pump();
  };

  #onReadError = (error: unknown): void => {
    this.#readPending = false;
    if (!this.#closing) {
      this.#fatalError(error, "Fatal read error on socket transport");
    }
    this.#endPump();
  };

  /** The pump has ended (EOF, error or close): nothing reads anymore. */
  #endPump(): void {
    if (this.#pumpEnded) return;
    this.#pumpEnded = true;
    const upgrade = this.#upgrade;
    this.#upgrade = null;
    if (upgrade !== null) {
      settle(upgrade.future, new ConnectionResetError("Connection lost"));
    }
    const signal = this.#pumpEndSignal;
    this.#pumpEndSignal = null;
    signal?.resolve();
  }

  /** Settles once the pump has ended (no Deno read or upgrade pending). */
  #whenPumpEnded(): Promise<void> {
    if (this.#pumpEnded) return Promise.resolve();
    return (this.#pumpEndSignal ??= Promise.withResolvers()).promise;
  }

  /**
   * A loop turn after a delivery (the reader's task has had its step): if
   * the reader left bytes unconsumed, it is slow or not reading yet, so the
   * parked pump reads ahead, as asyncio's always does, until the buffer
   * passes twice the limit and reading pauses. A reader that took
   * everything leaves the pump parked until it asks for more.
   */
  static #readAheadIfUnread(transport: SocketTransport): void {
    if (transport.#protocol.bufferedSize() > 0) transport.#readIfIdle();
  }

  /** A loop turn after the pump started: its first read. */
  static #firstRead(transport: SocketTransport): void {
    transport.#readIfIdle();
  }

  /** Let a parked pump read, unless a `startTls` is under way. */
  #readIfIdle(): void {
    if (
      this.#readPending || this.#readWanted || this.#closing ||
      this.#upgrading
    ) return;
    this.#readWanted = true;
    this.#pump();
  }

  /**
   * Internal: the reader waits for data. A parked pump reads; a pending
   * read will deliver (and the reader asks again if that is not enough).
   */
  wantData(): void {
    if (this.#readPending || this.#closing) return;
    this.#readWanted = this.#readDemanded = true;
    // A deferred send goes first (`#sendSoon` reads after it): it is what
    // the peer is to answer, and in Deno a read issued before the write it
    // waits on costs more.
    if (!this.#sendDeferred) this.#pump();
  }

  /**
   * `StreamWriter.startTls`: upgrade this client TCP connection to TLS once
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
  ): CoroutineGenerator<void> {
    if (this.#owner !== null) {
      throw new RuntimeError(
        "StreamWriter.startTls: Deno has no server-side TLS upgrade " +
          "(no Deno API upgrades an accepted connection); serve TLS with " +
          "startServer(…, { ssl }) instead",
      );
    }
    if ("sslcontext" in this.#extra) {
      throw new RuntimeError(
        `StreamWriter.startTls: transport ${this} is already TLS ` +
          "(Deno has no TLS over TLS)",
      );
    }
    if (this.#conn.remoteAddr.transport !== "tcp") {
      throw new RuntimeError(
        "StreamWriter.startTls: only a TCP connection can be upgraded " +
          `(Deno.startTls), got a ${this.#conn.remoteAddr.transport} socket`,
      );
    }
    if (this.#upgrading) {
      throw new RuntimeError(
        "StreamWriter.startTls: a TLS upgrade is already in progress",
      );
    }
    this.#upgrading = true;
    try {
      // The plain-text bytes go out before the handshake.
      while (this.#writing && !this.#closing) {
        yield* this.#writeIdle();
      }
      if (this.#closing || this.#pumpEnded) {
        throw new ConnectionResetError("Connection lost");
      }
      if (this.#readPending) {
        throw new RuntimeError(
          "StreamWriter.startTls: cannot start TLS while a read is in progress",
        );
      }
      const future = this.#loop.createFuture<undefined>();
      const hostname = serverHostname ?? this.#host ??
        (this.#extra.peername as [string, number])[0];
      this.#upgrade = { ssl, hostname, timeout, future };
      this.#pump();
      try {
        yield* future;
      } catch (error) {
        this.close(); // as asyncio: a failed or cancelled start_tls closes
        throw error;
      }
    } finally {
      this.#upgrading = false;
    }
  }

  /** A loop Future done once the current write loop has ended. */
  #writeIdle(): Future<undefined> {
    const future = this.#loop.createFuture<undefined>();
    this.#whenWriteIdle().then(() => settle(future, null));
    return future;
  }

  /**
   * Run a `startTls` upgrade in the pump (no read pending): `Deno.startTls`,
   * then the handshake under its timeout. Return whether to go on reading.
   */
  async #runUpgrade(upgrade: TlsUpgrade): Promise<boolean> {
    const { future, timeout } = upgrade;
    let aborted: ConnectionAbortedError | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const tls = await Deno.startTls(
        this.#conn as Deno.TcpConn,
        clientTlsOptions(upgrade.hostname, upgrade.ssl),
      );
      this.#conn = tls;
      if (this.#connClosed) {
        // Closed meanwhile: closing the TCP connection that Deno.startTls
        // had taken did nothing.
        tls.close();
        settle(future, new ConnectionResetError("Connection lost"));
        return false;
      }
      timer = abortAfter(timeout, (error) => {
        aborted = error;
        this.#forceClose(error);
      });
      await tls.handshake();
    } catch (error) {
      if (aborted !== null) settle(future, aborted);
      else if (this.#closing) {
        settle(future, new ConnectionResetError("Connection lost"));
      } else {
        settle(future, this.#fatalError(error, "SSL handshake failed"));
      }
      return false;
    } finally {
      clearTimeout(timer);
    }
    if (this.#closing) {
      settle(future, new ConnectionResetError("Connection lost"));
      return false;
    }
    this.#extra.sslcontext = upgrade.ssl;
    settle(future, null);
    return true;
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
    if (data.length <= MAX_BLOCK_WRITE) this.#copyToBlock(data);
    else {
      this.#queueRun();
      this.#chunks.push(data.slice());
    }
    this.#bufferSize += data.length;
    if (!this.#writing) this.#startWriting(data.length < JOIN_LIMIT);
    this.#maybePauseProtocol();
  }

  /** Queue a copy of a small write in the block (see `#block`). */
  #copyToBlock(data: Uint8Array): void {
    let block = this.#block;
    let at = this.#blockUsed;
    if (at + data.length > block.length) {
      // A new block, bigger each time up to a cap: an idle connection that
      // wrote little keeps little.
      const size = Math.min(
        MAX_BLOCK,
        Math.max(MIN_BLOCK, 2 * block.length, data.length),
      );
      this.#queueRun();
      block = this.#block = new Uint8Array(size);
      at = this.#blockStart = 0;
    }
    block.set(data, at);
    this.#blockUsed = at + data.length;
  }

  /** Queue the block's open run of small writes as one chunk. */
  #queueRun(): void {
    const start = this.#blockStart;
    const end = this.#blockUsed;
    if (end > start) {
      this.#chunks.push(this.#block.subarray(start, end));
      this.#blockStart = end;
    }
  }

  writelines(list: Iterable<Uint8Array>): void {
    for (const data of list) this.write(data);
  }

  /**
   * Start the write loop, which sends the buffer, one Deno write for all the
   * chunks queued meanwhile. After a small first `write()` it starts a loop
   * turn later (`defer`), so that the small writes of the rest of the task
   * step go out in the same syscall (a Deno write costs far more than a
   * copy), and those of the other tasks' steps right after it (sends spread
   * out cost more: each wakes a peer that went back to sleep); a big one
   * goes at once (waiting would only keep more bytes alive). It runs on
   * callbacks, not in an `async` function: a burst costs no promise of ours.
   */
  #startWriting(defer: boolean): void {
    this.#writing = true;
    if (defer && !this.#loop.isClosed()) {
      this.#sendDeferred = true;
      schedule(this.#loop, SocketTransport.#sendSoon, this);
    } else this.#sendNext();
  }

  static #sendSoon(transport: SocketTransport): void {
    transport.#sendDeferred = false;
    transport.#sendNext();
    transport.#pump(); // the read a reader asked for meanwhile
  }

  /** Send the next chunk, or end the write loop when none is left. */
  #sendNext(): void {
    this.#queueRun();
    if (this.#chunks.length === 0 || this.#connLost > 0) {
      return this.#writeEnded();
    }
    this.#inFlight = this.#takeChunks();
    this.#sent = 0;
    this.#sendRest();
  }

  /** Hand what is left of the chunk in flight to Deno. */
  #sendRest(): void {
    const data = this.#inFlight!;
    let written: Promise<number>;
    try {
      written = this.#conn.write(
        this.#sent === 0 ? data : data.subarray(this.#sent),
      );
    } catch (error) {
      return this.#onWriteError(error);
    }
    written.then(this.#onWritten, this.#onWriteError);
  }

  #onWritten = (n: number): void => {
    const data = this.#inFlight!;
    this.#sent += n;
    if (this.#sent < data.length && this.#connLost === 0) {
      return this.#sendRest();
    }
    this.#inFlight = null;
    if (this.#connLost > 0) return this.#writeEnded(); // aborted meanwhile
    this.#bufferSize -= data.length;
    this.#maybeResumeProtocol();
    this.#sendNext();
  };

  #onWriteError = (error: unknown): void => {
    this.#inFlight = null;
    this.#writeStopped();
    if (this.#connLost === 0) {
      this.#fatalError(error, "Fatal write error on socket transport");
    }
  };

  /** The buffer is sent: close or half-close if that was asked meanwhile. */
  #writeEnded(): void {
    this.#writeStopped();
    if (this.#closing) this.#callConnectionLost(null);
    else if (this.#eof) this.#shutdownWrite();
  }

  #writeStopped(): void {
    this.#writing = false;
    // Nothing queued or in flight: the block is free to fill again.
    if (this.#chunks.length === 0 && this.#blockStart === this.#blockUsed) {
      this.#blockStart = this.#blockUsed = 0;
    }
    const idle = this.#writeIdleSignal;
    this.#writeIdleSignal = null;
    idle?.resolve();
  }

  /** Settles once the write loop is not running (no Deno write pending). */
  #whenWriteIdle(): Promise<void> {
    if (!this.#writing) return Promise.resolve();
    return (this.#writeIdleSignal ??= Promise.withResolvers()).promise;
  }

  /**
   * The next bytes to send: the small chunks at the front joined, so that
   * they go in one syscall; a big one alone, not copied again.
   */
  #takeChunks(): Uint8Array {
    const chunks = this.#chunks;
    let n = 1;
    let total = chunks[0].length;
    while (n < chunks.length && total + chunks[n].length <= JOIN_LIMIT) {
      total += chunks[n++].length;
    }
    let data = chunks[0];
    if (n > 1) {
      data = new Uint8Array(total);
      for (let i = 0, at = 0; i < n; at += chunks[i++].length) {
        data.set(chunks[i], at);
      }
    }
    if (n === 1) chunks.shift(); // no array of the removed, as splice makes
    else chunks.splice(0, n);
    return data;
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
    if (!this.#writing) this.#shutdownWrite();
  }

  canWriteEof(): boolean {
    return true;
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#pump();
    if (!this.#writing) this.#callConnectionLost(null);
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
    this.#pump();
  }

  isReading(): boolean {
    return !this.#readingPaused && !this.#closing;
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return name in this.#extra ? this.#extra[name] : defaultValue;
  }

  /** Close on `error`, reported unless an `OSError`; return it as raised. */
  #fatalError(error: unknown, message: string): unknown {
    const tls = "sslcontext" in this.#extra || this.#upgrading;
    const exc = toPythonError(error, tls);
    if (!isOsError(exc)) this.#report(message, exc);
    this.#forceClose(exc);
    return exc;
  }

  #forceClose(exc: unknown): void {
    if (this.#connLost > 0) return;
    this.#chunks = [];
    this.#blockStart = this.#blockUsed;
    this.#bufferSize = 0;
    this.#closing = true;
    this.#pump();
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
      await this.#whenPumpEnded();
      while (this.#writing) await this.#whenWriteIdle();
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
    this.#blockStart = this.#blockUsed;
    this.#pump();
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
