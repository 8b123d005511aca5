/**
 * gevent's `Pool`: a group of greenlets that holds at most `size` of them at
 * once. A greenlet spawned while the pool is full waits for a slot before it
 * runs; `waitAvailable()` waits for room, as gevent's blocking `spawn`;
 * `map()` and `imapUnordered()` run a function over an iterable through the
 * pool, never holding more than `size` greenlets.
 *
 * @module
 */
import { ValueError } from "../exceptions/builtins.ts";
import { checkSecondsOrNull } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { getRunningLoop } from "../loop/policy.ts";
import { Semaphore } from "../sync/semaphore.ts";
import { Queue } from "../sync/queue.ts";
import { createTask } from "../tasks/create_task.ts";
import type { Future } from "../tasks/future.ts";
import { wait } from "../tasks/wait.ts";
import {
  checkSpawnable,
  type Greenlet,
  type GreenletResult,
  spawn,
} from "./greenlet.ts";

/** What the feeder of `#run` hands the consumer. */
type Item<R> =
  | { kind: "done"; index: number; greenlet: Greenlet<R> }
  | { kind: "end" }
  | { kind: "error"; error: unknown };

/** An iterable (a `TypeError` naming `api` otherwise). */
function checkIterable(api: string, value: unknown): void {
  if (
    value === null || value === undefined ||
    typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `${api}: iterable must be an iterable, got ${describe(value)}`,
    );
  }
}

/**
 * A pool of greenlets, as gevent's `Pool(size)`: at most `size` run at once
 * (`null` for no limit). A greenlet is in the pool from `spawn()` until it
 * ends.
 *
 * @example At most two at once
 * ```ts
 * import { Pool, run, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const pool = new Pool(2);
 *   const squares = await pool.map(async (n: number) => {
 *     await sleep(0.01);
 *     return n * n;
 *   }, [1, 2, 3, 4, 5]);
 *   console.log(squares); // [ 1, 4, 9, 16, 25 ]
 * });
 * ```
 */
export class Pool {
  /** The most greenlets the pool holds at once; `null`: no limit. */
  readonly size: number | null;
  #semaphore: Semaphore | null;
  #greenlets = new Set<Greenlet<unknown>>();
  /** `join()`s waiting for the pool to be empty. */
  #emptyWaiters = new Set<Future<void>>();
  /** `waitAvailable()`s waiting for room. */
  #availableWaiters = new Set<Future<void>>();

  /**
   * Make a pool of `size` greenlets at most.
   *
   * @param size A positive integer, or `null` for no limit.
   */
  constructor(size: number | null = null) {
    if (size !== null) {
      if (typeof size !== "number" || !Number.isInteger(size)) {
        throw new TypeError(
          `Pool: size must be an integer or null, got ${describe(size)}`,
        );
      }
      if (size < 1) {
        throw new ValueError(`Pool: size must be at least 1, got ${size}`);
      }
    }
    this.size = size;
    this.#semaphore = size === null ? null : new Semaphore(size);
  }

  /** How many greenlets the pool holds now (waiting for a slot or running). */
  get length(): number {
    return this.#greenlets.size;
  }

