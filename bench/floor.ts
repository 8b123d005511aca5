/**
 * The floors under the loop's targets (issue 2): what raw JavaScript on this
 * Deno does for the same work with no loop, no tasks and no Futures at all.
 * A target below its floor cannot be met by any event loop written in
 * JavaScript here. Run it in a fresh process, `deno run bench/floor.ts`, so
 * that the peak RSS is a cold one (as `bench/run.ts` measures ours):
 *
 * 1. 100,000 bare `async` functions, each awaiting a promise that one shared
 *    timer of 0.1 s resolves (one timer, as the loop's heap has): wall time
 *    (median of 5 after one warm-up) and peak RSS (the first, cold run).
 *    Targets for 100,000 tasks × `sleep(0.1)`: 0.25 s and 120 MiB.
 * 2. 1,000,000 fresh closures pushed to an array, then called: the least a
 *    `callSoon` that returns a new object per call can cost. Target: 50 ns.
 *
 * @module
 */
import { median, table } from "./_report.ts";

const REPS = 5;
const SLEEPERS = 100_000;
const CALLS = 1_000_000;
const MiB = 1024 * 1024;

let peakRss = 0;
function sampleRss(): void {
  peakRss = Math.max(peakRss, Deno.memoryUsage().rss);
}

async function sleepers(): Promise<number> {
  const t0 = performance.now();
  const resolvers: Array<() => void> = [];
  async function sleeper(): Promise<void> {
    await new Promise<void>((resolve) => resolvers.push(resolve));
  }
  const sleeping = [];
  for (let i = 0; i < SLEEPERS; i++) sleeping.push(sleeper());
  sampleRss();
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const resolve of resolvers) resolve();
  for (const done of sleeping) await done;
  sampleRss();
  return performance.now() - t0;
}

function noop(): void {}

function closures(): number {
  const t0 = performance.now();
  const queue: Array<() => void> = [];
  for (let i = 0; i < CALLS; i++) queue.push(() => noop());
  for (let i = 0; i < queue.length; i++) queue[i]();
  return (performance.now() - t0) * 1e6 / CALLS;
}

/** Measure both floors and print them beside the targets. */
export async function main(): Promise<void> {
  await sleepers(); // cold: its peak RSS is the figure
  const coldRss = peakRss;
  const walls: number[] = [];
  for (let i = 0; i < REPS; i++) walls.push(await sleepers());
  closures();
  const perCall: number[] = [];
  for (let i = 0; i < REPS; i++) perCall.push(closures());
  console.log(
    `Floors under the loop's targets: raw JavaScript, no loop (Deno ${Deno.version.deno}); medians of ${REPS} runs after one warm-up\n`,
  );
  console.log(table(["floor", "raw JS", "target for the loop"], [
    [
      "100k async fns, one 0.1 s timer: wall",
      `${median(walls).toFixed(0)} ms`,
      "250 ms",
    ],
    [
      "the same, peak RSS (cold)",
      `${(coldRss / MiB).toFixed(0)} MiB`,
      "120 MiB",
    ],
    [
      "1M fresh closures queued, then run",
      `${median(perCall).toFixed(0)} ns/op`,
      "50 ns/op",
    ],
  ]));
}

if (import.meta.main) await main();
