/**
 * The tutorial's upper-case echo server under 500 clients at once: the
 * server answers one line per connection, upper-cased; each client sends a
 * line, reads the reply back and checks it.
 *
 * ```python
 * import asyncio
 *
 * async def handle(reader, writer):
 *     data = await reader.readline()
 *     writer.write(data.upper())
 *     await writer.drain()
 *     writer.close()
 *     await writer.wait_closed()
 *
 * async def client(port, i):
 *     reader, writer = await asyncio.open_connection("127.0.0.1", port)
 *     line = f"hello from client {i}\n".encode()
 *     writer.write(line)
 *     await writer.drain()
 *     reply = await reader.readline()
 *     writer.close()
 *     await writer.wait_closed()
 *     return reply == line.upper()
 *
 * async def main(n=500):
 *     server = await asyncio.start_server(handle, "127.0.0.1", 0)
 *     port = server.sockets[0].getsockname()[1]
 *     async with server:
 *         results = await asyncio.gather(*(client(port, i) for i in range(n)))
 *     served = sum(results)
 *     print(f"{served} clients served, {n - served} wrong replies")
 *
 * asyncio.run(main())
 * ```
 *
 * Python 3.11 prints:
 *
 * ```text
 * 500 clients served, 0 wrong replies
 * ```
 *
 * Run it with `deno run --allow-net=127.0.0.1 examples/upper_echo.ts
 * [CLIENTS]`.
 *
 * @module
 */
import {
  gather,
  openConnection,
  run,
  type RunOptions,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../mod.ts";
import { upper } from "./echo_server.ts";

/** Options of `main()`: those of the other examples, and the load. */
export interface UpperEchoOptions extends RunOptions {
  /**
   * How many clients connect at once.
   *
   * @default {500}
   */
  clients?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function handle(reader: StreamReader, writer: StreamWriter) {
  const data = await reader.readLine();
  writer.write(upper(data));
  await writer.drain();
  writer.close();
  await writer.waitClosed();
}

async function client(port: number, i: number): Promise<boolean> {
  const [reader, writer] = await openConnection("127.0.0.1", port);
  const line = `hello from client ${i}\n`;
  writer.write(encoder.encode(line));
  await writer.drain();
  const reply = decoder.decode(await reader.readLine());
  writer.close();
  await writer.waitClosed();
  return reply === line.toUpperCase();
}

async function upperEcho(n: number) {
  const server = await startServer(handle, "127.0.0.1", 0);
  const [, port] = server.sockets[0].getsockname() as [string, number];
  let results: boolean[];
  try {
    results = await gather(
      ...Array.from({ length: n }, (_, i) => client(port, i)),
    );
  } finally {
    server.close();
    await server.waitClosed();
  }
  const served = results.filter((ok) => ok).length;
  console.log(`${served} clients served, ${n - served} wrong replies`);
}

/**
 * Run the program with `options.clients` clients (500 by default);
 * `options.loopFactory` makes the loop it runs on.
 */
export async function main(options: UpperEchoOptions = {}): Promise<void> {
  const { clients = 500, ...runOptions } = options;
  await run(() => upperEcho(clients), runOptions);
}

if (import.meta.main) {
  await main({ clients: Number(Deno.args[0] ?? 500) });
}
