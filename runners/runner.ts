/**
 * `Runner`: asyncio's runner, the loop's life cycle (CPython's
 * `asyncio.Runner`, `runners.py`). `run()` is one `Runner`'s single run.
 *
 * States, as CPython's `_State`: created (no loop yet) → initialized (the
 * loop made, by `getLoop()` or the first `run()`) → closed (the loop closed,
 * by `close()` or a dispose). Closing is one step here as in CPython, but it
 * runs the loop (to cancel the tasks left), so it takes a while: from its
 * start on, the runner refuses new runs, as a closed one does.
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
import { checkFunction, checkOptions } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { runningLoop } from "../loop/_running_loop.ts";
import { allTasks } from "../tasks/all_tasks.ts";
import { formatTasks } from "../tasks/format_tasks.ts";
import { keepAges } from "../tasks/_introspection.ts";
import { LazyCoroutine } from "../tasks/coroutine.ts";
import { takeRootTaskName } from "../tasks/_task_names.ts";
import { EventLoop, kWhenQuiet } from "../loop/base_event_loop.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type { Clock } from "../loop/clock.ts";
import { getEventLoop, newEventLoop, setEventLoop } from "../loop/policy.ts";
import { exitIfUnhandled, watchSigint } from "./_sigint.ts";

/**
 * How long shutdown waits, in milliseconds of real time, once the loop has
 * nothing scheduled and tasks are still pending: they wait on a plain
 * promise, which a cancel cannot reach. I/O they wait on (a read, a `fetch`
 * aborted by `task.signal`) settles well within it, and each sign of life
 * starts the wait again; a promise that never settles would otherwise keep
 * the shutdown pending forever.
 */
const SHUTDOWN_GRACE_MS = 100;

/** Options for `new Runner()`. */
export interface RunnerOptions {
  /**
   * Run the loop in debug mode (`null` leaves the loop's setting alone).
   *
   * @default {null}
   */
  debug?: boolean | null;
  /**
   * Makes the loop to run on; by default the current loop (the one a
   * coroutine's prefix has used, unless another runner owns it) or a new
   * one, which becomes the current loop until the runner closes.
   *
   * @default {null}
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
   * process receives `SIGUSR1` (`kill -USR1 PID`), through the loop's
   * signal handler (`loop.addSignalHandler`), from when the loop is made
   * until the runner closes it; tasks keep their creation time from then on
   * (the table's ages). Without it, nothing is installed.
   *
   * @default {false}
   */
  dumpOnSignal?: boolean;
}

/** The loops that a runner has taken and not closed yet. */
const ownedLoops = new WeakSet<AbstractEventLoop>();

/**
 * Check what `run()` or `Runner.run()` was given to run: a coroutine, or a
 * function that makes one.
 *
 * @param api The function checking it, for the message.
 * @param main What to run.
 */
export function checkMain(api: string, main: unknown): void {
  if (typeof main !== "function" && !isCoroutineObject(main)) {
    throw new ValueError(`a coroutine was expected, got ${describe(main)}`);
  }
  if (
    typeof main === "function" && main.constructor?.name === "GeneratorFunction"
  ) {
    throw new TypeError(
      `${api}: main is a generator function; make it a coroutine function with coroutine(function* …), or pass an async function`,
    );
  }
}

/**
 * A context manager that controls the event loop's life cycle, as
 * `asyncio.Runner`: it takes a loop, runs coroutines in it, each as a task
 * (`run()`, as many times as needed, the loop and what it holds kept from
 * one run to the next), and finalizes the loop when closed: the tasks left
 * are cancelled and awaited, then the loop is closed.
 *
 * `run(main(), { debug: true })` is a shortcut for one runner's single run;
 * a runner serves where code calls async code from a synchronous framework
 * more than once (a REPL, a test runner, a console tool).
 *
 * Python's `with asyncio.Runner() as runner:` is `await using runner = new
 * Runner()` (its end awaits `close()`), or `try { … } finally { await
 * runner.close(); }`. A plain `using` block closes the loop synchronously at
 * its end: it cannot run the loop to cancel the tasks left, so it reports
 * each as CPython reports a pending task it destroys ("Task was destroyed but
 * it is pending!"); use it when the runs leave no task behind.
 *
 * Ctrl-C (SIGINT, on the main thread) during a `run()` cancels that run's
 * task, as `run()` does (its documentation tells the rest): the run then
 * rejects with `KeyboardInterrupt`.
 *
 * @example Two runs on one loop
 * ```ts
 * import { Queue, Runner } from "@asyncio/deno";
 * await using runner = new Runner();
 * const queue = new Queue<string>();
 * await runner.run(async () => await queue.put("from the first run"));
 * console.log(await runner.run(async () => await queue.get()));
 * // from the first run
 * ```
 */
