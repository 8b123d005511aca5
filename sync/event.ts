/**
 * `Event`: a flag tasks can wait for, as `asyncio.Event`.
 *
 * @module
 */
import { type AbstractEventLoop, inspect } from "../loop/events.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import type { Awaitable, Future } from "../tasks/future.ts";
import { bindLoop, waitersSuffix } from "./_common.ts";
import { Op } from "../tasks/_op.ts";
import { Deque } from "./_deque.ts";

/**
 * Asynchronous equivalent to `threading.Event`, as `asyncio.Event`. Class
 * implementing event objects. An event manages a flag that can be set to
 * true with the `set()` method and reset to false with the `clear()` method.
 * The `wait()` method blocks until the flag is true. The flag is initially
 * false.
 *
 * @example Waking a waiter
 * ```ts
 * import { createTask, Event, run, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const event = new Event();
 *   const waiter = createTask((async () => {
 *     await event.wait();
 *     console.log("event seen");
 *   })());
 *   await sleep(0.001);
 *   event.set();
 *   await waiter;
 * });
 * ```
 */
export class Event {
  #waiters = new Deque<Future<boolean>>();
  #value = false;
  #loop: AbstractEventLoop | null = null;

  /** Make an event whose flag is false. */
  constructor() {}

  /** Return `true` if and only if the internal flag is true. */
  isSet(): boolean {
    return this.#value;
  }

  /**
   * Set the internal flag to true. All tasks waiting for it to become true
   * are awakened. Tasks that call `wait()` once the flag is true will not
   * block at all.
   */
  set(): void {
    if (this.#value) return;
    this.#value = true;
    const waiters = this.#waiters;
    for (let i = 0; i < waiters.length; i++) {
      const fut = waiters.at(i);
      if (!fut.done()) fut.setResult(true);
    }
  }

  /**
   * Reset the internal flag to false. Subsequently, tasks calling `wait()`
   * will block until `set()` is called to set the internal flag to true
   * again.
   */
  clear(): void {
    this.#value = false;
  }

  /**
   * Block until the internal flag is true. If the internal flag is true on
   * entry, return `true` immediately, without yielding to the loop.
   * Otherwise, block until another task calls `set()` to set the flag to
   * true, then return `true`.
   */
  wait(): Awaitable<true> {
    return new Op(this.#wait(), "Event.wait");
  }

  *#wait(): CoroutineGenerator<true> {
    if (this.#value) return true;
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
  }

  /** `<Event [unset]>`, `<Event [set]>`, `<Event [unset, waiters:2]>`. */
  toString(): string {
    const state = this.#value ? "set" : "unset";
    return `<Event [${state}${waitersSuffix(this.#waiters.length)}]>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}
