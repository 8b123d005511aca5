/**
 * gevent's `spawn`, `Greenlet` and `joinall`, for readers of the classic
 * coroutine tutorials: a greenlet here is a small wrapper around a `Task`,
 * with gevent's names and semantics where they fit asyncio's model
 * (`value`, `exception`, `ready()`, `successful()`, `join()`, `get()`,
 * `kill()`). Switching is cooperative as in gevent: a greenlet runs until it
 * waits (`await sleep(0)` is `gevent.sleep(0)`).
 *
 * @module
 */
import { catchOf, finallyOf } from "../tasks/_promise_methods.ts";
import {
  checkFunction,
  checkOptions,
  checkSecondsOrNull,
} from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { TimeoutError } from "../exceptions/os_errors.ts";
import { getRunningLoop } from "../loop/policy.ts";
import { createTask } from "../tasks/create_task.ts";
import type { Awaitable } from "../tasks/future.ts";
import type { Task, TaskCoroutine } from "../tasks/task.ts";

/**
 * What a greenlet running `fn` ends with: the value of the awaitable `fn`
 * returns (an `async` function's promise, a `coroutine()`'s coroutine), or
 * what a plain function returns.
 */
export type GreenletResult<R> = R extends PromiseLike<infer U> ? U : R;

/** Options for `Greenlet.join()` and `Greenlet.kill()`. */
export interface GreenletKillOptions {
  /**
   * Wait until the greenlet has died (or `timeout` has passed).
   *
   * @default {true}
   */
  block?: boolean;
  /**
   * Seconds to wait at most when blocking; `null` waits as long as it takes.
   *
   * @default {null}
   */
  timeout?: number | null;
}

/** Options for `Greenlet.get()`. */
export interface GreenletGetOptions {
  /**
   * Wait for the greenlet to finish; `false` raises `TimeoutError` at once
   * if it has not.
   *
   * @default {true}
   */
  block?: boolean;
  /**
   * Seconds to wait at most; past them `get()` raises `TimeoutError`.
   * `null` waits as long as it takes.
   *
   * @default {null}
   */
  timeout?: number | null;
}

/** Options for `joinall()`. */
export interface JoinallOptions {
  /**
   * Seconds to wait at most; `null` waits for every greenlet.
   *
   * @default {null}
   */
  timeout?: number | null;
  /**
   * Raise the error of the first greenlet that fails, as soon as it fails.
   *
   * @default {false}
   */
  raiseError?: boolean;
}

/** `true` if `value` is `undefined` or a boolean (a `TypeError` otherwise). */
function checkBoolean(api: string, arg: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(
      `${api}: ${arg} must be a boolean, got ${describe(value)}`,
    );
  }
  return value;
}

/**
 * Internal: a `TypeError` unless `fn` is a function a greenlet can run (a
 * bare generator function is not: it needs `coroutine()`).
 */
export function checkSpawnable(api: string, fn: unknown): void {
  checkFunction(api, "fn", fn);
  if ((fn as () => unknown).constructor?.name === "GeneratorFunction") {
    throw new TypeError(
      `${api}: fn is a generator function; make it a coroutine function with coroutine(function* …), or pass an async function`,
    );
  }
}

/**
 * Wait until `stop(i)` says so for a task that ended (called in completion
 * order, the tasks already done first, in their order), until every task
 * ended, or until `timeout` seconds have passed. Raises nothing of the tasks.
 */
async function waitTasks(
  tasks: readonly Task<unknown>[],
  timeout: number | null,
  stop: (i: number) => boolean,
): Promise<void> {
  if (tasks.length === 0) return;
  const loop = getRunningLoop();
  const waiter = loop.createFuture<void>();
  let remaining = tasks.length;
  const callbacks = tasks.map((_, i) => () => {
    if (waiter.done()) return;
    if (stop(i) || --remaining === 0) waiter.setResult(undefined);
  });
  tasks.forEach((task, i) => task.addDoneCallback(callbacks[i]));
  const timer = timeout === null ? null : loop.callLater(timeout, () => {
    if (!waiter.done()) waiter.setResult(undefined);
  });
  try {
    await waiter;
  } finally {
    timer?.cancel();
    tasks.forEach((task, i) => task.removeDoneCallback(callbacks[i]));
  }
}

