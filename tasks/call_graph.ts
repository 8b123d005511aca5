/**
 * `captureCallGraph()`, `formatCallGraph()`, `printCallGraph()`: asyncio
 * 3.14's call-graph introspection (`asyncio.graph`): which coroutine frames
 * a task is in, and which tasks await it, up to the tasks nobody awaits.
 *
 * How it works, and where JavaScript differs from CPython:
 * - **Awaited by.** CPython keeps a set of awaiting tasks on every future
 *   (`_asyncio_awaited_by`), updated on each suspension. Here nothing is
 *   kept on the hot path: a task knows the futures it waits on
 *   (`Task[kWaitsOn]()`, `_introspection.ts`), and the awaiters of a future
 *   are found when asked, among the pending tasks of its loop: a task that
 *   waits on it, or on a `gather()` holding it (at any depth), or on a
 *   `shield()` of it, or whose live `TaskGroup` holds it. So a `gather()`
 *   nobody awaits yet links nothing, where CPython links its caller.
 * - **Frames.** JavaScript keeps no frames of a suspended coroutine. The
 *   current task's stack is read from `new Error().stack` (V8 lists the
 *   awaiting `async` functions, "at async main (file:line:col)"), as
 *   CPython walks `sys._getframe()`. For a suspended task, the stack of its
 *   latest `await` of a Future is recorded in debug mode
 *   (`loop.setDebug(true)`, `run(main, { debug: true })`); without debug
 *   mode, or for a generator coroutine (whose frames V8 drops at each
 *   `yield`), the call stack is the coroutine's name alone, when known (a
 *   `coroutine()` generator, a function given to `createTask`/`run`), with
 *   no file or line: the coroutine of `createTask(work())` is a Promise,
 *   which does not know its function's name.
 * - A frame's kind: V8 marks the awaiting `async` functions; the function
 *   the current task runs in shows as a plain call, so its bottom-most
 *   frame is taken as the task's coroutine (`async`, or `generator` for a
 *   generator coroutine), and the frames above it as plain calls.
 * - The frames of this module's own machinery (the loop, `Task`'s step) are
 *   left out, and the walk stops at them as CPython's stops at the task;
 *   the `async` frames of its combinators (`taskGroup`, `waitFor`) stay, as
 *   CPython shows `TaskGroup.__aexit__`.
 * - A cycle (tasks awaiting each other: a deadlock) would recurse forever
 *   in CPython; here a future met again on the way up is listed without its
 *   awaiters.
 *
 * @module
 */
import { RuntimeError } from "../exceptions/builtins.ts";
import { checkInteger, checkOptions } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { runningLoop } from "../loop/_running_loop.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { Coroutine, LazyCoroutine } from "./coroutine.ts";
import { currentTask } from "./current_task.ts";
import { Future } from "./future.ts";
import { gatheredChildren } from "./gather.ts";
import {
  awaitedThrough,
  awaitSite,
  childrenOf,
  kWaitsOn,
} from "./_introspection.ts";
import { pendingTasksOf } from "./_pending_tasks.ts";
import { Task } from "./task.ts";

/**
 * One frame of a call stack, as asyncio's `FrameCallGraphEntry(frame)`:
 * JavaScript has no frame objects, so the entry holds what V8's stack trace
 * tells of one.
 *
 * @example The current task's own frame
 * ```ts
 * import { captureCallGraph, run } from "@asyncio/deno";
 * await run(async function main() {
 *   const [frame] = captureCallGraph()!.callStack;
 *   console.log(frame.name, frame.kind); // main async
 * });
 * ```
 */
export interface FrameCallGraphEntry {
  /** The function's name (`main`, `Worker.run`); `<anonymous>` for none. */
  readonly name: string;
  /**
   * `"async"` for an `async` function, `"generator"` for a generator
   * coroutine, `"function"` for a plain call (CPython's tags: `async`,
   * `generator`, none).
   */
  readonly kind: "async" | "generator" | "function";
  /** The file: a path for a `file:` URL, else the URL; `null` if unknown. */
  readonly fileName: string | null;
  /** The line (1-based) the frame is at, or `null` if unknown. */
  readonly lineNumber: number | null;
  /** The column (1-based), or `null` if unknown. */
  readonly columnNumber: number | null;
}

