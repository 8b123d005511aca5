/**
 * `timeout()`, `timeoutAt()` and `Timeout`: the callback form of
 * `async with asyncio.timeout(delay) as cm:`.
 *
 * How it works (CPython 3.12's timeouts.py, step for step): entering records
 * the current task and its `cancelling()` count and arms a timer; on expiry
 * the timer cancels the task, so `CancelledError` is thrown where the body
 * waits. On exit, if this timeout fired, `uncancel()` removes its own request;
 * only if no other request is left beyond those counted on entry, and the
 * body ended with `CancelledError`, is that error turned into `TimeoutError`.
 * So an outside cancellation is never converted, and nested timeouts each
 * convert only their own. The body runs inline in the caller's task (the
 * functions return a generator `Coroutine`, driven by the awaiting task), so
 * its waits are the ones the task's cancellation reaches.
 *
 * @module
 */
import { type Handle, inspect } from "../loop/events.ts";
import { getRunningLoop } from "../loop/policy.ts";
import { checkFunction, checkSecondsOrNull } from "../exceptions/checks.ts";
import { runBody } from "./_combinators.ts";
import {
  type Coroutine,
  coroutine,
  type CoroutineGenerator,
} from "./coroutine.ts";
import { CancelledError } from "../exceptions/asyncio.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import { TimeoutError } from "../exceptions/os_errors.ts";
import type { Task } from "./task.ts";
import { currentTask } from "./current_task.ts";

/** `Timeout.#run`, for `timeout()` and `timeoutAt()`. */
let runTimeout: (
  cm: Timeout | null,
  delay: number | null,
  body: TimeoutBody<unknown>,
) => Coroutine<unknown>;

type State = "created" | "active" | "expiring" | "expired" | "finished";

/** A body for `timeout()`, `timeoutAt()` and `Timeout.run()`. */
export type TimeoutBody<T> = (
  cm: Timeout,
) => T | PromiseLike<T> | CoroutineGenerator<T>;

/**
 * An asynchronous context manager for cancelling overdue coroutines, as
 * `asyncio.Timeout`. Made by `timeout()` and `timeoutAt()`, which pass it to
 * the body; `new Timeout(when).run(body)` is the same as
 * `timeoutAt(when, body)`.
 *
 * @example Pushing the deadline back
 * ```ts
 * import { getRunningLoop, run, sleep, timeout } from "@asyncio/deno";
 * await run(async () => {
 *   await timeout(0.01, async (cm) => {
 *     cm.reschedule(getRunningLoop().time() + 0.05);
 *     await sleep(0.02); // past the first deadline, within the new one
 *     console.log(cm.expired()); // false
 *   });
 * });
 * ```
 */
export class Timeout {
  #state: State = "created";
  #handle: Handle | null = null;
  #task: Task | null = null;
  #when: number | null;
  #cancelling = 0;

  /**
   * Make a timeout, not yet entered.
   *
   * @param when The absolute loop time, in seconds, at which to stop
   * waiting, or `null` for never.
   */
  constructor(when: number | null) {
    this.#when = checkSecondsOrNull("Timeout", "when", when);
  }

  /** Return the current deadline (loop time, in seconds), or `null`. */
  when(): number | null {
    return this.#when;
  }

