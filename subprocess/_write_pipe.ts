/**
 * The write end of a child's stdin: the transport and the protocol under
 * the `Process`'s `stdin` `StreamWriter`, as asyncio's
 * `_UnixWritePipeTransport` with its `FlowControlMixin`; for
 * `loop.subprocessExec`, the `WriteTransport` of `getPipeTransport(0)`,
 * which tells its `WritePipeListener` (the subprocess transport) of its
 * flow control and its end.
 *
 * How it works: `write()` copies the bytes into a queue and never waits;
 * one `async` loop hands the queue to Deno's stream, a chunk at a time.
 * Above the high-water mark (64 KiB) `drain()` waits until the queue is
 * down to the low one. `close()` (or `writeEof()`) closes the pipe once the
 * queue is sent; `abort()` at once. A write that fails (the child exited:
 * `BrokenPipeError`) loses the pipe: the queue is dropped and `drain()`
 * raises the error. Writes after `close()` or the loss are dropped, and
 * from the fifth on logged (`logger.warning`), as asyncio's. `hangUp()` is
 * the child's exit: asyncio learns from the pipe that its reader is gone (a
 * `BrokenPipeError` if bytes were still buffered); Deno cannot, so the
 * subprocess transport says so.
 *
 * Invariants:
 * - Every Deno op is awaited inside a `try`: no rejection is unhandled.
 * - `closeWaiter()` settles once the pipe is closed or lost and no Deno
 *   write is pending; the listener's `connectionLost` is called then, once.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { ValueError } from "../exceptions/builtins.ts";
import {
  BrokenPipeError,
  ConnectionResetError,
} from "../exceptions/os_errors.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { logger } from "../loop/log.ts";
import { failWith, type Future } from "../tasks/future.ts";
import type { WriterProtocol } from "../streams/stream_writer.ts";
import type { Transport } from "../loop/transports.ts";
import { toPythonError } from "../streams/_os_errors.ts";
import { stateWord } from "../streams/_state_word.ts";

const DEFAULT_HIGH_WATER = 64 * 1024;
/** Writes dropped before they are logged, as asyncio's constant. */
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

/** Settle a loop future, unless it is done or its loop is closed. */
function settle(future: Future<undefined>, exc: unknown): void {
  if (future.done()) return;
  try {
    if (exc === null) future.setResult(undefined);
    else failWith(future, exc);
  } catch {
    // the loop is closed
  }
}

/** Who hears of a pipe's flow control and end (a subprocess transport). */
export interface WritePipeListener {
  /** The buffer went over the high-water mark. */
  pauseWriting(): void;
  /** It is down to the low-water mark again. */
  resumeWriting(): void;
  /** The pipe is closed (`null`) or lost (the error). */
  connectionLost(exc: unknown): void;
}

/** The stdin pipe of a child (see the module's header). */
export class WritePipe implements Transport, WriterProtocol {
  readonly #loop: AbstractEventLoop;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #pid: number;
  readonly #listener: WritePipeListener | null;
  #queue: Uint8Array[] = [];
  #size = 0;
  #writing = false;
  #closing = false;
  /**
   * asyncio's `_conn_lost`: 1 once closed with nothing queued or lost, then
   * one more per write dropped after that; past a few they are logged.
   */
  #connLost = 0;
  /** How the pipe was lost (`null`: closed cleanly); `undefined` while open. */
  #lost: unknown = undefined;
  #high = DEFAULT_HIGH_WATER;
  #low = DEFAULT_HIGH_WATER / 4;
  /** Over the high-water mark: `drain()` waits until down to the low one. */
  #paused = false;
  #drainWaiters: Future<undefined>[] = [];
  readonly #closed: Future<undefined>;

  constructor(
    loop: AbstractEventLoop,
    stream: WritableStream<Uint8Array>,
    pid: number,
    listener: WritePipeListener | null = null,
  ) {
    this.#loop = loop;
    this.#writer = stream.getWriter();
    this.#pid = pid;
    this.#listener = listener;
    this.#closed = loop.createFuture<undefined>();
  }

