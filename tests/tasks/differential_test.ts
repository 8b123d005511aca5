/**
 * The seeded differential fuzzer against CPython (see `_differential.ts`):
 * random programs of tasks, sleeps, locks, queues, events, `waitFor`,
 * `timeout`, task groups and cancellations, emitted both as Python asyncio and
 * as TypeScript over this module, run on virtual clocks, their traces compared
 * line by line. Every run also checks the invariants that hold without a
 * reference (each program finishes, each task ends exactly once, each
 * coroutine runs in its own task), so that where `python3` is absent or not
 * allowed the test still runs the programs and checks those.
 *
 * Defaults: 200 programs from seed 1, every creation shape. More on demand:
 *
 * ```sh
 * deno test --allow-read=. --allow-write=./.test-sockets --allow-run=python3 \
 *   tests/tasks/differential_test.ts -- --runs=2000 --seed=42
 * ```
 *
 * `--shapes=oneByOne` (comma-separated, see `Creation`) restricts the
 * creation shapes; `--first=sleep0` (or a list of `AWAITING_OPS`) restricts
 * what a coroutine's first await may be (see `GenerateOptions.firstAwait`);
 * `--show=N` prints N failing programs in full (default 2);
 * `--watchdog=MS` bounds each TypeScript program in real time (default 2000).
 * A failing seed reruns alone with `--seed=S --runs=1` and the same options.
 */
import assert from "node:assert/strict";
import { probePython } from "../streams/_python.ts";
import {
  AWAITING_OPS,
  type AwaitingOp,
  checkInvariants,
  type Creation,
  CREATIONS,
  emitPythonStandalone,
  emitTypeScript,
  emitTypeScriptBatch,
  firstDifference,
  type GenerateOptions,
  generatePrograms,
  importTypeScript,
  type Program,
  type PythonBatch,
  runPython,
  runTypeScript,
  sideBySide,
} from "./_differential.ts";

/** Programs per imported TypeScript module. */
const CHUNK = 100;

/** `--name=value` of `Deno.args`, or `fallback`. */
function arg(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const found = Deno.args.find((a) => a.startsWith(prefix));
  return found === undefined ? fallback : found.slice(prefix.length);
}

function intArg(name: string, fallback: number): number {
  const value = Number(arg(name, String(fallback)));
  if (!Number.isInteger(value)) {
    throw new TypeError(`--${name} must be an integer`);
  }
  return value;
}

const runs = intArg("runs", 200);
const seed = intArg("seed", 1);
const show = intArg("show", 2);
const watchdogMs = intArg("watchdog", 2000);
const shapes = arg("shapes", CREATIONS.join(",")).split(",") as Creation[];
for (const shape of shapes) {
  if (!CREATIONS.includes(shape)) {
    throw new TypeError(
      `--shapes: unknown shape ${shape} (one of ${CREATIONS.join(", ")})`,
    );
  }
}
const firstArg = arg("first", "any");
const firstAwait: "any" | AwaitingOp[] = firstArg === "any"
  ? "any"
  : firstArg.split(",") as AwaitingOp[];
for (const op of firstAwait === "any" ? [] : firstAwait) {
  if (!AWAITING_OPS.includes(op)) {
    throw new TypeError(
      `--first: unknown op ${op} (any, or some of ${AWAITING_OPS.join(", ")})`,
    );
  }
}
const python = probePython();

/** One program's failure: what differed, and the first difference. */
interface Failure {
  program: Program;
  ts: string[];
  py: string[] | undefined;
  reasons: string[];
}

function report(failure: Failure, full: boolean): string {
  const { program, ts, py, reasons } = failure;
  const parts = [`seed ${program.seed} (${program.creation}): ${reasons[0]}`];
  for (const reason of reasons.slice(1)) parts.push(`  ${reason}`);
  if (full) {
    parts.push(
      "--- Python ---",
      emitPythonStandalone(program),
      "--- TypeScript ---",
      emitTypeScript(program),
      py === undefined
        ? "--- TypeScript trace ---"
        : "--- traces: CPython | here ---",
      py === undefined ? ts.join("\n") : sideBySide(py, ts),
    );
  }
  return parts.join("\n");
}

