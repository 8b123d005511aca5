/**
 * The tutorial's echo server: it upper-cases whatever a client sends.
 *
 * ```python
 * import asyncio
 *
 * async def handle(reader, writer):
 *     while True:
 *         data = await reader.read(1024)
 *         if not data:
 *             break
 *         writer.write(data.upper())
 *         await writer.drain()
 *     writer.close()
 *     await writer.wait_closed()
 *
 * async def main(port):
 *     server = await asyncio.start_server(handle, "127.0.0.1", port)
 *     async with server:
 *         await server.serve_forever()
 * ```
 *
 * Run it with `deno run --allow-net=127.0.0.1 examples/echo_server.ts 8888`;
 * it serves on 127.0.0.1:8888 until killed.
 *
 * @module
 */
import {
  run,
  type Server,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";

/**
 * ASCII upper-case of bytes, as Python's `bytes.upper()`, but in place: the
 * bytes a read returns are the caller's, and an allocation per read would
 * cost more than the upper-casing.
 */
export function upper(data: Uint8Array): Uint8Array {
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b >= 0x61 && b <= 0x7a) data[i] = b - 0x20;
  }
  return data;
}

/** Serve one client: echo upper-cased until EOF. */
export async function handle(
  reader: StreamReader,
  writer: StreamWriter,
): Promise<void> {
  while (true) {
    const data = await reader.read(1024);
    if (data.length === 0) break;
    writer.write(upper(data));
    await writer.drain();
  }
  writer.close();
  await writer.waitClosed();
}

/** Start the echo server on `host`:`port` (0 for any free port). */
export function startEchoServer(
  host: string,
  port: number,
): PromiseLike<Server> {
  return startServer(handle, host, port);
}

async function main(port: number): Promise<void> {
  const server = await startEchoServer("127.0.0.1", port);
  console.log("Serving on", server.sockets[0].getsockname());
  await server.serveForever();
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8888);
  await run(main(port));
}
