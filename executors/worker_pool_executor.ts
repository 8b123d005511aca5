/**
 * `WorkerPoolExecutor`: a pool of Workers that runs functions off the
 * loop's thread, as `concurrent.futures`' pools do for asyncio's
 * `run_in_executor`.
 *
 * How it works: a JavaScript function cannot move to another thread by
 * value, so a job names its function by module URL and export name, as a
 * `ProcessPoolExecutor` needs an importable top-level function. A job waits
 * in a FIFO queue until a Worker is free; Workers start lazily, up to
 * `maxWorkers`, and are reused. A Worker (`_worker_main.ts`) imports the
 * module, calls the export (awaiting a returned promise) and posts the
 * outcome back; arguments, results and errors cross by structured clone.
 * The job's Future is settled from the Worker's message event, outside the
 * loop's callbacks (which wakes the loop, as a socket read does).
 *
 * Invariants:
 * - A Worker runs at most one job at a time (`Slot.job`), and a job is
 *   queued, running on exactly one slot, or finished.
 * - A job whose Future is done (cancelled) is never posted to a Worker;
 *   cancelling a running job terminates its Worker, which leaves the pool.
 * - After `shutdown()`, and when a loop closes, no Worker stays idle: each
 *   is terminated once it has no job, so none keeps the process alive.
 * - The executors with a Worker or a job are in `active`, and only those.
 *
 * @module
 */
import { RuntimeError, ValueError } from "../exceptions/builtins.ts";
import { checkInteger, checkOptions } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { closeHooks } from "../loop/_hooks.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type {
  Executor,
  ShutdownOptions,
  WorkerFunction,
} from "../loop/executor.ts";
import { getEventLoop } from "../loop/policy.ts";
import { failWith, type Future } from "../tasks/future.ts";
import {
  type ClonedError,
  cloneError,
  rebuildError,
} from "../workers/_messages.ts";

/** What the executor posts to a Worker: run `url`'s export `name(...args)`. */
export interface JobMessage {
  id: number;
  url: string;
  name: string;
  args: unknown[];
}

/** What a Worker posts back once the job is done. */
export type ResultMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: ClonedError; crashed?: boolean };

/** Options for `new WorkerPoolExecutor()`. */
export interface WorkerPoolExecutorOptions {
  /**
   * The most Workers the pool runs at once (asyncio's `max_workers`).
   *
   * @default {navigator.hardwareConcurrency}
   */
  maxWorkers?: number | null;
}

/** Internal: marks the functions `workerFunction()` makes. */
export const kWorkerFunction: unique symbol = Symbol("workerFunction");

/**
 * A `TypeError` naming `api` and the fix unless `fn` was made by
 * `workerFunction()`: a plain function cannot run on another thread.
 */
export function checkWorkerFunction(
  api: string,
  fn: unknown,
): WorkerFunction {
  if (
    typeof fn === "function" &&
    (fn as { [kWorkerFunction]?: unknown })[kWorkerFunction] === true
  ) {
    return fn as WorkerFunction;
  }
  const what = typeof fn === "function"
    ? `function ${fn.name || "(anonymous)"}`
    : describe(fn);
  const name = typeof fn === "function" && fn.name ? fn.name : "fn";
  throw new TypeError(
    `${api}: fn must be made by workerFunction(moduleUrl, exportName), got ${what}: a JavaScript function cannot run on another thread; export it from a module and pass workerFunction(import.meta.resolve("./module.ts"), ${
      JSON.stringify(name)
    })`,
  );
}

/** Internal: `executor[kSubmit](loop, api, url, name, args)`, a job on `loop`. */
export const kSubmit: unique symbol = Symbol("submit");

type JobState = "queued" | "running" | "finished";

interface Job {
  readonly id: number;
  readonly url: string;
  readonly name: string;
  readonly args: unknown[];
  readonly future: Future<unknown>;
  readonly loop: AbstractEventLoop;
  state: JobState;
  slot: Slot | null;
  onDone: ((fut: Future<unknown>) => void) | null;
}

