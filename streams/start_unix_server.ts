/**
 * `startUnixServer()`: start a Unix socket server, as
 * `asyncio.start_unix_server`.
 *
 * @module
 */
import type { AbstractEventLoop } from "../loop/events.ts";
import { checkFunction } from "../exceptions/checks.ts";
import { getEventLoop } from "../loop/policy.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable } from "../tasks/future.ts";
import { Op } from "../tasks/_op.ts";
import {
  type ClientConnectedCallback,
  streamProtocols,
} from "./_stream_protocol.ts";
import { checkBacklog } from "./_checks.ts";
import { checkLimit, checkOptions, checkPath } from "../exceptions/checks.ts";
import { unixBindError } from "./_os_errors.ts";
import { Server } from "./server.ts";
import type { TransportProtocol } from "./_protocol.ts";
import { DEFAULT_LIMIT } from "./stream_reader.ts";

/** Options for `startUnixServer()`. */
export interface StartUnixServerOptions {
  /**
   * The buffer limit of each client's reader, in bytes.
   *
   * @default {65536}
   */
  limit?: number;
  /**
   * The listen backlog. Accepted for compatibility: Deno does not expose it
   * (it uses its own default).
   *
   * @default {100}
   */
  backlog?: number;
  /**
   * Start accepting connections at once.
   *
   * @default {true}
   */
  startServing?: boolean;
}

/** Remove a stale socket file at `path`, as asyncio does before binding. */
function removeStaleSocket(path: string): void {
  let isSocket: boolean | null;
  try {
    isSocket = Deno.lstatSync(path).isSocket;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (isSocket === true) Deno.removeSync(path);
}

/**
 * Start a Unix socket server, as `asyncio.start_unix_server`: as
 * `startServer`, `clientConnected(reader, writer)` runs as a Task for each
 * client, over `Deno.listen({ transport: "unix", path })`. A stale socket
 * file at `path` is removed first; the file is removed again when the server
 * closes (as `cleanup_socket=True` in Python 3.13). `server.sockets[0]
 * .getsockname()` and each client's `getExtraInfo("sockname")` are the
 * path. Needs `--allow-read`, `--allow-write` and `--allow-net=unix:<path>`
 * (absolute) for the path.
 *
 * @param clientConnected The callback run for each client.
 * @param path The path of the socket file to create.
 * @param options The reader's buffer limit, `backlog`, `startServing`.
 * @returns The `Server`, awaitable with `await` and `yield*`.
 * @throws {FileNotFoundError} If the directory of `path` does not exist
 * (`[Errno 2] No such file or directory`).
 * @throws {OSError} If `path` is taken by a file that is not a socket, as
 * asyncio raises it: `[Errno 98] Address '/tmp/echo.sock' is already in
 * use`; or another system error under its Python name (`PermissionError`,
 * errno 13, for a directory the process may not write).
 *
 * @example A Unix socket echo server (declared, not run: it needs the file system)
 * ```ts
 * import { type StreamReader, type StreamWriter, startUnixServer } from "@asyncio/deno";
 * async function handle(reader: StreamReader, writer: StreamWriter) {
 *   writer.write(await reader.readLine());
 *   writer.close();
 *   await writer.waitClosed();
 * }
 * async function main(): Promise<void> {
 *   const server = await startUnixServer(handle, "/tmp/echo.sock");
 *   await server.serveForever();
 * }
 * console.log(typeof main); // function
 * ```
 */
export function startUnixServer(
  clientConnected: ClientConnectedCallback,
  path: string,
  options: StartUnixServerOptions = {},
): Awaitable<Server> {
  checkFunction("startUnixServer", "clientConnected", clientConnected);
  checkPath("startUnixServer", path);
  checkOptions("startUnixServer", options, [
    "limit",
    "backlog",
    "startServing",
  ]);
  const limit = checkLimit("startUnixServer", options.limit ?? DEFAULT_LIMIT);
  checkBacklog("startUnixServer", options.backlog);
  return new Op(
    listenUnix(
      getEventLoop(),
      streamProtocols(getEventLoop(), clientConnected, limit),
      path,
      options,
    ),
    "startUnixServer",
  );
}

/**
 * Listen on the Unix socket `path`, making each client's protocol with
 * `makeProtocol` (`startUnixServer`'s streams, `loop.createUnixServer`'s
 * user protocols).
 */
// deno-lint-ignore require-yield
export function* listenUnix(
  loop: AbstractEventLoop,
  makeProtocol: () => TransportProtocol,
  path: string,
  options: { startServing?: boolean },
): CoroutineGenerator<Server> {
  let listener: Deno.Listener;
  try {
    removeStaleSocket(path);
    listener = Deno.listen({ transport: "unix", path });
  } catch (error) {
    throw unixBindError(error, path);
  }
  const server = new Server(loop, [listener], makeProtocol);
  if (options.startServing !== false) server.startServingNow();
  return server;
}
