/**
 * `openConnection()`: connect to a TCP server, as
 * `asyncio.open_connection`.
 *
 * @module
 */
import { describe } from "../loop/_runtime.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable } from "../tasks/future.ts";
import { Op } from "../tasks/_op.ts";
import { SocketTransport, toPythonError } from "./_socket_transport.ts";
import { StreamProtocol } from "./_stream_protocol.ts";
import { checkLimit, checkPort } from "./_checks.ts";
import { DEFAULT_LIMIT, StreamReader } from "./stream_reader.ts";
import { StreamWriter } from "./stream_writer.ts";

/** Options for `openConnection()`. */
export interface OpenConnectionOptions {
  /**
   * The buffer limit of the reader, in bytes.
   *
   * @default {65536}
   */
  limit?: number;
}

function settleConnect(
  fut: { done(): boolean; setResult(c: Deno.Conn): void },
  conn: Deno.Conn,
): void {
  if (fut.done()) {
    conn.close(); // the connecting task was cancelled
    return;
  }
  try {
    fut.setResult(conn);
  } catch {
    conn.close(); // the loop is closed
  }
}

/**
 * Establish a TCP connection and return a `[reader, writer]` pair, as
 * `asyncio.open_connection`. The reader is a `StreamReader` with the given
 * limit, the writer a `StreamWriter`. Deno's errors are raised under
 * Python's names (`ConnectionRefusedError`, …). Needs `--allow-net`.
 *
 * @param host The host name or address to connect to.
 * @param port The port to connect to.
 * @param options The reader's buffer limit.
 * @returns `[reader, writer]`, awaitable with `await` and `yield*`.
 * @throws {ConnectionRefusedError} If nothing listens there.
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
  if (typeof host !== "string") {
    throw new TypeError(
      `openConnection: host must be a string, got ${describe(host)}`,
    );
  }
  checkPort("openConnection", port);
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `openConnection: options must be an object, got ${describe(options)}`,
    );
  }
  const limit = checkLimit("openConnection", options.limit ?? DEFAULT_LIMIT);
  return new Op(
    connect(getEventLoop(), host, port, limit),
    "openConnection",
  );
}

function* connect(
  loop: AbstractEventLoop,
  host: string,
  port: number,
  limit: number,
): CoroutineGenerator<[StreamReader, StreamWriter]> {
  const fut = loop.createFuture<Deno.Conn>();
  Deno.connect({ hostname: host, port }).then(
    (conn) => settleConnect(fut, conn),
    (error) => {
      if (fut.done()) return;
      try {
        fut.setException(toPythonError(error));
      } catch {
        // the loop is closed
      }
    },
  );
  const conn = yield* fut;
  const reader = new StreamReader(limit, loop);
  const protocol = new StreamProtocol(reader, null, loop);
  const transport = new SocketTransport(loop, conn, protocol);
  const writer = new StreamWriter(transport, protocol, reader, loop);
  return [reader, writer];
}
