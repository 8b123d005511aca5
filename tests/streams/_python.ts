/**
 * For the tests that run a Python asyncio peer: whether `python3` can run
 * here, and reading its text output line-wise (it prints its port first,
 * its results when done).
 */

/** What `probePython()` finds. */
export type Python = "present" | "absent" | "not allowed";

/** Whether `python3` runs here, without a permission prompt. */
export function probePython(): Python {
  const run = Deno.permissions.querySync({ name: "run", command: "python3" });
  if (run.state !== "granted") return "not allowed";
  try {
    new Deno.Command("python3", {
      args: ["-c", ""],
      stdout: "null",
      stderr: "null",
    }).outputSync();
    return "present";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "absent";
    return "not allowed";
  }
}

/**
 * A `python3` command with `args`, its output piped, for a test file named
 * `test` (its error says which needs `--allow-run=python3`); `python` is
 * what `probePython()` found.
 */
export function python3Command(
  python: Python,
  test: string,
  args: string[],
): Deno.Command {
  if (python === "not allowed") {
    throw new Error(
      `${test} needs --allow-run=python3 (python3 could not be run)`,
    );
  }
  return new Deno.Command("python3", {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Read `reader` up to its first newline: `[line, what came after it]`. */
export async function readFirstLine(
  reader: ReadableStreamDefaultReader<string>,
): Promise<[string, string]> {
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const at = text.indexOf("\n");
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

/** Read `reader` to its end, after `text` already read. */
export async function readRest(
  reader: ReadableStreamDefaultReader<string>,
  text: string,
): Promise<string> {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += value;
  }
}

/**
 * The port a Python server printed first: `[port, what came after it]`;
 * raises with the server's `stderr` when it printed none.
 */
export async function readPort(
  stdout: ReadableStreamDefaultReader<string>,
  stderr: Promise<string>,
): Promise<[number, string]> {
  const [portLine, rest] = await readFirstLine(stdout);
  const port = Number(portLine);
  if (!Number.isInteger(port) || port <= 0) {
    throw new Error(
      `python3 printed no port (${JSON.stringify(portLine)}):\n${await stderr}`,
    );
  }
  return [port, rest];
}

/**
 * The end of a test with a Python peer: kill it unless it `exited`, and
 * close its output streams.
 */
export async function endPython(
  child: Deno.ChildProcess,
  exited: boolean,
  stdout: ReadableStreamDefaultReader<string>,
  stderr: Promise<string>,
): Promise<void> {
  if (!exited) {
    try {
      child.kill();
    } catch {
      // already exited
    }
    await child.status;
  }
  await stdout.cancel();
  await stderr;
}
