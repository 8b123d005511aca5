/**
 * `deno run bench/sync.ts`: the synchronisation primitives against raw
 * JavaScript promises doing the same work, in one run. Each benchmark runs
 * once to warm up, then 5 times; the table gives the medians, their ratio
 * and the target from issue #4. A benchmark never fails on timing: a missed
 * target is reported, and the exit code stays 0.
 *
 * 1. 1,000,000 items through a `Queue(100)` from one producer task to one
 *    consumer task (`await put` / `await get`), vs a bounded queue of
 *    promises (resolver arrays) between two `async` functions.
 * 2. 100,000 `Lock` acquire/release pairs contended by 100 tasks, each
 *    holding the lock across a `sleep(0)` so the others queue on it, vs a
 *    promise mutex whose holders yield with `await null`.
 * 3. Linearity: the lock benchmark with 10, 100, 1,000 and 10,000 tasks for
 *    the same 100,000 pairs, and a queue hand-off with 10 to 10,000 blocked
 *    consumers: the cost per operation must stay flat (the largest within
 *    2x the smallest). For reference it also times the same tasks without
 *    the lock (the core's own cost at that many tasks) and the raw promise
 *    mutex, so growth that comes from the heap size rather than from the
 *    waiter queues shows.
 *
 * @module
 */
import { createTask, Lock, Queue, run, sleep } from "../mod.ts";
import { median } from "./_report.ts";
import { RawQueue } from "./_raw_queue.ts";

const REPS = 5;

/** Warm up once, then time `REPS` runs; each returns ns per operation. */
async function repeat(fn: () => Promise<number>): Promise<number> {
  await fn();
  const results: number[] = [];
  for (let i = 0; i < REPS; i++) results.push(await fn());
  return median(results);
}

// 1. Queue hand-off --------------------------------------------------------

const ITEMS = 1_000_000;

async function queueOurs(items = ITEMS): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  await run(async () => {
    const q = new Queue<number>(100);
    const consumer = createTask((async () => {
      for (let i = 0; i < items; i++) sum += await q.get();
    })());
    for (let i = 0; i < items; i++) await q.put(i);
    await consumer;
  });
  const ns = (performance.now() - t0) * 1e6 / items;
  if (sum !== items * (items - 1) / 2) throw new Error("queue lost items");
  return ns;
}

async function queueRaw(items = ITEMS): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  const q = new RawQueue<number>(100);
  const consumer = (async () => {
    for (let i = 0; i < items; i++) sum += await q.get();
  })();
  for (let i = 0; i < items; i++) await q.put(i);
  await consumer;
  const ns = (performance.now() - t0) * 1e6 / items;
  if (sum !== items * (items - 1) / 2) throw new Error("raw queue lost items");
  return ns;
}

// 2. Contended lock ----------------------------------------------------------

const PAIRS = 100_000;

async function lockOurs(
  tasks = 100,
  pairs = PAIRS,
  withLock = true,
): Promise<number> {
  const each = pairs / tasks;
  let count = 0;
  const t0 = performance.now();
  await run(async () => {
    const lock = new Lock();
    const worker = withLock
      ? async () => {
        for (let i = 0; i < each; i++) {
          await lock.acquire();
          await sleep(0);
          count++;
          lock.release();
        }
      }
      : async () => {
        // The same tasks and loop iterations without the lock: what the
        // core costs at this number of tasks.
        for (let i = 0; i < each; i++) {
          await sleep(0);
          count++;
        }
      };
    const all = [];
    for (let i = 0; i < tasks; i++) all.push(createTask(worker()));
    for (const t of all) await t;
  });
  if (count !== pairs) throw new Error("lock lost pairs");
  return (performance.now() - t0) * 1e6 / pairs;
}

