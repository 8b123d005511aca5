/**
 * The read pump of a socket transport: the only reader of its socket. It
 * reads into its buffer, hands what came to the protocol (`dataReceived`,
 * which wakes the reader's waiter) and decides when to read next. A task
 * cancelled while waiting for data cancels only its loop Future, never a
 * Deno read, so no byte is lost.
 *
 * How it works: it is demand-driven, on callbacks (no `async` function, no
 * promise of ours per read). It reads a loop turn after the start (so that
 * a `startTls` right after connecting finds no read pending), at once after
 * a read that filled its buffer (more is likely queued), when the reader
 * asks for data (`want()`, after the deferred send if one waits: what the
 * peer is to answer goes first), and, a loop turn after a delivery it did
 * not ask for, when the reader left bytes unconsumed (a slow reader: it
 * reads ahead, as asyncio's always does, until the reader's buffer passes
 * twice its limit and reading pauses). Otherwise it parks with nothing
 * pending, so that once the reader has taken the peer's last reply and
 * nobody waits in a read, no Deno read is pending, which `startTls` needs
 * (a pending Deno read cannot be cancelled, and `Deno.startTls` fails
 * while one is, losing the socket).
 *
 * Its buffer: a pending Deno read holds the buffer it reads into until
 * bytes come, so on an idle connection the buffer is most of what the pump
 * costs, and it cannot be shared (Deno fills it as the bytes come, and the
 * reads of several sockets can land in one turn). So its size follows what
 * comes: 1 KiB for the first read; after a read that filled it, four times
 * that (up to 64 KiB: more is likely queued); after one that did not,
 * twice what came, rounded up to a power of two, if that is smaller (at
 * least 256 bytes). Steady traffic keeps one buffer, a connection that
 * fell quiet keeps a small one, and a pump that has ended keeps none. The
 * buffer is reused across reads: what a read delivers is a view of it,
 * which the protocol copies.
 *
 * Its state is one field, `#state`; the transport's own state gates it
 * (the host's `handshaking`, `isClosing()`, `isReading()`):
 *
 * | state      | what the pump is doing                                   |
 * | ---------- | -------------------------------------------------------- |
 * | `IDLE`     | parked: nothing pending, no read due                     |
 * | `DUE`      | parked: a read-ahead is due, held by a gate              |
 * | `WANTED`   | parked: a read the reader asked for is due, held by the  |
 * |            | deferred send or a gate                                  |
 * | `READING`  | a Deno read is pending, reading ahead                    |
 * | `DEMANDED` | a Deno read is pending, asked for by the reader          |
 * | `ENDED`    | EOF, error or close: nothing reads anymore (final)       |
 *
 * Pausing, closing and a TLS handshake can come in any of these states (a
 * read stays pending while paused; `isReading()` still tells a pause after
 * the end), so they are gates, owned by the transport, not more states
 * here.
 *
 * Transitions (`–`: no change; "next" is `next()` below):
 *
 * | event                 | `IDLE`       | `DUE`, `WANTED`  | `READING`, `DEMANDED`   | `ENDED` |
 * | --------------------- | ------------ | ---------------- | ----------------------- | ------- |
 * | `want(deferred)` (1)  | `WANTED`; next unless deferred | same | –               | –       |
 * | read ahead (2)        | `DUE`; next  | –                | –                       | –       |
 * | `next()` (3)          | closing: `ENDED`; else –   | closing: `ENDED`; open: read, `READING` from `DUE`, `DEMANDED` from `WANTED`; else – | – | – |
 * | read lands, bytes     |              |                  | `IDLE`, deliver; buffer filled: `DUE`; else, from `READING`: read ahead a turn later if unconsumed; then next | |
 * | read lands, EOF       |              |                  | `eofReceived()`, `ENDED` |        |
 * | read lands, closing   |              |                  | `ENDED` (bytes dropped) |         |
 * | read or protocol fails|              |                  | `fail()` unless closing, `ENDED` |  |
 * | `end()` (4)           | `ENDED`      | `ENDED`          | (never)                 | –       |
 *
 * (1) `wantData()`, ignored while closing; deferred while a send waits for
 * its loop turn (the write loop calls `next()` after it). (2) The first
 * read a turn after `start()`, and the read-ahead a turn after an
 * unasked-for delivery left bytes unconsumed; ignored while closing or while
 * a `startTls` is under way (retried when it ends). (3) Called when a gate may have opened: the
 * deferred send went out, `resumeReading()`, `close()`, the end of a
 * handshake. Nothing moves while a handshake holds the socket (not even to
 * `ENDED`: `released()` waits for its Deno ops too); then, closing ends
 * the pump; paused parks it. (4) A TLS handshake failed, or the transport
 * closed during it.
 *
 * Invariants:
 * - At most one Deno read is pending (`READING`, `DEMANDED`), and only when
 *   no handshake has the socket; `end()` is never called while one is: the
 *   pump ends when the read lands.
 * - Every promise of a Deno read is awaited (`then(onRead, onReadError)`):
 *   no rejection is ever unhandled.
 * - `ENDED` is final; `whenEnded()` settles once it is reached.
 * - Per read, no allocation but Deno's promise and the delivered view (and
 *   the buffer when its size changes): the callbacks are bound once per
 *   pump, the loop callbacks are static.
 *
 * @module
 */
