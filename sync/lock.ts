/**
 * `Lock`: a mutex for tasks, as `asyncio.Lock`.
 *
 * @module
 */
import { type AbstractEventLoop, inspect } from "../loop/events.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { CancelledError } from "../exceptions/asyncio.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
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
import { checkRelease, holderIfDebug } from "./_lock_holder.ts";

export type { RunBody } from "./_common.ts";

/**
 * Primitive lock objects, as `asyncio.Lock`. A primitive lock is a
 * synchronization primitive that is not owned by a particular task when
 * locked. A primitive lock is in one of two states, 'locked' or 'unlocked'.
 *
 * Acquiring is fair: waiters proceed in the order they called `acquire()`.
 * A waiter cancelled while it waits leaves the queue and, if the lock is
 * free, wakes the next one, so no wake-up is lost. `async with lock:` ports
 * as `await lock.run(async () => …)`.
 *
 * The lock binds to the event loop that first waits on it; using it from
 * another loop raises `RuntimeError`.
 *
 * @example Guarding a shared resource
 * ```ts
 * import { createTask, Lock, run, sleep } from "@asyncio/deno";
 * const lock = new Lock();
 * const log: string[] = [];
 * async function worker(name: string) {
 *   await lock.run(async () => {
 *     log.push(`${name} in`);
 *     await sleep(0.001);
 *     log.push(`${name} out`);
 *   });
 * }
 * await run(async () => {
 *   const a = createTask(worker("a"));
 *   const b = createTask(worker("b"));
 *   await a;
 *   await b;
 * });
 * console.log(log.join(", ")); // a in, a out, b in, b out
 * ```
 */
export class Lock {
  #waiters: Deque<Future<boolean>> | null = null;
  #locked = false;
  /** Debug mode: the task that acquired it (see `_lock_holder.ts`). */
  #holder: unknown = null;
  #loop: AbstractEventLoop | null = null;

  /** Make an unlocked lock. */
  constructor() {}

  /** Return `true` if the lock is acquired. */
  locked(): boolean {
    return this.#locked;
  }

  /**
   * Acquire a lock. This method blocks until the lock is unlocked, then sets
   * it to locked and returns `true`. A free lock is taken at once, without
   * yielding to the loop.
   */
  acquire(): Awaitable<true> {
    return new Op(this.#acquire(), "Lock.acquire");
  }

  *#acquire(): CoroutineGenerator<true> {
    // Fair scheduling: jumping the queue only when every waiter is cancelled.
    if (!this.#locked && allCancelled(this.#waiters)) {
      this.#locked = true;
      this.#holder = holderIfDebug();
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
      // Keep the invariant: if the lock is not claimed (or about to be by
      // us) and there is a task in the waiters, the one at the head runs.
      if (error instanceof CancelledError && !this.#locked) {
        this.#wakeUpFirst();
      }
      throw error;
    }
    this.#locked = true;
    this.#holder = holderIfDebug();
    return true;
  }

  /**
   * Release a lock. When the lock is locked, reset it to unlocked and wake
   * the first waiter, if any. Raises `RuntimeError` on an unlocked lock.
   */
  release(): void {
    if (!this.#locked) throw new RuntimeError("Lock is not acquired.");
    if (this.#holder !== null) checkRelease(this, this.#holder);
    this.#locked = false;
    this.#holder = null;
    this.#wakeUpFirst();
  }

  /**
   * `async with lock:`: acquire the lock, wait for `body(lock)`, release the
   * lock however the body ends, and return the body's result. `body` may be
   * an `async` function or a generator coroutine function.
   */
  run<T>(body: RunBody<this, T>): Awaitable<T> {
    return runHoldingCoroutine("Lock.run", this, body);
  }

  /** Ensure that the first waiter will wake up. */
  #wakeUpFirst(): void {
    const waiters = this.#waiters;
    if (waiters === null || waiters.length === 0) return;
    const fut = waiters.at(0);
    // done() means that the waiter is already set to wake up.
    if (!fut.done()) fut.setResult(true);
  }

  /** `<Lock [unlocked]>`, `<Lock [locked, waiters:1]>`, as CPython. */
  toString(): string {
    const state = this.#locked ? "locked" : "unlocked";
    return `<Lock [${state}${waitersSuffix(this.#waiters?.length ?? 0)}]>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}
