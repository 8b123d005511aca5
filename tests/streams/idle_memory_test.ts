/**
 * The memory an idle connection holds (#22): a server's connection parked
 * in `reader.read` after a round trip keeps no read or write buffer of
 * kilobytes, only small ones (`bench/idle_connections.ts` measures the
 * whole process). Needs `--v8-flags=--expose-gc`; without it, the test is
 * skipped with a warning. Every test closes everything it opens.
 */
import assert from "node:assert/strict";
import { run, startServer } from "../../mod.ts";
import { handle as echoUpper } from "../../examples/echo_server.ts";
import { portOf } from "./_helpers.ts";

const KiB = 1024;
const gc = (globalThis as { gc?: () => void }).gc;

/** The JS heap used plus the external memory (ArrayBuffers), after a GC. */
function heapAndExternal(): number {
  for (let i = 0; i < 3; i++) gc!();
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
}

/** Open a raw connection and make one round trip on it. */
async function roundTrip(port: number): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new Uint8Array([0x78]));
  const echo = new Uint8Array(16);
  assert.equal(await conn.read(echo), 1);
  assert.equal(echo[0], 0x58); // upper-cased
  return conn;
}

Deno.test({
  name: "idle connections of startServer hold no buffer of kilobytes",
  ignore: gc === undefined,
  fn: async () => {
    const N = 500;
    await run(async () => {
      const server = await startServer(echoUpper, "127.0.0.1", 0);
      const port = portOf(server);
      // Warm up, so that what is made once (code, pools) is counted before.
      for (let i = 0; i < 20; i++) (await roundTrip(port)).close();
      const before = heapAndExternal();
      const conns: Deno.Conn[] = [];
      try {
        for (let i = 0; i < N; i++) conns.push(await roundTrip(port));
        // Each handler is parked in its read, with a Deno read pending.
        const perConnection = (heapAndExternal() - before) / N;
        // Both ends are counted: about 8.5 KiB. A connection used to keep
        // 9 KiB of buffers (the pump's 4 KiB, the reader's 4 KiB, a 1 KiB
        // write block): 18 KiB in all.
        assert.ok(
          perConnection < 12 * KiB,
          `${(perConnection / KiB).toFixed(1)} KiB per idle connection`,
        );
      } finally {
        for (const conn of conns) conn.close();
        server.close();
        await server.waitClosed();
      }
    });
  },
});

if (gc === undefined) {
  console.warn("idle_memory_test: run with --v8-flags=--expose-gc to measure");
}
