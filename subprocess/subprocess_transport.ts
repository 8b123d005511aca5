/**
 * `loop.subprocessExec` and `loop.subprocessShell`: a child process driven
 * by a protocol, as asyncio's `BaseSubprocessTransport`
 * (`base_subprocess.py`) and the loop methods that make it
 * (`subprocess_exec` and `subprocess_shell` of `base_events.py`). Loading
 * this module installs them in the loop (`loop/_hooks.ts`).
 *
 * How it works: the child is spawned over `Deno.Command` as for
 * `createSubprocessExec` (`_child.ts`), on the same pipes: its stdin is a
 * `WritePipe` (the `WriteTransport` of `getPipeTransport(0)`), its stdout
 * and stderr `ReadPipe`s, each behind a `ReadPipeTransport`
 * (`getPipeTransport(1)`, `(2)`). Every event (a chunk read, the end of a
 * pipe, the child's exit) reaches the protocol through `callSoon`, in the
 * order it came, as asyncio's `_call`.
 *
 * The order of the callbacks is CPython's (3.11; the tests check it against
 * a CPython twin of each scenario):
 * - `connectionMade(transport)` first, before `subprocessExec` returns;
 * - for each pipe, its `pipeDataReceived(fd, data)` calls, then one
 *   `pipeConnectionLost(fd, exc)`;
 * - `processExited()` once the exit code is known: in any order with the
 *   pipes' calls, as in CPython (whose docs say so: it may come before
 *   `pipeDataReceived` and `pipeConnectionLost`);
 * - `connectionLost(null)` last, once the child has exited and every pipe
 *   is closed; `ProcessLookupError` from `sendSignal()` after it.
 *
 * asyncio's stdin pipe learns that its reader is gone (the pipe reports an
 * error on its write end). Deno's cannot, so the child's exit stands for it
 * (`WritePipe.hangUp()`): a child that closes its stdin and runs on is seen
 * to close it when it exits.
 *
 * Invariants:
 * - A callback that throws is reported to the loop's exception handler
 *   ("Exception in callback pipeDataReceived()"); the others still come.
 * - `close()` closes the pipes and kills a running child; the callbacks
 *   still come, as asyncio's.
 * - Once the loop is closed nothing is scheduled; a child still running
 *   then is killed and its pipes released (tracked as a `Process` is), so
 *   nothing is left behind.
 *
 * @module
 */
import { ValueError } from "../exceptions/builtins.ts";
import { checkFunction, checkOptions } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { ProcessLookupError } from "../exceptions/os_errors.ts";
import { type AbstractEventLoop, inspect } from "../loop/events.ts";
import { installSubprocesses } from "../loop/_hooks.ts";
import { getEventLoop } from "../loop/policy.ts";
import type { SubprocessProtocolLike } from "../loop/protocols.ts";
import { type SignalName, signalName } from "../loop/signals.ts";
import type {
  ReadTransport,
  SubprocessTransport,
  SubprocessTransportOptions,
  WriteTransport,
} from "../loop/transports.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable, Future } from "../tasks/future.ts";
import { Op } from "../tasks/_op.ts";
import { makeProtocol } from "../streams/_make_protocol.ts";
import { track, untrack } from "../streams/_open_resources.ts";
import { PIPE } from "./constants.ts";
import {
  checkProgram,
  type ChildPlan,
  planChild,
  returncodeOf,
  spawnChild,
} from "./_child.ts";
import { ReadPipe } from "./_read_pipe.ts";
import { WritePipe } from "./_write_pipe.ts";

const OPTIONS = ["stdin", "stdout", "stderr", "cwd", "env"] as const;

// The protocol's callbacks, each run by the loop with `callSoon`. Named as
// the methods they call: an error reads "Exception in callback
// pipeDataReceived()".

function connectionMade(
  protocol: SubprocessProtocolLike,
  transport: SubprocessTransport,
): void {
  protocol.connectionMade?.(transport);
}

function pipeDataReceived(
  protocol: SubprocessProtocolLike,
  fd: number,
  data: Uint8Array,
): void {
  protocol.pipeDataReceived?.(fd, data);
}

