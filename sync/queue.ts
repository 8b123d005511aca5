/**
 * `Queue`, `PriorityQueue`, `LifoQueue`, as asyncio's queues (3.13, with
 * `shutdown`). `QueueEmpty`, `QueueFull` and `QueueShutDown` live with the
 * other exceptions in `exceptions/asyncio.ts`. Where each queue keeps its
 * items, and the heap and Python's `<` of `PriorityQueue`, are in
 * `_queue_stores.ts`.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { type AbstractEventLoop, inspect } from "../loop/events.ts";
import { checkFunction, checkInteger } from "../exceptions/checks.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { QueueEmpty, QueueFull, QueueShutDown } from "../exceptions/asyncio.ts";
import { ValueError } from "../exceptions/builtins.ts";
import { type Awaitable, type Future, repr } from "../tasks/future.ts";
import { bindLoop } from "./_common.ts";
import { Op } from "../tasks/_op.ts";
import { Deque } from "./_deque.ts";
import {
  FifoStore,
  HeapStore,
  LifoStore,
  pythonLess,
  type Store,
} from "./_queue_stores.ts";
import { Event } from "./event.ts";

/** An item as CPython's list repr shows it. */
function reprItem(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reprItem).join(", ")}]`;
  return repr(value);
}

/** Wake up the next waiter (if any) that isn't cancelled. */
function wakeupNext(waiters: Deque<Future<null>>): void {
  while (waiters.length > 0) {
    const waiter = waiters.shift()!;
    if (!waiter.done()) {
      waiter.setResult(null);
      break;
    }
  }
}

/** Replaces a queue's store: how the subclasses choose their order. */
let setStore: <T>(queue: Queue<T>, store: Store<T>) => void;

/** `for await (const item of queue)`: `get()` until shut down and empty. */
class QueueIterator<T> implements AsyncIterableIterator<T> {
  #queue: Queue<T>;

  constructor(queue: Queue<T>) {
    this.#queue = queue;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    // Called in the iterating task, so the wait is that task's.
    return this.#queue.get().then(
      (value) => ({ value, done: false }),
      (error) => {
        if (error instanceof QueueShutDown) {
          return { value: undefined, done: true };
        }
        throw error;
      },
    ) as Promise<IteratorResult<T, undefined>>;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * A queue, useful for coordinating producer and consumer tasks, as
 * `asyncio.Queue`. If `maxsize` is less than or equal to zero, the queue
 * size is infinite. If it is an integer greater than 0, then `await put()`
 * will block when the queue reaches `maxsize`, until an item is removed by
 * `get()`. Cancelling a task blocked in `get()` or `put()` never loses or
 * duplicates an item.
 *
 * `for await (const item of queue)` gets items until the queue is shut down
 * and empty (it does not call `taskDone()`).
 *
 * Unlike asyncio's coroutines, `put()` and `get()` act at once when they
 * need not wait (the item is stored or taken when they are called, not when
 * they are awaited), and, as for any JavaScript `await`, an item that is a
 * Promise is awaited by `await queue.get()` (use `yield*` to get it as is).
 *
 * @example Producer and consumer with join and taskDone
 * ```ts
 * import { createTask, Queue, run } from "@asyncio/deno";
 * await run(async () => {
 *   const queue = new Queue<number>(2);
 *   const seen: number[] = [];
 *   const consumer = createTask((async () => {
 *     for (;;) {
 *       seen.push(await queue.get());
 *       queue.taskDone();
 *     }
 *   })());
 *   for (let i = 0; i < 5; i++) await queue.put(i);
 *   await queue.join();
 *   consumer.cancel();
 *   console.log(seen); // [ 0, 1, 2, 3, 4 ]
 * });
 * ```
 */
export class Queue<T = unknown> implements AsyncIterable<T> {
  #maxsize: number;
  #getters = new Deque<Future<null>>();
  #putters = new Deque<Future<null>>();
  #unfinishedTasks = 0;
  #finished = new Event();
  #items: Store<T> = new FifoStore<T>();
  #isShutdown = false;
  #loop: AbstractEventLoop | null = null;

  static {
    setStore = (queue, store) => {
      queue.#items = store;
    };
  }

  /**
   * Make a queue.
   *
   * @param maxsize The most items the queue holds; `0` (or less) for no
   * limit.
   */
  constructor(maxsize = 0) {
    checkInteger(new.target.name, "maxsize", maxsize);
    this.#maxsize = maxsize;
    this.#finished.set();
  }

  /** Number of items allowed in the queue. */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** Number of items in the queue. */
  qsize(): number {
    return this.#items.length;
  }

  /** Return `true` if the queue is empty, `false` otherwise. */
  empty(): boolean {
    return this.#items.length === 0;
  }

  /**
   * Return `true` if there are `maxsize` items in the queue. If the queue
   * was made with `maxsize` 0 (the default), `full()` is never `true`.
   */
  full(): boolean {
    return this.#maxsize > 0 && this.#items.length >= this.#maxsize;
  }

  /**
   * Put an item into the queue. If the queue is full, wait until a free slot
   * is available before adding the item; if it is not, add it at once,
   * without yielding to the loop. Raises `QueueShutDown` if the queue has
   * been shut down.
   */
  put(item: T): Awaitable<void> {
    return new Op(this.#put(item), `${this.constructor.name}.put`);
  }

  *#put(item: T): CoroutineGenerator<void> {
    while (this.full()) {
      if (this.#isShutdown) throw new QueueShutDown();
      const putter = (this.#loop = bindLoop(this, this.#loop)).createFuture<
        null
      >();
      this.#putters.push(putter);
      try {
        yield putter; // waits as `yield*` would, with no iterator made
      } catch (error) {
        putter.cancel(); // just in case putter is not done yet
        // Clean the putters of a cancelled one (a getNowait() or shutdown()
        // may have removed it already).
        this.#putters.remove(putter);
        if (!this.full() && !putter.cancelled()) {
          // We were woken up by getNowait(), but can't take the call: wake
          // up the next in line.
          wakeupNext(this.#putters);
        }
        throw error;
      }
    }
    this.putNowait(item);
  }

  /**
   * Put an item into the queue without blocking. If no free slot is
   * immediately available, raise `QueueFull`; if the queue has been shut
   * down, raise `QueueShutDown`.
   */
  putNowait(item: T): void {
    if (this.#isShutdown) throw new QueueShutDown();
    if (this.full()) throw new QueueFull();
    this.#items.push(item);
    this.#unfinishedTasks++;
    this.#finished.clear();
    wakeupNext(this.#getters);
  }

  /**
   * Remove and return an item from the queue. If the queue is empty, wait
   * until an item is available; if it is not, take one at once, without
   * yielding to the loop. Raises `QueueShutDown` if the queue has been shut
   * down and is empty, or if it has been shut down immediately.
   */
  get(): Awaitable<T> {
    return new Op(this.#get(), `${this.constructor.name}.get`);
  }

  *#get(): CoroutineGenerator<T> {
    while (this.empty()) {
      if (this.#isShutdown) throw new QueueShutDown();
      const getter = (this.#loop = bindLoop(this, this.#loop)).createFuture<
        null
      >();
      this.#getters.push(getter);
      try {
        yield getter; // waits as `yield*` would, with no iterator made
      } catch (error) {
        getter.cancel(); // just in case getter is not done yet
        // Clean the getters of a cancelled one (a putNowait() or shutdown()
        // may have removed it already).
        this.#getters.remove(getter);
        if (!this.empty() && !getter.cancelled()) {
          // We were woken up by putNowait(), but can't take the call: wake
          // up the next in line.
          wakeupNext(this.#getters);
        }
        throw error;
      }
    }
    return this.getNowait();
  }

  /**
   * Remove and return an item from the queue. Return an item if one is
   * immediately available, else raise `QueueEmpty`; raise `QueueShutDown`
   * if the queue has been shut down and is empty.
   */
  getNowait(): T {
    if (this.#items.length === 0) {
      if (this.#isShutdown) throw new QueueShutDown();
      throw new QueueEmpty();
    }
    const item = this.#items.take();
    wakeupNext(this.#putters);
    return item;
  }

  /**
   * Indicate that a formerly enqueued task is complete. Used by queue
   * consumers: for each `get()` used to fetch a task, a subsequent call to
   * `taskDone()` tells the queue that the processing on the task is
   * complete. If a `join()` is blocking, it resumes when all items have been
   * processed. Raises `ValueError` if called more times than there were
   * items placed in the queue.
   */
  taskDone(): void {
    if (this.#unfinishedTasks <= 0) {
      throw new ValueError("task_done() called too many times");
    }
    this.#unfinishedTasks--;
    if (this.#unfinishedTasks === 0) this.#finished.set();
  }

  /**
   * Block until all items in the queue have been gotten and processed. The
   * count of unfinished tasks goes up whenever an item is added to the
   * queue and down whenever a consumer calls `taskDone()`. When it drops to
   * zero, `join()` unblocks.
   */
  join(): Awaitable<void> {
    return new Op(this.#join(), `${this.constructor.name}.join`);
  }

  *#join(): CoroutineGenerator<void> {
    if (this.#unfinishedTasks > 0) yield* this.#finished.wait();
  }

  /**
   * Shut down the queue, making `get()` and `put()` raise `QueueShutDown`
   * (asyncio 3.13). By default, `get()` on a shut-down queue raises only once
   * the queue is empty. If `immediate` is true, the queue is drained at once
   * (each removed item counts as done for `join()`) and `get()` raises. All
   * blocked callers of `put()` and `get()` are unblocked.
   *
   * @param immediate Drop the queued items too.
   */
  shutdown(immediate = false): void {
    this.#isShutdown = true;
    if (immediate) {
      while (!this.empty()) {
        this.#items.take();
        if (this.#unfinishedTasks > 0) this.#unfinishedTasks--;
      }
      // Release all blocked callers of join().
      if (this.#unfinishedTasks === 0) this.#finished.set();
    }
    // All getters need to re-check queue-empty to raise QueueShutDown.
    for (const waiters of [this.#getters, this.#putters]) {
      while (waiters.length > 0) {
        const waiter = waiters.shift()!;
        if (!waiter.done()) waiter.setResult(null);
      }
    }
  }

  /** Get items with `for await`, until the queue is shut down and empty. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new QueueIterator(this);
  }

  /** `<Queue maxsize=2 _queue=[1] tasks=1>`, as CPython's `str()`. */
  toString(): string {
    let result = `maxsize=${this.#maxsize}`;
    const items = this.#items.toArray();
    if (items.length > 0) result += ` _queue=${reprItem(items)}`;
    if (this.#getters.length > 0) {
      result += ` _getters[${this.#getters.length}]`;
    }
    if (this.#putters.length > 0) {
      result += ` _putters[${this.#putters.length}]`;
    }
    if (this.#unfinishedTasks > 0) result += ` tasks=${this.#unfinishedTasks}`;
    if (this.#isShutdown) result += " shutdown";
    return `<${this.constructor.name} ${result}>`;
  }

  /** Print like CPython's `str()`. */
  [inspect](): string {
    return this.toString();
  }
}

/** Options for `new PriorityQueue()`. */
export interface PriorityQueueOptions<T> {
  /**
   * Orders the items: negative when `a` comes first, as for
   * `Array.prototype.sort`. By default items are ordered as Python orders
   * them: numbers, strings, and arrays compared item by item (as tuples:
   * `[priority, data]`); anything else raises `TypeError`.
   *
   * @default {null}
   */
  compare?: ((a: T, b: T) => number) | null;
}

/**
 * A subclass of `Queue` that retrieves entries in priority order (lowest
 * first), as `asyncio.PriorityQueue`. Entries are typically arrays of the
 * form `[priorityNumber, data]`, compared as Python compares tuples.
 *
 * @example Lowest priority first
 * ```ts
 * import { PriorityQueue } from "@asyncio/deno";
 * const queue = new PriorityQueue<[number, string]>();
 * queue.putNowait([2, "b"]);
 * queue.putNowait([1, "a"]);
 * queue.putNowait([3, "c"]);
 * console.log(queue.getNowait(), queue.getNowait()); // [ 1, "a" ] [ 2, "b" ]
 * ```
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  /**
   * Make a priority queue.
   *
   * @param maxsize The most items the queue holds; `0` (or less) for no
   * limit.
   * @param options How to order the items.
   */
  constructor(maxsize = 0, options: PriorityQueueOptions<T> = {}) {
    super(maxsize);
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `PriorityQueue: options must be an object, got ${describe(options)}`,
      );
    }
    const compare = options.compare ?? null;
    let less: (a: T, b: T) => boolean = pythonLess;
    if (compare !== null) {
      checkFunction("PriorityQueue", "options.compare", compare);
      less = (a, b) => compare(a, b) < 0;
    }
    setStore(this, new HeapStore<T>(less));
  }
}

/**
 * A subclass of `Queue` that retrieves most recently added entries first,
 * as `asyncio.LifoQueue`.
 *
 * @example Last in, first out
 * ```ts
 * import { LifoQueue } from "@asyncio/deno";
 * const queue = new LifoQueue<number>();
 * for (const n of [1, 2, 3]) queue.putNowait(n);
 * console.log(queue.getNowait(), queue.getNowait()); // 3 2
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  /**
   * Make a LIFO queue.
   *
   * @param maxsize The most items the queue holds; `0` (or less) for no
   * limit.
   */
  constructor(maxsize = 0) {
    super(maxsize);
    setStore(this, new LifoStore<T>());
  }
}
