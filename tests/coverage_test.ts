/**
 * `docs/coverage.md` stays true: its rows (Python name | here | status |
 * how, or why) are read, and each status is checked against `mod.ts` and
 * `new EventLoop()`. A `ported` or `ported differently` row must name what
 * exists; a `planned` or `impossible on Deno` row must name nothing that
 * exists; every run-time export of `mod.ts` and every member of an
 * `EventLoop` must be named by a ported row; and every public name of the
 * local `python3`'s `asyncio.__all__` and `AbstractEventLoop` has a row.
 *
 * In the "here" column, `` `name` `` is an export of `mod.ts` (a value or a
 * type), `` `loop.name` `` a member of an `EventLoop`, `` `Name.member` `` a
 * member (static or of the prototype) of an exported class.
 */
import assert from "node:assert/strict";
import { EventLoop } from "../mod.ts";

const ROOT = new URL("../", import.meta.url);
const TABLE = "docs/coverage.md";

const STATUSES = [
  "ported",
  "ported differently",
  "impossible on Deno",
  "planned",
] as const;
type Status = typeof STATUSES[number];

interface Row {
  /** Where the row is, for messages: `docs/coverage.md:42`. */
  where: string;
  /** The Python name, without backticks: `loop.call_soon`. */
  python: string;
  /** The names of the "here" column, without backticks. */
  here: string[];
  status: Status;
}

const IDENT = "[A-Za-z_$][\\w$]*";
const EXPORT_NAME = new RegExp(`^${IDENT}$`);
const MEMBER_NAME = new RegExp(`^(${IDENT})\\.(${IDENT})$`);

/** The rows of the table, and what could not be read in it. */
async function readTable(): Promise<{ rows: Row[]; problems: string[] }> {
  const text = await Deno.readTextFile(new URL(TABLE, ROOT));
  const rows: Row[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.startsWith("|")) return;
    const where = `${TABLE}:${i + 1}`;
    const cells = line.slice(1, line.endsWith("|") ? -1 : undefined)
      .split("|").map((c) => c.trim());
    if (cells[0] === "Python") return; // a header
    if (cells.every((c) => /^:?-+:?$/.test(c))) return; // a separator
    if (cells.length !== 4) {
      problems.push(
        `${where}: a row has 4 cells (Python | here | status | how, or why), this one ${cells.length}`,
      );
      return;
    }
    const [pythonCell, hereCell, statusCell] = cells;
    const python = pythonCell.replace(/`/g, "");
    const status = statusCell.replace(/[`*]/g, "").trim();
    if (!(STATUSES as readonly string[]).includes(status)) {
      problems.push(
        `${where} (${python}): status "${status}" is not one of ${
          STATUSES.map((s) => `"${s}"`).join(", ")
        }`,
      );
      return;
    }
    const here = [...hereCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    for (const name of here) {
      if (!EXPORT_NAME.test(name) && !MEMBER_NAME.test(name)) {
        problems.push(
          `${where} (${python}): "here" names \`${name}\`, which is none of \`name\`, \`loop.name\`, \`Name.member\``,
        );
      }
    }
    rows.push({ where, python, here, status: status as Status });
  });
  return { rows, problems };
}

/** The type-only names `mod.ts` exports (`type X` in an export list). */
async function typeExports(): Promise<Set<string>> {
  const text = await Deno.readTextFile(new URL("mod.ts", ROOT));
  const names = new Set<string>();
  for (const m of text.matchAll(/export\s+(type\s+)?\{([^}]*)\}/g)) {
    const allTypes = m[1] !== undefined;
    for (let entry of m[2].split(",")) {
      entry = entry.replace(/\/\/.*$/gm, "").trim();
      if (entry === "") continue;
      const isType = allTypes || entry.startsWith("type ");
      const name = entry.replace(/^type\s+/, "").split(/\s+as\s+/).pop()!;
      if (isType) names.add(name.trim());
    }
  }
  return names;
}

interface Surface {
  values: Record<string, unknown>;
  types: Set<string>;
  loopMembers: Set<string>;
}

async function surface(): Promise<Surface> {
  const values: Record<string, unknown> = await import("../mod.ts");
  const loop = new EventLoop();
  const loopMembers = new Set<string>(Object.keys(loop));
  for (
    let p = Object.getPrototypeOf(loop);
    p !== null && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    for (const k of Object.getOwnPropertyNames(p)) loopMembers.add(k);
  }
  loopMembers.delete("constructor");
  loopMembers.delete("toString");
  loop.close();
  return { values, types: await typeExports(), loopMembers };
}

/** Whether `name` of a "here" column exists, and what it is, for messages. */
function lookUp(s: Surface, name: string): { exists: boolean; what: string } {
  const member = MEMBER_NAME.exec(name);
  if (member === null) {
    return {
      exists: name in s.values || s.types.has(name),
      what: `an export of mod.ts`,
    };
  }
  const [, owner, key] = member;
  if (owner === "loop") {
    return { exists: s.loopMembers.has(key), what: "a member of an EventLoop" };
  }
  const cls = s.values[owner];
  const exists = typeof cls === "function" &&
    (key in cls || (cls.prototype !== undefined && key in cls.prototype));
  return { exists, what: `a member of mod.ts's ${owner}` };
}

