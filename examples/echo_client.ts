/**
 * The tutorial's echo client, under load: N concurrent connections (500 by
 * default), each sending numbered lines for a few seconds and checking that
 * every reply is the line upper-cased.
 *
 * ```python
 * async def client(reader, writer, n, deadline, stats):
 *     i = 0
 *     while loop.time() < deadline:
 *         line = f"client {n} line {i}\n".encode()
 *         writer.write(line)
 *         await writer.drain()
 *         reply = await reader.readline()
 *         stats.requests += 1
 *         if reply != line.upper():
 *             stats.errors += 1
 *         i += 1
 *     writer.close()
 *     await writer.wait_closed()
 * ```
 *
 * Run it against `examples/echo_server.ts` with
 * `deno run --allow-net=127.0.0.1 examples/echo_client.ts PORT [CONNECTIONS] [SECONDS]`.
 *
 * @module
 */
import {
  createTask,
  gather,
  getRunningLoop,
  openConnection,
  run,
  sleep,
} from "../mod.ts";

/** What a load run counts. */
export interface EchoStats {
  /** Connections that were opened. */
  connections: number;
  /** Requests answered. */
  requests: number;
  /** Wrong replies, and connections that failed. */
  errors: number;
  /** The first few error descriptions. */
  messages: string[];
  /** Seconds the run took. */
  seconds: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Connection = Awaited<ReturnType<typeof openConnection>>;

function note(stats: EchoStats, message: string): void {
  stats.errors++;
  if (stats.messages.length < 5) stats.messages.push(message);
}

async function connect(
  host: string,
  port: number,
  n: number,
  stats: EchoStats,
): Promise<Connection | null> {
  try {
    const connection = await openConnection(host, port);
    stats.connections++;
    return connection;
  } catch (error) {
    note(stats, `client ${n}: ${error}`);
    return null;
  }
}

async function client(
  [reader, writer]: Connection,
  n: number,
  deadline: number,
  stats: EchoStats,
): Promise<void> {
  const loop = getRunningLoop();
  try {
    for (let i = 0; loop.time() < deadline; i++) {
      const line = `client ${n} line ${i}\n`;
      writer.write(encoder.encode(line));
      await writer.drain();
      const reply = decoder.decode(await reader.readLine());
      stats.requests++;
      if (reply !== line.toUpperCase()) {
        note(stats, `client ${n}: got ${JSON.stringify(reply)}`);
      }
    }
  } catch (error) {
    note(stats, `client ${n}: ${error}`);
  } finally {
    writer.close();
    try {
      await writer.waitClosed();
    } catch {
      // counted above
    }
  }
}

/**
 * Run `connections` clients against `host`:`port` for `seconds`, printing a
 * progress line every second; return the counts.
 */
export async function runClients(
  host: string,
  port: number,
  connections = 500,
  seconds = 3,
): Promise<EchoStats> {
  const loop = getRunningLoop();
  const stats: EchoStats = {
    connections: 0,
    requests: 0,
    errors: 0,
    messages: [],
    seconds: 0,
  };
  // Connect every client first: Deno 2.9 starves pending connects while
  // other connections are busy (measured with raw Deno too).
  const connected = await gather(
    ...Array.from(
      { length: connections },
      (_, n) => createTask(connect(host, port, n, stats)),
    ),
  );
  const start = loop.time();
  const deadline = start + seconds;
  const progress = createTask((async () => {
    for (;;) {
      await sleep(1);
      console.log(
        `  ${
          (loop.time() - start).toFixed(0)
        } s: ${stats.connections} connections, ${stats.requests} requests, ${stats.errors} errors`,
      );
    }
  })());
  const clients = [];
  for (let n = 0; n < connections; n++) {
    const connection = connected[n];
    if (connection !== null) {
      clients.push(createTask(client(connection, n, deadline, stats)));
    }
  }
  await gather(...clients);
  progress.cancel();
  try {
    await progress;
  } catch {
    // cancelled
  }
  stats.seconds = loop.time() - start;
  return stats;
}

/** Print the summary line of a run. */
export function printSummary(stats: EchoStats): void {
  const rate = stats.requests / stats.seconds;
  console.log(
    `${stats.connections} connections, ${stats.requests} requests in ${
      stats.seconds.toFixed(2)
    } s (${rate.toFixed(0)} requests/s), ${stats.errors} errors`,
  );
  for (const message of stats.messages) console.log(`  ${message}`);
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? 8888);
  const connections = Number(Deno.args[1] ?? 500);
  const seconds = Number(Deno.args[2] ?? 3);
  const stats = await run(runClients("127.0.0.1", port, connections, seconds));
  printSummary(stats);
  Deno.exit(stats.errors === 0 && stats.requests > 0 ? 0 : 1);
}