interface Slot {
  readonly worker: Worker;
  job: Job | null;
}

const WORKER_URL = new URL("./_worker_main.ts", import.meta.url);

/** The executors that hold a Worker or a job (the loop close hook's list). */
const active = new Set<WorkerPoolExecutor>();

/** Internal: what the close hook calls on each active executor. */
const kLoopClosed: unique symbol = Symbol("loopClosed");

closeHooks.push((loop) => {
  for (const executor of [...active]) {
    executor[kLoopClosed](loop as AbstractEventLoop);
  }
});

/** The absolute URL `moduleUrl` names, or a `TypeError` naming `api`. */
export function checkModuleUrl(api: string, moduleUrl: unknown): string {
  if (moduleUrl instanceof URL) return moduleUrl.href;
  if (typeof moduleUrl === "string" && URL.canParse(moduleUrl)) {
    return new URL(moduleUrl).href;
  }
  throw new TypeError(
    `${api}: moduleUrl must be an absolute URL (import.meta.resolve("./jobs.ts")), got ${
      describe(moduleUrl)
    }`,
  );
}

/** A `TypeError` naming `api` unless `exportName` is a non-empty string. */
export function checkExportName(api: string, exportName: unknown): string {
  if (typeof exportName !== "string" || exportName === "") {
    throw new TypeError(
      `${api}: exportName must be the name of an exported function, got ${
        describe(exportName)
      }`,
    );
  }
  return exportName;
}

/**
 * An executor that runs functions on a pool of Workers, as Python's
 * `concurrent.futures.ThreadPoolExecutor`/`ProcessPoolExecutor` do: up to
 * `maxWorkers` Workers, started on demand and reused, and a FIFO queue of
 * jobs. A job names an exported function of a module, since a JavaScript
 * function cannot be sent to another thread.
 *
 * - Arguments, results and errors cross by structured clone. An error
 *   keeps its message, `name` and stack; it comes back as its class when
 *   that is a JavaScript built-in (`TypeError`, …) or one of this module's
 *   exceptions (`ValueError`, `RuntimeError`, `CancelledError`, `OSError`
 *   and its subclasses, …), else as an `Error` with that `name`. A result
 *   or argument that cannot be cloned (a function, a class instance's
 *   methods are dropped) fails the job with a `TypeError` naming the export.
 * - Cancelling a queued job's Future removes it from the queue: it never
 *   runs. Cancelling a running job's Future terminates its Worker (Python
 *   cannot stop a running thread; a Worker can be stopped), and a fresh one
 *   replaces it when a job needs it. A `finally` in the job does not run.
 * - Workers inherit the parent's permissions (Deno's default). Starting one
 *   needs read access to this module's `_worker_main.ts` when it is a local
 *   file, and importing a job module needs what importing it here needs.
 * - An uncaught error or unhandled rejection on a Worker (a job's timer
 *   that throws) fails the job it runs with that error, and the Worker is
 *   replaced by a fresh one.
 * - A Worker is a thread with its own isolate: its module state (and this
 *   module's loop, if the job uses it) is its own, kept between the jobs it
 *   runs.
 * - An idle Worker keeps the process alive, as Deno's Workers do, until
 *   `shutdown()` or until a loop that has jobs on the pool closes
 *   (`run()` closes its loop): closing a loop terminates the pool's idle
 *   Workers and the ones running its jobs, and drops its queued jobs; the
 *   pool stays usable, with fresh Workers.
 *
 * @example Running a CPU-bound function on a Worker
 * ```ts
 * import { run, WorkerPoolExecutor } from "@asyncio/deno";
 * async function main(jobs: string) {
 *   const executor = new WorkerPoolExecutor({ maxWorkers: 2 });
 *   try {
 *     return await executor.submit<number>(jobs, "fib", 30);
 *   } finally {
 *     await executor.shutdown();
 *   }
 * }
 * // await run(main(import.meta.resolve("./jobs.ts")));
 * console.log(typeof main, typeof run); // function function
 * ```
 */
