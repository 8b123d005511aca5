/**
 * `createUnixConnection()` and `createUnixServer()`: asyncio's protocol
 * layer over Unix sockets (`loop.create_unix_connection`,
 * `loop.create_unix_server`), on the socket transport the streams use.
 * Deno has no TLS over a Unix socket, so neither takes `ssl`.
 *
 * @module
 */
import {
  checkFunction,
  checkOptions,
  checkPath,
} from "../exceptions/checks.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type { ProtocolLike } from "../loop/protocols.ts";
import type { Transport, UnixServerOptions } from "../loop/transports.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable } from "../tasks/future.ts";
import { Op } from "../tasks/_op.ts";
import { checkBacklog } from "./_checks.ts";
import { dialed } from "./_dial.ts";
import { makeProtocol } from "./_make_protocol.ts";
import { SocketTransport } from "./_socket_transport.ts";
import { UserProtocol } from "./_user_protocol.ts";
import type { Server } from "./server.ts";
import { listenUnix } from "./start_unix_server.ts";

/**
 * Connect to the Unix socket `path` and drive the protocol that
 * `protocolFactory` makes, as asyncio's `loop.create_unix_connection`:
 * `[transport, protocol]` once connected. Errors as `openUnixConnection`'s
 * (`FileNotFoundError` for no socket at `path`, `ConnectionRefusedError`
 * for one nobody listens on). Needs `--allow-net=unix:<path>`, or
 * `--allow-read` and `--allow-write` for the path on older Deno.
 */
export function createUnixConnection<P extends ProtocolLike>(
  loop: AbstractEventLoop,
  protocolFactory: () => P,
  path: string,
  options: Record<string, never> = {},
): Awaitable<[Transport, P]> {
  const api = "createUnixConnection";
  checkFunction(api, "protocolFactory", protocolFactory);
  checkPath(api, path);
  checkOptions(api, options, []);
  return new Op(connectUnix(loop, protocolFactory, path), api);
}

function* connectUnix<P extends ProtocolLike>(
  loop: AbstractEventLoop,
  protocolFactory: () => P,
  path: string,
): CoroutineGenerator<[Transport, P]> {
  const conn = yield* dialed(
    loop,
    () => Deno.connect({ transport: "unix", path }),
    false,
  );
  let user: P;
  try {
    user = makeProtocol(protocolFactory);
  } catch (error) {
    conn.close();
    throw error;
  }
  return [new SocketTransport(loop, conn, new UserProtocol(user)), user];
}

/**
 * Listen on the Unix socket `path` and drive a new protocol from
 * `protocolFactory` for each client, as asyncio's
 * `loop.create_unix_server`: the `Server` (as `startUnixServer`'s: a stale
 * socket file is removed first, and the file again at close).
 */
export function createUnixServer(
  loop: AbstractEventLoop,
  protocolFactory: () => ProtocolLike,
  path: string,
  options: UnixServerOptions = {},
): Awaitable<Server> {
  const api = "createUnixServer";
  checkFunction(api, "protocolFactory", protocolFactory);
  checkPath(api, path);
  checkOptions(api, options, ["backlog", "startServing"]);
  checkBacklog(api, options.backlog);
  return new Op(
    listenUnix(
      loop,
      () => new UserProtocol(makeProtocol(protocolFactory)),
      path,
      options,
    ),
    api,
  );
}
