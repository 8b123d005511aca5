/**
 * `run()`: asyncio's runner for one coroutine, as CPython's `asyncio.run`:
 * one `Runner`'s single run, then its close.
 *
 * @module
 */
import { RuntimeError } from "../exceptions/builtins.ts";
import { checkFunction } from "../exceptions/checks.ts";
import { runningLoop } from "../loop/_running_loop.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type { Clock } from "../loop/clock.ts";
import { checkMain, Runner } from "./runner.ts";

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
  /**
   * Run on a new loop with this clock: `"virtual"` (a `VirtualClock` from
   * 0: timers jump instead of sleeping, so `await sleep(3600)` returns at
   * once with `loop.time() === 3600`), or a `Clock`. Not with `loopFactory`.
   *
   * @default {null}
   */
  clock?: Clock | "virtual" | "monotonic" | null;
  /**
   * Print the table of the loop's tasks (`formatTasks(loop)`) each time the
   * process receives `SIGUSR1` (`kill -USR1 PID`) during the run, through
   * the loop's signal handler; removed when `run()` closes the loop.
   *
   * @default {false}
   */
  dumpOnSignal?: boolean;
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
  checkMain("run", main);
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `run: options must be an object, got ${typeof options}`,
    );
  }
  const {
    debug = null,
    loopFactory = null,
    clock = null,
    dumpOnSignal = false,
  } = options;
  if (loopFactory !== null) {
    checkFunction("run", "options.loopFactory", loopFactory);
  }
  // The loop's setDebug() takes any value as a flag; a runner, a boolean.
  const runner = new Runner({
    debug: debug === null ? null : Boolean(debug),
    loopFactory,
    clock,
    dumpOnSignal,
  });
  try {
    return await runner.run(main);
  } finally {
    await runner.close();
  }
}
