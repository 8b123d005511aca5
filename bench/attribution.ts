/**
 * What giving every coroutine its own holder costs (#15,
 * `loop/_entry_holders.ts`): the same operations run in Workers of three
 * kinds, interleaved round by round (`bench/_attribution_worker.ts`):
 *
 * - `hooks`: the module as it is (V8 promise hooks, an entry per call);
 * - `relabel`: the module with the hooks refused, the fallback that
 *   re-labels a captured holder (the mechanism before #15): the baseline of
 *   the module's own operations;
 * - `bare`: no module loaded, no hooks: the baseline of plain JavaScript;
 * - `floor`: `relabel` with three empty hooks installed (the ones the module
 *   uses): what the hooks cost before they do anything.
 *
 * Each figure is the Worker thread's CPU time per operation, median of the
 * rounds. It never fails on timing. Run it with
 * `deno run --allow-read=. bench/attribution.ts [rounds]`.
 *
 * @module
 */
import { median, table } from "./_report.ts";

const ROUNDS = Number(Deno.args[0] ?? 5);
const MODES = ["hooks", "relabel", "bare", "floor"] as const;
type Mode = typeof MODES[number];

function round(mode: Mode): Promise<Record<string, number>> {
  const url = new URL("./_attribution_worker.ts", import.meta.url);
  url.searchParams.set("mode", mode);
  const worker = new Worker(url, { type: "module" });
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      worker.terminate();
      resolve(event.data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      worker.terminate();
      reject(new Error(event.message));
    };
  });
}

/** Targets from the issue, as ratios to the baseline or in ns. */
const TARGETS: Record<string, string> = {
  "new Promise": "<= 30 ns",
  "async call + await": "<= 80 ns",
  "await sleep(0), 100 tasks": "<= 1.3x",
  "future hand-off": "<= 1.3x",
  "createTask + await": "<= 1.3x",
  "lock hand-off, gathered": "<= 1.3x",
};

if (import.meta.main) {
  const seen: Record<Mode, Record<string, number[]>> = {
    hooks: {},
    relabel: {},
    bare: {},
    floor: {},
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of MODES) {
      for (const [name, ns] of Object.entries(await round(mode))) {
        (seen[mode][name] ??= []).push(ns);
      }
    }
  }
  const med = (mode: Mode, name: string) =>
    seen[mode][name] === undefined ? NaN : median(seen[mode][name]);
  const body = Object.keys(seen.hooks).map((name) => {
    const ours = med("hooks", name);
    const inModule = seen.bare[name] === undefined;
    const base = med(inModule ? "relabel" : "bare", name);
    const floor = med("floor", name);
    return [
      name,
      ours.toFixed(0),
      `${base.toFixed(0)} (${inModule ? "relabel" : "bare"})`,
      `${(ours / base).toFixed(2)}x`,
      `${floor.toFixed(0)} (${(floor / base).toFixed(2)}x)`,
      TARGETS[name] ?? "",
    ];
  });
  console.log(
    `Attribution costs: thread CPU ns per op, medians of ${ROUNDS} interleaved rounds (Deno ${Deno.version.deno})`,
  );
  console.log(
    table(["operation", "hooks", "baseline", "ratio", "target"], body),
  );
}
