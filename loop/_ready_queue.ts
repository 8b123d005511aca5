/**
 * The loop's ready queue: callbacks in FIFO order, run in batches, as
 * CPython's `_ready` deque and `_run_once`'s `ntodo`.
 *
 * @module
 */
import type { Handle } from "./events.ts";

/** Spent slots kept before the array is compacted. */
const COMPACT_AFTER = 4096;

/**
 * Callbacks run from `#head`; the current batch (one loop iteration) is those
 * before `#batchEnd`, and callbacks added meanwhile wait for the next one.
 * Slots are cleared as they run, and the array is compacted only once many of
 * them are spent (truncating it every iteration costs more than the
 * callbacks; in a loop that is never idle it never empties, so not only then).
 */
export class ReadyQueue {
  #items: (Handle | undefined)[] = [];
  #head = 0;
  #batchEnd = 0;

  /** How many callbacks wait, in this batch and after it. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Queue a callback. */
  push(handle: Handle): void {
    this.#items.push(handle);
  }

  /** Make every queued callback the batch to run; return how many. */
  startBatch(): number {
    const items = this.#items;
    const head = this.#head;
    if (head > COMPACT_AFTER && head * 2 >= items.length) {
      items.copyWithin(0, head);
      items.length -= head;
      this.#head = 0;
    }
    this.#batchEnd = items.length;
    return this.#batchEnd - this.#head;
  }

  /** The batch's next callback, or `undefined` once the batch is run. */
  peek(): Handle | undefined {
    return this.#head < this.#batchEnd ? this.#items[this.#head] : undefined;
  }

  /** Drop the callback `peek()` returned: it runs now. */
  take(): void {
    this.#items[this.#head++] = undefined;
  }

  /** Forget every callback. */
  clear(): void {
    this.#items.length = this.#head = this.#batchEnd = 0;
  }
}
