/**
 * `createSubprocessExec` and `createSubprocessShell`: start a child process
 * over `Deno.Command`, as asyncio's `create_subprocess_exec` and
 * `create_subprocess_shell`.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { ValueError } from "../exceptions/builtins.ts";
import { checkLimit, checkOptions } from "../exceptions/checks.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable } from "../tasks/future.ts";
import { Op } from "../tasks/_op.ts";
import {
  DEFAULT_LIMIT,
  kSetTransport,
  StreamReader,
} from "../streams/stream_reader.ts";
import { StreamWriter } from "../streams/stream_writer.ts";
import type { DEVNULL, PIPE, STDOUT } from "./constants.ts";
import { Process, type ProcessPipes } from "./process.ts";
import {
  checkProgram,
  type ChildPlan,
  planChild,
  spawnChild,
} from "./_child.ts";
import { ReadPipe } from "./_read_pipe.ts";
import { WritePipe } from "./_write_pipe.ts";

/** Options of `createSubprocessExec` and `createSubprocessShell`. */
export interface SubprocessOptions {
  /**
   * `PIPE` (then `process.stdin` is a `StreamWriter`), `DEVNULL`, or
   * `null`: the parent's.
   *
   * @default {null}
   */
  stdin?: typeof PIPE | typeof DEVNULL | null;
  /**
   * `PIPE` (then `process.stdout` is a `StreamReader`), `DEVNULL`, or
   * `null`: the parent's.
   *
   * @default {null}
   */
  stdout?: typeof PIPE | typeof DEVNULL | null;
  /**
   * `PIPE`, `DEVNULL`, `STDOUT` (into the same pipe or device as `stdout`;
   * with `stdout: null`, the parent's stderr: Deno cannot point one of the
   * parent's streams at the other), or `null`: the parent's.
   *
   * @default {null}
   */
  stderr?: typeof PIPE | typeof DEVNULL | typeof STDOUT | null;
  /**
   * The child's working directory.
   *
   * @default {null}
   */
  cwd?: string | null;
  /**
   * The child's whole environment, as Python's `env` (it replaces the
   * parent's; `null` keeps it).
   *
   * @default {null}
   */
  env?: Record<string, string> | null;
  /**
   * The buffer limit of the `stdout` and `stderr` readers, in bytes.
   *
   * @default {65536}
   */
  limit?: number;
}

const OPTIONS = ["stdin", "stdout", "stderr", "cwd", "env", "limit"] as const;

/**
 * Start `program` with `args` (no shell between), as asyncio's
 * `create_subprocess_exec(program, *args, …)`; return its `Process` once
 * it runs. Needs `--allow-run` for `program`.
 *
 * @param program The program: a path, or a name looked up in `PATH`.
 * @param args Its arguments.
 * @param options Its `stdin`, `stdout` and `stderr` (`PIPE`, `DEVNULL`,
 * `STDOUT`, or `null` for the parent's), `cwd`, `env` and the readers'
 * `limit`.
 * @returns The `Process`, awaitable with `await` and `yield*`.
 * @throws {FileNotFoundError} If there is no such program (errno 2).
 * @throws {PermissionError} If it may not be executed (errno 13).
 *
 * @example Piping bytes through a child
 * ```ts
 * import { createSubprocessExec, PIPE } from "@asyncio/deno";
 * async function upper(text: string): Promise<string> {
 *   const proc = await createSubprocessExec(
 *     "python3",
 *     ["-c", "import sys; print(sys.stdin.read().upper(), end='')"],
 *     { stdin: PIPE, stdout: PIPE },
 *   );
 *   const [out] = await proc.communicate(new TextEncoder().encode(text));
 *   return new TextDecoder().decode(out!);
 * }
 * console.log(typeof upper); // function
 * ```
 */
export function createSubprocessExec(
  program: string,
  args: readonly string[] = [],
  options: SubprocessOptions = {},
): Awaitable<Process> {
  const api = "createSubprocessExec";
  checkProgram(api, program, args);
  return start(api, program, args, options);
}

/**
 * Run `cmd` in the shell (`sh -c cmd`), as asyncio's
 * `create_subprocess_shell`; return its `Process` once it runs. Needs
 * `--allow-run=sh`. Quote what you interpolate: the shell parses it.
 *
 * @param cmd The command line.
 * @param options As `createSubprocessExec`'s.
 * @returns The `Process`, awaitable with `await` and `yield*`.
 *
 * @example Exit codes
 * ```ts
 * import { createSubprocessShell } from "@asyncio/deno";
 * async function status(): Promise<number> {
 *   const proc = await createSubprocessShell("exit 3");
 *   return await proc.wait(); // 3
 * }
 * console.log(typeof status); // function
 * ```
 */
export function createSubprocessShell(
  cmd: string,
  options: SubprocessOptions = {},
): Awaitable<Process> {
  const api = "createSubprocessShell";
  if (typeof cmd !== "string") {
    // A ValueError, as asyncio's (and `loop.subprocessShell`'s).
    throw new ValueError(`${api}: cmd must be a string, got ${describe(cmd)}`);
  }
  return start(api, "sh", ["-c", cmd], options);
}

function start(
  api: string,
  program: string,
  args: readonly string[],
  options: SubprocessOptions,
): Awaitable<Process> {
  const opts = checkOptions(api, options, OPTIONS);
  const limit = checkLimit(api, opts.limit ?? DEFAULT_LIMIT);
  const plan = planChild(api, program, args, opts);
  return new Op(spawn(getEventLoop(), plan, program, limit), api);
}

// deno-lint-ignore require-yield
function* spawn(
  loop: AbstractEventLoop,
  plan: ChildPlan,
  program: string,
  limit: number,
): CoroutineGenerator<Process> {
  const { piped, merged } = plan;
  const child = spawnChild(plan, program);
  const pipes: ProcessPipes = {
    stdin: null,
    stdinPipe: null,
    stdout: null,
    stderr: null,
    readPipes: [],
  };
  if (piped.stdin) {
    const pipe = new WritePipe(loop, child.stdin, child.pid);
    pipes.stdinPipe = pipe;
    pipes.stdin = new StreamWriter(pipe, pipe, null, loop);
  }
  if (piped.stdout) {
    pipes.stdout = new StreamReader(limit, loop);
    const sources = merged ? [child.stdout, child.stderr] : [child.stdout];
    pipes.readPipes.push(feed(pipes.stdout, sources));
  }
  if (piped.stderr && !merged) {
    pipes.stderr = new StreamReader(limit, loop);
    pipes.readPipes.push(feed(pipes.stderr, [child.stderr]));
  }
  return new Process(child, loop, pipes);
}

/** A pipe feeding `reader`, which pauses and resumes it (its transport). */
function feed(
  reader: StreamReader,
  sources: ReadableStream<Uint8Array>[],
): ReadPipe {
  const pipe = new ReadPipe(reader, sources);
  reader[kSetTransport](pipe);
  return pipe;
}
