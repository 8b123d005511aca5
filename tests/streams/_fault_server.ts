/**
 * The server the fault suite (`faults_test.ts`) runs as its own process: a
 * line echo server on 127.0.0.1 that prints `port N` once it listens. A
 * client that sends `stats` gets one JSON line of the process's state (RSS
 * and heap after a garbage collection); `cpu`, its CPU time in ms; one that
 * sends `sleep` makes the loop also hold a 30-day sleep. SIGINT ends it
 * through `run()`'s cleanup, which prints `closed` after `serveForever()`.
 *
 * Permissions: `--allow-net=127.0.0.1 --v8-flags=--expose-gc`.
 *
 * @module
 */
import process from "node:process";
import {
  createTask,
  run,
  sleep,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../mod.ts";

const encoder = new TextEncoder();

/** The CPU time the process has used, in milliseconds. */
function cpuMs(): number {
  const cpu = process.cpuUsage();
  return (cpu.user + cpu.system) / 1000;
}

function stats(): string {
  (globalThis as { gc?: () => void }).gc?.();
  const memory = Deno.memoryUsage();
  return JSON.stringify({
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
  });
}

async function client(reader: StreamReader, writer: StreamWriter) {
  try {
    for (;;) {
      const line = await reader.readLine();
      if (line.length === 0) break;
      const text = new TextDecoder().decode(line).trim();
      if (text === "stats") writer.write(encoder.encode(stats() + "\n"));
      else if (text === "cpu") writer.write(encoder.encode(cpuMs() + "\n"));
      else if (text === "sleep") {
        createTask(sleep(30 * 24 * 3600));
        writer.write(encoder.encode("sleeping\n"));
      } else writer.write(line);
      await writer.drain();
    }
  } catch {
    // a client that resets
  } finally {
    writer.close();
  }
}

async function main() {
  const server = await startServer(client, "127.0.0.1", 0);
  const [, port] = server.sockets[0].getsockname() as [string, number];
  console.log(`port ${port}`);
  try {
    await server.serveForever();
  } finally {
    console.log("closed");
  }
}

await run(main());
