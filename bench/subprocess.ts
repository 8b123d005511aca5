/**
 * `deno run --allow-run=true bench/subprocess.ts`: starting and reaping a
 * child, `createSubprocessExec("true")` then `wait()`, against
 * `Deno.Command("true").spawn()` then `await status`, in one run: 100
 * children each, the two interleaved over 7 rounds (the machine drifts
 * between rounds, so each round's ratio is taken, then their median). The
 * target is ours/raw <= 1.2. A missed target is reported, never an error.
 *
 * @module
 */
import { createSubprocessExec, run } from "../mod.ts";
import { median } from "./_report.ts";

const CHILDREN = 100;
const ROUNDS = 7;

async function ours(): Promise<number> {
  const t0 = performance.now();
  await run(async () => {
    for (let i = 0; i < CHILDREN; i++) {
      const proc = await createSubprocessExec("true");
      if (await proc.wait() !== 0) throw new Error("true failed");
    }
  });
  return (performance.now() - t0) / CHILDREN;
}

async function raw(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < CHILDREN; i++) {
    const child = new Deno.Command("true").spawn();
    if ((await child.status).code !== 0) throw new Error("true failed");
  }
  return (performance.now() - t0) / CHILDREN;
}

await ours();
await raw(); // warm-up
const oursMs: number[] = [];
const rawMs: number[] = [];
const ratios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Each side goes first in turn.
  let o: number, r: number;
  if (round % 2 === 0) {
    o = await ours();
    r = await raw();
  } else {
    r = await raw();
    o = await ours();
  }
  oursMs.push(o);
  rawMs.push(r);
  ratios.push(o / r);
}
const ratio = median(ratios);
console.log(
  `subprocess: ${CHILDREN} children x ${ROUNDS} rounds, medians (Deno ${Deno.version.deno})`,
);
console.log(
  `createSubprocessExec("true") + wait()  ${
    median(oursMs).toFixed(3)
  } ms/child`,
);
console.log(
  `Deno.Command("true") + status         ${median(rawMs).toFixed(3)} ms/child`,
);
console.log(
  `ours/raw ${ratio.toFixed(2)}x (target <= 1.2x: ${
    ratio <= 1.2 ? "yes" : "NO"
  })`,
);
