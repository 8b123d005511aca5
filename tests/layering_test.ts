/**
 * The layering of docs/contract.md §4, read from the module graph Deno
 * resolves (`deno info --json`, see `_module_graph.ts`): each folder imports
 * only the folders under it (FLOORS), nothing but `node:` built-ins and the
 * project's files at run time, `Deno` only in the files that own the platform,
 * no run-time import cycle.
 *
 * A type-only import (`import type`, `export type`) is an edge like any other
 * for the floors: types do not cross a floor either, with one exception,
 * listed in TYPES_UP: the loop's interface names the `Future` and `Task` its
 * `createFuture()` and `createTask()` return (docs/design.md, "Floors").
 *
 * Needs `--allow-read=.` (run from the project root) and `--allow-run=deno`.
 */
import assert from "node:assert/strict";
import {
  type Edge,
  findCycles,
  listSources,
  loadGraph,
  type ModuleGraph,
} from "./_module_graph.ts";

/**
 * Folder → the folders its files may import (besides its own), lowest first.
 * `node:` stands for the runtime's built-ins. `mod.ts` may import anything;
 * nothing may import `mod.ts`, or a folder not named here.
 */
const FLOORS: Record<string, readonly string[]> = {
  exceptions: [],
  loop: ["exceptions", "node:"],
  tasks: ["loop", "exceptions", "node:"],
  sync: ["tasks", "loop", "exceptions", "node:"],
  streams: ["sync", "tasks", "loop", "exceptions", "node:"],
  runners: ["sync", "streams", "tasks", "loop", "exceptions", "node:"],
  gevent: ["sync", "tasks", "loop", "exceptions"],
  subprocess: ["streams", "tasks", "loop", "exceptions"],
  workers: ["tasks", "loop", "exceptions"],
  executors: ["workers", "tasks", "loop", "exceptions"],
};

/**
 * The only imports that may point up a floor: type-only, from the loop's
 * interface and engine to the two classes it makes (erased at run time: the
 * loop runs without tasks/ loaded, `tests/loop/base_event_loop_test.ts`).
 */
const TYPES_UP = new Set([
  "loop/events.ts -> tasks/future.ts",
  "loop/events.ts -> tasks/task.ts",
  "loop/base_event_loop.ts -> tasks/future.ts",
  "loop/base_event_loop.ts -> tasks/task.ts",
  "loop/executor.ts -> tasks/future.ts",
]);

/** The files that may touch `Deno`, and the folders that own the platform. */
const DENO_FILES = new Set([
  "loop/clock.ts",
  "loop/signals.ts",
  "loop/_signal_handlers.ts",
  "loop/base_event_loop.ts",
  "loop/_async_context.ts",
  "loop/_debug_env.ts",
  "runners/_sigint.ts",
]);
const DENO_FOLDERS = ["streams/", "subprocess/"];

const ROOT = new URL("../", import.meta.url);

/** The folder of a project path (`""` for `mod.ts`), or `node:`, or itself. */
function folderOf(path: string): string {
  if (path.startsWith("node:")) return "node:";
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) return path; // npm:, jsr:, https:, …
  const slash = path.indexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

/** `from -> to (how)`, one line for each pair of files. */
function show(edges: readonly Edge[]): string[] {
  const how = new Map<string, Set<string>>();
  for (const e of edges) {
    const pair = `${e.from} -> ${e.to}`;
    if (!how.has(pair)) how.set(pair, new Set());
    how.get(pair)!.add(
      `${e.kind === "type" ? "type" : "run time"}${
        e.dynamic ? ", dynamic" : ""
      }`,
    );
  }
  return [...how].map(([pair, kinds]) => `${pair} (${[...kinds].join("; ")})`);
}

/** `assert` that `bad` is empty, listing all of it when it is not. */
function assertNone(bad: string[], what: string): void {
  assert.deepEqual(
    bad,
    [],
    `${bad.length} ${what}:\n  ${bad.join("\n  ")}`,
  );
}

interface Project {
  /** `mod.ts` and the `.ts` files of the FLOORS folders that exist. */
  sources: string[];
  graph: ModuleGraph;
}

let loaded: Promise<Project> | null = null;

