/**
 * The write loop of a socket transport: it sends the write buffer, one
 * Deno write for all the chunks queued meanwhile, and applies asyncio's flow
 * control (the protocol's `pauseWriting()` above the high-water mark,
 * `resumeWriting()` at or below the low one).
 *
 * How it works: it runs on callbacks, not in an `async` function, so a
 * burst costs no promise of ours. After a small first `write()` it starts a
 * loop turn later (`scheduled`), so that the small writes of the rest of
 * the task step go out in the same syscall (a Deno write costs far more
 * than a copy), and those of the other tasks' steps right after it (sends
 * spread out cost more: each wakes a peer that went back to sleep); a big
 * one goes at once (waiting would only keep more bytes alive). A read the
 * reader asks for meanwhile waits for that send (`readAfterSend()`): it is
 * what the peer is to answer, and in Deno a read issued before the write
 * it waits on costs more. When the buffer is empty the loop ends and tells
 * its host (`writeEnded()`), which closes or half-closes if that was asked
 * meanwhile.
 *
 * Invariants:
 * - At most one Deno write is pending, and only while `writing`.
 * - `size` counts every byte queued or in flight; a chunk counts until Deno
 *   has taken all of it.
 * - Every promise of a Deno write is awaited (`then(onWritten, onError)`):
 *   no rejection is ever unhandled. Once the host has lost its connection,
 *   nothing more is sent and a failed write is not reported.
 *
 * @module
 */
import { ioEnded, ioStarted } from "../loop/_io_in_flight.ts";
import { startOwnIo } from "../loop/_new_promise.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { ValueError } from "../exceptions/builtins.ts";
import { schedule } from "../tasks/future.ts";
import { WriteBuffer } from "./_write_buffer.ts";

/** A first write smaller than this waits a loop turn for the step's others. */
const DEFER_BELOW = 65536;
const DEFAULT_HIGH_WATER = 64 * 1024;

/** What the write loop needs of its transport. */
export interface WriteLoopHost {
  /** The socket (a `startTls` upgrade replaces it). */
  readonly conn: Deno.Conn;
  /** The connection is lost: nothing more is sent. */
  readonly lost: boolean;
  /** The buffer is sent and the loop has ended. */
  writeEnded(): void;
  /** Close on `error`, reported as `message` unless an `OSError`. */
  fail(error: unknown, message: string): unknown;
  /** A deferred send went out: the read the reader asked for meanwhile. */
  readAfterSend(): void;
  /** Call the protocol's `pauseWriting()` or `resumeWriting()`. */
  flowControl(method: "pauseWriting" | "resumeWriting"): void;
}

/** The write loop of one connection (see the module's header). */
export class WriteLoop {
  readonly #loop: AbstractEventLoop;
  readonly #host: WriteLoopHost;
  readonly #buffer = new WriteBuffer();
  #size = 0;
  #writing = false;
  #scheduled = false;
  /** The chunk being sent, and how much of it Deno has taken. */
  #inFlight: Uint8Array | null = null;
  #sent = 0;
  #idleSignal: PromiseWithResolvers<void> | null = null;
  #high = DEFAULT_HIGH_WATER;
  #low = DEFAULT_HIGH_WATER / 4;
  #protocolPaused = false;

  constructor(loop: AbstractEventLoop, host: WriteLoopHost) {
    this.#loop = loop;
    this.#host = host;
  }

  /** The bytes queued or in flight. */
  get size(): number {
    return this.#size;
  }

  /** The loop is running: a Deno write is pending or about to be. */
  get writing(): boolean {
    return this.#writing;
  }

  /** The loop waits for its loop turn (see the header). */
  get scheduled(): boolean {
    return this.#scheduled;
  }

  /** `[low, high]`, the flow-control water marks in bytes. */
  get limits(): [number, number] {
    return [this.#low, this.#high];
  }

  /** Queue a copy of `data` (not empty) and start the loop if idle. */
  write(data: Uint8Array): void {
    this.#buffer.push(data);
    this.#size += data.length;
    if (!this.#writing) this.#start(data.length < DEFER_BELOW);
    this.#maybePause();
  }

  /** asyncio's `set_write_buffer_limits`, defaults included. */
  setLimits(high: number | null, low: number | null): void {
    if (high === null) high = low === null ? DEFAULT_HIGH_WATER : 4 * low;
    if (low === null) low = Math.floor(high / 4);
    if (!(high >= low && low >= 0)) {
      throw new ValueError(
        `high (${high}) must be >= low (${low}) must be >= 0`,
      );
    }
    this.#high = high;
    this.#low = low;
    this.#maybePause();
  }

  /** Drop what is queued (the connection is lost). */
  clear(): void {
    this.#buffer.clear();
    this.#size = 0;
  }

  /** Settles once the loop is not running (no Deno write pending). */
  whenIdle(): Promise<void> {
    if (!this.#writing) return Promise.resolve();
    return (this.#idleSignal ??= Promise.withResolvers()).promise;
  }

  #start(defer: boolean): void {
    this.#writing = true;
    if (defer && !this.#loop.isClosed()) {
      this.#scheduled = true;
      schedule(this.#loop, WriteLoop.#sendScheduled, this);
    } else this.#sendNext();
  }

  static #sendScheduled(writer: WriteLoop): void {
    writer.#scheduled = false;
    writer.#sendNext();
    writer.#host.readAfterSend();
  }

  /** Send the next chunk, or end the loop when none is left. */
  #sendNext(): void {
    const data = this.#host.lost ? null : this.#buffer.take();
    if (data === null) {
      this.#stopped();
      return this.#host.writeEnded();
    }
    this.#inFlight = data;
    this.#sent = 0;
    ioStarted(); // until the chunk is sent (see _io_in_flight.ts)
    this.#sendRest();
  }

  /** Hand what is left of the chunk in flight to Deno. */
  #sendRest(): void {
    startOwnIo(WriteLoop.#startWrite, WriteLoop.#writeNotStarted, this);
  }

  static #startWrite(writer: WriteLoop): void {
    const data = writer.#inFlight!;
    const sent = writer.#sent;
    writer.#host.conn.write(sent === 0 ? data : data.subarray(sent))
      .then(writer.#onWritten, writer.#onError);
  }

  static #writeNotStarted(writer: WriteLoop, error: unknown): void {
    writer.#onError(error);
  }

  #onWritten = (n: number): void => {
    const data = this.#inFlight!;
    this.#sent += n;
    const lost = this.#host.lost;
    if (this.#sent < data.length && !lost) return this.#sendRest();
    this.#inFlight = null;
    ioEnded();
    if (lost) { // aborted meanwhile
      this.#stopped();
      return this.#host.writeEnded();
    }
    this.#size -= data.length;
    if (this.#protocolPaused && this.#size <= this.#low) {
      this.#protocolPaused = false;
      this.#host.flowControl("resumeWriting");
    }
    this.#sendNext();
  };

  #onError = (error: unknown): void => {
    if (this.#inFlight !== null) ioEnded();
    this.#inFlight = null;
    this.#stopped();
    if (!this.#host.lost) {
      this.#host.fail(error, "Fatal write error on socket transport");
    }
  };

  #stopped(): void {
    this.#writing = false;
    this.#buffer.sent();
    const idle = this.#idleSignal;
    this.#idleSignal = null;
    idle?.resolve();
  }

  #maybePause(): void {
    if (this.#size > this.#high && !this.#protocolPaused) {
      this.#protocolPaused = true;
      this.#host.flowControl("pauseWriting");
    }
  }
}