/**
 * The call graph of a future, as asyncio's `FutureCallGraph(future,
 * call_stack, awaited_by)`: the frames it is in (innermost first, as
 * CPython's) and the graphs of the tasks that await it.
 *
 * @example What awaits a task
 * ```ts
 * import { captureCallGraph, createTask, run, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const child = createTask(sleep(0.01), { name: "child" });
 *   const graph = createTask(async () => {
 *     await sleep(0);
 *     return captureCallGraph(child);
 *   });
 *   const watcher = createTask(async () => await child);
 *   console.log((await graph)!.awaitedBy[0].future === watcher); // true
 * });
 * ```
 */
export interface FutureCallGraph {
  /** The future or task. */
  readonly future: Future<unknown>;
  /** Its frames, innermost first (empty for a plain future). */
  readonly callStack: readonly FrameCallGraphEntry[];
  /** The graphs of the tasks that await it. */
  readonly awaitedBy: readonly FutureCallGraph[];
}

/** Options for `captureCallGraph()`, `formatCallGraph()`, `printCallGraph()`. */
export interface CallGraphOptions {
  /**
   * For the current task only: how many frames to skip from the top of its
   * stack, the caller of `captureCallGraph` being frame 1 (this module's own
   * frames are always left out).
   *
   * @default {1}
   */
  depth?: number;
  /**
   * Keep at most `|limit|` entries of each call stack: with a positive
   * limit, those closest to the task's entry point (the outermost); with a
   * negative one, the innermost; `0` captures no call stack, only who
   * awaits whom; `null` keeps them all.
   *
   * @default {null}
   */
  limit?: number | null;
}

// -- Reading V8 stack traces ---------------------------------------------------

const ROOT = new URL("../", import.meta.url).href;
/** The folders of the module's own code (and `mod.ts`). */
const OWN = [
  "loop/",
  "tasks/",
  "sync/",
  "streams/",
  "runners/",
  "executors/",
  "gevent/",
  "subprocess/",
  "workers/",
  "exceptions/",
  "mod.ts",
].map((p) => ROOT + p);

interface Frame extends FrameCallGraphEntry {
  /** V8 marked it `async` (an awaiting `async` function). */
  readonly awaiting: boolean;
  /** This module's own code, or the runtime's (no file). */
  readonly internal: boolean;
}

const FRAME = /^\s*at (async )?(.*)$/;
const CALL = /^(.*?) \((.*)\)$/;
const LOCATION = /^(.*):(\d+):(\d+)$/;

function parseFrame(line: string): Frame | null {
  const m = FRAME.exec(line);
  if (m === null) return null;
  const awaiting = m[1] !== undefined;
  let name = "<anonymous>", where = m[2];
  const call = CALL.exec(where);
  if (call !== null) [, name, where] = call;
  const loc = LOCATION.exec(where);
  const url = loc === null ? null : loc[1];
  const isFile = url !== null && /^(file|https?):/.test(url);
  return {
    name: name.replace(/^Object\./, ""),
    kind: awaiting ? "async" : "function",
    fileName: isFile ? displayName(url) : null,
    lineNumber: isFile ? Number(loc![2]) : null,
    columnNumber: isFile ? Number(loc![3]) : null,
    awaiting,
    // A `#` marks a module `deno test --doc` makes of an example: user code.
    internal: !isFile ||
      (!url.includes("#") && OWN.some((own) => url.startsWith(own))),
  };
}

function displayName(url: string): string {
  if (!url.startsWith("file:")) return url;
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
}

/**
 * The frames of one task in a V8 stack: past the leading frames of this
 * module's machinery (and `skip` more), up to the machinery that runs the
 * task's step. The `async` frames (V8's awaiting chain) are kept, this
 * module's included, but those without a file (`Promise.all`).
 */
function taskFrames(
  stack: string,
  skip: number,
  awaiting = 0,
): Frame[] {
  const frames = stack.split("\n").slice(1).map(parseFrame)
    .filter((f): f is Frame => f !== null);
  let i = 0;
  while (i < frames.length && frames[i].internal && !frames[i].awaiting) i++;
  i += skip;
  const out: Frame[] = [];
  let plain = 0;
  for (; i < frames.length; i++) {
    const frame = frames[i];
    // The machinery running the task's step: the task's frames are over
    // (an awaiting chain V8 lists after it is its caller's, the loop's).
    if (frame.internal && !frame.awaiting) break;
    if (frame.fileName === null) continue;
    // Taken at the await: below the awaiting coroutines, only the chain
    // that awaits them is theirs (plain callers made them in their step).
    if (awaiting > 0 && !frame.awaiting && plain++ >= awaiting) continue;
    out.push(frame);
  }
  return out;
}