export class WorkerPoolExecutor implements Executor {
  readonly #maxWorkers: number;
  readonly #queue: Job[] = [];
  readonly #slots = new Set<Slot>();
  #nextId = 0;
  #shutdown = false;
  #whenIdle: PromiseWithResolvers<void> | null = null;

  /**
   * Make the pool; no Worker starts until a job needs one.
   *
   * @param options The pool's size.
   * @throws {TypeError} If `options.maxWorkers` is not an integer.
   * @throws {ValueError} If `options.maxWorkers` is 0 or less.
   */
  constructor(options: WorkerPoolExecutorOptions = {}) {
    const api = "WorkerPoolExecutor";
    const { maxWorkers } = checkOptions(api, options, ["maxWorkers"]);
    if (maxWorkers === undefined || maxWorkers === null) {
      this.#maxWorkers = Math.max(1, navigator.hardwareConcurrency || 1);
      return;
    }
    checkInteger(api, "options.maxWorkers", maxWorkers);
    if (maxWorkers <= 0) {
      throw new ValueError(
        `${api}: options.maxWorkers must be greater than 0, got ${maxWorkers}`,
      );
    }
    this.#maxWorkers = maxWorkers;
  }

  /** The most Workers the pool runs at once. */
  get maxWorkers(): number {
    return this.#maxWorkers;
  }

  /**
   * Schedule `exportName(...args)` of the module at `moduleUrl` to run on a
   * Worker, as `executor.submit(fn, *args)`; return a Future of its result
   * on the running loop (else the current one, `getEventLoop()`).
   *
   * @param moduleUrl The module's absolute URL (`import.meta.resolve(…)`).
   * @param exportName The name the function is exported under.
   * @param args Its arguments, by structured clone.
   * @returns A Future of the function's (awaited) result.
   * @throws {RuntimeError} After `shutdown()`: "cannot schedule new futures
   * after shutdown".
   *
   * @example Submitting jobs and waiting for them
   * ```ts
   * import { gather, WorkerPoolExecutor } from "@asyncio/deno";
   * async function sumOnWorkers(jobs: string) {
   *   const executor = new WorkerPoolExecutor();
   *   const futures = [1, 2, 3].map((n) => executor.submit<number>(jobs, "square", n));
   *   const squares = await gather(...futures);
   *   await executor.shutdown();
   *   return squares.reduce((a, b) => a + b, 0);
   * }
   * console.log(typeof sumOnWorkers); // function
   * ```
   */
  submit<T = unknown>(
    moduleUrl: string | URL,
    exportName: string,
    ...args: unknown[]
  ): Future<T> {
    return this[kSubmit](
      getEventLoop(),
      "submit",
      moduleUrl,
      exportName,
      args,
    ) as Future<T>;
  }

  /** Internal: `submit` with the Future on `loop`. */
  [kSubmit](
    loop: AbstractEventLoop,
    api: string,
    moduleUrl: unknown,
    exportName: unknown,
    args: unknown[],
  ): Future<unknown> {
    const url = checkModuleUrl(api, moduleUrl);
    const name = checkExportName(api, exportName);
    if (this.#shutdown) {
      throw new RuntimeError("cannot schedule new futures after shutdown");
    }
    if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
    const future = loop.createFuture<unknown>();
    const job: Job = {
      id: this.#nextId++,
      url,
      name,
      args,
      future,
      loop,
      state: "queued",
      slot: null,
      onDone: null,
    };
    job.onDone = (fut) => {
      if (fut.cancelled()) this.#cancelled(job);
    };
    future.addDoneCallback(job.onDone);
    this.#queue.push(job);
    active.add(this);
    this.#pump();
    return future;
  }