function assertNone(problems: string[], what: string): void {
  assert.ok(
    problems.length === 0,
    `${problems.length} ${what}:\n  ${problems.join("\n  ")}`,
  );
}

Deno.test("docs/coverage.md: every row reads (4 cells, a known status, names of a known shape)", async () => {
  const { rows, problems } = await readTable();
  assert.ok(rows.length > 100, `only ${rows.length} rows read in ${TABLE}`);
  assertNone(problems, `row(s) of ${TABLE} that cannot be read`);
});

Deno.test("docs/coverage.md: a Python name has one row", async () => {
  const { rows } = await readTable();
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const row of rows) {
    const first = seen.get(row.python);
    if (first !== undefined) {
      problems.push(
        `${row.where}: \`${row.python}\` has a row already, at ${first}: merge them`,
      );
    } else seen.set(row.python, row.where);
  }
  assertNone(problems, "duplicate row(s)");
});

Deno.test("docs/coverage.md: a ported row (differently or not) names what exists", async () => {
  const { rows } = await readTable();
  const s = await surface();
  const problems: string[] = [];
  for (const row of rows) {
    if (row.status !== "ported" && row.status !== "ported differently") {
      continue;
    }
    if (row.here.length === 0) {
      problems.push(
        `${row.where} (${row.python}) is "${row.status}" but names nothing in "here": name what stands for it`,
      );
    }
    for (const name of row.here) {
      const { exists, what } = lookUp(s, name);
      if (!exists) {
        problems.push(
          `${row.where} (${row.python}) is "${row.status}" as \`${name}\`, which is not ${what}: fix the name, or make the row "planned"`,
        );
      }
    }
  }
  assertNone(problems, "ported row(s) naming what does not exist");
});

Deno.test("docs/coverage.md: a planned row, or one impossible on Deno, names nothing that exists", async () => {
  const { rows } = await readTable();
  const s = await surface();
  const problems: string[] = [];
  for (const row of rows) {
    if (row.status !== "planned" && row.status !== "impossible on Deno") {
      continue;
    }
    for (const name of row.here) {
      const { exists, what } = lookUp(s, name);
      if (exists) {
        problems.push(
          `${row.where} (${row.python}) is "${row.status}", but \`${name}\` is ${what} now: make the row "ported" (or "ported differently", saying how)`,
        );
      }
    }
  }
  assertNone(problems, "row(s) to update now that their names exist");
});

Deno.test("docs/coverage.md: every run-time export of mod.ts is named by a ported row", async () => {
  const { rows } = await readTable();
  const s = await surface();
  const named = new Set<string>();
  for (const row of rows) {
    if (row.status !== "ported" && row.status !== "ported differently") {
      continue;
    }
    for (const name of row.here) {
      const member = MEMBER_NAME.exec(name);
      named.add(member === null ? name : member[1]);
    }
  }
  const problems = Object.keys(s.values).sort()
    .filter((name) => !named.has(name))
    .map((name) =>
      `mod.ts exports \`${name}\`, which no ported row of ${TABLE} names in its "here" column: add a row (| \`python_name\` | \`${name}\` | ported | … |), or name it in the row of what it ports`
    );
  assertNone(problems, "export(s) missing from the table");
});

Deno.test("docs/coverage.md: every member of an EventLoop is named by a ported row", async () => {
  const { rows } = await readTable();
  const s = await surface();
  const named = new Set<string>();
  for (const row of rows) {
    if (row.status !== "ported" && row.status !== "ported differently") {
      continue;
    }
    for (const name of row.here) {
      const member = MEMBER_NAME.exec(name);
      if (member !== null && member[1] === "loop") named.add(member[2]);
    }
  }
  const problems = [...s.loopMembers].sort()
    .filter((name) => !named.has(name))
    .map((name) =>
      `an EventLoop has \`${name}\`, which no ported row of ${TABLE} names as \`loop.${name}\`: update the row of the Python method it ports (a planned one becomes "ported"), or add one`
    );
  assertNone(problems, "loop member(s) missing from the table");
});

Deno.test("docs/coverage.md: every public name of python3's asyncio.__all__ and AbstractEventLoop has a row", async () => {
  const script = [
    "import asyncio, json",
    "names = ['asyncio.' + n for n in asyncio.__all__ if not n.startswith('_')]",
    "names += ['loop.' + n for n in dir(asyncio.AbstractEventLoop) if not n.startswith('_')]",
    "print(json.dumps(names))",
  ].join("\n");
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("python3", {
      args: ["-c", script],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      console.warn("python3 not found: the Python names are not checked");
      return;
    }
    throw error;
  }
  assert.equal(
    output.code,
    0,
    `python3 failed: ${new TextDecoder().decode(output.stderr)}`,
  );
  const names: string[] = JSON.parse(new TextDecoder().decode(output.stdout));
  const { rows } = await readTable();
  const listed = new Set(rows.map((row) => row.python));
  const problems = names.filter((name) => !listed.has(name)).map((name) =>
    `\`${name}\` has no row in ${TABLE}: add one (| \`${name}\` | … | status | … |)`
  );
  assertNone(problems, "Python name(s) missing from the table");
});
