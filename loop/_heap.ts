/**
 * A binary min-heap of timer handles ordered by deadline, then by scheduling
 * order, so that timers due at the same time run FIFO (stable, where
 * CPython's heapq is not).
 *
 * @module
 */
import type { TimerHandle } from "./events.ts";

function before(a: TimerHandle, b: TimerHandle): boolean {
  const wa = a.when(), wb = b.when();
  return wa < wb || (wa === wb && a.seq < b.seq);
}

/** The timer heap. */
export class TimerHeap {
  #items: TimerHandle[] = [];

  /** How many timers are stored, cancelled ones included. */
  get size(): number {
    return this.#items.length;
  }

  /** The earliest timer, or `undefined`. */
  peek(): TimerHandle | undefined {
    return this.#items[0];
  }

  /** Add a timer. */
  push(timer: TimerHandle): void {
    const items = this.#items;
    let i = items.length;
    items.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(timer, items[parent])) break;
      items[i] = items[parent];
      i = parent;
    }
    items[i] = timer;
  }

  /** Remove and return the earliest timer. */
  pop(): TimerHandle | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) this.#siftDown(0, last);
    return top;
  }

  /** Drop every timer for which `keep` is false, in linear time. */
  filter(keep: (timer: TimerHandle) => boolean): void {
    const items = this.#items.filter(keep);
    this.#items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) {
      this.#siftDown(i, items[i]);
    }
  }

  /** Remove everything. */
  clear(): void {
    this.#items = [];
  }

  #siftDown(start: number, timer: TimerHandle): void {
    const items = this.#items;
    const n = items.length;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && before(items[child + 1], items[child])) child++;
      if (!before(items[child], timer)) break;
      items[i] = items[child];
      i = child;
    }
    items[i] = timer;
  }
}
