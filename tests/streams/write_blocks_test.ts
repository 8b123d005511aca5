/**
 * The write buffers' blocks go back to a pool shared by all connections
 * once sent (`streams/_block_pool.ts`): bursts of small writes on many
 * connections at once, of sizes that change from one burst to the next,
 * must each arrive whole and unmixed. Every test closes everything it
 * opens.
 */
import assert from "node:assert/strict";
import {
  run,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../mod.ts";
import { portOf } from "./_helpers.ts";

/** Burst `i` of client `id`: `i % 7 + 1` writes of 1 to 4 KiB of one byte. */
function burst(id: number, i: number): Uint8Array[] {
  const writes: Uint8Array[] = [];
  for (let w = 0; w <= i % 7; w++) {
    const size = 1 + (id * 131 + i * 977 + w * 1499) % 4096;
    writes.push(new Uint8Array(size).fill((id * 31 + i * 7 + w) % 251));
  }
  return writes;
}

function joined(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

Deno.test("bursts of small writes on 50 connections at once arrive whole, unmixed", async () => {
  const CLIENTS = 50;
  const BURSTS = 20;
  await run(async () => {
    // Each client sends its id; the server answers with its bursts, each
    // burst's writes in one step, then waits for the client's ack.
    const server = await startServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        const id = (await reader.readExactly(1))[0];
        for (let i = 0; i < BURSTS; i++) {
          for (const data of burst(id, i)) writer.write(data);
          await writer.drain();
          await reader.readExactly(1);
        }
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
    );
    const port = portOf(server);
    async function client(id: number): Promise<void> {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      try {
        await conn.write(new Uint8Array([id]));
        const buf = new Uint8Array(65536);
        for (let i = 0; i < BURSTS; i++) {
          const expected = joined(burst(id, i));
          const got = new Uint8Array(expected.length);
          for (let at = 0; at < got.length;) {
            const n = await conn.read(buf.subarray(0, got.length - at));
            assert.ok(n !== null, `client ${id}: EOF in burst ${i}`);
            got.set(buf.subarray(0, n), at);
            at += n;
          }
          assert.deepEqual(got, expected, `client ${id}, burst ${i}`);
          await conn.write(new Uint8Array([1]));
        }
        assert.equal(await conn.read(buf), null);
      } finally {
        conn.close();
      }
    }
    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));
    server.close();
    await server.waitClosed();
  });
});
