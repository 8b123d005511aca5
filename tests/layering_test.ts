/**
 * The layering of docs/contract.md §4, read from the source files:
 * imports point one way (`streams/`, `sync/` → `tasks/` → `loop/`), the loop
 * reaches into `tasks/` only for the exceptions leaf, `Deno` stays in the
 * loop's clock, wake-up, async context and SIGINT (and `streams/`), no run-time
 * import cycle.
 *
 * Reading the sources needs `--allow-read=.` (run from the project root).
 *
 * A line that starts with `import type` or `export type` is type-only, so it
 * may point anywhere; every other import or re-export is a run-time one
 * (`import { type A }` is not elided under `verbatimModuleSyntax`, so it
 * counts as run time). Comments are stripped first: JSDoc `@example`s import
 * `@asyncio/deno` and must not count.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);
const LAYERS = ["loop", "tasks", "sync", "streams"] as const;

interface Import {
  specifier: string;
  typeOnly: boolean;
}

interface SourceFile {
  /** Path from the project root, with `/`: `loop/run.ts`. */
  path: string;
  /** The source with comments removed (strings kept). */
  code: string;
  /** The source with comments and the text of strings removed. */
  bare: string;
  imports: Import[];
}

/**
 * Remove comments (and, with `dropStrings`, the text inside string and
 * template literals, keeping `${…}` code) from TypeScript source. Regular
 * expression literals are recognised from the token before the `/`.
 */
export function strip(source: string, dropStrings: boolean): string {
  let out = "";
  let i = 0;
  // Brace depths at which a template literal resumes after `${…}`.
  const templates: number[] = [];
  let depth = 0;
  const n = source.length;
  const lastSignificant = () => {
    for (let j = out.length - 1; j >= 0; j--) {
      if (!/\s/.test(out[j])) return out[j];
    }
    return "";
  };
  const readString = (quote: string) => {
    // At the opening quote (or just after `}` for a template's rest).
    let text = "";
    while (i < n) {
      const c = source[i];
      if (c === "\\") {
        text += source.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (c === quote) {
        i++;
        out += dropStrings ? quote : text + quote;
        return false;
      }
      if (quote === "`" && c === "$" && source[i + 1] === "{") {
        i += 2;
        out += dropStrings ? "${" : text + "${";
        templates.push(depth);
        depth++;
        return true;
      }
      text += c;
      i++;
    }
    out += dropStrings ? "" : text;
    return false;
  };
  while (i < n) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < n && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const comment = source.slice(i, end === -1 ? n : end + 2);
      out += comment.replace(/[^\n]/g, ""); // keep line numbers
      i = end === -1 ? n : end + 2;
    } else if (c === '"' || c === "'" || c === "`") {
      out += c;
      i++;
      readString(c);
    } else if (
      c === "/" && /^$|[(,=:[!&|?{};+\-*%<>~^]$/.test(lastSignificant())
    ) {
      // A regular expression literal.
      let inClass = false;
      out += c;
      i++;
      while (i < n) {
        const d = source[i];
        out += dropStrings ? "" : d;
        i++;
        if (d === "\\") {
          out += dropStrings ? "" : source[i] ?? "";
          i++;
        } else if (d === "[") inClass = true;
        else if (d === "]") inClass = false;
        else if (d === "/" && !inClass) break;
        else if (d === "\n") break;
      }
      if (dropStrings) out += "/";
    } else if (c === "{") {
      depth++;
      out += c;
      i++;
    } else if (c === "}") {
      depth--;
      i++;
      if (templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        out += "}";
        readString("`");
      } else {
        out += c;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const STATIC_IMPORT =
  /^[ \t]*(import|export)[ \t]+(type[ \t]+)?[\w\s{},*$]*?\bfrom[ \t]*["']([^"']+)["']/gm;
const SIDE_EFFECT_IMPORT = /^[ \t]*import[ \t]*["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport[ \t]*\([ \t]*["']([^"']+)["'][ \t]*\)/g;

/** The imports and re-exports of comment-free source. */
export function parseImports(code: string): Import[] {
  const imports: Import[] = [];
  for (const m of code.matchAll(STATIC_IMPORT)) {
    imports.push({ specifier: m[3], typeOnly: m[2] !== undefined });
  }
  for (const m of code.matchAll(SIDE_EFFECT_IMPORT)) {
    imports.push({ specifier: m[1], typeOnly: false });
  }
  for (const m of code.matchAll(DYNAMIC_IMPORT)) {
    imports.push({ specifier: m[1], typeOnly: false });
  }
  return imports;
}

async function walk(dir: URL, prefix: string, into: string[]): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return; // no such layer yet
    throw error;
  }
  for (const entry of entries) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) {
      await walk(new URL(`${entry.name}/`, dir), `${path}/`, into);
    } else if (entry.isFile && entry.name.endsWith(".ts")) {
      into.push(path);
    }
  }
}

async function loadSources(): Promise<Map<string, SourceFile>> {
  const paths: string[] = [];
  for (const layer of LAYERS) {
    await walk(new URL(`${layer}/`, ROOT), `${layer}/`, paths);
  }
  const files = new Map<string, SourceFile>();
  for (const path of paths.sort()) {
    const source = await Deno.readTextFile(new URL(path, ROOT));
    const code = strip(source, false);
    files.set(path, {
      path,
      code,
      bare: strip(source, true),
      imports: parseImports(code),
    });
  }
  return files;
}

/** The project path a relative specifier of `from` names, else `null`. */
function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return null;
  const url = new URL(specifier, new URL(from, ROOT));
  return url.href.slice(ROOT.href.length);
}