const against = python === "present"
  ? "print the same trace as CPython 3.11"
  : `finish and end each task once (python3 ${python}: no CPython to compare against)`;

/** Generate, run on both sides, compare; fail listing what differed. */
async function fuzz(
  seed: number,
  runs: number,
  options: GenerateOptions,
  flags: string,
): Promise<void> {
  const programs = generatePrograms(seed, runs, options);
  // CPython runs the whole batch in one process, meanwhile.
  const pending: Promise<PythonBatch> | null = python === "present"
    ? runPython(programs)
    : null;
  const results: { ts: string[]; hung: boolean }[] = [];
  let unrecoverable = false;
  for (let start = 0; start < programs.length; start += CHUNK) {
    const chunk = programs.slice(start, start + CHUNK);
    const mod = await importTypeScript(emitTypeScriptBatch(chunk));
    for (let k = 0; k < chunk.length; k++) {
      if (unrecoverable) {
        results.push({
          ts: ["!! not run: an earlier hang wedged the module"],
          hung: true,
        });
        continue;
      }
      const { lines, status } = await runTypeScript(mod[`main_${k}`], {
        watchdogMs,
      });
      results.push({ ts: lines, hung: status !== "ok" });
      if (status === "unrecoverable") unrecoverable = true;
    }
  }
  const batch = pending === null ? null : await pending;
  if (batch !== null && batch.traces.some((t) => t === undefined)) {
    assert.fail(
      `python3 exited with ${batch.code} before the end:\n${batch.stderr}`,
    );
  }
  const failures: Failure[] = [];
  programs.forEach((program, k) => {
    const { ts, hung } = results[k];
    const py = batch?.traces[k];
    const reasons: string[] = [];
    if (hung) reasons.push("hang (stopped by the watchdog)");
    if (py !== undefined) {
      for (const problem of checkInvariants(program, py)) {
        reasons.push(`CPython breaks an invariant (fuzzer bug): ${problem}`);
      }
      const diff = firstDifference(py, ts);
      if (diff !== null) {
        reasons.push(
          `line ${diff.line}: CPython ${
            JSON.stringify(diff.a ?? "(end)")
          }, here ${JSON.stringify(diff.b ?? "(end)")}`,
        );
      }
    }
    for (const problem of checkInvariants(program, ts)) {
      reasons.push(`invariant: ${problem}`);
    }
    if (reasons.length > 0) failures.push({ program, ts, py, reasons });
  });
  if (batch !== null && batch.stderr.trim() !== "" && failures.length === 0) {
    assert.fail(`python3 wrote to stderr:\n${batch.stderr}`);
  }
  if (failures.length > 0) {
    const byShape = new Map<string, number>();
    for (const f of failures) {
      const shape = f.program.creation;
      byShape.set(shape, (byShape.get(shape) ?? 0) + 1);
    }
    assert.fail(
      [
        `${failures.length} of ${runs} programs fail (${
          [...byShape].map(([s, c]) => `${s}: ${c}`).join(", ")
        }); rerun one with -- --seed=S --runs=1 ${flags}`,
        ...failures.map((f, i) => report(f, i < show)),
        batch?.stderr ? `--- python3 stderr ---\n${batch.stderr}` : "",
      ].join("\n\n"),
    );
  }
}

Deno.test(
  `differential fuzzer: ${runs} random programs from seed ${seed} (${
    shapes.join(", ")
  }; first await: ${firstArg}) ${against}`,
  () =>
    fuzz(
      seed,
      runs,
      { shapes, firstAwait },
      `--shapes=${shapes.join(",")} --first=${firstArg}`,
    ),
);

// The fuzzer's own check: when every call is as lazy as CPython's (tasks
// made at once from fresh calls, first await `sleep(0)`), both sides agree.
Deno.test(
  `differential fuzzer self-check: 100 programs of shape (c), first await sleep(0), ${against}`,
  () =>
    fuzz(
      1,
      100,
      { shapes: ["oneByOne"], firstAwait: ["sleep0"] },
      "--shapes=oneByOne --first=sleep0",
    ),
);