/**
 * A greenlet, as gevent's `Greenlet`: a function running as a task, made by
 * `spawn()`. It is awaitable (`await g` is `await g.task`: its result, or
 * its error, or `CancelledError` once killed), and inside it `currentTask()`
 * is `g.task`.
 *
 * gevent's `kill()` raises `GreenletExit` in the greenlet; here it is
 * `CancelledError` (the greenlet's `task.cancel()`). As in gevent, a
 * greenlet killed so counts as `successful()`, with no `exception`; its
 * `value` is `null` here where gevent keeps the `GreenletExit` instance.
 *
 * @example A greenlet's state
 * ```ts
 * import { run, spawn } from "@asyncio/deno";
 * await run(async () => {
 *   const winner = spawn(() => "You win!");
 *   const loser = spawn(() => {
 *     throw new Error("You fail at failing.");
 *   });
 *   await winner.join();
 *   await loser.join();
 *   console.log(winner.value, winner.successful()); // You win! true
 *   console.log(loser.value, loser.successful()); // null false
 *   console.log((loser.exception as Error).message); // You fail at failing.
 * });
 * ```
 */
export class Greenlet<T = unknown> implements Awaitable<T> {
  /** The task the greenlet runs as. */
  readonly task: Task<T>;

  /**
   * Wrap `task` as a greenlet. Prefer `spawn()`, which makes the task.
   *
   * @param task The task to wrap.
   */
  constructor(task: Task<T>) {
    this.task = task;
  }

  /**
   * The value the function returned once the greenlet finished
   * successfully, else `null` (pending, failed or killed), as gevent's
   * `value`.
   */
  get value(): T | null {
    const task = this.task;
    if (!task.done() || task.cancelled() || task.exception() !== null) {
      return null;
    }
    return task.result();
  }

  /**
   * The error the function raised, if the greenlet finished with one; else
   * `null` (pending, successful, or killed: `CancelledError` is not an error
   * here, as `GreenletExit` is none in gevent).
   */
  get exception(): unknown {
    const task = this.task;
    if (!task.done() || task.cancelled()) return null;
    return task.exception();
  }

  /** Return true if and only if the greenlet has finished execution. */
  ready(): boolean {
    return this.task.done();
  }

  /**
   * Return true if and only if the greenlet has finished execution
   * successfully, that is, without raising an error (a killed greenlet is
   * successful, as in gevent).
   */
  successful(): boolean {
    const task = this.task;
    return task.done() && (task.cancelled() || task.exception() === null);
  }

  /**
   * Wait until the greenlet finishes or `timeout` seconds expire. Return
   * nothing regardless, and never raise the greenlet's error (as gevent's
   * `join`).
   *
   * @param timeout Seconds to wait at most, or `null` for no limit.
   */
  async join(timeout: number | null = null): Promise<void> {
    const seconds = checkSecondsOrNull("Greenlet.join", "timeout", timeout);
    await waitTasks([this.task as Task<unknown>], seconds, () => true);
  }

  /**
   * Return the value the greenlet returned, or raise the error it raised
   * (`null` if it was killed, as gevent returns its `GreenletExit`). Not
   * finished: with `block` (the default), wait up to `timeout` seconds, then
   * raise `TimeoutError` (gevent's `Timeout`); without, raise it at once.
   *
   * @param options `block` and `timeout`.
   */
  async get(options?: GreenletGetOptions): Promise<T | null> {
    const opts = checkOptions("Greenlet.get", options, ["block", "timeout"]);
    const block = checkBoolean(
      "Greenlet.get",
      "options.block",
      opts.block ?? true,
    );
    const timeout = checkSecondsOrNull(
      "Greenlet.get",
      "options.timeout",
      opts.timeout ?? null,
    );
    const task = this.task;
    if (!task.done()) {
      if (!block) throw new TimeoutError("Greenlet.get: the greenlet is alive");
      await waitTasks([task as Task<unknown>], timeout, () => true);
      if (!task.done()) {
        throw new TimeoutError(`Greenlet.get: timed out after ${timeout} s`);
      }
    }
    if (task.cancelled()) return null;
    return task.result();
  }

  /**
   * Kill the greenlet: cancel its task, which raises `CancelledError` where
   * it waits (gevent raises `GreenletExit`; a greenlet that has not started
   * never will). With `block` (the default), wait until it has died or
   * `timeout` seconds have passed. Never raise; a dead greenlet is left
   * alone.
   *
   * @param options `block` and `timeout`.
   */
  async kill(options?: GreenletKillOptions): Promise<void> {
    const opts = checkOptions("Greenlet.kill", options, ["block", "timeout"]);
    const block = checkBoolean(
      "Greenlet.kill",
      "options.block",
      opts.block ?? true,
    );
    const timeout = checkSecondsOrNull(
      "Greenlet.kill",
      "options.timeout",
      opts.timeout ?? null,
    );
    this.task.cancel();
    if (block) {
      await waitTasks([this.task as Task<unknown>], timeout, () => true);
    }
  }

