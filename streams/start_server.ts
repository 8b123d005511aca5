/**
 * `startServer()`: start a TCP server, over TLS or not, as
 * `asyncio.start_server`.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable } from "../tasks/future.ts";
import type { ServerOptions } from "../loop/transports.ts";
import { Op } from "../tasks/_op.ts";
import { checkFunction } from "../exceptions/checks.ts";
import {
  type ClientConnectedCallback,
  streamProtocols,
} from "./_stream_protocol.ts";
import {
  checkBacklog,
  checkHandshakeTimeout,
  checkOnlyWithSsl,
  checkShutdownTimeout,
} from "./_checks.ts";
import { checkLimit, checkOptions, checkPort } from "../exceptions/checks.ts";
import { bindError } from "./_os_errors.ts";
import type { TransportProtocol } from "./_protocol.ts";
import { Server } from "./server.ts";
import { DEFAULT_LIMIT } from "./stream_reader.ts";

export type { ClientConnectedCallback } from "./_stream_protocol.ts";

export type { SslServerOptions } from "../loop/transports.ts";

/** Options for `startServer()`. */
export interface StartServerOptions extends ServerOptions {
  /**
   * The buffer limit of each client's reader, in bytes.
   *
   * @default {65536}
   */
  limit?: number;
}

/** The keys of `startServer`'s options. */
const OPTIONS = [
  "limit",
  "ssl",
  "reusePort",
  "backlog",
  "startServing",
  "sslHandshakeTimeout",
  "sslShutdownTimeout",
] as const;

/**
 * Start a socket server, as `asyncio.start_server`: `clientConnected(reader,
 * writer)` is called for each client with a `StreamReader` and a
 * `StreamWriter`, and runs as a Task (it may be a plain function, an `async`
 * function or a generator coroutine function). An exception it raises is
 * logged ('Unhandled exception in client_connected_cb') and its connection
 * closed; the server goes on. `host` of `null` listens on every interface;
 * `port` 0 picks a free port (see `server.sockets[0].getsockname()`).
 * Needs `--allow-net`.
 *
 * @param clientConnected The callback run for each client.
 * @param host The address to listen on, or `null` for all.
 * @param port The port, 0 for any free one.
 * @param options The reader's buffer limit, `ssl`, `reusePort`, `backlog`.
 * @returns The `Server`, awaitable with `await` and `yield*`.
 * @throws {OSError} If the address cannot be bound, as asyncio raises it:
 * `[Errno 98] error while attempting to bind on address ('127.0.0.1', 8080):
 * address already in use` (errno 98; 99 for an address that is not local;
 * a `PermissionError`, errno 13, for a port the process may not bind).
 * @throws {gaierror} If `host` could not be resolved (errno -2, …).
 *
 * @example An upper-casing echo server (declared, not run: it needs the network)
 * ```ts
 * import { type StreamReader, type StreamWriter, startServer } from "@asyncio/deno";
 * async function handle(reader: StreamReader, writer: StreamWriter) {
 *   for (;;) {
 *     const data = await reader.read(1024);
 *     if (data.length === 0) break;
 *     writer.write(data.map((b) => b >= 97 && b <= 122 ? b - 32 : b));
 *     await writer.drain();
 *   }
 *   writer.close();
 *   await writer.waitClosed();
 * }
 * async function main(): Promise<void> {
 *   const server = await startServer(handle, "127.0.0.1", 8888);
 *   await server.serveForever();
 * }
 * console.log(typeof main); // function
 * ```
 */
export function startServer(
  clientConnected: ClientConnectedCallback,
  host: string | null,
  port: number,
  options: StartServerOptions = {},
): Awaitable<Server> {
  checkFunction("startServer", "clientConnected", clientConnected);
  const limit = checkLimit("startServer", options?.limit ?? DEFAULT_LIMIT);
  const loop = getEventLoop();
  return listen(
    "startServer",
    loop,
    streamProtocols(loop, clientConnected, limit),
    host,
    port,
    options,
  );
}

/**
 * Check a TCP server's `host`, `port` and options, and listen, making each
 * client's protocol with `makeProtocol` (`startServer`'s streams,
 * `createServer`'s user protocols).
 */
export function listen(
  api: string,
  loop: AbstractEventLoop,
  makeProtocol: () => TransportProtocol,
  host: string | null,
  port: number,
  options: StartServerOptions,
): Awaitable<Server> {
  if (host !== null && typeof host !== "string") {
    throw new TypeError(
      `${api}: host must be a string or null, got ${describe(host)}`,
    );
  }
  checkPort(api, port);
  checkOptions(api, options, OPTIONS);
  checkBacklog(api, options.backlog);
  const ssl = options.ssl ?? null;
  if (
    ssl !== null &&
    (typeof ssl !== "object" || typeof ssl.cert !== "string" ||
      typeof ssl.key !== "string")
  ) {
    throw new TypeError(
      `${api}: options.ssl must be { cert, key } (PEM strings), got ${
        describe(ssl)
      }`,
    );
  }
  const handshakeTimeout = checkHandshakeTimeout(
    api,
    options.sslHandshakeTimeout,
  );
  checkShutdownTimeout(api, options.sslShutdownTimeout);
  checkOnlyWithSsl(options, ssl);
  return new Op(
    bind(loop, makeProtocol, host, port, handshakeTimeout, options),
    api,
  );
}

/** Binds retried, a macrotask apart, while the address is still in use. */
const BIND_RETRIES = 3;

/** Wait for Deno's next macrotask (a `setTimeout(0)`), as a loop Future. */
function* nextMacrotask(loop: AbstractEventLoop): CoroutineGenerator<void> {
  const fut = loop.createFuture<undefined>();
  const timer = setTimeout(() => {
    if (!fut.done()) fut.setResult(undefined);
  }, 0);
  try {
    yield* fut;
  } finally {
    clearTimeout(timer);
  }
}

function* bind(
  loop: AbstractEventLoop,
  makeProtocol: () => TransportProtocol,
  host: string | null,
  port: number,
  handshakeTimeout: number,
  options: StartServerOptions,
): CoroutineGenerator<Server> {
  const listenOptions: Deno.TcpListenOptions & { reusePort?: boolean } = {
    hostname: host ?? "0.0.0.0",
    port,
  };
  if (options.reusePort === true) listenOptions.reusePort = true;
  const ssl = options.ssl ?? null;
  let listener: Deno.Listener;
  for (let attempt = 0;; attempt++) {
    try {
      listener = ssl === null
        ? Deno.listen(listenOptions)
        : Deno.listenTls({ ...listenOptions, cert: ssl.cert, key: ssl.key });
      break;
    } catch (error) {
      if (
        !(error instanceof Deno.errors.AddrInUse) || attempt === BIND_RETRIES
      ) throw bindError(error, host ?? "0.0.0.0", port);
      // A server on this address closed in this turn (`close()`, then
      // `startServer` again): Deno frees its socket only once the accept it
      // had pending is dropped, a macrotask later. CPython rebinds at once.
      yield* nextMacrotask(loop);
    }
  }
  const server = new Server(
    loop,
    [listener],
    makeProtocol,
    ssl,
    handshakeTimeout,
  );
  if (options.startServing !== false) server.startServingNow();
  return server;
}
