/**
 * The project's module graph as Deno resolves it, read from
 * `deno info --json <file>` (one root per call), so that the layering test
 * sees exactly the imports the compiler sees, after the import map of
 * `deno.json`, with comments, JSDoc `@example`s and strings ignored.
 *
 * What `deno info --json` says about an import (`modules[].dependencies[]`):
 *
 * - `code: { specifier }` — a run-time import or re-export, including
 *   `import { type A, B }` and `import "./side.ts"`.
 * - `type: { specifier }` and no `code` — a type-only one: `import type`,
 *   `export type`, `typeof import("…")` in a type. A specifier imported both
 *   ways has both fields; `// @ts-types="…"` puts its target in `type`.
 * - `isDynamic: true` — an `import("…")` with a string literal; an
 *   `import(expr)` is not reported at all.
 * - `code: { error }` — a specifier that did not resolve (`"foo"` not in the
 *   import map); a module that failed to load or parse has an `error` field
 *   and no `dependencies`.
 *
 * Running `deno` needs `--allow-run=deno`; the `.ts` files are listed with
 * `--allow-read=.`.
 */

/** One import or re-export of a project file. */
export interface Edge {
  /** The importing file, from the project root: `loop/events.ts`. */
  from: string;
  /**
   * What it names: a project path (`tasks/future.ts`), a `node:` built-in,
   * another URL, or the raw specifier when it did not resolve.
   */
  to: string;
  /** `code`: needed at run time; `type`: only by the type checker. */
  kind: "code" | "type";
  /** An `import("…")` expression. */
  dynamic: boolean;
}

/** What `deno info --json` reported for the roots, together. */
export interface ModuleGraph {
  /** Project files in the graph, from the project root, sorted. */
  files: string[];
  /** Every import of a project file, deduplicated. */
  edges: Edge[];
  /** `path: message` of each project module Deno could not load or parse. */
  errors: string[];
}

interface InfoResolution {
  specifier?: string;
  error?: string;
}

interface InfoDependency {
  specifier: string;
  code?: InfoResolution;
  type?: InfoResolution;
  isDynamic?: boolean;
}

interface InfoModule {
  specifier: string;
  error?: string;
  dependencies?: InfoDependency[];
}

/** The `.ts` files under `folders` of `root` (missing folders are skipped). */
export async function listSources(
  root: URL,
  folders: readonly string[],
): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(new URL(dir, root)));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return; // not there yet
      throw error;
    }
    for (const entry of entries) {
      if (entry.isDirectory) await walk(`${dir}${entry.name}/`);
      else if (entry.isFile && entry.name.endsWith(".ts")) {
        out.push(`${dir}${entry.name}`);
      }
    }
  };
  for (const folder of folders) await walk(`${folder}/`);
  return out.sort();
}

async function denoInfo(root: URL, file: string): Promise<InfoModule[]> {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    // No lock file written, nothing fetched: a foreign import still shows as
    // an edge, with a load error on its module.
    args: ["info", "--json", "--no-lock", "--no-remote", "--no-npm", file],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `deno info --json ${file} exited with ${code}:\n` +
        new TextDecoder().decode(stderr),
    );
  }
  return JSON.parse(new TextDecoder().decode(stdout)).modules;
}

/**
 * The graph of `roots` (paths from `root`): `deno info` on the first root,
 * then, all at once, on every root the first graph did not reach.
 */
export async function loadGraph(
  root: URL,
  roots: readonly string[],
): Promise<ModuleGraph> {
  const relative = (specifier: string) =>
    specifier.startsWith(root.href)
      ? decodeURIComponent(specifier.slice(root.href.length))
      : specifier;
  const modules = new Map<string, InfoModule>();
  const add = (list: InfoModule[]) => {
    for (const m of list) {
      if (!m.specifier.startsWith(root.href)) continue; // node:, npm:, …
      modules.set(relative(m.specifier), m);
    }
  };
  if (roots.length > 0) add(await denoInfo(root, roots[0]));
  const rest = roots.filter((r) => !modules.has(r));
  for (const list of await Promise.all(rest.map((r) => denoInfo(root, r)))) {
    add(list);
  }

  const edges = new Map<string, Edge>();
  const errors: string[] = [];
  for (const [from, m] of modules) {
    if (m.error !== undefined) errors.push(`${from}: ${m.error}`);
    for (const dep of m.dependencies ?? []) {
      for (const kind of ["code", "type"] as const) {
        const resolution = dep[kind];
        if (resolution === undefined) continue;
        const to = resolution.specifier === undefined
          ? dep.specifier
          : relative(resolution.specifier);
        const dynamic = dep.isDynamic === true;
        edges.set(`${from}\0${to}\0${kind}\0${dynamic}`, {
          from,
          to,
          kind,
          dynamic,
        });
      }
    }
  }
  const order = (a: Edge, b: Edge) =>
    a.from.localeCompare(b.from) || a.to.localeCompare(b.to) ||
    a.kind.localeCompare(b.kind);
  return {
    files: [...modules.keys()].sort(),
    edges: [...edges.values()].sort(order),
    errors: errors.sort(),
  };
}

/** Each cycle of the directed graph `edges`, as `a -> b -> a`. */
export function findCycles(
  edges: readonly { from: string; to: string }[],
): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, []);
    next.get(from)!.push(to);
  }
  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (node: string) => {
    state.set(node, "active");
    stack.push(node);
    for (const to of next.get(node) ?? []) {
      const s = state.get(to);
      if (s === "active") {
        cycles.push([...stack.slice(stack.indexOf(to)), to].join(" -> "));
      } else if (s === undefined) {
        visit(to);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...next.keys()].sort()) {
    if (!state.has(node)) visit(node);
  }
  return cycles;
}