  /**
   * How many more greenlets the pool can take before `spawn()` waits
   * (`Infinity` without a limit), as gevent's `free_count()`.
   */
  freeCount(): number {
    if (this.size === null) return Infinity;
    return Math.max(0, this.size - this.#greenlets.size);
  }

  /** Return true if the pool is full: `spawn()` would wait. */
  full(): boolean {
    return this.freeCount() === 0;
  }

  /**
   * Spawn `fn(...args)` in the pool and return the greenlet at once. The
   * greenlet waits for a free slot before it calls `fn`, so that at most
   * `size` run at once. gevent's `pool.spawn` blocks the caller instead
   * while the pool is full; here `await pool.waitAvailable()` before it does
   * that (JavaScript cannot hand back an awaitable greenlet from an
   * `await`: the promise would wait for it to end). `await pool.spawn(fn)`
   * waits for the greenlet to end, as awaiting any greenlet does.
   *
   * @param fn The function to run, as `spawn()` takes it.
   * @param args Its arguments.
   */
  spawn<A extends unknown[], R>(
    fn: (...args: A) => R,
    ...args: A
  ): Greenlet<GreenletResult<R>> {
    checkSpawnable("Pool.spawn", fn);
    const semaphore = this.#semaphore;
    let g: Greenlet<GreenletResult<R>>;
    if (semaphore === null) {
      g = spawn(fn, ...args);
    } else {
      const gated = async () => {
        await semaphore.acquire();
        try {
          return await fn(...args);
        } finally {
          semaphore.release();
        }
      };
      Object.defineProperty(gated, "name", { value: fn.name || "<lambda>" });
      g = spawn(gated) as Greenlet<GreenletResult<R>>;
    }
    this.#greenlets.add(g as Greenlet<unknown>);
    g.task.addDoneCallback(() => this.#discard(g as Greenlet<unknown>));
    return g;
  }

  /**
   * Wait until the pool has room for one more greenlet (`spawn()` then
   * starts it without waiting for a slot), as gevent's `wait_available`.
   */
  async waitAvailable(): Promise<void> {
    while (this.size !== null && this.#greenlets.size >= this.size) {
      const waiter = getRunningLoop().createFuture<void>();
      this.#availableWaiters.add(waiter);
      try {
        await waiter;
      } finally {
        this.#availableWaiters.delete(waiter);
      }
    }
  }

  #discard(g: Greenlet<unknown>): void {
    this.#greenlets.delete(g);
    for (const waiter of this.#availableWaiters) {
      if (!waiter.done()) waiter.setResult(undefined);
    }
    this.#availableWaiters.clear();
    if (this.#greenlets.size === 0) {
      for (const waiter of this.#emptyWaiters) {
        if (!waiter.done()) waiter.setResult(undefined);
      }
      this.#emptyWaiters.clear();
    }
  }

  /**
   * Wait until the pool is empty (every greenlet in it has ended) or
   * `timeout` seconds have passed. Return whether it is empty, as gevent's
   * `join`; never raise a greenlet's error.
   *
   * @param timeout Seconds to wait at most, or `null` for no limit.
   */
  async join(timeout: number | null = null): Promise<boolean> {
    const seconds = checkSecondsOrNull("Pool.join", "timeout", timeout);
    if (this.#greenlets.size === 0) return true;
    const waiter = getRunningLoop().createFuture<void>();
    this.#emptyWaiters.add(waiter);
    try {
      await wait([waiter], { timeout: seconds });
    } finally {
      this.#emptyWaiters.delete(waiter);
      waiter.cancel();
    }
    return this.#greenlets.size === 0;
  }

  /**
   * Spawn one greenlet of `fn(item)` per item, through the pool, and yield
   * them as they end, with their index. The feeder task stops when the
   * consumer does.
   */
  async *#run<T, R>(
    api: string,
    fn: (item: T) => R,
    iterable: Iterable<T>,
  ): AsyncGenerator<[number, Greenlet<GreenletResult<R>>]> {
    const queue = new Queue<Item<GreenletResult<R>>>();
    let spawned = 0;
    const feeder = createTask(async () => {
      try {
        let index = 0;
        for (const item of iterable) {
          const i = index++;
          await this.waitAvailable();
          const g = this.spawn(fn, item);
          spawned++;
          g.task.addDoneCallback(() =>
            queue.putNowait({ kind: "done", index: i, greenlet: g })
          );
        }
        queue.putNowait({ kind: "end" });
      } catch (error) {
        queue.putNowait({ kind: "error", error });
      }
    }, { name: `${api} feeder` });
    let fed = false;
    let received = 0;
    try {
      while (!fed || received < spawned) {
        const item = await queue.get();
        if (item.kind === "end") fed = true;
        else if (item.kind === "error") throw item.error;
        else {
          received++;
          yield [item.index, item.greenlet];
        }
      }
    } finally {
      if (!feeder.done()) {
        feeder.cancel();
        try {
          await feeder;
        } catch {
          // cancelled
        }
      }
    }
  }

  /**
   * Run `fn(item)` for each item of `iterable` through the pool, and return
   * the results in the order of the items, as gevent's `map`. The first
   * error a greenlet raises is raised as soon as it happens (the others run
   * on); a killed greenlet's result is `null`.
   *
   * @param fn The function to run on each item.
   * @param iterable The items.
   */
  async map<T, R>(
    fn: (item: T) => R,
    iterable: Iterable<T>,
  ): Promise<GreenletResult<R>[]> {
    checkSpawnable("Pool.map", fn);
    checkIterable("Pool.map", iterable);
    const results: GreenletResult<R>[] = [];
    for await (const [index, g] of this.#run("Pool.map", fn, iterable)) {
      results[index] = (await g.get()) as GreenletResult<R>;
    }
    return results;
  }

  /**
   * Run `fn(item)` for each item of `iterable` through the pool, and yield
   * the results as the greenlets end, as gevent's `imap_unordered`. A
   * greenlet's error is raised when its turn comes; a killed one yields
   * `null`.
   *
   * @example Results in completion order
   * ```ts
   * import { Pool, run, sleep } from "@asyncio/deno";
   * await run(async () => {
   *   const pool = new Pool(3);
   *   const nap = (s: number) => sleep(s / 100, s);
   *   for await (const s of pool.imapUnordered(nap, [3, 1, 2])) {
   *     console.log(s); // 1, then 2, then 3
   *   }
   * });
   * ```
   *
   * @param fn The function to run on each item.
   * @param iterable The items.
   */
  imapUnordered<T, R>(
    fn: (item: T) => R,
    iterable: Iterable<T>,
  ): AsyncIterableIterator<GreenletResult<R>> {
    checkSpawnable("Pool.imapUnordered", fn);
    checkIterable("Pool.imapUnordered", iterable);
    const run = this.#run("Pool.imapUnordered", fn, iterable);
    return (async function* () {
      for await (const [, g] of run) {
        yield (await g.get()) as GreenletResult<R>;
      }
    })();
  }
}
