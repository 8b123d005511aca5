/**
 * `deno run --unstable-net --allow-net=127.0.0.1 --allow-read=. bench/multicore.ts`:
 * the scaling of `examples/multicore_echo.ts`, one event loop per Worker on
 * one port (`reusePort`), against one loop, in one run. The load client is
 * raw Deno on the main thread, with 100 connections each sending 64 bytes
 * and waiting for the echo, for 3 s per measure after a 1 s warm-up; one
 * loop and two loops alternate over 5 rounds, each going first in turn, and
 * the table gives the medians and the median of the per-round ratios.
 *
 * Caveat: this machine has 2 cores and the client shares them, so two
 * loops cannot reach 2x here: the client takes about a core of its own.
 * The figure says whether a second loop helps at all; more cores would be
 * needed to measure the scaling itself. Never fails on timing.
 *
 * @module
 */
import { serveOnCores } from "../examples/multicore_echo.ts";
import { median, table } from "./_report.ts";

const CONNECTIONS = 100;
const MESSAGE = new Uint8Array(64).fill(0x61);
const SECONDS = 3;
const ROUNDS = 5;

/** Requests per second the client gets from `loops` servers. */
async function measure(loops: number, seconds: number): Promise<number> {
  const cores = await serveOnCores(loops);
  const conns = await Promise.all(
    Array.from(
      { length: CONNECTIONS },
      () => Deno.connect({ hostname: "127.0.0.1", port: cores.port }),
    ),
  );
  let requests = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(conns.map(async (conn) => {
    const buf = new Uint8Array(MESSAGE.length);
    while (performance.now() < end) {
      await conn.write(MESSAGE);
      let got = 0;
      while (got < MESSAGE.length) {
        const n = await conn.read(buf.subarray(got));
        if (n === null) throw new Error("server closed");
        got += n;
      }
      requests++;
    }
    conn.close();
  }));
  await cores.stop();
  return requests / seconds;
}

const one: number[] = [];
const two: number[] = [];
const ratios: number[] = [];
await measure(1, 1);
await measure(2, 1); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  let a: number, b: number;
  if (round % 2 === 0) {
    a = await measure(1, SECONDS);
    b = await measure(2, SECONDS);
  } else {
    b = await measure(2, SECONDS);
    a = await measure(1, SECONDS);
  }
  one.push(a);
  two.push(b);
  ratios.push(b / a);
}
console.log(
  `multicore echo: ${CONNECTIONS} connections x 64 B, ${SECONDS} s x ${ROUNDS} rounds, medians; ` +
    `${navigator.hardwareConcurrency} cores shared with the client (Deno ${Deno.version.deno})`,
);
console.log(table(["loops", "req/s", "vs one loop"], [
  ["1", median(one).toFixed(0), "1.00x"],
  ["2", median(two).toFixed(0), `${median(ratios).toFixed(2)}x`],
]));
