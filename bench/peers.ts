/**
 * `bench/peers.ts` (issue #22): this module against Effect 4, Effection 4
 * and raw promises on four workloads, each in a fresh process:
 *
 * - spawn: create 100,000 tasks of a coroutine that returns at once, then
 *   await each;
 * - sleep: 100,000 concurrent tasks each sleeping 0.1 s (wall time / n; and
 *   the process's peak RSS);
 * - queue: 100,000 items through a bounded queue of one, between two tasks;
 * - cancel: cancel 100,000 sleeping tasks, from the first cancel request
 *   until every one is done.
 *
 * The workloads are `bench/_peers_<peer>.ts` (`bench/_peers_child.ts` is
 * their protocol). For each of `--rounds` rounds (7), for each workload, the
 * five children (the four and the floor: raw promises with promise hooks
 * that do nothing, `_peers_raw.ts --hooks`) run one after another in a
 * rotated order (each goes first in
 * turn), each as `deno run <child> <workload> <n>` with no permission. A
 * child runs its workload twice and prints the ns/op of both runs and its
 * peak RSS over the first (see `ChildResult`). The tables give medians over
 * the rounds: of the warm (second) run, on which the targets are judged, and
 * of the cold one. Effection runs 10,000 operations instead of 100,000 in
 * spawn, sleep and cancel (about 100 µs and 20 KB a task: 100,000 would take
 * minutes and GBs); the output says so. `--effection-halt-each` halts
 * Effection's sleepers one by one instead of through their parent.
 *
 * It writes the medians to `docs/benchmarks.json`, with the echo table of
 * `docs/performance.md` (its latest one), and draws `docs/benchmarks.svg`
 * from them (`bench/chart.ts`); `--no-write` writes neither. `--n=1000`
 * scales every workload down, for a quick check (with `--rounds=1`).
 *
 * The children are spawned with `Deno.execPath()` when the run permission
 * covers it, else as `deno` (the PATH's, which `--allow-run=deno` names;
 * it is not `Deno.execPath()` when that `deno` is a symlink):
 *
 * ```sh
 * deno run --allow-run=deno --allow-read=docs/performance.md \
 *   --allow-write=docs/benchmarks.json,docs/benchmarks.svg bench/peers.ts
 * ```
 *
 * A missed target is reported, never an error: the exit code stays 0.
 *
 * @module
 */
import { median, table } from "./_report.ts";
import {
  type ChildResult,
  SIZES,
  type Workload,
  WORKLOADS,
} from "./_peers_child.ts";
import {
  type Benchmarks,
  echoTable,
  formatNs,
  renderChart,
  type TargetResult,
  type WorkloadResult,
} from "./chart.ts";

const PEERS = [
  { id: "ours", label: "asyncio for Deno (ours)" },
  { id: "effect", label: "Effect 4.1.5" },
  { id: "effection", label: "Effection 4.1.1" },
  { id: "raw", label: "raw promises" },
] as const;
/**
 * The floor of the design: raw promises with promise hooks that do nothing
 * (`_peers_raw.ts --hooks`), the tax any hook-based attribution pays. A
 * baseline, not a peer: not in the chart.
 */
const FLOOR = { id: "floor", label: "raw + promise hooks" } as const;
const RUNS = [...PEERS, FLOOR] as const;
type PeerId = typeof RUNS[number]["id"];

const k = (n: number) => n >= 1000 ? `${n / 1000}k` : String(n);
const LABELS: Record<Workload, (n: number) => string> = {
  spawn: (n) => `spawn + await ${k(n)} tasks`,
  sleep: (n) => `${k(n)} concurrent sleep(0.1)`,
  queue: (n) => `${k(n)} items through a Queue(1)`,
  cancel: (n) => `cancel ${k(n)} sleeping tasks`,
};

/** Effection's sizes where they are not the others'. */
const EFFECTION_SIZES: Partial<Record<Workload, number>> = {
  spawn: 10_000,
  sleep: 10_000,
  cancel: 10_000,
};

