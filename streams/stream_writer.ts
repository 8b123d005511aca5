/**
 * `StreamWriter`: the writing end of a stream, as `asyncio.StreamWriter`.
 *
 * @module
 */
import { type AbstractEventLoop, inspect } from "../loop/events.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable, Future } from "../tasks/future.ts";
import { sleep } from "../tasks/sleep.ts";
import { Op } from "../tasks/_op.ts";
import type { StreamReader } from "./stream_reader.ts";
import type { Transport } from "./transport.ts";

/** What a writer needs of its stream protocol. */
export interface WriterProtocol {
  /** Wait while the transport's buffer is over the high-water mark. */
  drainHelper(): Generator<unknown, void, unknown>;
  /** The future done once the socket is released. */
  closeWaiter(): Future<undefined>;
}

/**
 * The writing end of a stream, as `asyncio.StreamWriter`: a wrapper of a
 * transport. `write` buffers and never waits; `drain()` waits while the
 * buffer is over the high-water mark (64 KiB) and raises the connection's
 * error; `close()` then `waitClosed()` release the socket.
 *
 * Writers are made by `openConnection` and `startServer`.
 *
 * @example An echo client (declared, not run: it needs a server)
 * ```ts
 * import { openConnection } from "@asyncio/deno";
 * async function echo(message: string): Promise<string> {
 *   const [reader, writer] = await openConnection("127.0.0.1", 8888);
 *   writer.write(new TextEncoder().encode(message + "\n"));
 *   await writer.drain();
 *   const line = await reader.readLine();
 *   writer.close();
 *   await writer.waitClosed();
 *   return new TextDecoder().decode(line);
 * }
 * console.log(typeof echo); // function
 * ```
 */
export class StreamWriter {
  #transport: Transport;
  #protocol: WriterProtocol;
  #reader: StreamReader | null;
  #loop: AbstractEventLoop;

  /**
   * Made by `openConnection` and `startServer`.
   *
   * @param transport The transport written to.
   * @param protocol The stream's protocol.
   * @param reader The reading end of the same stream, if any.
   * @param loop The loop its waits belong to.
   */
  constructor(
    transport: Transport,
    protocol: WriterProtocol,
    reader: StreamReader | null,
    loop: AbstractEventLoop,
  ) {
    this.#transport = transport;
    this.#protocol = protocol;
    this.#reader = reader;
    this.#loop = loop;
  }

  /** The underlying transport. */
  get transport(): Transport {
    return this.#transport;
  }

  /**
   * Write bytes to the stream: they are buffered, never waited for; follow
   * with `await writer.drain()`.
   *
   * @param data The bytes to send.
   */
  write(data: Uint8Array): void {
    this.#transport.write(data);
  }

  /**
   * Write a list (or any iterable) of byte arrays to the stream.
   *
   * @param data The chunks to send, in order.
   */
  writelines(data: Iterable<Uint8Array>): void {
    this.#transport.writelines(data);
  }

  /** Close the write end of the stream once the buffer is flushed. */
  writeEof(): void {
    this.#transport.writeEof();
  }

  /** Return `true` if the transport supports `writeEof()`. */
  canWriteEof(): boolean {
    return this.#transport.canWriteEof();
  }

  /** Close the stream (once the buffer is flushed); see `waitClosed()`. */
  close(): void {
    this.#transport.close();
  }

  /** Return `true` if the stream is closed or is being closed. */
  isClosing(): boolean {
    return this.#transport.isClosing();
  }

  /**
   * Wait until the stream is closed and its socket released. Raises the
   * connection's error if it was lost to one.
   */
  waitClosed(): Awaitable<void> {
    return new Op(this.#waitClosed(), "StreamWriter.waitClosed");
  }

  *#waitClosed(): CoroutineGenerator<void> {
    yield* this.#protocol.closeWaiter();
  }

  /**
   * Return optional transport information: `"peername"` and `"sockname"`
   * as `[host, port]` (for a Unix socket, the path, `""` when unnamed, as
   * CPython), and `"sslcontext"`: for a TLS stream the `ssl` option it was
   * opened with (`{}` for `ssl: true`), `null` otherwise.
   *
   * @param name What to return.
   * @param defaultValue What to return when there is no such information.
   */
  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return this.#transport.getExtraInfo(name, defaultValue);
  }

  /**
   * Wait until it is appropriate to resume writing to the stream: while the
   * write buffer is over the high-water mark. Raises the connection's error
   * (`ConnectionResetError` once the connection is lost).
   */
  drain(): Awaitable<void> {
    return new Op(this.#drain(), "StreamWriter.drain");
  }

  *#drain(): CoroutineGenerator<void> {
    const reader = this.#reader;
    if (reader !== null) {
      const exc = reader.exception();
      if (exc !== null) throw exc;
    }
    if (this.#transport.isClosing()) {
      // Let connectionLost() run, as asyncio: then drain raises.
      yield* sleep(0);
    }
    yield* this.#protocol.drainHelper();
  }

  /** The loop the writer belongs to. */
  getLoop(): AbstractEventLoop {
    return this.#loop;
  }

  /** `<StreamWriter transport=… reader=…>`, as CPython's repr. */
  toString(): string {
    const info = [`StreamWriter transport=${this.#transport}`];
    if (this.#reader !== null) info.push(`reader=${this.#reader}`);
    return `<${info.join(" ")}>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}
