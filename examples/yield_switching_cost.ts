/**
 * What switching costs: a CPU-bound loop of 10,000,000 iterations run
 * serially, then split into two generator "tasks" that hand over to each
 * other with `yield` after every iteration, under a round-robin scheduler.
 * Both compute the same sum; the switching one is slower, since coroutines
 * buy concurrency for waiting, not speed for computing.
 *
 * ```python
 * import time
 *
 * N = 10_000_000
 *
 * def serial(n):
 *     total = 0
 *     for i in range(n):
 *         total += i
 *     return total
 *
 * def counter(start, stop):
 *     total = 0
 *     for i in range(start, stop):
 *         total += i
 *         yield
 *     return total
 *
 * def switching(n):
 *     tasks = [counter(0, n // 2), counter(n // 2, n)]
 *     totals = []
 *     while tasks:
 *         task = tasks.pop(0)
 *         try:
 *             next(task)
 *         except StopIteration as stop:
 *             totals.append(stop.value)
 *         else:
 *             tasks.append(task)
 *     return sum(totals)
 *
 * start = time.perf_counter()
 * s1 = serial(N)
 * t1 = time.perf_counter() - start
 * print(f"serial: {N} iterations, sum {s1}, {t1:.2f} s")
 * start = time.perf_counter()
 * s2 = switching(N)
 * t2 = time.perf_counter() - start
 * print(f"two tasks switching with yield: {N} iterations, sum {s2}, {t2:.2f} s")
 * ```
 *
 * Python 3.11 printed, on the machine this port was written on:
 *
 * ```text
 * serial: 10000000 iterations, sum 49999995000000, 0.55 s
 * two tasks switching with yield: 10000000 iterations, sum 49999995000000, 2.19 s
 * ```
 *
 * Run it with `deno run examples/yield_switching_cost.ts`. (The times are
 * wall-clock times: the program does not use the event loop.)
 *
 * @module
 */
import type { RunOptions } from "../mod.ts";

/** Options of `main()`: those of the other examples, and the loop's size. */
export interface YieldSwitchingCostOptions extends RunOptions {
  /**
   * The number of iterations, in all.
   *
   * @default {10_000_000}
   */
  iterations?: number;
}

function serial(n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += i;
  return total;
}

function* counter(start: number, stop: number): Generator<void, number> {
  let total = 0;
  for (let i = start; i < stop; i++) {
    total += i;
    yield;
  }
  return total;
}

function switching(n: number): number {
  const half = Math.floor(n / 2);
  const tasks = [counter(0, half), counter(half, n)];
  const totals: number[] = [];
  while (tasks.length > 0) {
    const task = tasks.shift()!;
    const step = task.next();
    if (step.done) totals.push(step.value);
    else tasks.push(task);
  }
  return totals.reduce((a, b) => a + b, 0);
}

/** Run both versions and print their sums and times. */
export function main(options: YieldSwitchingCostOptions = {}): Promise<void> {
  const n = options.iterations ?? 10_000_000;
  let start = performance.now();
  const s1 = serial(n);
  const t1 = (performance.now() - start) / 1000;
  console.log(`serial: ${n} iterations, sum ${s1}, ${t1.toFixed(2)} s`);
  start = performance.now();
  const s2 = switching(n);
  const t2 = (performance.now() - start) / 1000;
  console.log(
    `two tasks switching with yield: ${n} iterations, sum ${s2}, ${
      t2.toFixed(2)
    } s`,
  );
  return Promise.resolve();
}

if (import.meta.main) await main();
