/**
 * `Barrier`: tasks wait until enough of them have arrived, as
 * `asyncio.Barrier` (3.11).
 *
 * @module
 */
import { checkFunction, checkInteger } from "../exceptions/checks.ts";
import { inspect } from "../loop/events.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { BrokenBarrierError } from "../exceptions/asyncio.ts";
import { ValueError } from "../exceptions/builtins.ts";
import type { Awaitable } from "../tasks/future.ts";
import { callBody, type RunBody } from "./_common.ts";
import { Op } from "../tasks/_op.ts";
import { Condition } from "./condition.ts";

const FILLING = "filling",
  DRAINING = "draining",
  RESETTING = "resetting",
  BROKEN = "broken";
type State =
  | typeof FILLING
  | typeof DRAINING
  | typeof RESETTING
  | typeof BROKEN;

/**
 * Asyncio equivalent to `threading.Barrier`, as `asyncio.Barrier`. Implements
 * a Barrier primitive: useful for synchronizing a fixed number of tasks at
 * known synchronization points. Tasks block on `wait()` and are
 * simultaneously awoken once they have all made their call.
 * `async with barrier as index:` ports as
 * `await barrier.run(async (index) => …)`.
 *
 * @example Three tasks meeting
 * ```ts
 * import { Barrier, createTask, run } from "@asyncio/deno";
 * await run(async () => {
 *   const barrier = new Barrier(3);
 *   const tasks = [1, 2].map(() => createTask(barrier.wait()));
 *   console.log(await barrier.wait(), barrier.nWaiting); // 2 0
 *   for (const t of tasks) await t;
 * });
 * ```
 */
export class Barrier {
  /** Notifies all tasks when the state changes. */
  #cond = new Condition();
  #parties: number;
  #state: State = FILLING;
  /** The tasks in the barrier. */
  #count = 0;

  /**
   * Make a barrier.
   *
   * @param parties The number of tasks that must call `wait()` before any
   * passes; raises `ValueError` if less than 1.
   */
  constructor(parties: number) {
    checkInteger("Barrier", "parties", parties);
    if (parties < 1) throw new ValueError("parties must be > 0");
    this.#parties = parties;
  }

  /**
   * Wait for the barrier. When the specified number of tasks have started
   * waiting, they are all simultaneously awoken. Return an unique and
   * individual index number from 0 to `parties - 1`. Raises
   * `BrokenBarrierError` if the barrier is broken or reset while waiting.
   */
  wait(): Awaitable<number> {
    return new Op(this.#wait(), "Barrier.wait");
  }

  *#wait(): CoroutineGenerator<number> {
    const cond = this.#cond;
    yield* cond.acquire();
    try {
      yield* this.#block(); // block while the barrier drains or resets
      try {
        const index = this.#count++;
        if (index + 1 === this.#parties) this.#release();
        else yield* this.#waitReleased();
        return index;
      } finally {
        this.#count--;
        // Wake up any tasks waiting for the barrier to drain.
        this.#exit();
      }
    } finally {
      cond.release();
    }
  }

  /**
   * `async with barrier as index:`: wait for the barrier, then wait for
   * `body(index)` and return its result.
   */
  run<T>(body: RunBody<number, T>): Awaitable<T> {
    checkFunction("Barrier.run", "body", body);
    return new Op(this.#run(body), "Barrier.run");
  }

  *#run<T>(body: RunBody<number, T>): CoroutineGenerator<T> {
    const index = yield* this.#wait();
    return yield* callBody(body, index);
  }

  /** Block until the barrier is ready for us; raise if it is broken. */
  *#block(): CoroutineGenerator<void> {
    // Draining or resetting: wait until done, unless cancelled.
    yield* this.#cond.waitFor(() =>
      this.#state !== DRAINING && this.#state !== RESETTING
    );
    if (this.#state === BROKEN) {
      throw new BrokenBarrierError("Barrier aborted");
    }
  }

  /**
   * Release the tasks waiting in the barrier: enter the draining state; the
   * next waiting tasks are blocked until the end of draining.
   */
  #release(): void {
    this.#state = DRAINING;
    this.#cond.notifyAll();
  }

  /**
   * Wait in the barrier until released; raise if the barrier is reset or
   * broken.
   */
  *#waitReleased(): CoroutineGenerator<void> {
    yield* this.#cond.waitFor(() => this.#state !== FILLING);
    if (this.#state === BROKEN || this.#state === RESETTING) {
      throw new BrokenBarrierError("Abort or reset of barrier");
    }
  }

  /**
   * If we are the last task to exit the barrier, signal any tasks waiting
   * for the barrier to drain.
   */
  #exit(): void {
    if (this.#count === 0) {
      if (this.#state === RESETTING || this.#state === DRAINING) {
        this.#state = FILLING;
      }
      this.#cond.notifyAll();
    }
  }

  /**
   * Reset the barrier to the initial state. Any tasks currently waiting get
   * the `BrokenBarrierError` exception raised.
   */
  reset(): Awaitable<void> {
    return new Op(this.#reset(), "Barrier.reset");
  }

  *#reset(): CoroutineGenerator<void> {
    const cond = this.#cond;
    yield* cond.acquire();
    try {
      if (this.#count > 0) {
        if (this.#state !== RESETTING) {
          // Reset the barrier, waking up tasks.
          this.#state = RESETTING;
        }
      } else {
        this.#state = FILLING;
      }
      cond.notifyAll();
    } finally {
      cond.release();
    }
  }

  /**
   * Place the barrier into a 'broken' state. Useful in case of error. Any
   * currently waiting tasks and tasks attempting to `wait()` will have
   * `BrokenBarrierError` raised.
   */
  abort(): Awaitable<void> {
    return new Op(this.#abort(), "Barrier.abort");
  }

  *#abort(): CoroutineGenerator<void> {
    const cond = this.#cond;
    yield* cond.acquire();
    try {
      this.#state = BROKEN;
      cond.notifyAll();
    } finally {
      cond.release();
    }
  }

  /** Return the number of tasks required to trip the barrier. */
  get parties(): number {
    return this.#parties;
  }

  /** Return the number of tasks currently waiting at the barrier. */
  get nWaiting(): number {
    return this.#state === FILLING ? this.#count : 0;
  }

  /** Return `true` if the barrier is in a broken state. */
  get broken(): boolean {
    return this.#state === BROKEN;
  }

  /** `<Barrier [filling, waiters:1/3]>`, `<Barrier [broken]>`. */
  toString(): string {
    let extra: string = this.#state;
    if (!this.broken) extra += `, waiters:${this.nWaiting}/${this.parties}`;
    return `<Barrier [${extra}]>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}
