/**
 * The read end of a child's output: it feeds one or two Deno streams (a
 * child's stdout, and its stderr too for `stderr: STDOUT`) into a sink, as
 * asyncio's `_UnixReadPipeTransport` feeds its protocol: a `StreamReader`
 * (the stream form, `createSubprocessExec`, as asyncio's
 * `StreamReaderProtocol`), or the pipe's side of a `SubprocessTransport`
 * (`loop.subprocessExec`, `subprocess_transport.ts`).
 *
 * How it works: one `async` loop per source reads chunks and hands them to
 * the sink (`feedData`); a reader pauses it above twice its limit
 * (`pauseReading()`) and resumes it once drained, so a child writing faster
 * than the program reads is held by the pipe, not buffered without bound.
 * The sink gets its end of file once every source has ended; an error is
 * set on it under Python's name.
 *
 * Invariants:
 * - Every Deno read is awaited inside a `try`: no rejection is unhandled.
 * - `close()` cancels every source: no Deno read or resource is left once
 *   `whenClosed()` settles. After it the sink is told nothing more.
 *
 * @module
 */
import { toPythonError } from "../streams/_os_errors.ts";

/** What a read pipe feeds: a `StreamReader`'s methods of the same names. */
export interface ReadPipeSink {
  feedData(data: Uint8Array): void;
  feedEof(): void;
  setException(exc: unknown): void;
}

/** The pipe (or pipes) feeding one sink (see the module's header). */
export class ReadPipe {
  readonly #sink: ReadPipeSink;
  readonly #sources: ReadableStreamDefaultReader<Uint8Array>[];
  #open: number;
  #paused: PromiseWithResolvers<void> | null = null;
  #closed = false;
  readonly #done: Promise<unknown>;

  constructor(sink: ReadPipeSink, streams: ReadableStream<Uint8Array>[]) {
    this.#sink = sink;
    this.#sources = streams.map((stream) => stream.getReader());
    this.#open = this.#sources.length;
    this.#done = Promise.all(this.#sources.map((s) => this.#pump(s)));
  }

  async #pump(source: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    try {
      while (true) {
        if (this.#paused !== null) await this.#paused.promise;
        if (this.#closed) break;
        const { value, done } = await source.read();
        if (done || this.#closed) break;
        this.#sink.feedData(value);
      }
    } catch (error) {
      if (!this.#closed) this.#fail(error);
    } finally {
      source.releaseLock();
    }
    if (--this.#open === 0 && !this.#closed) {
      this.#feed(() => this.#sink.feedEof());
    }
  }

  #fail(error: unknown): void {
    this.#feed(() => this.#sink.setException(toPythonError(error)));
  }

  /** Tell the sink, unless its loop is closed (then nobody reads). */
  #feed(tell: () => void): void {
    try {
      tell();
    } catch {
      this.close(); // the loop is closed
    }
  }

  /** Stop reading for now (a reader's flow control, or the protocol's). */
  pauseReading(): void {
    this.#paused ??= Promise.withResolvers();
  }

  /** Go on reading. */
  resumeReading(): void {
    const paused = this.#paused;
    this.#paused = null;
    paused?.resolve();
  }

  /** Whether the pipe is being read. */
  isReading(): boolean {
    return this.#paused === null && !this.#closed && this.#open > 0;
  }

  /** Stop reading and release the pipes (the child's output is dropped). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const source of this.#sources) {
      source.cancel().catch(() => {
        // released already
      });
    }
    this.resumeReading();
  }

  /** Settles once every source has ended or been released. */
  whenClosed(): Promise<unknown> {
    return this.#done;
  }
}
