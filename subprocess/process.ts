/**
 * `Process`: a child process started by `createSubprocessExec` or
 * `createSubprocessShell`, as asyncio's `asyncio.subprocess.Process`.
 *
 * How it works: Deno's `ChildProcess` runs the child; its pipes are a
 * `StreamWriter` over a `WritePipe` (stdin) and `StreamReader`s fed by
 * `ReadPipe`s (stdout, stderr). The child's exit (Deno's `status`) sets
 * `returncode` and wakes every `wait()`, each on a loop Future of its own,
 * so that cancelling one waiter cancels nothing else.
 *
 * Invariants:
 * - `returncode` is `null` until the child has exited, then its exit code,
 *   or minus the signal that killed it, as Python's.
 * - Cancelling `wait()` or `communicate()` leaves the child running, as in
 *   asyncio (kill it with `kill()`, then `await wait()`). A child still
 *   running when its loop closes is killed and its pipes released, so
 *   nothing is left behind (asyncio leaves it running; a Deno process would
 *   stay alive for it).
 *
 * @module
 */
import { ValueError } from "../exceptions/builtins.ts";
import {
  BrokenPipeError,
  ConnectionResetError,
  ProcessLookupError,
} from "../exceptions/os_errors.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { signalName } from "../loop/signals.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable, Future } from "../tasks/future.ts";
import { gather } from "../tasks/gather.ts";
import { Op } from "../tasks/_op.ts";
import type { StreamReader } from "../streams/stream_reader.ts";
import type { StreamWriter } from "../streams/stream_writer.ts";
import { track, untrack } from "../streams/_open_resources.ts";
import { returncodeOf } from "./_child.ts";
import type { ReadPipe } from "./_read_pipe.ts";
import type { WritePipe } from "./_write_pipe.ts";

/** The pipes of a child, as `createSubprocessExec` made them. */
export interface ProcessPipes {
  stdin: StreamWriter | null;
  stdinPipe: WritePipe | null;
  stdout: StreamReader | null;
  stderr: StreamReader | null;
  readPipes: ReadPipe[];
}

/** Feed `input` to the child and close its stdin, as asyncio's `_feed_stdin`. */
async function feedStdin(stdin: StreamWriter, input: Uint8Array | null) {
  try {
    if (input !== null) {
      stdin.write(input);
      await stdin.drain();
    }
  } catch (error) {
    // The child exited or closed its input: as asyncio, not an error here.
    if (
      !(error instanceof BrokenPipeError ||
        error instanceof ConnectionResetError)
    ) throw error;
  }
  stdin.close();
}

/** Everything the child writes to `reader`, once it closes it. */
async function readAll(reader: StreamReader | null) {
  return reader === null ? null : await reader.read();
}

/**
 * A child process, as asyncio's `Process`: `pid`, its pipes (`stdin`, a
 * `StreamWriter`; `stdout` and `stderr`, `StreamReader`s, when created
 * with `PIPE`), `returncode`, `wait()`, `communicate()` and signals. Made
 * by `createSubprocessExec` and `createSubprocessShell`.
 *
 * Cancelling `wait()` or `communicate()` leaves the child running, as in
 * asyncio; a child still running when the loop closes (`run()` returns) is
 * killed, so no process is left behind.
 *
 * @example Reading a child's output
 * ```ts
 * import { createSubprocessExec, PIPE, run } from "@asyncio/deno";
 * async function version(): Promise<string> {
 *   const proc = await createSubprocessExec("python3", ["--version"], {
 *     stdout: PIPE,
 *   });
 *   const [out] = await proc.communicate();
 *   return new TextDecoder().decode(out!).trim(); // "Python 3.11…"
 * }
 * console.log(typeof version, typeof run); // function function
 * ```
 */
export class Process {
  readonly #child: Deno.ChildProcess;
  readonly #loop: AbstractEventLoop;
  readonly #pipes: ProcessPipes;
  #returncode: number | null = null;
  #waiters: Future<number>[] = [];