function pipeConnectionLost(
  protocol: SubprocessProtocolLike,
  fd: number,
  exc: unknown,
): void {
  protocol.pipeConnectionLost?.(fd, exc);
}

function processExited(protocol: SubprocessProtocolLike): void {
  protocol.processExited?.();
}

/** asyncio's `_call_connection_lost`: the waiters wake even if it throws. */
function connectionLost(
  protocol: SubprocessProtocolLike,
  then: () => void,
): void {
  try {
    protocol.connectionLost?.(null);
  } finally {
    then();
  }
}

function setResultUnlessDone(future: Future<undefined>): void {
  if (!future.done()) future.setResult(undefined);
}

/**
 * A child's stdout or stderr, as asyncio's `_UnixReadPipeTransport` with
 * its `ReadSubprocessPipeProto`: what `getPipeTransport(1)` and `(2)`
 * return. Its chunks and its end go to the subprocess transport.
 */
class ReadPipeTransport implements ReadTransport {
  readonly #fd: number;
  readonly #pid: number;
  readonly #pipe: ReadPipe;
  readonly #lost: (fd: number, exc: unknown) => void;
  #closing = false;
  #ended = false;

  constructor(
    fd: number,
    pid: number,
    streams: ReadableStream<Uint8Array>[],
    received: (fd: number, data: Uint8Array) => void,
    lost: (fd: number, exc: unknown) => void,
  ) {
    this.#fd = fd;
    this.#pid = pid;
    this.#lost = lost;
    this.#pipe = new ReadPipe({
      feedData: (data) => received(fd, data),
      feedEof: () => this.#end(null),
      setException: (exc) => this.#end(exc),
    }, streams);
  }

  /** The pipe has ended (EOF, an error, or closed): said once. */
  #end(exc: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#closing = true;
    this.#lost(this.#fd, exc);
  }

  pauseReading(): void {
    if (!this.#closing) this.#pipe.pauseReading();
  }

  resumeReading(): void {
    if (!this.#closing) this.#pipe.resumeReading();
  }

  isReading(): boolean {
    return !this.#closing && this.#pipe.isReading();
  }

  /** Stop reading; the pipe's end is told once its reads are released. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#pipe.close();
    const end = () => this.#end(null);
    this.#pipe.whenClosed().then(end, end);
  }

  isClosing(): boolean {
    return this.#closing;
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return name === "pid" ? this.#pid : defaultValue;
  }

  /** The loop closed: release the pipe, tell nobody. */
  forceCloseSilently(): void {
    this.#ended = true;
    this.#closing = true;
    this.#pipe.close();
  }

  /** `<ReadPipeTransport fd=1 pid=N>`, with its state. */
  toString(): string {
    const state = this.#closing ? " closed" : "";
    return `<ReadPipeTransport${state} fd=${this.#fd} pid=${this.#pid}>`;
  }

  [inspect](): string {
    return this.toString();
  }
}

/** A child driven by a protocol (see the module's header). */
class BaseSubprocessTransport implements SubprocessTransport {
  readonly #loop: AbstractEventLoop;
  readonly #protocol: SubprocessProtocolLike;
  readonly #child: Deno.ChildProcess;
  readonly #pipes = new Map<number, WritePipe | ReadPipeTransport>();
  readonly #disconnected = new Set<number>();
  #returncode: number | null = null;
  #closed = false;
  /** `connectionLost` is scheduled. */
  #finished = false;
  /** `connectionLost` has run: the child is forgotten (asyncio's `_proc = None`). */
  #gone = false;
  #exitWaiters: Future<number>[] = [];

  constructor(
    loop: AbstractEventLoop,
    protocol: SubprocessProtocolLike,
    child: Deno.ChildProcess,
    plan: ChildPlan,
  ) {
    this.#loop = loop;
    this.#protocol = protocol;
    this.#child = child;
    const pid = child.pid;
    const lost = (fd: number, exc: unknown) =>
      this.#pipeConnectionLost(fd, exc);
    if (plan.piped.stdin) {
      this.#pipes.set(
        0,
        new WritePipe(loop, child.stdin, pid, {
          pauseWriting: () => this.#flowControl("pauseWriting"),
          resumeWriting: () => this.#flowControl("resumeWriting"),
          connectionLost: (exc) => lost(0, exc),
        }),
      );
    }
    const received = (fd: number, data: Uint8Array) =>
      this.#call(pipeDataReceived, protocol, fd, data);
    if (plan.piped.stdout) {
      const sources = plan.merged
        ? [child.stdout, child.stderr]
        : [child.stdout];
      this.#pipes.set(
        1,
        new ReadPipeTransport(1, pid, sources, received, lost),
      );
    }
    if (plan.piped.stderr && !plan.merged) {
      this.#pipes.set(
        2,
        new ReadPipeTransport(2, pid, [child.stderr], received, lost),
      );
    }
    track(loop, this);
    // First in the queue: every event of the pipes comes from a later read.
    this.#call(connectionMade, protocol, this);
    child.status.then((status) => this.#processExited(returncodeOf(status)));
  }

  /**
   * The generator of `subprocessExec`: the protocol, then the child, then
   * `[transport, protocol]` once `connectionMade` has run, as asyncio's.
   */
  static *start<P extends SubprocessProtocolLike>(
    loop: AbstractEventLoop,
    protocolFactory: () => P,
    plan: ChildPlan,
    program: string,
  ): CoroutineGenerator<[SubprocessTransport, P]> {
    const protocol = makeProtocol(protocolFactory);
    const child = spawnChild(plan, program);
    const transport = new BaseSubprocessTransport(loop, protocol, child, plan);
    const waiter = loop.createFuture<undefined>();
    loop.callSoon(setResultUnlessDone, waiter);
    try {
      yield* waiter;
    } catch (error) {
      // Cancelled: as asyncio, kill the child and wait for its end.
      transport.close();
      yield* transport.#wait();
      throw error;
    }
    return [transport, protocol];
  }

  /** asyncio's `_call`: a protocol callback, unless the loop is closed. */
  // deno-lint-ignore no-explicit-any
  #call<A extends any[]>(fn: (...args: A) => void, ...args: A): void {
    if (!this.#loop.isClosed()) this.#loop.callSoon(fn, ...args);
  }

  /** The stdin pipe's flow control, told at once, as asyncio's. */
  #flowControl(method: "pauseWriting" | "resumeWriting"): void {
    try {
      this.#protocol[method]?.();
    } catch (exception) {
      this.#loop.callExceptionHandler({
        message: method === "pauseWriting"
          ? "protocol.pause_writing() failed"
          : "protocol.resume_writing() failed",
        exception,
        transport: this.#pipes.get(0),
        protocol: this.#protocol,
      });
    }
  }

  #pipeConnectionLost(fd: number, exc: unknown): void {
    if (this.#disconnected.has(fd)) return;
    this.#disconnected.add(fd);
    this.#call(pipeConnectionLost, this.#protocol, fd, exc);
    this.#tryFinish();
  }

  #processExited(returncode: number): void {
    if (this.#loop.isClosed()) return; // force-closed already
    // Nobody reads the stdin pipe any more (see the module's header); first,
    // as asyncio mostly sees it, and before the exit code is set, so that
    // its end cannot finish the transport ahead of `processExited`.
    (this.#pipes.get(0) as WritePipe | undefined)?.hangUp();
    this.#returncode = returncode;
    this.#call(processExited, this.#protocol);
    this.#tryFinish();
  }

  /** asyncio's `_try_finish`: once exited and every pipe lost, the end. */
  #tryFinish(): void {
    if (this.#finished || this.#returncode === null) return;
    for (const fd of this.#pipes.keys()) {
      if (!this.#disconnected.has(fd)) return;
    }
    this.#finished = true;
    this.#call(connectionLost, this.#protocol, () => this.#forget());
  }

  /** After `connectionLost`: wake the waiters, forget the child. */
  #forget(): void {
    this.#gone = true;
    untrack(this.#loop, this);
    const waiters = this.#exitWaiters;
    this.#exitWaiters = [];
    for (const waiter of waiters) {
      if (!waiter.done()) waiter.setResult(this.#returncode!);
    }
  }

  /** asyncio's `_wait`: the exit code, once `connectionLost` has run. */
  *#wait(): CoroutineGenerator<number> {
    if (this.#gone) return this.#returncode!;
    const waiter = this.#loop.createFuture<number>();
    this.#exitWaiters.push(waiter);
    return yield* waiter;
  }

  getPid(): number {
    return this.#child.pid;
  }

  getReturncode(): number | null {
    return this.#returncode;
  }

  getPipeTransport(fd: 0): WriteTransport | null;
  getPipeTransport(fd: 1 | 2): ReadTransport | null;
  getPipeTransport(fd: number): WriteTransport | ReadTransport | null;
  getPipeTransport(fd: number): WriteTransport | ReadTransport | null {
    return this.#pipes.get(fd) ?? null;
  }

  sendSignal(sig: SignalName | number): void {
    const name = signalName("SubprocessTransport.sendSignal", sig);
    if (this.#gone) throw new ProcessLookupError();
    if (this.#returncode !== null) return; // as Popen's: it has exited
    try {
      this.#child.kill(name);
    } catch (error) {
      // Exited, and Deno knew it before its status reached us.
      if (!(error instanceof TypeError)) throw error;
    }
  }

  terminate(): void {
    this.sendSignal("SIGTERM");
  }

  kill(): void {
    this.sendSignal("SIGKILL");
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const pipe of this.#pipes.values()) pipe.close();
    if (this.#returncode === null) this.#killSilently();
  }

  #killSilently(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // it has just exited
    }
  }

  isClosing(): boolean {
    return this.#closed;
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return name === "subprocess" ? this.#child : defaultValue;
  }

  /** Internal: the loop closed with the child running: kill it, let go. */
  forceCloseSilently(): void {
    this.#closed = true;
    if (this.#returncode === null) this.#killSilently();
    for (const pipe of this.#pipes.values()) {
      if (pipe instanceof WritePipe) pipe.abort();
      else pipe.forceCloseSilently();
    }
  }

  /** `<BaseSubprocessTransport pid=N running>`, as asyncio's repr. */
  toString(): string {
    const info = ["BaseSubprocessTransport"];
    if (this.#closed) info.push("closed");
    info.push(`pid=${this.#child.pid}`);
    info.push(
      this.#returncode === null ? "running" : `returncode=${this.#returncode}`,
    );
    return `<${info.join(" ")}>`;
  }

  [inspect](): string {
    return this.toString();
  }
}

function start<P extends SubprocessProtocolLike>(
  api: string,
  loop: AbstractEventLoop | null,
  protocolFactory: () => P,
  program: string,
  args: readonly string[],
  options: SubprocessTransportOptions,
): Awaitable<[SubprocessTransport, P]> {
  const opts = checkOptions(api, options, OPTIONS);
  // asyncio's defaults here: every pipe a PIPE.
  const plan = planChild(api, program, args, {
    ...opts,
    stdin: opts.stdin === undefined ? PIPE : opts.stdin,
    stdout: opts.stdout === undefined ? PIPE : opts.stdout,
    stderr: opts.stderr === undefined ? PIPE : opts.stderr,
  });
  return new Op(
    BaseSubprocessTransport.start(
      loop ?? getEventLoop(),
      protocolFactory,
      plan,
      program,
    ),
    api,
  );
}

/**
 * Start `program` with `args` (no shell between) and drive the protocol
 * that `protocolFactory` makes, as asyncio's `loop.subprocess_exec`: return
 * `[transport, protocol]` once `connectionMade` has run. Each of the
 * child's stdin, stdout and stderr is a `PIPE` unless `options` says
 * otherwise, as in asyncio. Needs `--allow-run` for `program`.
 *
 * @param loop The loop (`null`: the current one).
 * @param protocolFactory Makes the child's protocol (called once, before
 * the child starts).
 * @param program The program: a path, or a name looked up in `PATH`.
 * @param args Its arguments.
 * @param options `stdin`, `stdout`, `stderr` (`PIPE`, `DEVNULL`, `STDOUT`
 * for `stderr`, or `null` for the parent's), `cwd`, `env`.
 * @returns `[transport, protocol]`, awaitable with `await` and `yield*`.
 * @throws {FileNotFoundError} If there is no such program (errno 2).
 * @throws {PermissionError} If it may not be executed (errno 13).
 *
 * @example Collecting a child's output (declared, not run: it needs `--allow-run`)
 * ```ts
 * import { getRunningLoop, SubprocessProtocol } from "@asyncio/deno";
 * class Collect extends SubprocessProtocol {
 *   chunks: Uint8Array[] = [];
 *   override pipeDataReceived(_fd: number, data: Uint8Array) {
 *     this.chunks.push(data);
 *   }
 * }
 * async function ls() {
 *   const [transport, protocol] = await getRunningLoop().subprocessExec(
 *     () => new Collect(),
 *     "ls",
 *     ["-l"],
 *     { stdin: null, stderr: null },
 *   );
 *   return [transport.getPid(), protocol.chunks];
 * }
 * console.log(typeof ls); // function
 * ```
 */
export function subprocessExec<P extends SubprocessProtocolLike>(
  loop: AbstractEventLoop | null,
  protocolFactory: () => P,
  program: string,
  args: readonly string[] = [],
  options: SubprocessTransportOptions = {},
): Awaitable<[SubprocessTransport, P]> {
  const api = "subprocessExec";
  checkFunction(api, "protocolFactory", protocolFactory);
  checkProgram(api, program, args);
  return start(api, loop, protocolFactory, program, args, options);
}

/**
 * Run `cmd` in the shell (`sh -c cmd`) and drive the protocol that
 * `protocolFactory` makes, as asyncio's `loop.subprocess_shell`: return
 * `[transport, protocol]` once `connectionMade` has run. Needs
 * `--allow-run=sh`. Quote what you interpolate: the shell parses it.
 *
 * @param loop The loop (`null`: the current one).
 * @param protocolFactory Makes the child's protocol.
 * @param cmd The command line.
 * @param options As `subprocessExec`'s.
 * @returns `[transport, protocol]`, awaitable with `await` and `yield*`.
 * @throws {ValueError} If `cmd` is not a string, as asyncio's.
 *
 * @example Waiting for the exit (declared, not run: it needs `--allow-run=sh`)
 * ```ts
 * import { getRunningLoop, SubprocessProtocol } from "@asyncio/deno";
 * async function status(): Promise<number | null> {
 *   const exited = getRunningLoop().createFuture<void>();
 *   const [transport] = await getRunningLoop().subprocessShell(
 *     () =>
 *       new (class extends SubprocessProtocol {
 *         override connectionLost() {
 *           exited.setResult();
 *         }
 *       })(),
 *     "exit 3",
 *   );
 *   await exited;
 *   return transport.getReturncode(); // 3
 * }
 * console.log(typeof status); // function
 * ```
 */
export function subprocessShell<P extends SubprocessProtocolLike>(
  loop: AbstractEventLoop | null,
  protocolFactory: () => P,
  cmd: string,
  options: SubprocessTransportOptions = {},
): Awaitable<[SubprocessTransport, P]> {
  const api = "subprocessShell";
  checkFunction(api, "protocolFactory", protocolFactory);
  if (typeof cmd !== "string") {
    throw new ValueError(`${api}: cmd must be a string, got ${describe(cmd)}`);
  }
  return start(api, loop, protocolFactory, "sh", ["-c", cmd], options);
}

installSubprocesses({
  subprocessExec: (loop, factory, program, args, options) =>
    subprocessExec(
      loop as AbstractEventLoop,
      factory as () => SubprocessProtocolLike,
      program as string,
      args as readonly string[],
      options as SubprocessTransportOptions,
    ),
  subprocessShell: (loop, factory, cmd, options) =>
    subprocessShell(
      loop as AbstractEventLoop,
      factory as () => SubprocessProtocolLike,
      cmd as string,
      options as SubprocessTransportOptions,
    ),
});