  write(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `data argument must be a bytes-like object, not '${describe(data)}'`,
      );
    }
    if (data.length === 0) return;
    if (this.#closing || this.#lost !== undefined) {
      // As asyncio's pipe transport: dropped, and past a few, logged.
      if (this.#connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
        logger.warning(
          "pipe closed by peer or os.write(pipe, data) raised exception.",
        );
      }
      this.#connLost++;
      return;
    }
    this.#queue.push(data.slice());
    this.#size += data.length;
    this.#maybePause();
    if (!this.#writing) this.#sendAll();
  }

  writelines(list: Iterable<Uint8Array>): void {
    for (const data of list) this.write(data);
  }

  async #sendAll(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && this.#lost === undefined) {
        const chunk = this.#queue.shift()!;
        await this.#writer.write(chunk);
        this.#size -= chunk.length;
        if (this.#paused && this.#size <= this.#low) {
          this.#paused = false;
          this.#wakeDrainers(null);
          this.#listener?.resumeWriting();
        }
      }
    } catch (error) {
      this.#writing = false;
      return this.#lose(toPythonError(error));
    }
    this.#writing = false;
    if (this.#closing && this.#lost === undefined) this.#closePipe();
  }

  async #closePipe(): Promise<void> {
    try {
      await this.#writer.close();
    } catch {
      // the child closed its end first: nothing was lost
    }
    this.#lose(null);
  }

  /** Over the high-water mark: `drain()` waits, the listener is told. */
  #maybePause(): void {
    if (this.#paused || this.#size <= this.#high) return;
    this.#paused = true;
    this.#listener?.pauseWriting();
  }

  /** The pipe is gone (`exc`, or `null` once closed): wake every waiter. */
  #lose(exc: unknown): void {
    if (this.#lost !== undefined) return;
    this.#lost = exc;
    if (!this.#closing || this.#connLost === 0) this.#connLost++;
    this.#closing = true;
    this.#queue = [];
    this.#size = 0;
    this.#paused = false;
    this.#wakeDrainers(exc ?? new ConnectionResetError("Connection lost"));
    if (!this.#writing) this.#released();
    else {
      const released = () => this.#released();
      this.#writer.closed.then(released, released);
    }
  }

  /** No Deno write is pending any more: the pipe's end is told. */
  #released(): void {
    settle(this.#closed, null);
    this.#listener?.connectionLost(this.#lost);
  }

  #wakeDrainers(exc: unknown): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const waiter of waiters) settle(waiter, exc);
  }

  /** Close the pipe once everything is sent (a child's end of input). */
  writeEof(): void {
    this.close();
  }

  canWriteEof(): boolean {
    return true;
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (!this.#writing) {
      this.#connLost++; // nothing queued: as asyncio's close()
      this.#closePipe();
    }
  }

  abort(): void {
    if (this.#lost !== undefined) return;
    this.#writer.abort().catch(() => {
      // already closed
    });
    this.#lose(null);
  }

  /**
   * Internal: the child has exited, nobody reads the pipe any more. Lose it
   * as asyncio's pipe transport does when its reader closes: cleanly if
   * everything was sent, with a `BrokenPipeError` if bytes were left.
   */
  hangUp(): void {
    if (this.#lost !== undefined) return;
    const left = this.#size > 0;
    this.#writer.abort().catch(() => {
      // already closed
    });
    this.#lose(left ? new BrokenPipeError() : null);
  }

  isClosing(): boolean {
    return this.#closing;
  }

  getWriteBufferSize(): number {
    return this.#size;
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
    this.#maybePause();
  }

  /** A write pipe does not read: nothing to pause. */
  pauseReading(): void {}

  /** A write pipe does not read: nothing to resume. */
  resumeReading(): void {}

  isReading(): boolean {
    return false;
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return name === "pid" ? this.#pid : defaultValue;
  }

  // WriterProtocol: what the StreamWriter asks of its protocol.

  canWrite(): boolean {
    return this.#lost === undefined && !this.#paused;
  }

  *drainHelper(): Generator<unknown, void, unknown> {
    if (this.#lost !== undefined) {
      throw this.#lost ?? new ConnectionResetError("Connection lost");
    }
    if (!this.#paused) return;
    const waiter = this.#loop.createFuture<undefined>();
    this.#drainWaiters.push(waiter);
    try {
      yield waiter;
    } finally {
      const i = this.#drainWaiters.indexOf(waiter);
      if (i >= 0) this.#drainWaiters.splice(i, 1);
    }
  }

  closeWaiter(): Future<undefined> {
    return this.#closed;
  }

  /** `<WritePipe pid=N>`, with its state. */
  toString(): string {
    const state = stateWord(this.#lost !== undefined, this.#closing);
    return `<WritePipe${state} pid=${this.#pid} bufsize=${this.#size}>`;
  }
}