export class Runner {
  #state: "created" | "initialized" | "closed" = "created";
  #debug: boolean | null;
  #loopFactory: (() => AbstractEventLoop) | null;
  #loop: AbstractEventLoop | null = null;
  #closing: Promise<void> | null = null;
  #setEventLoop = false;
  #dumpOnSignal: boolean;

  /**
   * Make a runner; its loop is made when first needed.
   *
   * @param options Debug mode, and what makes the loop.
   * @throws {TypeError} For an option that is not one, or of the wrong type.
   *
   * @example A runner in debug mode
   * ```ts
   * import { Runner } from "@asyncio/deno";
   * await using runner = new Runner({ debug: true });
   * console.log(runner.getLoop().getDebug()); // true
   * ```
   */
  constructor(options?: RunnerOptions) {
    const {
      debug = null,
      loopFactory = null,
      clock = null,
      dumpOnSignal = false,
    } = checkOptions("Runner", options, [
      "debug",
      "loopFactory",
      "clock",
      "dumpOnSignal",
    ]);
    if (debug !== null && typeof debug !== "boolean") {
      throw new TypeError(
        `Runner: options.debug must be a boolean or null, got ${
          describe(debug)
        }`,
      );
    }
    if (loopFactory !== null) {
      checkFunction("Runner", "options.loopFactory", loopFactory);
    }
    this.#debug = debug;
    this.#loopFactory = loopFactory;
    if (typeof dumpOnSignal !== "boolean") {
      throw new TypeError(
        `Runner: options.dumpOnSignal must be a boolean, got ${
          describe(dumpOnSignal)
        }`,
      );
    }
    this.#dumpOnSignal = dumpOnSignal;
    if (clock !== null) {
      if (loopFactory !== null) {
        throw new TypeError(
          "Runner: pass options.loopFactory or options.clock, not both",
        );
      }
      if (
        clock !== "virtual" && clock !== "monotonic" &&
        typeof (clock as Clock)?.now !== "function"
      ) {
        throw new TypeError(
          `Runner: options.clock must be "virtual", "monotonic" or a Clock, got ${
            describe(clock)
          }`,
        );
      }
      this.#loopFactory = () => new EventLoop({ clock });
    }
  }

