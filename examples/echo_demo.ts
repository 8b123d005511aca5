/**
 * The echo demo: starts the upper-casing echo server in-process on
 * 127.0.0.1 (a free port), runs 500 concurrent clients against it for about
 * 3 seconds, prints the summary and exits 0 only if every reply was right.
 *
 * Run it with `deno run --allow-net=127.0.0.1 examples/echo_demo.ts
 * [CONNECTIONS] [SECONDS]`.
 *
 * @module
 */
import { run } from "../mod.ts";
import { printSummary, runClients } from "./echo_client.ts";
import { startEchoServer } from "./echo_server.ts";

async function main(connections: number, seconds: number): Promise<boolean> {
  const server = await startEchoServer("127.0.0.1", 0);
  const [host, port] = server.sockets[0].getsockname() as [string, number];
  console.log(
    `Echo server on ${host}:${port}; ${connections} clients for ${seconds} s`,
  );
  try {
    const stats = await runClients(host, port, connections, seconds);
    printSummary(stats);
    return stats.errors === 0 && stats.requests > 0 &&
      stats.connections === connections;
  } finally {
    server.close();
    await server.waitClosed();
  }
}

if (import.meta.main) {
  const connections = Number(Deno.args[0] ?? 500);
  const seconds = Number(Deno.args[1] ?? 3);
  const ok = await run(main(connections, seconds));
  console.log(ok ? "OK" : "FAILED");
  Deno.exit(ok ? 0 : 1);
}
