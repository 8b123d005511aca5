/**
 * `Semaphore` and `BoundedSemaphore`, as asyncio's.
 *
 * @module
 */
import { type AbstractEventLoop, inspect } from "../loop/events.ts";
import { checkInteger } from "../exceptions/checks.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { CancelledError } from "../exceptions/asyncio.ts";
import { ValueError } from "../exceptions/builtins.ts";
import type { Awaitable, Future } from "../tasks/future.ts";
import {
  allCancelled,
  bindLoop,
  type RunBody,
  runHoldingCoroutine,
  waitersSuffix,
} from "./_common.ts";
import { Op } from "../tasks/_op.ts";
import { Deque } from "./_deque.ts";

/** Reads a semaphore's counter, for `BoundedSemaphore.release`. */
let valueOf: (semaphore: Semaphore) => number;

/**
 * A Semaphore implementation, as `asyncio.Semaphore`. A semaphore manages an
 * internal counter which is decremented by each `acquire()` call and
 * incremented by each `release()` call. The counter can never go below zero;
 * when `acquire()` finds that it is zero, it blocks, waiting until some
 * other task calls `release()`. Waiters proceed in FIFO order.
 * `async with sem:` ports as `await sem.run(async () => …)`.
 *
 * @example At most two workers at a time
 * ```ts
 * import { createTask, run, Semaphore, sleep } from "@asyncio/deno";
 * const sem = new Semaphore(2);
 * let active = 0, peak = 0;
 * async function worker() {
 *   await sem.run(async () => {
 *     peak = Math.max(peak, ++active);
 *     await sleep(0.001);
 *     active--;
 *   });
 * }
 * await run(async () => {
 *   const tasks = [1, 2, 3, 4].map(() => createTask(worker()));
 *   for (const t of tasks) await t;
 * });
 * console.log(peak); // 2
 * ```
 */
export class Semaphore {
  #waiters: Deque<Future<boolean>> | null = null;
  #value: number;
  #loop: AbstractEventLoop | null = null;

  static {
    valueOf = (semaphore) => semaphore.#value;
  }

  /**
   * Make a semaphore.
   *
   * @param value The initial value of the counter; raises `ValueError` if
   * it is less than 0.
   */
  constructor(value = 1) {
    checkInteger(new.target.name, "value", value);
    if (value < 0) {
      throw new ValueError("Semaphore initial value must be >= 0");
    }
    this.#value = value;
  }

  /**
   * Return `true` if the semaphore cannot be acquired immediately: its
   * counter is zero, or (FIFO) other tasks wait already.
   */
  locked(): boolean {
    return this.#value === 0 || !allCancelled(this.#waiters);
  }

  /**
   * Acquire a semaphore. If the internal counter is larger than zero on
   * entry (and nobody waits), decrement it by one and return `true`
   * immediately, without yielding to the loop. Otherwise block until
   * another task calls `release()`, then return `true`.
   */
  acquire(): Awaitable<true> {
    return new Op(this.#acquire(), `${this.constructor.name}.acquire`);
  }

  *#acquire(): CoroutineGenerator<true> {
    if (!this.locked()) {
      // Keep FIFO: wait for others to start even if the value is > 0.
      this.#value--;
      return true;
    }
    const waiters = this.#waiters ??= new Deque();
    const fut = (this.#loop = bindLoop(this, this.#loop)).createFuture<
      boolean
    >();
    waiters.push(fut);
    try {
      try {
        yield fut; // waits as `yield*` would, with no iterator made
      } finally {
        waiters.remove(fut);
      }
    } catch (error) {
      // Our future was set by #wakeUpNext() but we will not acquire: undo
      // its bookkeeping (the loop below wakes someone else).
      if (error instanceof CancelledError && fut.done() && !fut.cancelled()) {
        this.#value++;
      }
      throw error;
    } finally {
      // New waiters may have arrived but had to wait due to FIFO: wake up as
      // many as are allowed.
      while (this.#value > 0) {
        if (!this.#wakeUpNext()) break; // there was no one to wake up
      }
    }
    return true;
  }

  /**
   * Release a semaphore, incrementing the internal counter by one. When it
   * was zero on entry and another task is waiting for it to become larger
   * than zero again, wake up that task.
   */
  release(): void {
    this.#value++;
    this.#wakeUpNext();
  }

  /**
   * `async with sem:`: acquire the semaphore, wait for `body(sem)`, release
   * it however the body ends, and return the body's result.
   */
  run<T>(body: RunBody<this, T>): Awaitable<T> {
    return runHoldingCoroutine(`${this.constructor.name}.run`, this, body);
  }

  /** Wake up the first waiter that isn't done; return whether one was. */
  #wakeUpNext(): boolean {
    const waiters = this.#waiters;
    if (waiters === null) return false;
    for (let i = 0; i < waiters.length; i++) {
      const fut = waiters.at(i);
      if (!fut.done()) {
        this.#value--;
        fut.setResult(true);
        return true;
      }
    }
    return false;
  }

  /** `<Semaphore [unlocked, value:1]>`, `<Semaphore [locked, waiters:2]>`. */
  toString(): string {
    const state = this.locked() ? "locked" : `unlocked, value:${this.#value}`;
    const waiters = waitersSuffix(this.#waiters?.length ?? 0);
    return `<${this.constructor.name} [${state}${waiters}]>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}

/**
 * A bounded semaphore implementation, as `asyncio.BoundedSemaphore`: it
 * raises `ValueError` in `release()` if it would increase the value above
 * the initial value.
 *
 * @example Over-releasing
 * ```ts
 * import { BoundedSemaphore, ValueError } from "@asyncio/deno";
 * const sem = new BoundedSemaphore(1);
 * try {
 *   sem.release();
 * } catch (e) {
 *   console.log(e instanceof ValueError, (e as Error).message);
 *   // true BoundedSemaphore released too many times
 * }
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  #boundValue: number;

  /**
   * Make a bounded semaphore.
   *
   * @param value The initial (and greatest) value of the counter.
   */
  constructor(value = 1) {
    super(value);
    this.#boundValue = value;
  }

  /**
   * Release the semaphore; raises `ValueError` if the counter would go above
   * its initial value.
   */
  override release(): void {
    if (valueOf(this) >= this.#boundValue) {
      throw new ValueError("BoundedSemaphore released too many times");
    }
    super.release();
  }
}