  /** Wait for the greenlet with `await`: its task's result or error. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.task.then(onFulfilled, onRejected);
  }

  /** As `Promise.prototype.catch` (it awaits, as `then` does). */
  catch<R = never>(
    // `any`, as Promise's own `catch` types it: `(e: Error) => …` is allowed.
    // deno-lint-ignore no-explicit-any
    onRejected?: ((reason: any) => R | PromiseLike<R>) | null,
  ): Promise<T | R> {
    return catchOf(this, onRejected);
  }

  /** As `Promise.prototype.finally`: `onFinally` runs either way. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return finallyOf(this, onFinally);
  }

  /** Wait for the greenlet with `yield*` in a generator coroutine. */
  *[Symbol.iterator](): Generator<unknown, T, unknown> {
    return yield* this.task[Symbol.iterator]();
  }

  /** `<Greenlet …>` around the task's repr. */
  [Symbol.for("Deno.customInspect")](
    inspect: (value: unknown) => string,
  ): string {
    return `<Greenlet ${inspect(this.task)}>`;
  }
}

/**
 * Create a greenlet and schedule it to run `fn(...args)`, as
 * `gevent.spawn`. Nothing of `fn` runs before the greenlet's first step: it
 * is called there, inside its task. `fn` may be an `async` function, a
 * `coroutine(function* …)` or a plain function.
 *
 * @example Two greenlets switching at `sleep(0)`
 * ```ts
 * import { joinall, run, sleep, spawn } from "@asyncio/deno";
 * async function foo() {
 *   console.log("Running in foo");
 *   await sleep(0);
 *   console.log("Explicit context switch to foo again");
 * }
 * async function bar() {
 *   console.log("Explicit context to bar");
 *   await sleep(0);
 *   console.log("Implicit context switch back to bar");
 * }
 * await run(() => joinall([spawn(foo), spawn(bar)]));
 * ```
 *
 * @param fn The function to run.
 * @param args Its arguments.
 */
export function spawn<A extends unknown[], R>(
  fn: (...args: A) => R,
  ...args: A
): Greenlet<GreenletResult<R>> {
  checkSpawnable("spawn", fn);
  const lazy = () => fn(...args);
  Object.defineProperty(lazy, "name", { value: fn.name || "<lambda>" });
  const task = createTask(
    lazy as unknown as TaskCoroutine<GreenletResult<R>>,
  );
  return new Greenlet(task);
}

/**
 * Wait for the greenlets to finish, as `gevent.joinall`; return those that
 * finished before the timeout (if any) expired, in the order they finished.
 * With `raiseError`, raise the error of the first one that fails, as soon as
 * it fails. Killed greenlets are no error.
 *
 * @example Joining with a timeout
 * ```ts
 * import { joinall, run, sleep, spawn } from "@asyncio/deno";
 * await run(async () => {
 *   const quick = spawn(() => sleep(0.01, "quick"));
 *   const slow = spawn(() => sleep(10, "slow"));
 *   const done = await joinall([quick, slow], { timeout: 0.1 });
 *   console.log(done.map((g) => g.value)); // [ "quick" ]
 *   await slow.kill();
 * });
 * ```
 *
 * @param greenlets The greenlets to wait for.
 * @param options `timeout` and `raiseError`.
 */
export async function joinall<G extends Greenlet<unknown>>(
  greenlets: Iterable<G>,
  options?: JoinallOptions,
): Promise<G[]> {
  if (
    greenlets === null || typeof greenlets !== "object" ||
    greenlets instanceof Greenlet ||
    typeof (greenlets as Iterable<G>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `joinall: greenlets must be an iterable of greenlets, got ${
        describe(greenlets)
      }`,
    );
  }
  const list = [...greenlets];
  for (const g of list) {
    if (!(g instanceof Greenlet)) {
      throw new TypeError(
        `joinall: greenlets must be an iterable of greenlets, got an item ${
          describe(g)
        }`,
      );
    }
  }
  const opts = checkOptions("joinall", options, ["timeout", "raiseError"]);
  const timeout = checkSecondsOrNull(
    "joinall",
    "options.timeout",
    opts.timeout ?? null,
  );
  const raiseError = checkBoolean(
    "joinall",
    "options.raiseError",
    opts.raiseError ?? false,
  );
  const done: G[] = [];
  let failed: G | null = null;
  await waitTasks(list.map((g) => g.task), timeout, (i) => {
    const g = list[i];
    if (raiseError && g.exception !== null) {
      failed = g;
      return true;
    }
    done.push(g);
    return false;
  });
  if (failed !== null) throw (failed as G).exception;
  return done;
}