  /**
   * Signal the pool to free its Workers once the jobs are done, as
   * `executor.shutdown(wait=True, cancel_futures=False)`: `submit` then
   * raises `RuntimeError`. The queued jobs still run unless
   * `cancelFutures`; each Worker is terminated as soon as it has no job.
   * Calling it again is allowed (to cancel the queued jobs).
   *
   * @param options Whether to wait, whether to cancel the queued jobs.
   * @returns A Promise that settles once every Worker has ended (at once
   * when `wait` is `false`). It is a plain Promise, as the call is
   * `concurrent.futures`', not asyncio's; `shutdownDefaultExecutor` is the
   * loop's awaitable.
   *
   * @example Shutting down
   * ```ts
   * import { WorkerPoolExecutor } from "@asyncio/deno";
   * const executor = new WorkerPoolExecutor({ maxWorkers: 2 });
   * await executor.shutdown({ cancelFutures: true });
   * try {
   *   executor.submit("https://example.com/jobs.ts", "fib", 30);
   * } catch (error) {
   *   console.log((error as Error).message); // cannot schedule new futures after shutdown
   * }
   * ```
   */
  shutdown(options: ShutdownOptions = {}): Promise<void> {
    const api = "shutdown";
    const { wait = true, cancelFutures = false } = checkOptions(
      api,
      options,
      ["wait", "cancelFutures"],
    );
    checkBoolean(api, "options.wait", wait);
    checkBoolean(api, "options.cancelFutures", cancelFutures);
    this.#shutdown = true;
    if (cancelFutures) {
      for (const job of this.#queue.splice(0)) {
        job.state = "finished";
        job.slot = null;
        try {
          job.future.cancel();
        } catch {
          // the loop is closed
        }
      }
    }
    this.#pump();
    if (!wait || this.#idle()) return Promise.resolve();
    return (this.#whenIdle ??= Promise.withResolvers<void>()).promise;
  }

  /** `<WorkerPoolExecutor max_workers=2 workers=1 queued=0>` */
  toString(): string {
    return `<WorkerPoolExecutor max_workers=${this.#maxWorkers} workers=${this.#slots.size} queued=${this.#queue.length}${
      this.#shutdown ? " shutdown" : ""
    }>`;
  }

  /** Print like the `toString()`. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** Internal: `loop` closed; drop its jobs, end its Workers and the idle ones. */
  [kLoopClosed](loop: AbstractEventLoop): void {
    for (let i = this.#queue.length - 1; i >= 0; i--) {
      const job = this.#queue[i];
      if (job.loop !== loop) continue;
      this.#queue.splice(i, 1);
      job.state = "finished";
    }
    for (const slot of [...this.#slots]) {
      const job = slot.job;
      if (job === null || job.loop === loop) {
        if (job !== null) job.state = "finished";
        this.#terminate(slot);
      }
    }
    this.#pump();
  }

  /** No Worker and no job left. */
  #idle(): boolean {
    return this.#slots.size === 0 && this.#queue.length === 0;
  }

  /** Start the queued jobs that have a Worker; end Workers after shutdown. */
  #pump(): void {
    const queue = this.#queue;
    while (queue.length > 0) {
      const job = queue[0];
      if (job.future.done()) { // cancelled, its callback not run yet
        queue.shift();
        job.state = "finished";
        continue;
      }
      const slot = this.#freeSlot();
      if (slot === null) break;
      queue.shift();
      this.#start(slot, job);
    }
    if (this.#shutdown) { // before it, idle Workers stay, to be reused
      for (const slot of [...this.#slots]) {
        if (slot.job === null) this.#terminate(slot);
      }
    }
    if (this.#idle()) {
      active.delete(this);
      if (this.#whenIdle !== null) {
        this.#whenIdle.resolve();
        this.#whenIdle = null;
      }
    }
  }

  /** An idle Worker, a new one if the pool may grow, else `null`. */
  #freeSlot(): Slot | null {
    for (const slot of this.#slots) if (slot.job === null) return slot;
    if (this.#slots.size >= this.#maxWorkers) return null;
    const worker = new Worker(WORKER_URL, {
      type: "module",
      name: `WorkerPoolExecutor-${this.#slots.size}`,
    });
    const slot: Slot = { worker, job: null };
    worker.onmessage = (event: MessageEvent<ResultMessage>) =>
      this.#finished(slot, event.data);
    worker.onmessageerror = () => {
      const job = slot.job;
      if (job === null) return;
      this.#finished(slot, {
        id: job.id,
        ok: false,
        error: cloneError(
          new TypeError(
            `${job.name}() of ${job.url}: its result could not be received from the Worker`,
          ),
        ),
      });
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      const job = slot.job;
      this.#terminate(slot);
      if (job !== null) {
        job.state = "finished";
        settle(job, {
          id: job.id,
          ok: false,
          error: cloneError(
            new RuntimeError(
              `${job.name}() of ${job.url}: its Worker failed: ${event.message}`,
            ),
          ),
        });
      }
      this.#pump();
    };
    this.#slots.add(slot);
    return slot;
  }

  /** Post `job` to `slot`'s Worker (or fail it if its arguments cannot go). */
  #start(slot: Slot, job: Job): void {
    const message: JobMessage = {
      id: job.id,
      url: job.url,
      name: job.name,
      args: job.args,
    };
    try {
      slot.worker.postMessage(message);
    } catch (error) {
      job.state = "finished";
      settle(job, {
        id: job.id,
        ok: false,
        error: cloneError(
          new TypeError(
            `${job.name}() of ${job.url}: its arguments cannot be cloned to a Worker: ${
              (error as Error)?.message ?? String(error)
            }`,
          ),
        ),
      });
      return;
    }
    job.state = "running";
    job.slot = slot;
    slot.job = job;
  }

