/**
 * `openConnection()`: connect to a TCP server, over TLS or not, as
 * `asyncio.open_connection`; and the connecting steps `openUnixConnection`
 * shares.
 *
 * @module
 */
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable } from "../tasks/future.ts";
import type { ConnectionOptions } from "../loop/transports.ts";
import { Op } from "../tasks/_op.ts";
import { SocketTransport } from "./_socket_transport.ts";
import { StreamProtocol } from "./_stream_protocol.ts";
import { dialed, tcpDialer } from "./_dial.ts";
import { checkLimit, checkOptions } from "../exceptions/checks.ts";
import { DEFAULT_LIMIT, StreamReader } from "./stream_reader.ts";
import { StreamWriter } from "./stream_writer.ts";

export type { SslClientOptions } from "../loop/transports.ts";

/** Options for `openConnection()`. */
export interface OpenConnectionOptions extends ConnectionOptions {
  /**
   * The buffer limit of the reader, in bytes.
   *
   * @default {65536}
   */
  limit?: number;
}

/** The keys of `openConnection`'s options. */
const OPTIONS = [
  "limit",
  "ssl",
  "serverHostname",
  "sslHandshakeTimeout",
  "sslShutdownTimeout",
] as const;

/**
 * Establish a TCP connection and return a `[reader, writer]` pair, as
 * `asyncio.open_connection`. The reader is a `StreamReader` with the given
 * limit, the writer a `StreamWriter`. With `ssl`, the connection is TLS
 * (`Deno.connectTls`) and the handshake is done before this returns.
 * Deno's errors are raised under Python's names, with `errno` and
 * `strerror`, as asyncio raises them (`[Errno 111] Connect call failed
 * ('127.0.0.1', 1)`; Deno's error is the `cause`). Needs `--allow-net`.
 *
 * @param host The host name or address to connect to.
 * @param port The port to connect to.
 * @param options The reader's buffer limit; `ssl` and `serverHostname`.
 * @returns `[reader, writer]`, awaitable with `await` and `yield*`.
 * @throws {ConnectionRefusedError} If nothing listens there (errno 111).
 * @throws {TimeoutError} If the connect timed out (errno 110).
 * @throws {gaierror} If `host` could not be resolved (errno -2, …).
 * @throws {OSError} For another system error (`errno` says which):
 * `ConnectionResetError`, `PermissionError`, `OSError` 101 (network
 * unreachable), ….
 * @throws {SSLError} With `ssl`, if the handshake failed
 * (`SSLCertVerificationError` for a certificate that is not trusted).
 * @throws {ConnectionAbortedError} With `ssl`, if the handshake took longer
 * than `sslHandshakeTimeout`.
 *
 * @example A client (declared, not run: it needs a server)
 * ```ts
 * import { openConnection } from "@asyncio/deno";
 * async function hello(): Promise<void> {
 *   const [reader, writer] = await openConnection("127.0.0.1", 8888);
 *   writer.write(new TextEncoder().encode("hello\n"));
 *   console.log(new TextDecoder().decode(await reader.readLine()));
 *   writer.close();
 *   await writer.waitClosed();
 * }
 * console.log(typeof hello); // function
 * ```
 */
export function openConnection(
  host: string,
  port: number,
  options: OpenConnectionOptions = {},
): Awaitable<[StreamReader, StreamWriter]> {
  checkOptions("openConnection", options, OPTIONS);
  const limit = checkLimit("openConnection", options.limit ?? DEFAULT_LIMIT);
  const { dial, ssl } = tcpDialer("openConnection", host, port, options);
  return new Op(
    openStream(getEventLoop(), dial, limit, ssl, host),
    "openConnection",
  );
}

/**
 * Open a stream over the connection `dial` makes (`openConnection`,
 * `openUnixConnection`): `[reader, writer]` once connected. `host` is the
 * host connected to, `startTls`'s default `serverHostname`.
 */
export function* openStream(
  loop: AbstractEventLoop,
  dial: () => Promise<Deno.Conn>,
  limit: number,
  sslcontext: object | null = null,
  host: string | null = null,
): CoroutineGenerator<[StreamReader, StreamWriter]> {
  const conn = yield* dialed(loop, dial, sslcontext !== null);
  const reader = new StreamReader(limit, loop);
  const protocol = new StreamProtocol(reader, null, loop);
  const transport = new SocketTransport(
    loop,
    conn,
    protocol,
    null,
    sslcontext,
    host,
  );
  const writer = new StreamWriter(transport, protocol, reader, loop);
  return [reader, writer];
}
