/**
 * `run()`: asyncio's runner.
 *
 * @module
 */
import { isCoroutineObject } from "../tasks/_awaitable.ts";
import { CancelledError } from "../exceptions/asyncio.ts";
import {
  KeyboardInterrupt,
  RuntimeError,
  ValueError,
} from "../exceptions/builtins.ts";
import { checkFunction } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { runningLoop } from "../loop/_running_loop.ts";
import { allTasks } from "../tasks/all_tasks.ts";
import { LazyCoroutine } from "../tasks/coroutine.ts";
import { takeRootTaskName } from "../tasks/_task_names.ts";
import { type EventLoop, kWhenQuiet } from "../loop/base_event_loop.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop, setEventLoop } from "../loop/policy.ts";
import { creationSite } from "../loop/_creation_site.ts";
import { exitIfUnhandled, watchSigint } from "./_sigint.ts";

/**
 * How long shutdown waits, in milliseconds of real time, once the loop has
 * nothing scheduled and tasks are still pending: they wait on a plain
 * promise, which a cancel cannot reach. I/O they wait on (a read, a `fetch`
 * aborted by `task.signal`) settles well within it, and each sign of life
 * starts the wait again; a promise that never settles would otherwise keep
 * `run()` pending forever.
 */
const SHUTDOWN_GRACE_MS = 100;

/** Options for `run()`. */
export interface RunOptions {
  /**
   * Run the loop in debug mode (`null` leaves the loop's setting alone).
   *
   * @default {null}
   */
  debug?: boolean | null;
  /**
   * Makes the loop to run on; by default the current loop (the one a
   * coroutine's prefix has used) or a new one.
   */
  loopFactory?: (() => AbstractEventLoop) | null;
}

function isCoroutineLike(main: unknown): boolean {
  return typeof main === "function" || isCoroutineObject(main);
}

/**
 * Execute the coroutine and return the result, as `asyncio.run`: run it as a
 * task (`Task-1` in a fresh program), then cancel the tasks left over, wait
 * for them and close the loop. `main` may be a coroutine (`run(main())`) or a
 * function that makes one (`run(main)`, which runs nothing before the loop
 * starts).
 *
 * A leftover task that awaits a plain promise which never settles cannot be
 * cancelled: once the loop has had nothing to do for a moment (0.1 s of real
 * time, no callback ready, no timer left), it is given up and reported
 * through the exception handler as CPython reports a pending task it
 * destroys, "Task was destroyed but it is pending!" (with `task` in the
 * context), and `run()` returns main's result.
 *
 * Ctrl-C (SIGINT, on the main thread) cancels the main task, as asyncio:
 * its `finally` blocks run, the leftover tasks are cancelled as above, and
 * `run()` rejects with `KeyboardInterrupt` (left unhandled, it is printed and
 * the process exits with status 130, as Python's). A main task that catches
 * the cancellation and returns makes `run()` return its result. A second
 * Ctrl-C, while main still cleans up, stops the loop: every task, main too,
 * is cancelled, and `run()` rejects with `KeyboardInterrupt`. A third has
 * SIGINT's default action: the process ends at once.
 *
 * @throws {KeyboardInterrupt} If Ctrl-C cancelled the main task.
 *
 * @example The entry point of a program
 * ```ts
 * import { run, sleep } from "@asyncio/deno";
 * async function main() {
 *   await sleep(0.01);
 *   return "hello";
 * }
 * console.log(await run(main())); // hello
 * ```
 */
export async function run<T>(
  main:
    | PromiseLike<T>
    | Iterable<unknown>
    | (() => PromiseLike<T> | Iterable<unknown> | T),
  options: RunOptions = {},
): Promise<T> {
  if (runningLoop() !== null) {
    throw new RuntimeError(
      "asyncio.run() cannot be called from a running event loop",
    );
  }
  if (!isCoroutineLike(main)) {
    throw new ValueError(`a coroutine was expected, got ${describe(main)}`);
  }
  if (
    typeof main === "function" && main.constructor?.name === "GeneratorFunction"
  ) {
    throw new TypeError(
      "run: main is a generator function; make it a coroutine function with coroutine(function* …), or pass an async function",
    );
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `run: options must be an object, got ${typeof options}`,
    );
  }
  const { debug = null, loopFactory = null } = options;
  if (loopFactory !== null) {
    checkFunction("run", "options.loopFactory", loopFactory);
  }
  const loop = loopFactory === null ? getEventLoop() : loopFactory();
  if (loopFactory === null) setEventLoop(loop);
  if (debug !== null) loop.setDebug(debug);
  const name = takeRootTaskName();
  try {
    const coro = typeof main === "function"
      ? new LazyCoroutine(main as () => unknown, main.name)
      : main;
    const task = loop.createTask(coro as PromiseLike<T>, { name });
    const sigint = watchSigint(loop, task);
    try {
      return await loop.runUntilComplete(task as PromiseLike<T>);
    } catch (error) {
      // Stopped by a second Ctrl-C, or cancelled by the first and by
      // nothing else: Python's KeyboardInterrupt.
      if (
        sigint.interrupts > 1 ||
        (sigint.interrupts === 1 && error instanceof CancelledError &&
          task.uncancel() === 0)
      ) {
        const interrupt = new KeyboardInterrupt({ cause: error });
        exitIfUnhandled(interrupt);
        throw interrupt;
      }
      throw error;
    } finally {
      // Shutdown below runs with SIGINT's default action, as in CPython.
      sigint.remove();
    }
  } finally {
    try {
      await cancelAllTasks(loop);
    } finally {
      loop.close();
      if (loopFactory === null) setEventLoop(null);
    }
  }
}

type QuietLoop = { [kWhenQuiet]?: EventLoop[typeof kWhenQuiet] };

/**
 * Cancel the tasks left over and wait for them, as `asyncio.run` does, but
 * only while something can still happen (see `SHUTDOWN_GRACE_MS`).
 */
async function cancelAllTasks(loop: AbstractEventLoop): Promise<void> {
  const toCancel = [...allTasks(loop)];
  if (toCancel.length === 0) return;
  for (const task of toCancel) task.cancel();
  const all = loop.createFuture<null>();
  let pending = toCancel.length;
  const finish = () => {
    if (!all.done()) all.setResult(null);
  };
  const onDone = () => {
    if (--pending === 0) finish();
  };
  for (const task of toCancel) task.addDoneCallback(onDone);
  // Another kind of loop cannot tell: it waits for every task, as asyncio.
  const whenQuiet = (loop as QuietLoop)[kWhenQuiet];
  whenQuiet?.call(loop, SHUTDOWN_GRACE_MS, finish);
  try {
    await loop.runUntilComplete(all);
  } finally {
    whenQuiet?.call(loop, 0, null);
  }
  for (const task of toCancel) {
    if (!task.done() || task.cancelled()) continue;
    const exception = task.exception();
    if (exception !== null && exception !== undefined) {
      loop.callExceptionHandler({
        message: "unhandled exception during asyncio.run() shutdown",
        exception,
        task,
      });
    }
  }
  // Pending now, a task never ends (the loop closes under it); those made
  // during shutdown too. CPython says so when it collects one.
  for (const task of allTasks(loop)) {
    const sourceTraceback = creationSite(task);
    loop.callExceptionHandler({
      message: "Task was destroyed but it is pending!",
      task,
      ...(sourceTraceback === undefined ? {} : { sourceTraceback }),
    });
  }
}