import { ioEnded, ioStarted } from "../loop/_io_in_flight.ts";
import { startOwnIo } from "../loop/_new_promise.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type { TransportProtocol } from "./_protocol.ts";

const FIRST_READ_SIZE = 1024;
const MIN_READ_SIZE = 256;
const MAX_READ_SIZE = 65536;
const EMPTY = new Uint8Array(0);

/**
 * The size of the read after one that got `n` bytes into `size` (see the
 * module's header).
 */
function nextReadSize(n: number, size: number): number {
  if (n === size) return Math.min(4 * size, MAX_READ_SIZE);
  let fit = MIN_READ_SIZE;
  while (fit < 2 * n) fit *= 2;
  return Math.min(fit, size);
}

const IDLE = 0;
const DUE = 1;
const WANTED = 2;
const READING = 3;
const DEMANDED = 4;
const ENDED = 5;
/** The pump's state (see the table in the module's header). */
type State =
  | typeof IDLE
  | typeof DUE
  | typeof WANTED
  | typeof READING
  | typeof DEMANDED
  | typeof ENDED;

/** What the pump needs of its transport. */
export interface ReadPumpHost {
  /** The socket (a `startTls` upgrade replaces it). */
  readonly conn: Deno.Conn;
  /** A TLS handshake has the socket: nothing else may read it. */
  readonly handshaking: boolean;
  /** A `startTls` is under way: it needs no read pending, so no read-ahead. */
  readonly upgrading: boolean;
  isClosing(): boolean;
  /** Reading is not paused (nor closing). */
  isReading(): boolean;
  /** Close on `error`, reported as `message` unless an `OSError`. */
  fail(error: unknown, message: string): unknown;
}

/** The read pump of one connection (see the module's header). */
export class ReadPump {
  readonly #loop: AbstractEventLoop;
  readonly #protocol: TransportProtocol;
  readonly #host: ReadPumpHost;
  #state: State = IDLE;
  /** Whether the pending read counts as I/O in flight (`#awaitedRead`). */
  #counted = false;
  /** What the pump reads into, allocated by the read that needs it. */
  #buf = EMPTY;
  /** The size of the next read (see the module's header). */
  #size = FIRST_READ_SIZE;
  #endSignal: PromiseWithResolvers<void> | null = null;

  constructor(
    loop: AbstractEventLoop,
    protocol: TransportProtocol,
    host: ReadPumpHost,
  ) {
    this.#loop = loop;
    this.#protocol = protocol;
    this.#host = host;
  }

  /** A Deno read is pending. */
  get reading(): boolean {
    return this.#state === READING || this.#state === DEMANDED;
  }

  /** The pump has ended (EOF, error or close): nothing reads anymore. */
  get ended(): boolean {
    return this.#state === ENDED;
  }

