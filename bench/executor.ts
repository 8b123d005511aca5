/**
 * `deno run --allow-read=. bench/executor.ts`: 16 jobs of a fixed
 * CPU-bound computation (`fib(32)`) through `new WorkerPoolExecutor({
 * maxWorkers: 2 })` against the same 16 inline on the loop, in one run, 5
 * rounds interleaved (the median speed-up is reported; target >= 1.7x on 2
 * cores), and the latency a Worker adds to a job: a trivial job's round
 * trip, submitted and awaited one at a time, median over 200 (target <= 1
 * ms). The pool is warmed up first (Workers started, module imported and
 * compiled). A missed target is reported, never an error.
 *
 * @module
 */
import { gather, run, workerFunction, WorkerPoolExecutor } from "../mod.ts";
import type { fib } from "../tests/executors/_jobs.ts";
import { median } from "./_report.ts";

const JOBS = import.meta.resolve("../tests/executors/_jobs.ts");
const N = 32;
const COUNT = 16;
const ROUNDS = 5;
const TRIPS = 200;

const fibHere = workerFunction<typeof fib>(JOBS, "fib");

const result = await run(async () => {
  const executor = new WorkerPoolExecutor({ maxWorkers: 2 });
  try {
    const pool = async () => {
      const t0 = performance.now();
      await gather(
        ...Array.from({ length: COUNT }, () => executor.submit(JOBS, "fib", N)),
      );
      return performance.now() - t0;
    };
    const inline = async () => {
      const t0 = performance.now();
      for (let i = 0; i < COUNT; i++) await fibHere(N);
      return performance.now() - t0;
    };
    await pool(); // warm-up: both Workers started, fib compiled there
    await inline();
    const poolMs: number[] = [], inlineMs: number[] = [], ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let p: number, i: number;
      if (round % 2 === 0) {
        p = await pool();
        i = await inline();
      } else {
        i = await inline();
        p = await pool();
      }
      poolMs.push(p);
      inlineMs.push(i);
      ratios.push(i / p);
    }
    const trips: number[] = [];
    for (let i = 0; i < 20; i++) await executor.submit(JOBS, "noop");
    for (let i = 0; i < TRIPS; i++) {
      const t0 = performance.now();
      await executor.submit(JOBS, "noop");
      trips.push(performance.now() - t0);
    }
    return { poolMs, inlineMs, ratios, trips };
  } finally {
    await executor.shutdown();
  }
});

const speedUp = median(result.ratios);
const latency = median(result.trips);
console.log(
  `executor: ${COUNT} x fib(${N}), ${ROUNDS} rounds, medians (Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores)`,
);
console.log(
  `inline on the loop                    ${
    median(result.inlineMs).toFixed(1)
  } ms`,
);
console.log(
  `WorkerPoolExecutor({ maxWorkers: 2 })  ${
    median(result.poolMs).toFixed(1)
  } ms`,
);
console.log(
  `speed-up ${speedUp.toFixed(2)}x (target >= 1.7x: ${
    speedUp >= 1.7 ? "yes" : "NO"
  }); per round: ${result.ratios.map((r) => r.toFixed(2)).join(" ")}`,
);
console.log(
  `trivial job round trip ${
    latency.toFixed(3)
  } ms, median of ${TRIPS} (target <= 1 ms: ${latency <= 1 ? "yes" : "NO"})`,
);
