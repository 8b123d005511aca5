/**
 * `StreamReader`: the buffered reading end of a stream, as
 * `asyncio.StreamReader`.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { type AbstractEventLoop, inspect } from "../loop/events.ts";
import { checkInteger } from "../exceptions/checks.ts";
import { getEventLoop } from "../loop/policy.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import {
  IncompleteReadError,
  LimitOverrunError,
} from "../exceptions/asyncio.ts";
import { RuntimeError, ValueError } from "../exceptions/builtins.ts";
import { type Awaitable, failWith, type Future } from "../tasks/future.ts";
import { MUST_WAIT, Op, type QuickMethod, QuickOp } from "../tasks/_op.ts";
import type { Transport } from "../loop/transports.ts";
import { ReadBuffer } from "./_read_buffer.ts";

/** The default buffer limit of readers, 64 KiB, as asyncio's `_DEFAULT_LIMIT`. */
export const DEFAULT_LIMIT = 2 ** 16;

/**
 * What a reader needs of its transport: flow control of reading, and
 * (internal, for a socket transport's demand-driven read pump) `wantData()`,
 * called when the reader starts waiting for data.
 */
type ReadFlowControl =
  & Pick<Transport, "pauseReading" | "resumeReading">
  & { wantData?(): void };

/** Internal: give a reader the transport it pauses, resumes and asks for data. */
export const kSetTransport: unique symbol = Symbol("setTransport");

const EMPTY = new Uint8Array(0);
const NEWLINE = new Uint8Array([0x0a]);

/**
 * The reading end of a stream, as `asyncio.StreamReader`: bytes arrive
 * through `feedData()` (the socket's read pump calls it) and are read with
 * `read`, `readLine`, `readUntil` and `readExactly`, which wait on a loop
 * Future, so cancelling the waiting task leaves the buffer intact. Reading
 * from the socket pauses while the buffer holds more than twice the limit.
 *
 * Only one task may wait for data at a time, as in asyncio.
 *
 * The bytes returned are the caller's and never change; reads of up to
 * 4 KiB are views of a buffer shared with earlier reads and with other
 * readers (as Node's `Buffer` pool), so use them with their `byteOffset` and
 * `length`, not their whole `.buffer`.
 *
 * @example Reading lines fed by hand
 * ```ts
 * import { run, StreamReader } from "@asyncio/deno";
 * await run(async () => {
 *   const reader = new StreamReader();
 *   reader.feedData(new TextEncoder().encode("hello\nworld\n"));
 *   reader.feedEof();
 *   for await (const line of reader) {
 *     console.log(new TextDecoder().decode(line).trimEnd()); // hello, world
 *   }
 *   console.log(reader.atEof()); // true
 * });
 * ```
 */
export class StreamReader implements AsyncIterable<Uint8Array> {
  #limit: number;
  #loop: AbstractEventLoop;
  /** The buffered bytes: small reads are views of it (`_read_buffer.ts`). */
  #buffer = new ReadBuffer();
  #eof = false;
  #waiter: Future<undefined> | null = null;
  #exception: unknown = null;
  #transport: ReadFlowControl | null = null;
  #paused = false;

  /**
   * Make a reader.
   *
   * @param limit The buffer limit in bytes: `readUntil` and `readLine` fail
   * past it, and reading from the socket pauses above twice it.
   * @param loop The loop its waits belong to.
   */
  constructor(
    limit: number = DEFAULT_LIMIT,
    loop: AbstractEventLoop | null = null,
  ) {
    checkInteger("StreamReader", "limit", limit);
    if (limit <= 0) throw new ValueError("Limit cannot be <= 0");
    this.#limit = limit;
    this.#loop = loop ?? getEventLoop();
  }

  /** The buffer limit, in bytes. */
  get limit(): number {
    return this.#limit;
  }

  /** The number of bytes in the buffer. */
  get bufferSize(): number {
    return this.#buffer.size;
  }

  /** Return the exception set with `setException()`, or `null`. */
  exception(): unknown {
    return this.#exception;
  }