  /**
   * Made by `createSubprocessExec` and `createSubprocessShell`.
   *
   * @param child The running child.
   * @param loop The loop its waits belong to.
   * @param pipes Its pipes.
   */
  constructor(
    child: Deno.ChildProcess,
    loop: AbstractEventLoop,
    pipes: ProcessPipes,
  ) {
    this.#child = child;
    this.#loop = loop;
    this.#pipes = pipes;
    track(loop, this);
    child.status.then((status) => this.#exited(status));
  }

  /** The child's process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** The child's stdin (`stdin: PIPE`), else `null`. */
  get stdin(): StreamWriter | null {
    return this.#pipes.stdin;
  }

  /** The child's stdout (`stdout: PIPE`), else `null`. */
  get stdout(): StreamReader | null {
    return this.#pipes.stdout;
  }

  /** The child's stderr (`stderr: PIPE`), else `null`. */
  get stderr(): StreamReader | null {
    return this.#pipes.stderr;
  }

  /**
   * The exit code once the child has exited (minus the signal's number if
   * a signal killed it: `-9` for `SIGKILL`), `null` while it runs.
   */
  get returncode(): number | null {
    return this.#returncode;
  }

  #exited(status: Deno.CommandStatus): void {
    this.#returncode = returncodeOf(status);
    untrack(this.#loop, this);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (waiter.done()) continue;
      try {
        waiter.setResult(this.#returncode);
      } catch {
        // the loop is closed
      }
    }
  }

  /**
   * Wait for the child to exit; return its `returncode`. With `stdout:
   * PIPE`, read the output meanwhile (or use `communicate()`): a child that
   * fills its pipe waits for the reader, as everywhere.
   */
  wait(): Awaitable<number> {
    return new Op(this.#wait(), "Process.wait");
  }

  *#wait(): CoroutineGenerator<number> {
    if (this.#returncode !== null) return this.#returncode;
    const waiter = this.#loop.createFuture<number>();
    this.#waiters.push(waiter);
    try {
      return yield* waiter;
    } finally {
      const i = this.#waiters.indexOf(waiter);
      if (i >= 0) this.#waiters.splice(i, 1);
    }
  }

  /**
   * Send `input` (if any) to the child's stdin and close it, read its
   * stdout and stderr to the end, and wait for it to exit, all at once (no
   * deadlock, however much goes either way). Return `[stdout, stderr]`,
   * each `null` unless that stream is a `PIPE`.
   *
   * @param input The bytes to send; needs `stdin: PIPE`.
   */
  communicate(
    input: Uint8Array | null = null,
  ): Awaitable<[Uint8Array | null, Uint8Array | null]> {
    if (input !== null && !(input instanceof Uint8Array)) {
      throw new TypeError(
        `Process.communicate: input must be a Uint8Array or null, got ${typeof input}`,
      );
    }
    if (input !== null && this.#pipes.stdin === null) {
      throw new ValueError(
        "Process.communicate: input given, but the process was not " +
          "created with stdin: PIPE",
      );
    }
    return new Op(this.#communicate(input), "Process.communicate");
  }

  *#communicate(
    input: Uint8Array | null,
  ): CoroutineGenerator<[Uint8Array | null, Uint8Array | null]> {
    const { stdin, stdout, stderr } = this.#pipes;
    const [, out, err] = yield* gather(
      () =>
        stdin === null ? Promise.resolve(undefined) : feedStdin(stdin, input),
      () => readAll(stdout),
      () => readAll(stderr),
    );
    yield* this.#wait();
    return [out, err];
  }

  /**
   * Send a signal to the child: a name as Deno's (`"SIGTERM"`) or a Linux
   * number as Python's (`15`). Raises `ProcessLookupError` once the child
   * has exited, `ValueError` for an unknown signal.
   *
   * @param sig The signal.
   */
  sendSignal(sig: Deno.Signal | number): void {
    const name = signalName("Process.sendSignal", sig);
    if (this.#returncode !== null) throw new ProcessLookupError();
    try {
      this.#child.kill(name);
    } catch (error) {
      // Exited, and Deno knew it before its status reached us.
      if (error instanceof TypeError) throw new ProcessLookupError();
      throw error;
    }
  }

  /** Stop the child with `SIGTERM`. */
  terminate(): void {
    this.sendSignal("SIGTERM");
  }

  /** Kill the child with `SIGKILL`. */
  kill(): void {
    this.sendSignal("SIGKILL");
  }

  /** Internal: the loop closed with the child running: kill it, let go. */
  forceCloseSilently(): void {
    if (this.#returncode === null) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // it has just exited
      }
    }
    this.#pipes.stdinPipe?.abort();
    for (const pipe of this.#pipes.readPipes) pipe.close();
  }

  /** `<Process PID>`, as asyncio's repr. */
  toString(): string {
    return `<Process ${this.pid}>`;
  }
}
