/**
 * `deno task bench`: the loop's costs against raw JavaScript doing the same
 * work, in one run. Each benchmark runs once to warm up, then 5 times; the
 * table gives the median, the baseline's median, their ratio and the target
 * from the performance issue. A benchmark never fails on timing: a missed
 * target is reported, and the exit code stays 0.
 *
 * 1. 1,000,000 `callSoon` no-op callbacks, vs an array of 1,000,000 fresh
 *    closures drained in a loop.
 * 2. Creating and awaiting 100,000 tasks inside `run()`, vs awaiting 100,000
 *    calls of the same `async` function.
 * 3. 1,000,000 hand-offs between two tasks through Futures, vs the same
 *    ping-pong through promises.
 * 4. 100,000 tasks each `await sleep(0.1)`: wall time and peak RSS, vs
 *    100,000 `new Promise((r) => setTimeout(r, 100))`.
 *
 * RSS is the process's, sampled with `Deno.memoryUsage()` (no permission
 * needed) while the sleepers wait, on the first (cold) run of each: ours runs
 * first thing in the process, so its figure is clean; the baseline's is taken
 * right after, in the same process, so it is only indicative (a fresh process
 * per benchmark would need `--allow-run`, and a Worker `--allow-read`). Run
 * it with `deno run bench/run.ts`; `deno run bench/run.ts --debug` runs the
 * loop's side in debug mode, to see what debug mode costs.
 *
 * @module
 */
import {
  type AbstractEventLoop,
  createTask,
  EventLoop,
  type Future,
  getRunningLoop,
  run,
  sleep,
} from "../mod.ts";
import { median, table as renderTable } from "./_report.ts";

const REPS = 5;
const MiB = 1024 * 1024;
/** `--debug`: the loop's side runs in debug mode (its cost; up to 3x is fair). */
const DEBUG = Deno.args.includes("--debug");

/** Warm up once, then time `REPS` runs; each returns its own measure. */
async function repeat(fn: () => Promise<number> | number): Promise<number> {
  await fn();
  const results: number[] = [];
  for (let i = 0; i < REPS; i++) results.push(await fn());
  return median(results);
}

// 1. callSoon -----------------------------------------------------------------

const CALLS = 1_000_000;
function noop(): void {}

async function callSoonLoop(): Promise<number> {
  const loop = new EventLoop();
  loop.setDebug(DEBUG);
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) loop.callSoon(noop);
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  const ns = (performance.now() - t0) * 1e6 / CALLS;
  loop.close();
  return ns;
}

function callSoonRaw(): number {
  const t0 = performance.now();
  const queue: Array<() => void> = [];
  // A fresh closure per item, as the loop makes a fresh Handle per call.
  for (let i = 0; i < CALLS; i++) queue.push(() => noop());
  for (let i = 0; i < queue.length; i++) queue[i]();
  queue.length = 0;
  return (performance.now() - t0) * 1e6 / CALLS;
}

// 2. Task create + await -------------------------------------------------------

const TASKS = 100_000;
async function nothing(): Promise<void> {}

async function tasksLoop(): Promise<number> {
  return await run(async () => {
    const t0 = performance.now();
    for (let i = 0; i < TASKS; i++) await createTask(nothing());
    return (performance.now() - t0) * 1e6 / TASKS;
  }, { debug: DEBUG });
}

async function tasksRaw(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < TASKS; i++) await nothing();
  return (performance.now() - t0) * 1e6 / TASKS;
}

// 3. Ping-pong through futures ---------------------------------------------

const SWITCHES = 1_000_000;

interface Box<F> {
  fut: F;
}

async function player(
  loop: AbstractEventLoop,
  inbox: Box<Future<number>>,
  outbox: Box<Future<number>>,
  turns: number,
): Promise<void> {
  for (let i = 0; i < turns; i++) {
    await inbox.fut; // my turn
    inbox.fut = loop.createFuture<number>();
    outbox.fut.setResult(i); // hand off
  }
}

async function pingPongLoop(): Promise<number> {
  return await run(async () => {
    const loop = getRunningLoop();
    const a = { fut: loop.createFuture<number>() };
    const b = { fut: loop.createFuture<number>() };
    a.fut.setResult(-1); // A starts
    const t0 = performance.now();
    const ta = createTask(player(loop, a, b, SWITCHES / 2));
    const tb = createTask(player(loop, b, a, SWITCHES / 2));
    await ta;
    await tb;
    return (performance.now() - t0) * 1e6 / SWITCHES;
  }, { debug: DEBUG });
}

async function rawPlayer(
  inbox: Box<PromiseWithResolvers<number>>,
  outbox: Box<PromiseWithResolvers<number>>,
  turns: number,
): Promise<void> {
  for (let i = 0; i < turns; i++) {
    await inbox.fut.promise;
    inbox.fut = Promise.withResolvers<number>();
    outbox.fut.resolve(i);
  }
}

