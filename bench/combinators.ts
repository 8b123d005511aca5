/**
 * Benchmarks of the task combinators (issue 3), against raw JavaScript in
 * the same run: `deno run bench/combinators.ts`. Each benchmark runs once to
 * warm up, then 5 times; the table gives medians, the ratio to a raw
 * `Promise.all` over the same count of the same trivial coroutines, and the
 * doubling check: the time at N over the time at N/2 (at most 2.2 means not
 * quadratic). A missed target is reported; the exit code stays 0.
 *
 * 1. `gather(...coros)` over N trivial `async` coroutines (N = 100,000: about
 *    the most arguments a spread call takes on Deno 2.9.6).
 * 2. N sequential `await waitFor(coro, 10)` whose timeout never fires (each
 *    arms and drops a timer).
 * 3. `taskGroup` with N children.
 *
 * @module
 */
import { gather, run, taskGroup, waitFor } from "../mod.ts";
import { median, table as renderTable } from "./_report.ts";

const REPS = 5;
const N = 100_000;

/** Warm up once, then time `REPS` runs; each returns milliseconds. */
async function repeat(fn: (n: number) => Promise<number>, n: number) {
  await fn(n);
  const results: number[] = [];
  for (let i = 0; i < REPS; i++) results.push(await fn(n));
  return median(results);
}

// deno-lint-ignore require-await
async function trivial(i: number): Promise<number> {
  return i;
}

function coros(n: number): Promise<number>[] {
  const out = new Array<Promise<number>>(n);
  for (let i = 0; i < n; i++) out[i] = trivial(i);
  return out;
}

/** The baseline: raw `Promise.all` over `n` trivial coroutines. */
async function promiseAll(n: number): Promise<number> {
  const t0 = performance.now();
  const results = await Promise.all(coros(n));
  const ms = performance.now() - t0;
  if (results.length !== n) throw new Error("Promise.all lost results");
  return ms;
}

async function gatherBench(n: number): Promise<number> {
  return await run(async () => {
    const t0 = performance.now();
    const results = await gather(...coros(n));
    const ms = performance.now() - t0;
    if (results.length !== n || results[n - 1] !== n - 1) {
      throw new Error("gather lost results");
    }
    return ms;
  });
}

async function waitForBench(n: number): Promise<number> {
  return await run(async () => {
    const t0 = performance.now();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += await waitFor(trivial(1), 10);
    const ms = performance.now() - t0;
    if (sum !== n) throw new Error("waitFor lost results");
    return ms;
  });
}

async function taskGroupBench(n: number): Promise<number> {
  return await run(async () => {
    const t0 = performance.now();
    let count = 0;
    await taskGroup((tg) => {
      for (let i = 0; i < n; i++) {
        tg.createTask(trivial(i)).addDoneCallback(() => count++);
      }
    });
    const ms = performance.now() - t0;
    if (count !== n) throw new Error("taskGroup lost children");
    return ms;
  });
}

interface Row {
  name: string;
  full: number;
  half: number;
  baseline: number;
  target: number | null;
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function table(rows: Row[]): string {
  const head = [
    "benchmark",
    `median N=${N}`,
    "Promise.all",
    "ratio",
    "target",
    `N/2`,
    "doubling",
    "<= 2.2",
  ];
  const body = rows.map((r) => {
    const ratio = r.full / r.baseline;
    const doubling = r.full / r.half;
    return [
      r.name,
      `${fmt(r.full)} ms`,
      `${fmt(r.baseline)} ms`,
      `${ratio.toFixed(1)}x`,
      r.target === null
        ? "-"
        : `<= ${r.target}x ${ratio <= r.target ? "yes" : "NO"}`,
      `${fmt(r.half)} ms`,
      `${doubling.toFixed(2)}x`,
      doubling <= 2.2 ? "yes" : "NO",
    ];
  });
  return renderTable(head, body);
}

/** Run every benchmark and print the table. */
export async function main(): Promise<void> {
  const start = performance.now();
  console.log(
    `asyncio for Deno, combinator benchmarks: ${REPS} runs after one warm-up, medians`,
  );
  const baseline = await repeat(promiseAll, N);
  const rows: Row[] = [];
  for (
    const [name, fn, target] of [
      ["gather(...100k coros)", gatherBench, 3],
      ["100k waitFor(coro, 10)", waitForBench, null],
      ["taskGroup, 100k children", taskGroupBench, null],
    ] as const
  ) {
    const half = await repeat(fn, N / 2);
    const full = await repeat(fn, N);
    rows.push({ name, full, half, baseline, target });
  }
  console.log();
  console.log(table(rows));
  console.log();
  console.log(
    `Baseline: await Promise.all of ${N} calls of the same trivial async function. Total ${
      ((performance.now() - start) / 1000).toFixed(1)
    } s.`,
  );
}

if (import.meta.main) await main();