  /**
   * Reschedule the timeout to the absolute loop time `when`, in seconds
   * (`null`: never). A deadline in the past expires at the loop's next
   * iteration.
   */
  reschedule(when: number | null): void {
    checkSecondsOrNull("Timeout.reschedule", "when", when);
    if (this.#state !== "active") {
      if (this.#state === "created") {
        throw new RuntimeError("Timeout has not been entered");
      }
      throw new RuntimeError(`Cannot change state of ${this.#state} Timeout`);
    }
    this.#when = when;
    this.#handle?.cancel();
    if (when === null || when === Infinity) {
      // An infinite deadline never fires: no timer at all.
      this.#handle = null;
    } else {
      const loop = getRunningLoop();
      this.#handle = when <= loop.time()
        ? loop.callSoon(Timeout.#onTimeout, this)
        : loop.callAt(when, Timeout.#onTimeout, this);
    }
  }

  /** Return `true` if the timeout expired while the body ran. */
  expired(): boolean {
    return this.#state === "expiring" || this.#state === "expired";
  }

  /**
   * Run `body(this)` inside the timeout, as `async with timeout:`, and
   * return its result; the body may be an `async` function, a generator
   * function (for generator coroutines) or a plain one.
   *
   * @param body What runs under the deadline.
   * @returns The body's result, awaitable with `await` and `yield*`.
   */
  run<T>(body: TimeoutBody<T>): Coroutine<T> {
    checkFunction("Timeout.run", "body", body);
    return Timeout.#run(this, null, body) as Coroutine<T>;
  }

  /** `async with` entry: CPython's `__aenter__`. */
  #enter(): void {
    if (this.#state !== "created") {
      throw new RuntimeError("Timeout has already been entered");
    }
    const task = currentTask();
    if (task === null) {
      throw new RuntimeError("Timeout should be used inside a task");
    }
    this.#state = "active";
    this.#task = task;
    this.#cancelling = task.cancelling();
    this.reschedule(this.#when);
  }

  /**
   * `async with` exit: CPython's `__aexit__`. Throws `TimeoutError` if this
   * timeout's own cancellation ended the body.
   */
  #exit(error: unknown, failed: boolean): void {
    this.#handle?.cancel();
    this.#handle = null;
    if (this.#state === "expiring") {
      this.#state = "expired";
      if (
        this.#task!.uncancel() <= this.#cancelling && failed &&
        error instanceof CancelledError
      ) {
        // Since there are no new cancel requests, we're handling this.
        const timeoutError = new TimeoutError();
        timeoutError.cause = error;
        throw timeoutError;
      }
    } else if (this.#state === "active") {
      this.#state = "finished";
    }
  }

  /** The body of `timeout()`, `timeoutAt()` and `run()`. */
  static #run = coroutine(function* _timeout(
    cm: Timeout | null,
    delay: number | null,
    body: TimeoutBody<unknown>,
  ) {
    // `timeout(delay)` reads the loop's time here, on entry, in the loop that
    // runs the task (a coroutine's prefix may call it before `run()`).
    cm ??= new Timeout(delay === null ? null : getRunningLoop().time() + delay);
    cm.#enter();
    let result: unknown;
    try {
      result = yield* runBody(body, cm);
    } catch (error) {
      cm.#exit(error, true);
      throw error;
    }
    cm.#exit(undefined, false);
    return result;
  });

  static {
    runTimeout = Timeout.#run;
  }

  static #onTimeout(cm: Timeout): void {
    cm.#task!.cancel();
    cm.#state = "expiring";
    cm.#handle = null;
  }

  /** `<Timeout [active] when=12.5>`, as CPython's repr. */
  toString(): string {
    let info = "";
    if (this.#state === "active") {
      const when = this.#when === null
        ? "None"
        : String(Math.round(this.#when * 1000) / 1000);
      info = ` when=${when}`;
    }
    return `<Timeout [${this.#state}]${info}>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}

/**
 * Run `body` with a deadline `delay` seconds from now, as
 * `async with asyncio.timeout(delay) as cm:`, and return its result. If the
 * body is still running at the deadline, the current task is cancelled and
 * that one cancellation comes out as `TimeoutError` (any other cancellation
 * passes through unchanged). `delay` may be `null` (no deadline; set one
 * later with `cm.reschedule()`) or `<= 0` (expire at the next iteration).
 * The body gets the `Timeout`; it may be an `async` function or, in a
 * generator coroutine, a generator function (`yield* timeout(1, function* (cm) {…})`).
 * Must run inside a task.
 *
 * @param delay Seconds until the deadline, or `null`.
 * @param body What runs under the deadline.
 * @returns The body's result, awaitable with `await` and `yield*`.
 * @throws {TimeoutError} When the deadline cancelled the body.
 * @throws {RuntimeError} Outside a task.
 *
 * @example Giving up on a slow operation
 * ```ts
 * import { run, sleep, timeout, TimeoutError } from "@asyncio/deno";
 * await run(async () => {
 *   try {
 *     await timeout(0.01, async () => {
 *       await sleep(10);
 *     });
 *   } catch (e) {
 *     console.log(e instanceof TimeoutError); // true
 *   }
 * });
 * ```
 */
export function timeout<T>(
  delay: number | null,
  body: TimeoutBody<T>,
): Coroutine<T> {
  checkSecondsOrNull("timeout", "delay", delay);
  checkFunction("timeout", "body", body);
  return runTimeout(null, delay, body as TimeoutBody<unknown>) as Coroutine<T>;
}

/**
 * Run `body` with a deadline at the absolute loop time `when` (seconds of
 * `loop.time()`), as `async with asyncio.timeout_at(when) as cm:`; see
 * `timeout()`.
 *
 * @param when The loop time of the deadline, in seconds, or `null`.
 * @param body What runs under the deadline.
 * @returns The body's result, awaitable with `await` and `yield*`.
 * @throws {TimeoutError} When the deadline cancelled the body.
 * @throws {RuntimeError} Outside a task.
 *
 * @example A deadline on the loop's clock
 * ```ts
 * import { getRunningLoop, run, sleep, timeoutAt } from "@asyncio/deno";
 * await run(async () => {
 *   const when = getRunningLoop().time() + 1;
 *   const r = await timeoutAt(when, async (cm) => {
 *     await sleep(0.01);
 *     return cm.when() === when;
 *   });
 *   console.log(r); // true
 * });
 * ```
 */
export function timeoutAt<T>(
  when: number | null,
  body: TimeoutBody<T>,
): Coroutine<T> {
  checkSecondsOrNull("timeoutAt", "when", when);
  checkFunction("timeoutAt", "body", body);
  return runTimeout(
    new Timeout(when),
    null,
    body as TimeoutBody<unknown>,
  ) as Coroutine<T>;
}
