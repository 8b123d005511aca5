/**
 * `openUnixConnection()`: connect to a Unix socket server, as
 * `asyncio.open_unix_connection`.
 *
 * @module
 */
import { getEventLoop } from "../loop/policy.ts";
import type { Awaitable } from "../tasks/future.ts";
import { Op } from "../tasks/_op.ts";
import { checkLimit, checkOptions, checkPath } from "../exceptions/checks.ts";
import { openStream } from "./open_connection.ts";
import { DEFAULT_LIMIT, type StreamReader } from "./stream_reader.ts";
import type { StreamWriter } from "./stream_writer.ts";

/** Options for `openUnixConnection()`. */
export interface OpenUnixConnectionOptions {
  /**
   * The buffer limit of the reader, in bytes.
   *
   * @default {65536}
   */
  limit?: number;
}

/** `Deno.connect` to a Unix socket; `openStream` maps its errors. */
async function dialUnix(path: string): Promise<Deno.Conn> {
  return await Deno.connect({ transport: "unix", path });
}

/**
 * Establish a Unix socket connection and return a `[reader, writer]` pair,
 * as `asyncio.open_unix_connection`: the same streams as `openConnection`
 * gives, over `Deno.connect({ transport: "unix", path })`.
 * `getExtraInfo("peername")` is the path. Deno's errors are raised under
 * Python's names, with `errno` and `strerror`, as asyncio raises them
 * (Deno's error is the `cause`). Needs `--allow-read`, `--allow-write` and
 * `--allow-net=unix:<path>` (absolute) for the path.
 *
 * @param path The path of the socket file.
 * @param options The reader's buffer limit.
 * @returns `[reader, writer]`, awaitable with `await` and `yield*`.
 * @throws {FileNotFoundError} If no socket file is at `path`
 * (`[Errno 2] No such file or directory`).
 * @throws {ConnectionRefusedError} If nothing listens on the file
 * (`[Errno 111] Connection refused`).
 * @throws {PermissionError} If the process may not open it (errno 13).
 *
 * @example A Unix socket client (declared, not run: it needs a server)
 * ```ts
 * import { openUnixConnection } from "@asyncio/deno";
 * async function hello(path: string): Promise<void> {
 *   const [reader, writer] = await openUnixConnection(path);
 *   writer.write(new TextEncoder().encode("hello\n"));
 *   console.log(new TextDecoder().decode(await reader.readLine()));
 *   writer.close();
 *   await writer.waitClosed();
 * }
 * console.log(typeof hello); // function
 * ```
 */
export function openUnixConnection(
  path: string,
  options: OpenUnixConnectionOptions = {},
): Awaitable<[StreamReader, StreamWriter]> {
  checkPath("openUnixConnection", path);
  checkOptions("openUnixConnection", options, ["limit"]);
  const limit = checkLimit(
    "openUnixConnection",
    options.limit ?? DEFAULT_LIMIT,
  );
  return new Op(
    openStream(getEventLoop(), () => dialUnix(path), limit),
    "openUnixConnection",
  );
}
