/**
 * Runs `_missing_program.ts` in a child Deno (see there why a child) and
 * returns what it printed, parsed; `MISSING_PROGRAM_ERROR` is what both
 * forms must report, as Python's `FileNotFoundError`.
 */
import assert from "node:assert/strict";
import { dec } from "../streams/_helpers.ts";

/** What spawning `./no-such-program` raises, as Python's. */
export const MISSING_PROGRAM_ERROR = {
  name: "FileNotFoundError",
  fileNotFound: true,
  osError: true,
  message: "[Errno 2] No such file or directory: './no-such-program'",
  errno: 2,
  filename: "./no-such-program",
};

/** Spawn the missing program through `createSubprocessExec` or, with `"protocol"`, `loop.subprocessExec`. */
export async function spawnMissingProgram(
  form: "exec" | "protocol",
): Promise<unknown> {
  const script = new URL("./_missing_program.ts", import.meta.url).pathname;
  const { stdout, code } = await new Deno.Command("deno", {
    args: [
      "run",
      "--quiet",
      "--allow-read=.",
      "--allow-run=./no-such-program",
      script,
      ...(form === "protocol" ? ["protocol"] : []),
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(code, 0);
  return JSON.parse(dec(stdout));
}
