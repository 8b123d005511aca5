/**
 * What every `bench/_peers_<library>.ts` child shares: the workload names
 * and sizes, the peak-RSS sampler and the protocol with `bench/peers.ts`.
 * A child is `deno run bench/_peers_<library>.ts <workload> [n]`: it runs the
 * workload once cold (the first thing in the process: the sleep workload's
 * peak RSS is taken on this run), then once warm, and prints one line of
 * JSON, a {@link ChildResult}.
 *
 * @module
 */

import process from "node:process";

/** The four workloads, in the order of the table. */
export const WORKLOADS = ["spawn", "sleep", "queue", "cancel"] as const;

/** One of {@link WORKLOADS}. */
export type Workload = typeof WORKLOADS[number];

/** The size of each workload (the parent may pass a smaller one). */
export const SIZES: Record<Workload, number> = {
  spawn: 100_000,
  sleep: 100_000,
  queue: 100_000,
  cancel: 100_000,
};

/** How long each sleeper of the sleep workload sleeps, in seconds. */
export const SLEEP_S = 0.1;

/** How long each sleeper of the cancel workload would sleep, in seconds. */
export const CANCEL_SLEEP_S = 10;

/**
 * One run of a workload over `n` operations: it returns the milliseconds
 * of the part it times (the whole workload, except for cancel, where it is
 * from the first cancel request until every task is done).
 */
export type WorkloadFn = (n: number) => Promise<number>;

/** What a child prints: one JSON line. */
export interface ChildResult {
  workload: Workload;
  n: number;
  /** ns per operation on the first run in the process. */
  coldNs: number;
  /** ns per operation on the second run. */
  warmNs: number;
  /** The process's RSS before the first run, in bytes. */
  rssStart: number;
  /** The peak RSS sampled during the first run, in bytes. */
  rssPeak: number;
  /**
   * The process's high-water mark of RSS (getrusage's `ru_maxrss`, as
   * `VmHWM` in `/proc/self/status`, which Deno reads only with `--allow-all`)
   * at the end of the first run, in bytes: it sees the peaks the 5 ms sampler
   * misses while the loop is busy.
   */
  rssHwm: number;
}

let peakRss = 0;

/** Take one RSS sample (the sampler also runs every 5 ms by itself). */
export function sampleRss(): void {
  const rss = Deno.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
}

/** Throw unless `ok`: a workload that lost work is not timed. */
export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`workload check failed: ${what}`);
}

/** Run the workload named on the command line and print its result. */
export async function child(fns: Record<Workload, WorkloadFn>): Promise<void> {
  const workload = Deno.args[0] as Workload;
  if (!WORKLOADS.includes(workload)) {
    throw new Error(`usage: <${WORKLOADS.join("|")}> [n]`);
  }
  const n = Deno.args[1] === undefined ? SIZES[workload] : Number(Deno.args[1]);
  const fn = fns[workload];
  const rssStart = Deno.memoryUsage().rss;
  peakRss = rssStart;
  // A plain interval, outside every library's scheduler: it samples when
  // the event loop is free, i.e. while the sleepers sleep.
  const sampler = setInterval(sampleRss, 5);
  const coldMs = await fn(n);
  sampleRss();
  clearInterval(sampler);
  const rssPeak = peakRss;
  const rssHwm = process.resourceUsage().maxRSS * 1024; // KiB on Linux
  const warmMs = await fn(n);
  const result: ChildResult = {
    workload,
    n,
    coldNs: coldMs * 1e6 / n,
    warmNs: warmMs * 1e6 / n,
    rssStart,
    rssPeak,
    rssHwm,
  };
  console.log(JSON.stringify(result));
}
