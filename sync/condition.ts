/**
 * `Condition`: a condition variable for tasks, as `asyncio.Condition`.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { type AbstractEventLoop, inspect } from "../loop/events.ts";
import { checkFunction } from "../exceptions/checks.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { CancelledError } from "../exceptions/asyncio.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import type { Awaitable, Future } from "../tasks/future.ts";
import {
  bindLoop,
  type RunBody,
  runHoldingCoroutine,
  waitersSuffix,
} from "./_common.ts";
import { Op } from "../tasks/_op.ts";
import { Deque } from "./_deque.ts";
import { Lock } from "./lock.ts";

/**
 * Asynchronous equivalent to `threading.Condition`, as `asyncio.Condition`.
 * This class implements condition variable objects. A condition variable
 * allows one or more tasks to wait until they are notified by another task.
 * A new `Lock` is created and used as the underlying lock unless one is
 * given; `acquire()`, `release()` and `locked()` are the lock's.
 * `async with cond:` ports as `await cond.run(async () => …)`.
 *
 * @example A consumer waiting for an item
 * ```ts
 * import { Condition, createTask, run } from "@asyncio/deno";
 * await run(async () => {
 *   const cond = new Condition();
 *   const items: string[] = [];
 *   const consumer = createTask(cond.run(async () => {
 *     await cond.waitFor(() => items.length > 0);
 *     return items.shift();
 *   }));
 *   await cond.run(() => {
 *     items.push("apple");
 *     cond.notify();
 *   });
 *   console.log(await consumer); // apple
 * });
 * ```
 */
export class Condition {
  #lock: Lock;
  #waiters = new Deque<Future<boolean>>();
  #loop: AbstractEventLoop | null = null;

  /**
   * Make a condition variable.
   *
   * @param lock The lock to share, or `null` for a new `Lock`.
   */
  constructor(lock: Lock | null = null) {
    if (lock === null || lock === undefined) lock = new Lock();
    else if (
      typeof lock !== "object" || typeof lock.acquire !== "function" ||
      typeof lock.release !== "function" || typeof lock.locked !== "function"
    ) {
      throw new TypeError(
        `Condition: lock must be a Lock, got ${describe(lock)}`,
      );
    }
    this.#lock = lock;
  }

  /** Return `true` if the underlying lock is acquired. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /** Acquire the underlying lock (see `Lock.acquire`). */
  acquire(): Awaitable<true> {
    return this.#lock.acquire();
  }

  /** Release the underlying lock (see `Lock.release`). */
  release(): void {
    this.#lock.release();
  }

  /**
   * `async with cond:`: acquire the underlying lock, wait for `body(cond)`,
   * release the lock however the body ends, and return the body's result.
   */
  run<T>(body: RunBody<this, T>): Awaitable<T> {
    return runHoldingCoroutine("Condition.run", this, body);
  }

  /**
   * Wait until notified. If the calling task has not acquired the lock when
   * this method is called, a `RuntimeError` is raised. This method releases
   * the underlying lock, and then blocks until it is awakened by a
   * `notify()` or `notifyAll()` call for the same condition variable in
   * another task. Once awakened, it re-acquires the lock (even if the wait
   * was cancelled) and returns `true`.
   */
  wait(): Awaitable<true> {
    return new Op(this.#wait(), "Condition.wait");
  }

  *#wait(): CoroutineGenerator<true> {
    if (!this.locked()) {
      throw new RuntimeError("cannot wait on un-acquired lock");
    }
    this.release();
    try {
      try {
        const fut = (this.#loop = bindLoop(this, this.#loop)).createFuture<
          boolean
        >();
        this.#waiters.push(fut);
        try {
          yield fut; // waits as `yield*` would, with no iterator made
          return true;
        } finally {
          this.#waiters.remove(fut);
        }
      } finally {
        // Must re-acquire the lock even if the wait is cancelled. Only a
        // CancelledError is caught, so no other error makes us spin.
        let cancelled: CancelledError | null = null;
        for (;;) {
          try {
            yield* this.acquire();
            break;
          } catch (error) {
            // As CPython: an error other than a cancellation propagates.
            // deno-lint-ignore no-unsafe-finally
            if (!(error instanceof CancelledError)) throw error;
            cancelled = error;
          }
        }
        // Re-raise the most recent cancellation.
        // deno-lint-ignore no-unsafe-finally
        if (cancelled !== null) throw cancelled;
      }
    } catch (error) {
      // The error may have come after this task was notified: notify
      // another one instead (a spurious wake-up, which the condition
      // variable protocol allows).
      this.#notify(1);
      throw error;
    }
  }

  /**
   * Wait until a predicate becomes true. The predicate is a function whose
   * result is interpreted as a boolean; the final value is returned. The
   * lock must be held, as for `wait()`.
   */
  waitFor<T>(predicate: () => T): Awaitable<T> {
    checkFunction("Condition.waitFor", "predicate", predicate);
    return new Op(this.#waitFor(predicate), "Condition.waitFor");
  }

  *#waitFor<T>(predicate: () => T): CoroutineGenerator<T> {
    let result = predicate();
    while (!result) {
      yield* this.#wait();
      result = predicate();
    }
    return result;
  }

  /**
   * Wake up at most `n` tasks waiting on this condition (1 by default). If
   * the calling task has not acquired the lock when this method is called, a
   * `RuntimeError` is raised. The woken tasks return from `wait()` once they
   * re-acquire the lock, which `notify()` does not release.
   */
  notify(n = 1): void {
    if (typeof n !== "number" || Number.isNaN(n)) {
      throw new TypeError(
        `Condition.notify: n must be a number, got ${describe(n)}`,
      );
    }
    if (!this.locked()) {
      throw new RuntimeError("cannot notify on un-acquired lock");
    }
    this.#notify(n);
  }

  #notify(n: number): void {
    const waiters = this.#waiters;
    let woken = 0;
    for (let i = 0; i < waiters.length && woken < n; i++) {
      const fut = waiters.at(i);
      if (!fut.done()) {
        woken++;
        fut.setResult(false);
      }
    }
  }

  /**
   * Wake up all tasks waiting on this condition. The lock must be held, as
   * for `notify()`.
   */
  notifyAll(): void {
    this.notify(this.#waiters.length);
  }

  /** `<Condition [unlocked]>`, `<Condition [locked, waiters:2]>`. */
  toString(): string {
    const state = this.locked() ? "locked" : "unlocked";
    return `<Condition [${state}${waitersSuffix(this.#waiters.length)}]>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}
