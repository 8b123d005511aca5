/**
 * `createConnection()` and `createServer()`: asyncio's protocol layer over
 * TCP (`loop.create_connection`, `loop.create_server`), on the same socket
 * transport as the streams; this module also installs the Unix socket
 * variants (`create_unix_connection.ts`), the UDP endpoint
 * (`loop.create_datagram_endpoint`, `create_datagram_endpoint.ts`) and
 * `loop.startTls` (`loop_start_tls.ts`).
 *
 * @module
 */
import { checkFunction, checkOptions } from "../exceptions/checks.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { installNetwork } from "../loop/_hooks.ts";
import type { DatagramProtocolLike, ProtocolLike } from "../loop/protocols.ts";
import type {
  ConnectionOptions,
  DatagramEndpointOptions,
  LoopStartTlsOptions,
  ServerOptions,
  Transport,
  UnixServerOptions,
} from "../loop/transports.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable } from "../tasks/future.ts";
import { Op } from "../tasks/_op.ts";
import { dialed, tcpDialer } from "./_dial.ts";
import { SocketTransport } from "./_socket_transport.ts";
import { UserProtocol } from "./_user_protocol.ts";
import { createDatagramEndpoint } from "./create_datagram_endpoint.ts";
import {
  createUnixConnection,
  createUnixServer,
} from "./create_unix_connection.ts";
import type { Server } from "./server.ts";
import { listen } from "./start_server.ts";
import { makeProtocol } from "./_make_protocol.ts";
import { startTls } from "./loop_start_tls.ts";

const CONNECTION_OPTIONS = [
  "ssl",
  "serverHostname",
  "sslHandshakeTimeout",
  "sslShutdownTimeout",
] as const;

/**
 * Connect to `host:port` and drive the protocol that `protocolFactory`
 * makes, as asyncio's `loop.create_connection`: return `[transport,
 * protocol]` once connected (`connectionMade` has run). Errors as
 * `openConnection`'s. Needs `--allow-net`.
 *
 * @param protocolFactory Makes the connection's protocol.
 * @param host The host to connect to.
 * @param port Its port.
 * @param options `ssl`, `serverHostname`, `sslHandshakeTimeout`.
 * @returns `[transport, protocol]`, awaitable with `await` and `yield*`.
 *
 * @example A client protocol (declared, not run: it needs a server)
 * ```ts
 * import { getRunningLoop, Protocol, type Transport } from "@asyncio/deno";
 * class Hello extends Protocol {
 *   override connectionMade(transport: Transport) {
 *     transport.write(new TextEncoder().encode("hello\n"));
 *   }
 *   override dataReceived(data: Uint8Array) {
 *     console.log(new TextDecoder().decode(data));
 *   }
 * }
 * async function hello() {
 *   const [transport] = await getRunningLoop().createConnection(
 *     () => new Hello(),
 *     "127.0.0.1",
 *     8888,
 *   );
 *   transport.close();
 * }
 * console.log(typeof hello); // function
 * ```
 */
export function createConnection<P extends ProtocolLike>(
  loop: AbstractEventLoop | null,
  protocolFactory: () => P,
  host: string,
  port: number,
  options: ConnectionOptions = {},
): Awaitable<[Transport, P]> {
  const api = "createConnection";
  checkFunction(api, "protocolFactory", protocolFactory);
  checkOptions(api, options, CONNECTION_OPTIONS);
  const { dial, ssl } = tcpDialer(api, host, port, options);
  return new Op(
    connect(loop ?? getEventLoop(), dial, ssl, host, protocolFactory),
    api,
  );
}

function* connect<P extends ProtocolLike>(
  loop: AbstractEventLoop,
  dial: () => Promise<Deno.Conn>,
  ssl: object | null,
  host: string,
  protocolFactory: () => P,
): CoroutineGenerator<[Transport, P]> {
  const conn = yield* dialed(loop, dial, ssl !== null);
  let user: P;
  try {
    user = makeProtocol(protocolFactory);
  } catch (error) {
    conn.close();
    throw error;
  }
  const transport = new SocketTransport(
    loop,
    conn,
    new UserProtocol(user),
    null,
    ssl,
    host,
  );
  return [transport, user];
}

/**
 * Listen on `host:port` and drive a new protocol from `protocolFactory`
 * for each client, as asyncio's `loop.create_server`: return the `Server`
 * (the same as `startServer`'s). Needs `--allow-net`.
 *
 * @param protocolFactory Makes each client's protocol.
 * @param host The address to listen on, or `null` for all.
 * @param port The port, 0 for any free one.
 * @param options As `startServer`'s: `ssl`, `reusePort`, `backlog`,
 * `startServing`, `sslHandshakeTimeout`.
 * @returns The `Server`, awaitable with `await` and `yield*`.
 *
 * @example An echo server (declared, not run: it needs the network)
 * ```ts
 * import { getRunningLoop, Protocol, type Transport } from "@asyncio/deno";
 * class Echo extends Protocol {
 *   transport: Transport | null = null;
 *   override connectionMade(transport: Transport) {
 *     this.transport = transport;
 *   }
 *   override dataReceived(data: Uint8Array) {
 *     this.transport!.write(data);
 *   }
 * }
 * async function serve() {
 *   const server = await getRunningLoop().createServer(() => new Echo(), "127.0.0.1", 8888);
 *   await server.serveForever();
 * }
 * console.log(typeof serve); // function
 * ```
 */
export function createServer(
  loop: AbstractEventLoop | null,
  protocolFactory: () => ProtocolLike,
  host: string | null,
  port: number,
  options: ServerOptions = {},
): Awaitable<Server> {
  checkFunction("createServer", "protocolFactory", protocolFactory);
  if ("limit" in (options ?? {})) {
    throw new TypeError('createServer: unknown option "limit"');
  }
  return listen(
    "createServer",
    loop ?? getEventLoop(),
    () => new UserProtocol(makeProtocol(protocolFactory)),
    host,
    port,
    options,
  );
}

installNetwork({
  createConnection: (loop, factory, host, port, options) =>
    createConnection(
      loop as AbstractEventLoop,
      factory as () => ProtocolLike,
      host as string,
      port as number,
      options as ConnectionOptions,
    ),
  createServer: (loop, factory, host, port, options) =>
    createServer(
      loop as AbstractEventLoop,
      factory as () => ProtocolLike,
      host as string | null,
      port as number,
      options as ServerOptions,
    ),
  createDatagramEndpoint: (loop, factory, options) =>
    createDatagramEndpoint(
      loop as AbstractEventLoop,
      factory as () => DatagramProtocolLike,
      options as DatagramEndpointOptions,
    ),
  createUnixConnection: (loop, factory, path, options) =>
    createUnixConnection(
      loop as AbstractEventLoop,
      factory as () => ProtocolLike,
      path as string,
      options as Record<string, never>,
    ),
  createUnixServer: (loop, factory, path, options) =>
    createUnixServer(
      loop as AbstractEventLoop,
      factory as () => ProtocolLike,
      path as string,
      options as UnixServerOptions,
    ),
  startTls: (loop, transport, protocol, sslcontext, options) =>
    startTls(
      loop as AbstractEventLoop,
      transport,
      protocol,
      sslcontext,
      options as LoopStartTlsOptions,
    ),
});