  /** Start reading: the first read a loop turn later. */
  start(): void {
    if (!this.#loop.isClosed()) this.#loop.callSoon(ReadPump.#firstRead, this);
    this.next();
  }

  /** The pump's next move, once a gate may have opened (see the header). */
  next(): void {
    const state = this.#state;
    if (state > WANTED) return; // a read pending, or ended
    const host = this.#host;
    if (host.handshaking) return;
    if (host.isClosing()) return this.end();
    if (state === IDLE || !host.isReading()) return; // parked
    this.#read(state === WANTED);
  }

  /**
   * The reader waits for data: a parked pump reads (after the deferred send
   * if `deferred`); a pending read will deliver, and the reader asks again
   * if that is not enough.
   */
  want(deferred: boolean): void {
    const state = this.#state;
    if (state > WANTED || this.#host.isClosing()) return;
    this.#state = WANTED;
    if (!deferred) this.next();
  }

  /** Let an idle pump read ahead, unless a `startTls` is under way. */
  #readAhead(): void {
    if (
      this.#state !== IDLE || this.#host.isClosing() || this.#host.upgrading
    ) return;
    this.#state = DUE;
    this.next();
  }

  /** A loop turn after the pump started: its first read. */
  static #firstRead(pump: ReadPump): void {
    pump.#readAhead();
  }

  /**
   * A loop turn after a delivery the reader did not ask for (its task has
   * had its step): if it left bytes unconsumed, it is slow or not reading
   * yet, so the pump reads ahead. A reader that took everything leaves the
   * pump parked until it asks for more.
   */
  static #readAheadIfUnread(pump: ReadPump): void {
    pump.readAheadIfWanted();
  }

  /**
   * Read ahead if the protocol wants it: after an unasked-for delivery, and
   * when a `startTls` ends (the read-ahead it held back).
   */
  readAheadIfWanted(): void {
    if (this.#protocol.readsAhead()) this.#readAhead();
  }

  /**
   * Count a read a reader awaits as I/O in flight (`_io_in_flight.ts`),
   * once, from its start to its settling, whatever the state is then.
   */
  #awaitedRead(pending: boolean): void {
    if (pending === this.#counted) return;
    this.#counted = pending;
    if (pending) ioStarted();
    else ioEnded();
  }

  #read(demanded: boolean): void {
    this.#state = demanded ? DEMANDED : READING;
    if (demanded) this.#awaitedRead(true);
    if (this.#buf.length !== this.#size) {
      this.#buf = new Uint8Array(this.#size);
    }
    startOwnIo(ReadPump.#startRead, ReadPump.#readNotStarted, this);
  }

  static #startRead(pump: ReadPump): void {
    pump.#host.conn.read(pump.#buf).then(pump.#onRead, pump.#onReadError);
  }

  static #readNotStarted(pump: ReadPump, error: unknown): void {
    pump.#onReadError(error);
  }

  #onRead = (n: number | null): void => {
    const demanded = this.#state === DEMANDED;
    this.#awaitedRead(false);
    this.#state = IDLE;
    // Closing: as asyncio removes the reader, later data is dropped.
    if (this.#host.isClosing()) return this.end();
    try {
      if (n === null) {
        this.#protocol.eofReceived();
        return this.end(); // the stream protocol keeps the transport open
      }
      const buf = this.#buf;
      this.#size = nextReadSize(n, buf.length);
      this.#protocol.dataReceived(buf.subarray(0, n));
      if (n === buf.length) {
        if (this.#state === IDLE) this.#state = DUE; // more is likely queued
      } else if (!demanded && !this.#loop.isClosed()) {
        // A waiting reader asks again once it has consumed what came.
        this.#loop.callSoon(ReadPump.#readAheadIfUnread, this);
      }
    } catch (error) {
      return this.#failed(error);
    }
    this.next();
  };

  #onReadError = (error: unknown): void => {
    this.#awaitedRead(false);
    this.#state = IDLE;
    this.#failed(error);
  };

  /** The read, or the protocol it delivered to, failed. */
  #failed(error: unknown): void {
    if (!this.#host.isClosing()) {
      this.#host.fail(error, "Fatal read error on socket transport");
    }
    this.end();
  }

  /** End the pump (EOF, error or close): nothing reads anymore. */
  end(): void {
    if (this.#state === ENDED) return;
    this.#state = ENDED;
    this.#buf = EMPTY;
    const signal = this.#endSignal;
    this.#endSignal = null;
    signal?.resolve();
  }

  /** Settles once the pump has ended (no Deno read pending). */
  whenEnded(): Promise<void> {
    if (this.#state === ENDED) return Promise.resolve();
    return (this.#endSignal ??= Promise.withResolvers()).promise;
  }
}
