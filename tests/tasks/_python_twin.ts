/**
 * For tests that embed the CPython twin of a TypeScript program (docs/contract.md,
 * convention 13): the twins' sources are registered as the test module loads, and
 * the first test that asks for an output runs them all in one `python3`
 * process (each `exec`'d with its standard output captured, and a fresh
 * event loop policy after it, as a program of its own would see), so every
 * test can check that its hard-coded lines are what CPython really prints.
 *
 * Task names are normalised as `T1`, `T2`, … in order of first appearance
 * (`Task-N` counters differ between the two, and between one program and the
 * next in one process).
 *
 * @module
 */
import { probePython } from "../streams/_python.ts";

/** The driver: a JSON list of sources on stdin, their outputs on stdout. */
const HARNESS = `
import asyncio, contextlib, io, json, sys, traceback

outputs = []
for source in json.load(sys.stdin):
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(source, "<twin>", "exec"), {"__name__": "__main__"})
    except BaseException:
        out.write("raised: " + traceback.format_exc())
    asyncio.set_event_loop_policy(None)
    outputs.append(out.getvalue())
json.dump(outputs, sys.stdout)
`;

/** How long all the twins may take together, in milliseconds. */
const PYTHON_DEADLINE_MS = 30_000;

const sources: string[] = [];
let outputs: Promise<string[]> | null = null;
let python: ReturnType<typeof probePython> | null = null;
let warned = false;

/** Register a twin's source; return its index for `twinLines`. */
export function addTwin(source: string): number {
  if (outputs !== null) {
    throw new Error("addTwin: the twins have run already; add them at load");
  }
  sources.push(source);
  return sources.length - 1;
}

/**
 * The lines twin `index` printed under CPython, task names normalised; `null`
 * when `python3` is absent or not allowed here (with a warning, once).
 */
export async function twinLines(index: number): Promise<string[] | null> {
  python ??= probePython();
  if (python !== "present") {
    if (!warned) {
      warned = true;
      console.warn(
        `python3 is ${python}: the CPython twins are not run, the TypeScript ` +
          "programs are checked against the hard-coded lines only",
      );
    }
    return null;
  }
  outputs ??= runAll();
  const all = await outputs;
  return normaliseTaskNames(splitLines(all[index]));
}

async function runAll(): Promise<string[]> {
  const child = new Deno.Command("python3", {
    args: ["-c", HARNESS],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill(), PYTHON_DEADLINE_MS);
  try {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(sources)));
    await writer.close();
    const { code, stdout, stderr } = await child.output();
    const err = new TextDecoder().decode(stderr);
    if (code !== 0) {
      throw new Error(`python3 exited with ${code}:\n${err}`);
    }
    return JSON.parse(new TextDecoder().decode(stdout));
  } finally {
    clearTimeout(timer);
  }
}

/** Text as lines, without the last newline's empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** `Task-N` names as `T1`, `T2`, … in order of first appearance. */
export function normaliseTaskNames(lines: readonly string[]): string[] {
  const names = new Map<string, string>();
  return lines.map((line) =>
    line.replace(/Task-\d+/g, (name) => {
      let short = names.get(name);
      if (short === undefined) {
        short = `T${names.size + 1}`;
        names.set(name, short);
      }
      return short;
    })
  );
}