function entry(frame: FrameCallGraphEntry): FrameCallGraphEntry {
  return Object.freeze({
    name: frame.name,
    kind: frame.kind,
    fileName: frame.fileName,
    lineNumber: frame.lineNumber,
    columnNumber: frame.columnNumber,
  });
}

/** The kind of `task`'s coroutine, for its bottom-most plain frame. */
function coroKind(task: Task): "async" | "generator" {
  return task.getCoro() instanceof Coroutine ? "generator" : "async";
}

/** The running task's frames, from the stack of this call. */
function currentFrames(task: Task, skip: number): FrameCallGraphEntry[] {
  const frames: FrameCallGraphEntry[] = taskFrames(
    new Error().stack ?? "",
    skip,
  );
  // The function the task runs in shows as a plain call: the last one
  // before V8's awaiting chain.
  let last = frames.findIndex((f) => f.kind === "async") - 1;
  if (last < 0) last = frames.length - 1;
  if (last >= 0 && frames[last].kind === "function") {
    frames[last] = { ...frames[last], kind: coroKind(task) };
  }
  return frames.map(entry);
}

/** A suspended task's frames: its latest await's, or its coroutine's name. */
function suspendedFrames(task: Task): FrameCallGraphEntry[] {
  const site = task[kWaitsOn]().length > 0 ? awaitSite(task) : undefined;
  if (site !== undefined) {
    const frames = taskFrames(site.stack, 0, site.awaiting);
    if (frames.length > 0) return frames.map(entry);
  }
  const coro = task.getCoro();
  if (coro instanceof Coroutine || coro instanceof LazyCoroutine) {
    return [entry({
      name: coro.name,
      kind: coroKind(task),
      fileName: null,
      lineNumber: null,
      columnNumber: null,
    })];
  }
  return [];
}

/**
 * Internal: the name of `task`'s coroutine, if known: a `coroutine()`
 * generator's or a function's given to `createTask`/`run` (before its first
 * step), else, in debug mode, the outermost `async` function of its latest
 * await; `null` if none is known.
 */
export function coroutineName(task: Task): string | null {
  const coro = task.getCoro();
  if (coro instanceof Coroutine || coro instanceof LazyCoroutine) {
    return coro.name;
  }
  const site = awaitSite(task);
  if (site === undefined) return null;
  const frames = taskFrames(site.stack, 0, site.awaiting).filter((f) =>
    !f.internal
  );
  return frames.length === 0 ? null : frames[frames.length - 1].name;
}

// -- Who awaits whom ----------------------------------------------------------------

/** Whether waiting on `waits` waits on `target` (through gathers, shields). */
function reaches(
  waits: Iterable<object>,
  target: object,
  seen: Set<object>,
): boolean {
  for (const fut of waits) {
    if (fut === target) return true;
    if (seen.has(fut)) continue;
    seen.add(fut);
    const children = gatheredChildren(fut);
    if (children !== null && reaches(children, target, seen)) return true;
    const inner = awaitedThrough(fut);
    if (inner !== undefined && reaches([inner], target, seen)) return true;
  }
  return false;
}

/**
 * The tasks of `fut`'s loop that await `fut` now (see the module's
 * header), oldest first.
 */
function awaitersOf(fut: Future<unknown>): Task[] {
  const awaiters: Task[] = [];
  for (const task of pendingTasksOf(fut.getLoop())) {
    if (task === fut) continue;
    let awaits = reaches(task[kWaitsOn](), fut, new Set());
    if (!awaits) {
      for (const tasks of childrenOf(task)) {
        if (tasks.has(fut)) awaits = true;
      }
    }
    if (awaits) awaiters.push(task);
  }
  return awaiters;
}

/**
 * Internal: the tasks `task` waits for now, directly or through a gather,
 * a shield or its task groups (the edges of `formatTasks()`'s deadlocks).
 */
export function awaitedTasks(task: Task): Task[] {
  const found: Task[] = [];
  const walk = (futs: Iterable<object>, seen: Set<object>) => {
    for (const fut of futs) {
      if (seen.has(fut)) continue;
      seen.add(fut);
      if (fut instanceof Task && !fut.done()) {
        if (!found.includes(fut)) found.push(fut);
        continue;
      }
      const children = gatheredChildren(fut);
      if (children !== null) walk(children, seen);
      const inner = awaitedThrough(fut);
      if (inner !== undefined) walk([inner], seen);
    }
  };
  const seen = new Set<object>();
  walk(task[kWaitsOn](), seen);
  for (const tasks of childrenOf(task)) walk(tasks, seen);
  return found;
}

