/**
 * `StreamWriter`: the writing end of a stream, as `asyncio.StreamWriter`.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { type AbstractEventLoop, inspect } from "../loop/events.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable, Future } from "../tasks/future.ts";
import { sleep } from "../tasks/sleep.ts";
import { MUST_WAIT, Op, type QuickMethod, QuickOp } from "../tasks/_op.ts";
import { SocketTransport } from "./_socket_transport.ts";
import {
  checkHandshakeTimeout,
  checkShutdownTimeout,
  checkSsl,
} from "./_checks.ts";
import { checkOptions } from "../exceptions/checks.ts";
import type { SslClientOptions } from "../loop/transports.ts";
import type { StreamReader } from "./stream_reader.ts";
import type { Transport } from "../loop/transports.ts";

/** Options for `StreamWriter.startTls()`. */
export interface StartTlsOptions {
  /**
   * The name the server's certificate is checked against (and sent in
   * SNI). Defaults to the host the stream was opened to.
   *
   * @default {null}
   */
  serverHostname?: string | null;
  /**
   * How long the TLS handshake may take, in seconds, before the connection
   * is aborted (`ConnectionAbortedError`).
   *
   * @default {60}
   */
  sslHandshakeTimeout?: number | null;
  /**
   * asyncio's bound on the wait for the peer's TLS close, in seconds.
   * Checked and kept for ported code: closing never waits for the peer here
   * (Deno sends its close and lets go).
   *
   * @default {30}
   */
  sslShutdownTimeout?: number | null;
}

/** What a writer needs of its stream protocol. */
export interface WriterProtocol {
  /** Wait while the transport's buffer is over the high-water mark. */
  drainHelper(): Generator<unknown, void, unknown>;
  /** Whether `drainHelper()` would return at once (connected, not paused). */
  canWrite(): boolean;
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
    if (
      data === null || typeof data !== "object" ||
      typeof (data as Iterable<Uint8Array>)[Symbol.iterator] !== "function"
    ) {
      throw new TypeError(
        `writelines: data must be an iterable of Uint8Array, got ${
          describe(data)
        }`,
      );
    }
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
   * opened (or upgraded by `startTls`) with (`{}` for `ssl: true`), `null`
   * otherwise.
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
    return new QuickOp(this, undefined, StreamWriter.#DRAIN);
  }

  static #DRAIN: QuickMethod<StreamWriter, undefined, void> = {
    name: "StreamWriter.drain",
    now: StreamWriter.#drainNow,
    make: (writer) => writer.#drain(),
  };

  /** What `drain()` does without a wait (the common case), or `MUST_WAIT`. */
  static #drainNow(writer: StreamWriter): undefined | typeof MUST_WAIT {
    const exc = writer.#reader?.exception() ?? null;
    if (exc !== null) throw exc;
    if (writer.#transport.isClosing() || !writer.#protocol.canWrite()) {
      return MUST_WAIT;
    }
    return undefined;
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

  /**
   * Upgrade an existing stream-based connection to TLS, as asyncio's
   * `StreamWriter.start_tls`: the client side of STARTTLS. Once the write
   * buffer is flushed, the TLS handshake is done on the connection
   * (`Deno.startTls`); later reads and writes go through TLS, and the bytes
   * already in the reader's buffer stay there, read first.
   * `getExtraInfo("sslcontext")` is then `ssl` (`{}` for `true`).
   *
   * Call it once the peer's go-ahead is read, with no task waiting in a read
   * and no write until it returns. A Deno read cannot be cancelled (and
   * `Deno.startTls` fails while one is pending), so the stream reads only
   * while the reader asks for data or leaves some unconsumed, and
   * `startTls` raises `RuntimeError` while a read is in progress.
   *
   * A failed handshake closes the connection and raises its error
   * (`SSLCertVerificationError` for a certificate that is not trusted or
   * not valid for the name, as `openConnection` raises), which the reader and `waitClosed()` raise
   * too; a handshake longer than `sslHandshakeTimeout` raises
   * `ConnectionAbortedError`; a cancelled `startTls` closes the connection,
   * as asyncio's does. (With a silent peer, Deno keeps the socket of a
   * handshake in progress open until the peer closes it; no Deno resource
   * is left.) Deno has no server-side upgrade: on a stream of
   * `startServer`, and on a stream already over TLS, `RuntimeError` is
   * raised. Needs `--allow-net`.
   *
   * @param ssl `true` for the default settings (the system's root
   * certificates), or the settings (`{ caCerts }`), as `openConnection`'s
   * `ssl` option.
   * @param options `serverHostname` (default: the host connected to, where
   * asyncio requires one) and `sslHandshakeTimeout` in seconds (default 60).
   * @returns Awaitable with `await` and `yield*`; done once the handshake is.
   * @throws {RuntimeError} On a server's stream, a TLS one, a Unix socket,
   * or while a read is in progress.
   * @throws {ConnectionAbortedError} If the handshake takes too long.
   * @throws {ConnectionResetError} If the connection is lost or closing.
   *
   * @example A STARTTLS client (declared, not run: it needs a server)
   * ```ts
   * import { openConnection } from "@asyncio/deno";
   * async function secureHello(caCert: string): Promise<string> {
   *   const [reader, writer] = await openConnection("localhost", 8025);
   *   await reader.readLine(); // the greeting
   *   writer.write(new TextEncoder().encode("STARTTLS\r\n"));
   *   await reader.readLine(); // "220 Ready to start TLS"
   *   await writer.startTls({ caCerts: [caCert] });
   *   writer.write(new TextEncoder().encode("EHLO me\r\n"));
   *   const reply = new TextDecoder().decode(await reader.readLine());
   *   writer.close();
   *   await writer.waitClosed();
   *   return reply;
   * }
   * console.log(typeof secureHello); // function
   * ```
   */
  startTls(
    ssl: true | SslClientOptions,
    options: StartTlsOptions = {},
  ): Awaitable<void> {
    const api = "StreamWriter.startTls";
    if (ssl !== true && (ssl === null || typeof ssl !== "object")) {
      throw new TypeError(
        `${api}: ssl must be true or an object, got ${describe(ssl)}`,
      );
    }
    const sslcontext = checkSsl(api, "ssl", ssl)!;
    checkOptions(api, options, [
      "serverHostname",
      "sslHandshakeTimeout",
      "sslShutdownTimeout",
    ]);
    const serverHostname = options.serverHostname ?? null;
    if (serverHostname !== null && typeof serverHostname !== "string") {
      throw new TypeError(
        `${api}: options.serverHostname must be a string, got ${
          describe(serverHostname)
        }`,
      );
    }
    const timeout = checkHandshakeTimeout(api, options.sslHandshakeTimeout);
    checkShutdownTimeout(api, options.sslShutdownTimeout);
    return new Op(
      this.#startTls(sslcontext, serverHostname, timeout),
      "StreamWriter.startTls",
    );
  }

  *#startTls(
    ssl: SslClientOptions,
    serverHostname: string | null,
    timeout: number,
  ): CoroutineGenerator<void> {
    yield* this.#drain();
    const transport = this.#transport;
    if (!(transport instanceof SocketTransport)) {
      throw new TypeError(
        `transport ${transport} is not supported by start_tls()`,
      );
    }
    yield* transport.startTls(
      ssl,
      serverHostname,
      timeout,
      "StreamWriter.startTls",
    );
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