function flag(name: string): string | undefined {
  const prefix = `--${name}=`;
  return Deno.args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

const ROUNDS = Number(flag("rounds") ?? 7);
const SCALE_N = flag("n") === undefined ? undefined : Number(flag("n"));
const WRITE = !Deno.args.includes("--no-write");
const HALT_EACH = Deno.args.includes("--effection-halt-each");

function sizeOf(peer: PeerId, workload: Workload): number {
  const n = peer === "effection"
    ? EFFECTION_SIZES[workload] ?? SIZES[workload]
    : SIZES[workload];
  return SCALE_N === undefined ? n : Math.min(n, SCALE_N);
}

function denoCommand(): string {
  const exec = Deno.execPath();
  const state = Deno.permissions.querySync({ name: "run", command: exec });
  return state.state === "granted" ? exec : "deno";
}

const DENO = denoCommand();
const ROOT = new URL("..", import.meta.url);

async function runChild(
  peer: PeerId,
  workload: Workload,
  n: number,
): Promise<ChildResult> {
  const file = peer === "floor" ? "raw" : peer;
  const child = new URL(`./_peers_${file}.ts`, import.meta.url).href;
  const args = ["run", child, workload, String(n)];
  if (peer === "floor") args.push("--hooks");
  if (peer === "effection" && HALT_EACH) args.push("--halt-each");
  const out = await new Deno.Command(DENO, {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(
      `${peer} ${workload} exited with ${out.code}: ${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
  return JSON.parse(stdout.split("\n").at(-1)!) as ChildResult;
}

/** The rows of `docs/performance.md`'s last echo table, as [low, high]. */
async function readEcho(): Promise<Benchmarks["echo"]> {
  try {
    return echoTable(
      await Deno.readTextFile(
        new URL("../docs/performance.md", import.meta.url),
      ),
    );
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable) return undefined;
    throw e;
  }
}

const results = {} as Record<Workload, Record<PeerId, ChildResult[]>>;
for (const w of WORKLOADS) {
  results[w] = { ours: [], effect: [], effection: [], raw: [], floor: [] };
}
const t0 = performance.now();
for (let round = 0; round < ROUNDS; round++) {
  for (const [wi, w] of WORKLOADS.entries()) {
    for (let k = 0; k < RUNS.length; k++) {
      const peer = RUNS[(round + wi + k) % RUNS.length].id;
      results[w][peer].push(await runChild(peer, w, sizeOf(peer, w)));
    }
  }
  console.error(
    `peers: round ${round + 1}/${ROUNDS} done (${
      ((performance.now() - t0) / 1000).toFixed(0)
    } s)`,
  );
}

const med = (peer: PeerId, w: Workload, key: keyof ChildResult) =>
  median(results[w][peer].map((r) => r[key] as number));
const workloads: WorkloadResult[] = WORKLOADS.map((w) => {
  const by = (key: keyof ChildResult) =>
    Object.fromEntries(RUNS.map((p) => [p.id, med(p.id, w, key)]));
  return {
    id: w,
    label: LABELS[w](sizeOf("ours", w)),
    n: Object.fromEntries(RUNS.map((p) => [p.id, sizeOf(p.id, w)])),
    warmNs: by("warmNs"),
    coldNs: by("coldNs"),
    rssPeak: Object.fromEntries(
      RUNS.map((p) => [
        p.id,
        median(
          results[w][p.id].map((r) => Math.max(r.rssPeak, r.rssHwm ?? 0)),
        ),
      ]),
    ),
    rssStart: by("rssStart"),
  };
});

const others = PEERS.filter((p) => p.id !== "ours" && p.id !== "raw");
const x = (r: number) => `${r.toFixed(2)}x`;
const nOf = (p: PeerId, w: Workload) =>
  sizeOf(p, w) === sizeOf("ours", w) ? "" : ` [n=${k(sizeOf(p, w))}]`;
function nsTable(key: "warmNs" | "coldNs"): string {
  return table(
    [
      "workload",
      ...RUNS.map((p) => p.label),
      "ours/raw",
      "ours/floor",
      "ours/best other",
    ],
    workloads.map((w) => {
      const best = Math.min(...others.map((p) => w[key][p.id]));
      return [
        w.label,
        ...RUNS.map((p) =>
          formatNs(w[key][p.id]) + nOf(p.id, w.id as Workload)
        ),
        x(w[key].ours / w[key].raw),
        x(w[key].ours / w[key].floor),
        x(w[key].ours / best),
      ];
    }),
  );
}

const MiB = 1024 * 1024;
const sleep = workloads.find((w) => w.id === "sleep")!;
const spawn = workloads.find((w) => w.id === "spawn")!;
const targets: TargetResult[] = [];
for (const w of workloads) {
  const best = others.reduce((a, b) =>
    w.warmNs[a.id] <= w.warmNs[b.id] ? a : b
  );
  const ratio = w.warmNs.ours / w.warmNs[best.id];
  targets.push({
    target: `ours fastest of the peers: ${w.id}`,
    met: ratio < 1,
    detail: `ours ${formatNs(w.warmNs.ours)}, best other ${best.label} ${
      formatNs(w.warmNs[best.id])
    }: ${x(ratio)}`,
  });
}
const spawnRatio = spawn.warmNs.ours / spawn.warmNs.raw;
targets.push({
  target: "spawn <= 4x raw",
  met: spawnRatio <= 4,
  detail: `${x(spawnRatio)} (${formatNs(spawn.warmNs.ours)} against ${
    formatNs(spawn.warmNs.raw)
  })${spawnRatio > 4 ? `: ${x(spawnRatio / 4)} over` : ""}; the floor, ${
    formatNs(spawn.warmNs.floor)
  }, is ${x(spawn.warmNs.floor / spawn.warmNs.raw)} raw`,
});
const rssRatio = sleep.rssPeak.ours / sleep.rssPeak.raw;
targets.push({
  target: "100k sleepers' peak RSS <= 1.3x raw's",
  met: rssRatio <= 1.3,
  detail: `${x(rssRatio)} (${
    (sleep.rssPeak.ours / MiB).toFixed(0)
  } MiB against ${(sleep.rssPeak.raw / MiB).toFixed(0)} MiB)${
    rssRatio > 1.3 ? `: ${x(rssRatio / 1.3)} over` : ""
  }; the floor, ${(sleep.rssPeak.floor / MiB).toFixed(0)} MiB, is ${
    x(sleep.rssPeak.floor / sleep.rssPeak.raw)
  } raw`,
});

console.log(
  `peers: ${ROUNDS} rounds, the five children interleaved (rotated) in each, each run in a fresh process; medians (Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores)`,
);
console.log("\nns/op, warm (the second run in the process; the targets):");
console.log(nsTable("warmNs"));
console.log("\nns/op, cold (the first run in the process):");
console.log(nsTable("coldNs"));
console.log(
  "\n(best other: the fastest of Effect and Effection; raw promises are the baseline, not a peer; floor: raw promises with promise hooks that do nothing, the least any hook-based attribution costs)",
);
const smaller = WORKLOADS.filter((w) =>
  sizeOf("effection", w) < sizeOf("ours", w)
);
if (smaller.length > 0) {
  console.log(
    `[n=...]: Effection runs ${
      smaller.map((w) => `${w} at n=${sizeOf("effection", w)}`).join(", ")
    } (100k would take minutes and GBs); its figures there are not at the same n (sleep's ns/op include the 0.1 s sleep divided by n).`,
  );
}
console.log("\npeak RSS of the sleep workload (first run), MiB:");
console.log(table(
  ["", ...RUNS.map((p) => p.label), "ours/raw"],
  [
    [
      "peak",
      ...RUNS.map((p) =>
        (sleep.rssPeak[p.id] / MiB).toFixed(0) + nOf(p.id, "sleep")
      ),
      x(rssRatio),
    ],
    [
      "peak - start",
      ...RUNS.map((p) =>
        ((sleep.rssPeak[p.id] - sleep.rssStart[p.id]) / MiB).toFixed(0)
      ),
      x(
        (sleep.rssPeak.ours - sleep.rssStart.ours) /
          (sleep.rssPeak.raw - sleep.rssStart.raw),
      ),
    ],
  ],
));
console.log("\ntargets:");
for (const t of targets) {
  console.log(`${t.target}: ${t.met ? "yes" : "NO"} (${t.detail})`);
}

if (WRITE) {
  const data: Benchmarks = {
    date: new Date().toISOString().slice(0, 10),
    deno: Deno.version.deno,
    cores: navigator.hardwareConcurrency,
    rounds: ROUNDS,
    peers: PEERS.map((p) => ({ ...p })),
    workloads,
    targets,
    echo: await readEcho(),
  };
  const json = new URL("../docs/benchmarks.json", import.meta.url);
  const svg = new URL("../docs/benchmarks.svg", import.meta.url);
  await Deno.writeTextFile(json, JSON.stringify(data, null, 2) + "\n");
  await Deno.writeTextFile(svg, renderChart(data));
  console.log(`\nwrote docs/benchmarks.json and docs/benchmarks.svg`);
}