  /**
   * Set an exception: the waiting reader (and every later read) raises it.
   *
   * @param exc The exception.
   */
  setException(exc: unknown): void {
    this.#exception = exc;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.cancelled()) failWith(waiter, exc);
    }
  }

  /** Internal: set the transport that `feedData` pauses. */
  [kSetTransport](
    transport:
      & Pick<Transport, "pauseReading" | "resumeReading">
      & { wantData?(): void },
  ): void {
    if (this.#transport !== null) {
      throw new RuntimeError("Transport already set");
    }
    this.#transport = transport;
  }

  #wakeupWaiter(): void {
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      if (!waiter.cancelled()) waiter.setResult(undefined);
    }
  }

  #maybeResumeTransport(): void {
    if (this.#paused && this.#buffer.size <= this.#limit) {
      this.#paused = false;
      this.#transport!.resumeReading();
    }
  }

  /** Signal the end of the stream: readers waiting for data wake up. */
  feedEof(): void {
    this.#eof = true;
    this.#wakeupWaiter();
  }

  /** Return `true` if the buffer is empty and `feedEof()` was called. */
  atEof(): boolean {
    return this.#eof && this.#buffer.size === 0;
  }

  /**
   * Append bytes to the buffer (a copy) and wake the waiting reader.
   *
   * @param data The bytes received.
   */
  feedData(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `feedData: data must be a Uint8Array, got ${describe(data)}`,
      );
    }
    if (this.#eof) throw new RuntimeError("feedData after feedEof");
    if (data.length === 0) return;
    this.#buffer.append(data);
    this.#wakeupWaiter();
    if (
      this.#transport !== null && !this.#paused &&
      this.#buffer.size > 2 * this.#limit
    ) {
      this.#paused = true;
      this.#transport.pauseReading();
    }
  }

  /**
   * Wait until `feedData()` or `feedEof()` is called, on a loop Future, so
   * that cancellation reaches it; the buffer is untouched by a cancel.
   */
  *#waitForData(funcName: string): CoroutineGenerator<void> {
    const waiter = this.#startWait(funcName);
    try {
      yield waiter; // waits as `yield*` would, with no iterator made
    } finally {
      this.#endWait(waiter);
    }
  }

  /** The start of `#waitForData`: the Future to wait on. */
  #startWait(funcName: string): Future<undefined> {
    if (this.#waiter !== null) {
      throw new RuntimeError(
        `${funcName}() called while another coroutine is already waiting for incoming data`,
      );
    }
    if (this.#eof) throw new RuntimeError("_wait_for_data after EOF");
    // Waiting for data while paused would deadlock: resume reading.
    if (this.#paused) {
      this.#paused = false;
      this.#transport!.resumeReading();
    }
    const waiter = this.#loop.createFuture<undefined>();
    this.#waiter = waiter;
    this.#transport?.wantData?.();
    return waiter;
  }

  /** The end of `#waitForData`, however the wait ended. */
  #endWait(waiter: Future<undefined>): void {
    if (this.#waiter === waiter) this.#waiter = null;
  }

  /**
   * Read a line, where "line" is a sequence of bytes ending with `\n`. At
   * EOF the partial line is returned (empty when the buffer is empty). If the
   * line is longer than the limit, `ValueError` is raised and the line is
   * dropped from the buffer (up to its `\n` if it was found, else the whole
   * buffer), as asyncio does.
   *
   * @returns The line, with its `\n`; empty at EOF.
   * @throws {ValueError} If the line overruns the limit.
   */
  readLine(): Awaitable<Uint8Array> {
    return new Op(this.#readLine(), "StreamReader.readLine");
  }

  *#readLine(): CoroutineGenerator<Uint8Array> {
    try {
      return yield* this.#readUntil(NEWLINE);
    } catch (error) {
      if (error instanceof IncompleteReadError) return error.partial;
      if (error instanceof LimitOverrunError) {
        this.#buffer.dropLine(error.consumed);
        this.#maybeResumeTransport();
        throw new ValueError(error.message);
      }
      throw error;
    }
  }

  /**
   * Read data until `separator` is found, and return it with the separator.
   * At EOF before the separator, `IncompleteReadError` is raised with the
   * buffer as `partial` (and the buffer is emptied). If no separator is found
   * within the limit, `LimitOverrunError` is raised and the data stays in the
   * buffer, so it can be read again.
   *
   * @param separator The bytes to look for (a string is UTF-8 encoded).
   * @returns The data, ending with the separator.
   * @throws {IncompleteReadError} At EOF before the separator.
   * @throws {LimitOverrunError} If the chunk exceeds the limit.
   */
  readUntil(separator: Uint8Array | string = NEWLINE): Awaitable<Uint8Array> {
    let sep: Uint8Array;
    if (typeof separator === "string") {
      sep = new TextEncoder().encode(separator);
    } else if (separator instanceof Uint8Array) {
      sep = separator.slice();
    } else {
      throw new TypeError(
        `readUntil: separator must be a Uint8Array or a string, got ${
          describe(separator)
        }`,
      );
    }
    if (sep.length === 0) {
      throw new ValueError("Separator should be at least one-byte string");
    }
    return new Op(this.#readUntil(sep), "StreamReader.readUntil");
  }

  *#readUntil(sep: Uint8Array): CoroutineGenerator<Uint8Array> {
    const seplen = sep.length;
    if (this.#exception !== null) throw this.#exception;
    let offset = 0;
    let isep: number;
    for (;;) {
      const buflen = this.#buffer.size;
      if (buflen - offset >= seplen) {
        isep = this.#buffer.find(sep, offset);
        if (isep !== -1) break;
        offset = buflen + 1 - seplen;
        if (offset > this.#limit) {
          throw new LimitOverrunError(
            "Separator is not found, and chunk exceed the limit",
            offset,
          );
        }
      }
      if (this.#eof) {
        throw new IncompleteReadError(this.#buffer.take(buflen), null);
      }
      yield* this.#waitForData("readuntil");
      if (this.#exception !== null) throw this.#exception;
    }
    if (isep > this.#limit) {
      throw new LimitOverrunError(
        "Separator is found, but chunk is longer than limit",
        isep,
      );
    }
    const chunk = this.#buffer.take(isep + seplen);
    this.#maybeResumeTransport();
    return chunk;
  }

  /**
   * Read up to `n` bytes; with `n` of -1 (the default), read until EOF. If
   * EOF was received and the buffer is empty, return an empty array. If `n`
   * is 0, return an empty array at once.
   *
   * @param n The maximum number of bytes, or -1 for everything up to EOF.
   * @returns The bytes read; empty at EOF.
   */
  read(n: number = -1): Awaitable<Uint8Array> {
    checkInteger("read", "n", n);
    return new QuickOp(this, n, StreamReader.#READ);
  }

  /**
   * `read(n)` as CPython's: it waits at most once, then returns what the
   * buffer holds, up to `n` bytes (empty if another reader took it all).
   * Reading to EOF (`n < 0`) is a loop of reads: the generator.
   */
  static #READ: QuickMethod<StreamReader, number, Uint8Array> = {
    name: "StreamReader.read",
    now: StreamReader.#readNow,
    make: (reader) => reader.#readToEof(),
    once: {
      start: (reader, n) => n < 0 ? null : reader.#startWait("read"),
      ended: (reader, _n, fut) => reader.#endWait(fut as Future<undefined>),
      outcome: (reader, n) => reader.#readBuffered(n),
    },
  };

  /** What `read(n)` returns without a wait, or `MUST_WAIT`. */
  static #readNow(
    reader: StreamReader,
    n: number,
  ): Uint8Array | typeof MUST_WAIT {
    if (reader.#exception !== null) throw reader.#exception;
    if (n === 0) return EMPTY.slice();
    if (n < 0 || (reader.#buffer.size === 0 && !reader.#eof)) {
      return MUST_WAIT;
    }
    return reader.#readBuffered(n);
  }

  /** Take up to `n` buffered bytes (none if the buffer is empty). */
  #readBuffered(n: number): Uint8Array {
    const size = this.#buffer.size;
    if (size === 0) return EMPTY.slice();
    const data = this.#buffer.take(Math.min(n, size));
    this.#maybeResumeTransport();
    return data;
  }

  /** `read(-1)`: reads of up to the limit until EOF, joined. */
  *#readToEof(): CoroutineGenerator<Uint8Array> {
    if (this.#exception !== null) throw this.#exception;
    const blocks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const block = yield* this.read(this.#limit);
      if (block.length === 0) break;
      blocks.push(block);
      total += block.length;
    }
    if (blocks.length === 1) return blocks[0];
    const out = new Uint8Array(total);
    let at = 0;
    for (const block of blocks) {
      out.set(block, at);
      at += block.length;
    }
    return out;
  }

  /**
   * Read exactly `n` bytes. At EOF before that, `IncompleteReadError` is
   * raised with the bytes read as `partial` (and the buffer is emptied).
   *
   * @param n The number of bytes to read.
   * @returns Exactly `n` bytes.
   * @throws {IncompleteReadError} At EOF before `n` bytes.
   * @throws {ValueError} If `n` is negative.
   */
  readExactly(n: number): Awaitable<Uint8Array> {
    checkInteger("readExactly", "n", n);
    if (n < 0) {
      throw new ValueError("readexactly size can not be less than zero");
    }
    return new Op(this.#readExactly(n), "StreamReader.readExactly");
  }

  *#readExactly(n: number): CoroutineGenerator<Uint8Array> {
    if (this.#exception !== null) throw this.#exception;
    if (n === 0) return EMPTY.slice();
    while (this.#buffer.size < n) {
      if (this.#eof) {
        throw new IncompleteReadError(this.#buffer.take(this.#buffer.size), n);
      }
      yield* this.#waitForData("readexactly");
      if (this.#exception !== null) throw this.#exception;
    }
    const data = this.#buffer.take(n);
    this.#maybeResumeTransport();
    return data;
  }

  /** Iterate over lines until EOF: `for await (const line of reader)`. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const line = await this.readLine();
      if (line.length === 0) return;
      yield line;
    }
  }

  /** `<StreamReader 5 bytes eof limit=10>`, as CPython's repr. */
  toString(): string {
    const info = ["StreamReader"];
    const size = this.#buffer.size;
    if (size > 0) info.push(`${size} bytes`);
    if (this.#eof) info.push("eof");
    if (this.#limit !== DEFAULT_LIMIT) info.push(`limit=${this.#limit}`);
    if (this.#waiter !== null) info.push("waiter");
    if (this.#exception !== null) info.push(`exception=${this.#exception}`);
    if (this.#transport !== null) info.push("transport");
    if (this.#paused) info.push("paused");
    return `<${info.join(" ")}>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}