function truncate<T>(stack: T[], limit: number | null): T[] {
  if (limit === null) return stack;
  // Innermost first: the outermost (closest to the entry point) are last.
  return limit > 0 ? stack.slice(-limit) : stack.slice(0, -limit);
}

function build(
  fut: Future<unknown>,
  frames: FrameCallGraphEntry[],
  limit: number | null,
  path: Set<Future<unknown>>,
): FutureCallGraph {
  const awaitedBy: FutureCallGraph[] = [];
  if (!path.has(fut)) {
    path.add(fut);
    for (const task of awaitersOf(fut)) {
      const stack = limit === 0 || path.has(task) ? [] : suspendedFrames(task);
      awaitedBy.push(build(task, stack, limit, path));
    }
    path.delete(fut);
  }
  return Object.freeze({
    future: fut,
    callStack: Object.freeze(truncate(frames, limit)),
    awaitedBy: Object.freeze(awaitedBy),
  });
}

function checkCallGraphArgs(
  api: string,
  future: unknown,
  options: CallGraphOptions | undefined,
): { depth: number; limit: number | null } {
  if (future !== null && future !== undefined && !(future instanceof Future)) {
    throw new TypeError(
      `${api}: future must be a Future or a Task, got ${describe(future)}`,
    );
  }
  const { depth = 1, limit = null } = checkOptions(api, options, [
    "depth",
    "limit",
  ]);
  checkInteger(api, "options.depth", depth);
  if (depth < 0) {
    throw new RangeError(`${api}: options.depth must be >= 0, got ${depth}`);
  }
  if (limit !== null) checkInteger(api, "options.limit", limit);
  return { depth, limit };
}

/**
 * Capture the async call graph for the current task or the provided Future,
 * as `asyncio.capture_call_graph` (3.14): `{ future, callStack, awaitedBy }`,
 * where `callStack` lists the frames the task is in, innermost first, and
 * `awaitedBy` the graphs of the tasks awaiting it. Returns `null` when no
 * future is given and no task is running.
 *
 * JavaScript keeps no frames of a suspended coroutine: the call stack of a
 * task other than the current one is known in debug mode (the stack of its
 * latest `await`), and is otherwise its coroutine's name at most. Who awaits
 * whom is found among the pending tasks of the loop, through `gather()`,
 * `shield()` and task groups (see `tasks/call_graph.ts`).
 *
 * @param future The future or task; by default the current task.
 * @param options `depth` (frames to skip, for the current task) and `limit`.
 * @throws {RuntimeError} If no future is given and no loop is running.
 * @throws {TypeError} If `future` is not a Future, or for a bad option.
 *
 * @example The current task and the task awaiting it
 * ```ts
 * import { captureCallGraph, createTask, run } from "@asyncio/deno";
 * await run(async function main() {
 *   const graph = await createTask(async function child() {
 *     return captureCallGraph();
 *   }, { name: "child" });
 *   console.log(graph!.callStack[0].name); // child
 *   console.log(graph!.awaitedBy.map((g) => (g.future as any).getName())); // [ "Task-1" ]
 * });
 * ```
 */
export function captureCallGraph(
  future: Future<unknown> | null = null,
  options?: CallGraphOptions,
): FutureCallGraph | null {
  const { depth, limit } = checkCallGraphArgs(
    "captureCallGraph",
    future,
    options,
  );
  return capture(future, depth, limit);
}

function capture(
  future: Future<unknown> | null | undefined,
  depth: number,
  limit: number | null,
): FutureCallGraph | null {
  const loop: AbstractEventLoop | null = runningLoop();
  let current: Task | null = null;
  if (future !== null && future !== undefined) {
    if (loop !== null && future === currentTask(loop)) {
      current = future as Task;
    }
  } else {
    if (loop === null) {
      throw new RuntimeError(
        "capture_call_graph() is called outside of a running event loop " +
          "and no *future* to introspect was provided",
      );
    }
    current = currentTask(loop);
    if (current === null) return null;
    future = current;
  }
  let frames: FrameCallGraphEntry[];
  if (limit === 0) frames = [];
  else if (current !== null) {
    frames = currentFrames(current, Math.max(depth - 1, 0));
  } else if (future instanceof Task) frames = suspendedFrames(future);
  else frames = [];
  return build(future, frames, limit, new Set());
}

