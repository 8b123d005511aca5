/**
 * `bench/peers.ts`'s workloads on this module (see `_peers_child.ts`).
 *
 * @module
 */
import {
  CancelledError,
  createTask,
  Queue,
  run,
  sleep,
  type Task,
} from "../mod.ts";
import { CANCEL_SLEEP_S, check, child, SLEEP_S } from "./_peers_child.ts";

// A coroutine that returns at once: the workload times the task, not work.
// deno-lint-ignore require-await
async function work(i: number): Promise<number> {
  return i;
}

async function spawnAwait(n: number): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  await run(async () => {
    const tasks: Task<number>[] = [];
    for (let i = 0; i < n; i++) tasks.push(createTask(work(i)));
    for (const task of tasks) sum += await task;
  });
  const ms = performance.now() - t0;
  check(sum === n * (n - 1) / 2, "spawn lost results");
  return ms;
}

async function sleeper(): Promise<void> {
  await sleep(SLEEP_S);
}

async function sleepers(n: number): Promise<number> {
  const t0 = performance.now();
  await run(async () => {
    const tasks: Task<void>[] = [];
    for (let i = 0; i < n; i++) tasks.push(createTask(sleeper()));
    for (const task of tasks) await task;
  });
  return performance.now() - t0;
}

async function queue(n: number): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  await run(async () => {
    const q = new Queue<number>(1);
    const consumer = createTask((async () => {
      for (let i = 0; i < n; i++) sum += await q.get();
    })());
    for (let i = 0; i < n; i++) await q.put(i);
    await consumer;
  });
  const ms = performance.now() - t0;
  check(sum === n * (n - 1) / 2, "queue lost items");
  return ms;
}

async function cancel(n: number): Promise<number> {
  let started = 0;
  let woke = 0;
  let cancelled = 0;
  let ms = 0;
  await run(async () => {
    const tasks: Task<void>[] = [];
    for (let i = 0; i < n; i++) {
      tasks.push(createTask((async () => {
        started++;
        await sleep(CANCEL_SLEEP_S);
        woke++;
      })()));
    }
    while (started < n) await sleep(0.001); // every one is asleep
    const t0 = performance.now();
    for (const task of tasks) task.cancel();
    for (const task of tasks) {
      try {
        await task;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        cancelled++;
      }
    }
    ms = performance.now() - t0;
  });
  check(woke === 0 && cancelled === n, "cancel missed tasks");
  return ms;
}

await child({ spawn: spawnAwait, sleep: sleepers, queue, cancel });