/** A promise mutex with a FIFO of resolvers. */
class RawLock {
  locked = false;
  waiters: Array<() => void> = [];
  head = 0;
  async acquire(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  release(): void {
    if (this.head < this.waiters.length) {
      this.waiters[this.head++]!(); // hand over: stays locked
      if (this.head > 1024) {
        this.waiters = this.waiters.slice(this.head);
        this.head = 0;
      }
    } else {
      this.locked = false;
    }
  }
}

async function lockRaw(tasks = 100, pairs = PAIRS): Promise<number> {
  const each = pairs / tasks;
  let count = 0;
  const t0 = performance.now();
  const lock = new RawLock();
  const worker = async () => {
    for (let i = 0; i < each; i++) {
      await lock.acquire();
      await null;
      count++;
      lock.release();
    }
  };
  const all = [];
  for (let i = 0; i < tasks; i++) all.push(worker());
  await Promise.all(all);
  if (count !== pairs) throw new Error("raw lock lost pairs");
  return (performance.now() - t0) * 1e6 / pairs;
}

// 3. Many waiters: one hand-off per blocked consumer ---------------------------

async function manyGetters(consumers: number, rounds = 20): Promise<number> {
  const t0 = performance.now();
  await run(async () => {
    const q = new Queue<number>();
    const tasks = [];
    for (let i = 0; i < consumers; i++) {
      tasks.push(createTask((async () => {
        for (let r = 0; r < rounds; r++) await q.get();
      })()));
    }
    for (let r = 0; r < rounds; r++) {
      await sleep(0); // every consumer blocks in get()
      for (let i = 0; i < consumers; i++) q.putNowait(i);
    }
    for (const t of tasks) await t;
  });
  return (performance.now() - t0) * 1e6 / (consumers * rounds);
}

// Report ----------------------------------------------------------------------

function fmt(ns: number): string {
  return `${ns < 100 ? ns.toFixed(1) : Math.round(ns)} ns/op`;
}

const rows: string[][] = [];
const started = performance.now();

const qOurs = await repeat(() => queueOurs());
const qRaw = await repeat(() => queueRaw());
rows.push([
  "1. Queue(100) hand-off (1M)",
  fmt(qOurs),
  fmt(qRaw),
  `${(qOurs / qRaw).toFixed(1)}x`,
  "< 1000 ns/op",
  qOurs < 1000 ? "yes" : "NO",
]);

const lOurs = await repeat(() => lockOurs());
const lRaw = await repeat(() => lockRaw());
rows.push([
  "2. Lock, 100 tasks (100k pairs)",
  fmt(lOurs),
  fmt(lRaw),
  `${(lOurs / lRaw).toFixed(1)}x`,
  "report",
  "-",
]);

const lockScale: Array<[number, number]> = [];
const coreScale: Array<[number, number]> = [];
const rawScale: Array<[number, number]> = [];
for (const n of [10, 100, 1000, 10000]) {
  lockScale.push([n, await repeat(() => lockOurs(n))]);
  coreScale.push([n, await repeat(() => lockOurs(n, PAIRS, false))]);
  rawScale.push([n, await repeat(() => lockRaw(n))]);
}
const getScale: Array<[number, number]> = [];
for (const n of [10, 100, 1000, 10000]) {
  getScale.push([n, await repeat(() => manyGetters(n))]);
}

function flat(scale: Array<[number, number]>): [string, boolean] {
  const costs = scale.map(([, ns]) => ns);
  const spread = Math.max(...costs) / Math.min(...costs);
  return [
    `${scale.map(([n, ns]) => `${n}: ${fmt(ns)}`).join(", ")} (max/min ${
      spread.toFixed(2)
    })`,
    spread <= 2,
  ];
}

const widths = [32, 12, 12, 7, 14, 5];
const line = (cells: string[]) =>
  cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))
    .join("  ");
console.log(
  `asyncio for Deno, sync benchmarks: ${REPS} runs after one warm-up, medians (Deno ${Deno.version.deno}, V8 ${Deno.version.v8})\n`,
);
console.log(
  line(["benchmark", "median", "baseline", "ratio", "target", "meets"]),
);
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of rows) console.log(line(row));
console.log();
const [lockText, lockFlat] = flat(lockScale);
const [getText, getFlat] = flat(getScale);
console.log(`3. linear in waiters (cost per op must stay within 2x):`);
console.log(
  `   Lock, tasks waiting:     ${lockText} ${lockFlat ? "yes" : "NO"}`,
);
console.log(`   Queue, blocked getters:  ${getText} ${getFlat ? "yes" : "NO"}`);
console.log(
  `   for reference, the same tasks without the lock (core only, sleep(0)):`,
);
console.log(`                            ${flat(coreScale)[0]}`);
console.log(`   and the raw promise mutex:`);
console.log(`                            ${flat(rawScale)[0]}`);
console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(1)} s.`);