async function pingPongRaw(): Promise<number> {
  const a = { fut: Promise.withResolvers<number>() };
  const b = { fut: Promise.withResolvers<number>() };
  a.fut.resolve(-1);
  const t0 = performance.now();
  await Promise.all([
    rawPlayer(a, b, SWITCHES / 2),
    rawPlayer(b, a, SWITCHES / 2),
  ]);
  return (performance.now() - t0) * 1e6 / SWITCHES;
}

// 4. 100,000 sleepers -----------------------------------------------------------

const SLEEPERS = 100_000;
let peakRss = 0;

function sampleRss(): void {
  const rss = Deno.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
}

async function sleeper(): Promise<void> {
  await sleep(0.1);
}

async function sleepersLoop(): Promise<[number, number]> {
  peakRss = 0;
  const t0 = performance.now();
  await run(async () => {
    const tasks = [];
    for (let i = 0; i < SLEEPERS; i++) tasks.push(createTask(sleeper()));
    sampleRss();
    for (const task of tasks) await task;
    sampleRss();
  }, { debug: DEBUG });
  const ms = performance.now() - t0;
  sampleRss();
  return [ms, peakRss];
}

async function sleepersRaw(): Promise<[number, number]> {
  peakRss = 0;
  const t0 = performance.now();
  const promises = [];
  for (let i = 0; i < SLEEPERS; i++) {
    promises.push(new Promise((r) => setTimeout(r, 100)));
  }
  sampleRss();
  for (const p of promises) await p;
  sampleRss();
  const ms = performance.now() - t0;
  return [ms, peakRss];
}

/**
 * Time `REPS` runs after a first, cold one; the peak RSS is the cold run's,
 * since RSS seldom shrinks once the process has grown.
 */
async function repeatSleepers(
  fn: () => Promise<[number, number]>,
): Promise<[number, number]> {
  const [, coldRss] = await fn();
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) ms.push((await fn())[0]);
  return [median(ms), coldRss];
}

// Main ---------------------------------------------------------------------------

interface Row {
  name: string;
  value: number;
  baseline: number;
  unit: string;
  target: number;
}

function fmt(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

function table(rows: Row[]): string {
  const head = [
    "benchmark",
    "median",
    "baseline",
    "ratio",
    "target",
    "meets",
  ];
  const body = rows.map((r) => [
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    `${fmt(r.baseline)} ${r.unit}`,
    `${(r.value / r.baseline).toFixed(1)}x`,
    `<= ${r.target} ${r.unit}`,
    r.value <= r.target ? "yes" : "NO",
  ]);
  return renderTable(head, body);
}

/** Run every benchmark and print the table. */
export async function main(): Promise<void> {
  const start = performance.now();
  const rssAtStart = Deno.memoryUsage().rss;
  console.log(
    `asyncio for Deno benchmarks${
      DEBUG ? " in debug mode" : ""
    }: ${REPS} runs after one warm-up, medians (Deno ${Deno.version.deno}, V8 ${Deno.version.v8})`,
  );
  const [sleepMs, sleepRss] = await repeatSleepers(sleepersLoop);
  const [rawSleepMs, rawSleepRss] = await repeatSleepers(sleepersRaw);
  const callSoon = await repeat(callSoonLoop);
  const callSoonBase = await repeat(callSoonRaw);
  const tasks = await repeat(tasksLoop);
  const tasksBase = await repeat(tasksRaw);
  const pingPong = await repeat(pingPongLoop);
  const pingPongBase = await repeat(pingPongRaw);
  console.log();
  console.log(table([
    {
      name: "1. callSoon no-op (1M)",
      value: callSoon,
      baseline: callSoonBase,
      unit: "ns/op",
      target: 50,
    },
    {
      name: "2. task create+await (100k)",
      value: tasks,
      baseline: tasksBase,
      unit: "ns/op",
      target: 700,
    },
    {
      name: "3. future hand-off (1M)",
      value: pingPong,
      baseline: pingPongBase,
      unit: "ns/op",
      target: 300,
    },
    {
      name: "4. 100k sleep(0.1): wall",
      value: sleepMs,
      baseline: rawSleepMs,
      unit: "ms",
      target: 250,
    },
    {
      name: "4. 100k sleep(0.1): peak RSS",
      value: sleepRss / MiB,
      baseline: rawSleepRss / MiB,
      unit: "MiB",
      target: 120,
    },
  ]));
  console.log();
  console.log(
    `RSS at start ${
      fmt(rssAtStart / MiB)
    } MiB; peak RSS is the first run's: ours ran first in the process, the baseline right after it. Total ${
      ((performance.now() - start) / 1000).toFixed(1)
    } s.`,
  );
}

if (import.meta.main) await main();