// -- Formatting -------------------------------------------------------------------

const ids = new WeakMap<object, number>();
let nextId = 1;

/**
 * A stable id for an object, as CPython prints `id(obj)`: JavaScript has no
 * addresses, so objects are numbered in the order first printed.
 */
function idOf(object: object): string {
  let id = ids.get(object);
  if (id === undefined) ids.set(object, id = nextId++);
  return `0x${id.toString(16)}`;
}

function render(graph: FutureCallGraph, lines: string[], level: number): void {
  const indent = "    ".repeat(level);
  const fut = graph.future;
  lines.push(
    indent +
      (fut instanceof Task
        ? `* Task(name='${fut.getName()}', id=${idOf(fut)})`
        : `* Future(id=${idOf(fut)})`),
  );
  if (graph.callStack.length > 0) {
    lines.push(`${indent}  + Call stack:`);
    for (const frame of graph.callStack) {
      const tag = frame.kind === "function" ? "" : `${frame.kind} `;
      const where = frame.fileName === null
        ? `File '<unknown>'`
        : `File '${frame.fileName}', line ${frame.lineNumber}`;
      lines.push(`${indent}  |   ${where}, in ${tag}${frame.name}()`);
    }
  }
  if (graph.awaitedBy.length > 0) {
    lines.push(`${indent}  + Awaited by:`);
    for (const parent of graph.awaitedBy) render(parent, lines, level + 1);
  }
}

/**
 * Return the async call graph of `future` (by default the current task) as
 * a string, as `asyncio.format_call_graph` (3.14): an empty string when no
 * future is given and no task is running. The lines are CPython's:
 *
 * ```text
 * * Task(name='Task-2', id=0x2)
 *   + Call stack:
 *   |   File '/app/main.ts', line 4, in async child()
 *   + Awaited by:
 *       * Task(name='Task-1', id=0x1)
 *         + Call stack:
 *         |   File '/app/main.ts', line 8, in async main()
 * ```
 *
 * Differences: ids number the objects in the order first printed (there
 * are no addresses); a file is a path (a `file:` URL's) or a URL; a frame
 * with no known place prints `File '<unknown>'` without a line; a task's
 * frames are those `captureCallGraph()` can know.
 *
 * @param future The future or task; by default the current task.
 * @param options `depth` and `limit`, as `captureCallGraph()`.
 * @throws {RuntimeError} If no future is given and no loop is running.
 *
 * @example Formatting the current task's graph
 * ```ts
 * import { formatCallGraph, run } from "@asyncio/deno";
 * await run(async function main() {
 *   console.log(formatCallGraph().split("\n")[0]); // * Task(name='Task-1', id=0x1)
 * });
 * ```
 */
export function formatCallGraph(
  future: Future<unknown> | null = null,
  options?: CallGraphOptions,
): string {
  const { depth, limit } = checkCallGraphArgs(
    "formatCallGraph",
    future,
    options,
  );
  const graph = capture(future, depth, limit);
  if (graph === null) return "";
  const lines: string[] = [];
  render(graph, lines, 0);
  return lines.join("\n");
}

/**
 * Print the async call graph for the current task or the provided Future,
 * as `asyncio.print_call_graph` (3.14), with `console.log`: what
 * `formatCallGraph()` returns. CPython's `file` argument has no equivalent;
 * write `formatCallGraph()` where needed.
 *
 * @param future The future or task; by default the current task.
 * @param options `depth` and `limit`, as `captureCallGraph()`.
 * @throws {RuntimeError} If no future is given and no loop is running.
 *
 * @example Printing where a task is
 * ```ts
 * import { printCallGraph, run } from "@asyncio/deno";
 * await run(async function main() {
 *   printCallGraph(); // * Task(name='Task-1', id=0x…) and its call stack
 * });
 * ```
 */
export function printCallGraph(
  future: Future<unknown> | null = null,
  options?: CallGraphOptions,
): void {
  const { depth, limit } = checkCallGraphArgs(
    "printCallGraph",
    future,
    options,
  );
  const graph = capture(future, depth, limit);
  const lines: string[] = [];
  if (graph !== null) render(graph, lines, 0);
  console.log(lines.join("\n"));
}