  /** `slot`'s Worker answered: settle its job, give it the next one. */
  #finished(slot: Slot, reply: ResultMessage): void {
    const job = slot.job;
    if (!reply?.ok && reply?.crashed) this.#terminate(slot); // _worker_main.ts
    if (job === null || reply?.id !== job.id) return this.#pump();
    slot.job = null;
    job.slot = null;
    job.state = "finished";
    settle(job, reply);
    this.#pump();
  }

  /** A job's Future was cancelled: unqueue it, or stop its Worker. */
  #cancelled(job: Job): void {
    if (job.state === "queued") {
      const i = this.#queue.indexOf(job);
      if (i !== -1) this.#queue.splice(i, 1);
      job.state = "finished";
    } else if (job.state === "running" && job.slot !== null) {
      job.state = "finished";
      this.#terminate(job.slot);
    }
    this.#pump();
  }

  /** Terminate `slot`'s Worker and drop it from the pool. */
  #terminate(slot: Slot): void {
    slot.worker.onmessage = slot.worker.onerror = null;
    slot.worker.onmessageerror = null;
    slot.worker.terminate();
    if (slot.job !== null) slot.job.slot = null;
    slot.job = null;
    this.#slots.delete(slot);
  }
}

/** Settle `job`'s Future from a reply, unless it is done or its loop closed. */
function settle(job: Job, reply: ResultMessage): void {
  const fut = job.future;
  if (job.onDone !== null) {
    fut.removeDoneCallback(job.onDone);
    job.onDone = null;
  }
  if (fut.done() || job.loop.isClosed()) return;
  try {
    if (reply.ok) fut.setResult(reply.value);
    else failWith(fut, rebuildError(reply.error));
  } catch {
    // the loop is closed
  }
}

function checkBoolean(api: string, arg: string, value: unknown): void {
  if (typeof value !== "boolean") {
    throw new TypeError(
      `${api}: ${arg} must be a boolean, got ${describe(value)}`,
    );
  }
}