function runtimeTargets(file: SourceFile): string[] {
  return file.imports.filter((i) => !i.typeOnly).map((i) =>
    resolve(file.path, i.specifier) ?? i.specifier
  );
}

let loaded: Promise<Map<string, SourceFile>> | null = null;

/** The sources, read once, when the first test needs them. */
function sources(): Promise<Map<string, SourceFile>> {
  return loaded ??= loadSources();
}

Deno.test("strip() drops comments and string text, keeping code", () => {
  const code = [
    "/** @example",
    ' * import { run } from "@asyncio/deno";',
    " */",
    'import { a } from "./a.ts"; // Deno.x',
    'const s = "Deno.inspect" + `t ${Deno.pid} u` + /Deno\\./.source;',
    "const d = a / 2 / 3;",
  ].join("\n");
  const kept = strip(code, false);
  assert.deepEqual(parseImports(kept), [
    { specifier: "./a.ts", typeOnly: false },
  ]);
  const bare = strip(code, true);
  assert.equal(bare.match(/\bDeno\s*\./g)?.length, 1); // the `${Deno.pid}`
  assert.match(bare, /a \/ 2 \/ 3/);
});

Deno.test("parseImports() tells type-only imports from run-time ones", () => {
  const imports = parseImports([
    'import type { A } from "./a.ts";',
    'import { type B, C } from "./b.ts";',
    "import {",
    "  D,",
    "  E,",
    '} from "./d.ts";',
    'export { F } from "./f.ts";',
    'export type { G } from "./g.ts";',
    'import "./side.ts";',
    'const m = await import("./dyn.ts");',
    'export const from = "./not-an-import.ts";',
  ].join("\n"));
  assert.deepEqual(imports, [
    { specifier: "./a.ts", typeOnly: true },
    { specifier: "./b.ts", typeOnly: false },
    { specifier: "./d.ts", typeOnly: false },
    { specifier: "./f.ts", typeOnly: false },
    { specifier: "./g.ts", typeOnly: true },
    { specifier: "./side.ts", typeOnly: false },
    { specifier: "./dyn.ts", typeOnly: false },
  ]);
});

Deno.test("layering: the sources were found and parsed", async () => {
  const files = await sources();
  assert.ok(files.has("loop/base_event_loop.ts"));
  assert.ok(files.has("tasks/exceptions.ts"));
  assert.ok(
    files.get("loop/run.ts")!.imports.some((i) =>
      i.specifier === "../tasks/exceptions.ts"
    ),
  );
});

Deno.test("layering: loop/ imports at run time only loop/ and tasks/exceptions.ts", async () => {
  const bad: string[] = [];
  for (const file of (await sources()).values()) {
    if (!file.path.startsWith("loop/")) continue;
    for (const target of runtimeTargets(file)) {
      if (target.startsWith("node:")) continue; // a runtime built-in
      if (target.startsWith("loop/") || target === "tasks/exceptions.ts") {
        continue;
      }
      bad.push(`${file.path} -> ${target}`);
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("layering: imports point one way, streams/ and sync/ -> tasks/ -> loop/", async () => {
  const rank: Record<string, number> = {
    loop: 0,
    tasks: 1,
    sync: 2,
    streams: 2,
  };
  const bad: string[] = [];
  for (const file of (await sources()).values()) {
    const from = rank[file.path.split("/")[0]];
    for (const target of runtimeTargets(file)) {
      const to = rank[target.split("/")[0]];
      if (to === undefined || from === 0) continue; // loop/ has its own test
      // sync/ and streams/ are peers: neither imports the other.
      const sideways = to === from &&
        file.path.split("/")[0] !== target.split("/")[0];
      if (to > from || sideways) bad.push(`${file.path} -> ${target}`);
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("layering: tasks/exceptions.ts imports nothing", async () => {
  const file = (await sources()).get("tasks/exceptions.ts")!;
  assert.deepEqual(file.imports, []);
});

Deno.test("layering: no run-time dependency but node: built-ins and the project's files", async () => {
  const bad: string[] = [];
  for (const file of (await sources()).values()) {
    for (const target of runtimeTargets(file)) {
      if (target.startsWith("node:")) continue;
      if (/^(loop|tasks|sync|streams)\//.test(target)) continue;
      bad.push(`${file.path} -> ${target}`);
    }
  }
  assert.deepEqual(bad, []);
});

Deno.test("layering: Deno only in loop/clock.ts, loop/base_event_loop.ts, loop/_async_context.ts, loop/_sigint.ts and streams/", async () => {
  const allowed = new Set([
    "loop/clock.ts",
    "loop/base_event_loop.ts",
    "loop/_async_context.ts",
    "loop/_sigint.ts",
  ]);
  const bad: string[] = [];
  for (const file of (await sources()).values()) {
    if (file.path.startsWith("streams/") || allowed.has(file.path)) continue;
    file.bare.split("\n").forEach((line, i) => {
      // `Deno.x`, `Deno[x]` and `Deno as …` all reach the platform.
      if (/\bDeno\s*[.[]|\bDeno\s+as\b/.test(line)) {
        bad.push(`${file.path}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(bad, []);
});

Deno.test("layering: no run-time import cycle", async () => {
  const files = await sources();
  const graph = new Map<string, string[]>();
  for (const file of files.values()) {
    graph.set(file.path, runtimeTargets(file).filter((t) => files.has(t)));
  }
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (node: string) => {
    state.set(node, "active");
    stack.push(node);
    for (const next of graph.get(node)!) {
      const s = state.get(next);
      if (s === "active") {
        cycles.push([...stack.slice(stack.indexOf(next)), next].join(" -> "));
      } else if (s === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) visit(node);
  }
  assert.deepEqual(cycles, []);
});
