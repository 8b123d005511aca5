/**
 * A child process over `Deno.Command`, for both forms of asyncio's
 * subprocesses (the streams of `createSubprocessExec`, the protocols of
 * `loop.subprocessExec`): the options checked and made into Deno's, a
 * failure to spawn as Python's `OSError`, an exit status as Python's
 * `returncode`.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { ValueError } from "../exceptions/builtins.ts";
import { FileNotFoundError, PermissionError } from "../exceptions/os_errors.ts";
import { signalNumber } from "../loop/signals.ts";
import { toPythonError } from "../streams/_os_errors.ts";
import { DEVNULL, PIPE, STDOUT } from "./constants.ts";

/** The options both forms share (`undefined` and `null`: the parent's). */
export interface ChildOptions {
  stdin?: unknown;
  stdout?: unknown;
  stderr?: unknown;
  cwd?: unknown;
  env?: unknown;
}

/** A checked command, and which of the child's streams are pipes. */
export interface ChildPlan {
  command: Deno.Command;
  piped: Record<"stdin" | "stdout" | "stderr", boolean>;
  /** `stderr: STDOUT` with `stdout: PIPE`: both read from one pipe. */
  merged: boolean;
}

type Stdio = "piped" | "null" | "inherit";

function stdio(
  api: string,
  name: string,
  value: unknown,
  allowed: readonly unknown[],
): Stdio {
  if (value === undefined || value === null) return "inherit";
  if (!allowed.includes(value)) {
    throw new (typeof value === "number" ? ValueError : TypeError)(
      `${api}: options.${name} must be PIPE, DEVNULL${
        allowed.includes(STDOUT) ? ", STDOUT" : ""
      } or null, got ${describe(value)}`,
    );
  }
  return value === PIPE ? "piped" : value === DEVNULL ? "null" : "piped";
}

/** A `TypeError` naming `api` unless `program` and `args` are strings. */
export function checkProgram(
  api: string,
  program: unknown,
  args: unknown,
): void {
  if (typeof program !== "string" || program === "") {
    throw new TypeError(
      `${api}: program must be a non-empty string, got ${describe(program)}`,
    );
  }
  if (
    !Array.isArray(args) || !args.every((arg) => typeof arg === "string")
  ) {
    throw new TypeError(
      `${api}: args must be an array of strings, got ${
        Array.isArray(args)
          ? `an element ${describe(args.find((a) => typeof a !== "string"))}`
          : describe(args)
      }`,
    );
  }
}

/** The `Deno.Command` that starts `program` with `opts` (checked). */
export function planChild(
  api: string,
  program: string,
  args: readonly string[],
  opts: ChildOptions,
): ChildPlan {
  const stdin = stdio(api, "stdin", opts.stdin, [PIPE, DEVNULL]);
  const stdout = stdio(api, "stdout", opts.stdout, [PIPE, DEVNULL]);
  let stderr = stdio(api, "stderr", opts.stderr, [PIPE, DEVNULL, STDOUT]);
  // STDOUT: the same pipe (both fed to one reader) or device as stdout.
  const merged = opts.stderr === STDOUT && stdout === "piped";
  if (opts.stderr === STDOUT) stderr = stdout;
  const cwd = opts.cwd ?? undefined;
  if (cwd !== undefined && typeof cwd !== "string") {
    throw new TypeError(
      `${api}: options.cwd must be a string or null, got ${describe(cwd)}`,
    );
  }
  const env = opts.env ?? undefined;
  if (
    env !== undefined &&
    (typeof env !== "object" ||
      !Object.values(env).every((v) => typeof v === "string"))
  ) {
    throw new TypeError(
      `${api}: options.env must be an object of strings or null, got ${
        describe(env)
      }`,
    );
  }
  const command = new Deno.Command(program, {
    args: [...args],
    stdin,
    stdout,
    stderr,
    cwd,
    env: env as Record<string, string> | undefined,
    clearEnv: env !== undefined,
  });
  return {
    command,
    piped: {
      stdin: stdin === "piped",
      stdout: stdout === "piped",
      stderr: stderr === "piped",
    },
    merged,
  };
}

/** Spawn the child, or raise Deno's failure as Python's `OSError`. */
export function spawnChild(
  plan: ChildPlan,
  program: string,
): Deno.ChildProcess {
  try {
    return plan.command.spawn();
  } catch (error) {
    throw spawnError(error, program);
  }
}

/** Deno's failure to spawn `program` as Python's `OSError`. */
function spawnError(error: unknown, program: string): unknown {
  const quoted = `'${program}'`;
  if (error instanceof Deno.errors.NotFound) {
    return new FileNotFoundError(
      `[Errno 2] No such file or directory: ${quoted}`,
      {
        errno: 2,
        strerror: "No such file or directory",
        filename: program,
        cause: error,
      },
    );
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return new PermissionError(`[Errno 13] Permission denied: ${quoted}`, {
      errno: 13,
      strerror: "Permission denied",
      filename: program,
      cause: error,
    });
  }
  return toPythonError(error);
}

/**
 * Python's `returncode` of an exit status: the exit code, or minus the
 * signal that killed the child (Deno reports a signal's death as 128 + its
 * number, and names it).
 */
export function returncodeOf(status: Deno.CommandStatus): number {
  return status.signal === null
    ? status.code
    : -(signalNumber(status.signal) || status.code - 128);
}