  /**
   * Run a coroutine inside the embedded event loop, as a task (`Task-1` for
   * a program's first); return its result. `main` may be a coroutine
   * (`runner.run(main())`) or a function that makes one (`runner.run(main)`,
   * which runs nothing before the loop starts).
   *
   * @param main The coroutine, or a function that makes it.
   * @throws {ValueError} If `main` is not a coroutine or a function.
   * @throws {RuntimeError} If a loop is running, or the runner is closed.
   * @throws {KeyboardInterrupt} If Ctrl-C cancelled the task.
   *
   * @example State kept between runs
   * ```ts
   * import { Runner, sleep } from "@asyncio/deno";
   * await using runner = new Runner();
   * const start = await runner.run(async () => runner.getLoop().time());
   * await runner.run(() => sleep(0.01));
   * const end = await runner.run(async () => runner.getLoop().time());
   * console.log(end - start >= 0.01); // true
   * ```
   */
  async run<T>(
    main:
      | PromiseLike<T>
      | Iterable<unknown>
      | (() => PromiseLike<T> | Iterable<unknown> | T),
  ): Promise<T> {
    checkMain("Runner.run", main);
    if (runningLoop() !== null) {
      throw new RuntimeError(
        "Runner.run() cannot be called from a running event loop",
      );
    }
    return await run(this.#lazyInit(), main);
  }

  /**
   * Return the embedded event loop, making it first if needed.
   *
   * @throws {RuntimeError} If the runner is closed.
   *
   * @example The runner's loop
   * ```ts
   * import { getRunningLoop, Runner } from "@asyncio/deno";
   * await using runner = new Runner();
   * const loop = runner.getLoop();
   * console.log(await runner.run(async () => getRunningLoop() === loop)); // true
   * ```
   */
  getLoop(): AbstractEventLoop {
    return this.#lazyInit();
  }

  /**
   * Shut down and close the event loop, as `Runner.close`: cancel the tasks
   * left and wait for them (a task that still waits on a plain promise once
   * the loop has had nothing to do for 0.1 s of real time is given up and
   * reported, as `run()` does), then close the loop. Closing a runner that
   * never made its loop, or a closed one, does nothing; calls made while it
   * closes wait for the same shutdown.
   *
   * @throws {RuntimeError} If the loop is running (a run is in progress).
   *
   * @example Closing by hand
   * ```ts
   * import { createTask, Runner, sleep } from "@asyncio/deno";
   * const runner = new Runner();
   * const loop = runner.getLoop();
   * try {
   *   await runner.run(async () => {
   *     createTask(sleep(60)); // cancelled by close()
   *   });
   * } finally {
   *   await runner.close();
   * }
   * console.log(loop.isClosed()); // true
   * ```
   */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    if (this.#state !== "initialized") return Promise.resolve();
    const loop = this.#loop!;
    if (loop.isRunning()) {
      return Promise.reject(
        new RuntimeError("Cannot close a running event loop"),
      );
    }
    this.#closing = (async () => {
      try {
        await cancelAllTasks(loop);
      } finally {
        this.#finishClose(loop);
      }
    })();
    return this.#closing;
  }

  /**
   * `close()`, for `await using`: the end of the block awaits the shutdown,
   * as the end of Python's `with asyncio.Runner()` block.
   *
   * @example A runner for one block
   * ```ts
   * import { Runner, sleep } from "@asyncio/deno";
   * {
   *   await using runner = new Runner();
   *   console.log(await runner.run(() => sleep(0.01, "slept"))); // slept
   * } // the loop is closed here
   * ```
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Close the loop at once, for `using`. Nothing can run the loop here, so
   * a task left pending is not cancelled: it is reported, as CPython reports
   * a pending task it destroys ("Task was destroyed but it is pending!"),
   * and never ends. Use `await using`, or `await runner.close()`, when runs
   * leave tasks. Does nothing once closed.
   *
   * @throws {RuntimeError} If the loop is running (a run is in progress).
   *
   * @example A runner for one synchronous block
   * ```ts
   * import { Runner, sleep } from "@asyncio/deno";
   * let loop;
   * {
   *   using runner = new Runner();
   *   loop = runner.getLoop();
   *   await runner.run(() => sleep(0.01));
   * }
   * console.log(loop.isClosed()); // true
   * ```
   */
  [Symbol.dispose](): void {
    if (this.#closing !== null || this.#state !== "initialized") return;
    const loop = this.#loop!;
    if (loop.isRunning()) {
      throw new RuntimeError("Cannot close a running event loop");
    }
    this.#finishClose(loop); // closing the loop reports what is pending
  }

  #finishClose(loop: AbstractEventLoop): void {
    if (this.#dumpOnSignal && !loop.isClosed()) {
      loop.removeSignalHandler("SIGUSR1");
    }
    ownedLoops.delete(loop);
    this.#loop = null;
    this.#state = "closed";
    if (this.#setEventLoop) setEventLoop(null);
    loop.close();
  }

  /** CPython's `_lazy_init`: the loop, made on first use. */
  #lazyInit(): AbstractEventLoop {
    if (this.#state === "closed" || this.#closing !== null) {
      throw new RuntimeError("Runner is closed");
    }
    if (this.#state === "initialized") return this.#loop!;
    let loop: AbstractEventLoop;
    if (this.#loopFactory === null) {
      // The current loop, which a coroutine's prefix may have bound to
      // already; CPython makes a new one, as here when another runner owns
      // the current one.
      loop = getEventLoop();
      if (ownedLoops.has(loop)) loop = newEventLoop();
      if (!this.#setEventLoop) {
        setEventLoop(loop);
        this.#setEventLoop = true;
      }
    } else {
      loop = this.#loopFactory();
    }
    if (this.#debug !== null) loop.setDebug(this.#debug);
    if (this.#dumpOnSignal) {
      keepAges(); // the table's ages, from now on (`formatTasks`)
      loop.addSignalHandler("SIGUSR1", dumpTasks, loop);
    }
    ownedLoops.add(loop);
    this.#loop = loop;
    this.#state = "initialized";
    return loop;
  }
}

/**
 * One run on `loop`: `main` as a task, Ctrl-C watched. Named `run`, as the
 * first frame of a `KeyboardInterrupt`'s stack says (`at run`), for `run()`
 * as for `Runner.run()`.
 */
async function run<T>(loop: AbstractEventLoop, main: unknown): Promise<T> {
  const name = takeRootTaskName();
  const coro = typeof main === "function"
    ? new LazyCoroutine(main as () => unknown, main.name)
    : main;
  const task = loop.createTask(coro as PromiseLike<T>, { name });
  const sigint = watchSigint(loop, task);
  try {
    return await loop.runUntilComplete(task as PromiseLike<T>);
  } catch (error) {
    // Stopped by a second Ctrl-C, or cancelled by the first and by nothing
    // else: Python's KeyboardInterrupt.
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
    // What follows (shutdown included) runs with SIGINT's default action, as
    // in CPython.
    sigint.remove();
  }
}

/** `dumpOnSignal`: print the loop's tasks (a signal handler of the loop). */
function dumpTasks(loop: AbstractEventLoop): void {
  console.log(formatTasks(loop));
}

type QuietLoop = { [kWhenQuiet]?: EventLoop[typeof kWhenQuiet] };

/**
 * Cancel the tasks left over and wait for them, as CPython's
 * `_cancel_all_tasks`, but only while something can still happen (see
 * `SHUTDOWN_GRACE_MS`).
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
}