/** The sources and their graph, read once, when the first test needs them. */
function project(): Promise<Project> {
  return loaded ??= (async () => {
    const sources = [
      "mod.ts",
      ...await listSources(ROOT, Object.keys(FLOORS)),
    ];
    return { sources, graph: await loadGraph(ROOT, sources) };
  })();
}

Deno.test("layering: the module graph was read, every source in it", async () => {
  const { sources, graph } = await project();
  assert.ok(sources.includes("loop/base_event_loop.ts"));
  assert.ok(
    graph.edges.some((e) =>
      e.from === "mod.ts" && e.to === "loop/base_event_loop.ts"
    ),
    "mod.ts -> loop/base_event_loop.ts is missing from the graph",
  );
  assertNone(
    sources.filter((s) => !graph.files.includes(s)),
    "source(s) missing from the graph",
  );
  // A file Deno could not parse has no edges: the floors would pass blind.
  assertNone(graph.errors, "module(s) Deno could not load");
});

Deno.test("layering: each folder imports only the folders under it (FLOORS), types included", async () => {
  const bad = (await project()).graph.edges.filter((edge) => {
    const from = folderOf(edge.from);
    const allowed = FLOORS[from];
    if (allowed === undefined) return false; // mod.ts
    const to = folderOf(edge.to);
    if (edge.kind === "type" && TYPES_UP.has(`${edge.from} -> ${edge.to}`)) {
      return false;
    }
    return to !== from && !allowed.includes(to);
  });
  assertNone(show(bad), "import(s) break the floors");
});

Deno.test("layering: no run-time dependency but node: built-ins and the project's files", async () => {
  const { graph } = await project();
  const ours = new Set(graph.files); // a specifier that did not resolve is not
  const bad = graph.edges.filter((e) =>
    e.kind === "code" && !e.to.startsWith("node:") && !ours.has(e.to)
  );
  assertNone(show(bad), "foreign run-time dependenc(ies)");
});

/**
 * The text of `source` with comments blanked (line breaks kept) and the text
 * of '…' and "…" strings dropped; template literals are kept whole, for the
 * `${…}` in them is code.
 */
function code(source: string): string {
  return source.replace(
    /\/\/[^\n]*|\/\*[\s\S]*?\*\/|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\[\s\S]|[^`\\])*`/g,
    (m) => {
      if (m[0] === "/") return m.replace(/[^\n]/g, "");
      if (m[0] === "`") return m;
      return m[0] + m[0];
    },
  );
}

Deno.test("layering: Deno only in the files and folders that own the platform (DENO_FILES, DENO_FOLDERS)", async () => {
  const bad: string[] = [];
  for (const path of (await project()).sources) {
    if (DENO_FILES.has(path)) continue;
    if (DENO_FOLDERS.some((f) => path.startsWith(f))) continue;
    const text = code(await Deno.readTextFile(new URL(path, ROOT)));
    text.split("\n").forEach((line, i) => {
      // `Deno.x`, `Deno[x]` and `Deno as …` all reach the platform.
      if (/\bDeno\s*[.[]|\bDeno\s+as\b/.test(line)) {
        bad.push(`${path}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assertNone(bad, "use(s) of Deno outside the files that own the platform");
});

Deno.test("layering: no run-time import cycle", async () => {
  const { graph } = await project();
  const ours = new Set(graph.files);
  // Every `code` edge, `import("…")` included.
  const runTime = graph.edges.filter((e) =>
    e.kind === "code" && ours.has(e.to)
  );
  assertNone(findCycles(runTime), "run-time import cycle(s)");
});

Deno.test("layering: folderOf() and findCycles()", () => {
  assert.equal(folderOf("loop/events.ts"), "loop");
  assert.equal(folderOf("mod.ts"), "");
  assert.equal(folderOf("node:timers"), "node:");
  assert.equal(folderOf("npm:left-pad@1.3.0"), "npm:left-pad@1.3.0");
  assert.deepEqual(
    findCycles([
      { from: "a.ts", to: "b.ts" },
      { from: "b.ts", to: "a.ts" },
      { from: "b.ts", to: "c.ts" },
    ]),
    ["a.ts -> b.ts -> a.ts"],
  );
});
