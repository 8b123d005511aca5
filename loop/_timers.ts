/**
 * The loop's timers: the heap of scheduled `TimerHandle`s (`_heap.ts`), the
 * numbers that keep timers due at the same time in scheduling order, and
 * the clean-up of cancelled ones.
 *
 * Invariants:
 * - A timer is `scheduled` exactly while it is in the heap.
 * - A cancelled timer stays in the heap until it reaches the top, or until
 *   most of the heap is cancelled (then it is swept at once), as CPython's
 *   `base_events` does.
 *
 * @module
 */
import type { ReadyQueue } from "./_ready_queue.ts";
import { TimerHeap } from "./_heap.ts";
import type { TimerHandle } from "./events.ts";

/** Heap clean-up thresholds, as CPython's `base_events`. */
const MIN_SCHEDULED_TIMER_HANDLES = 100;

/** The scheduled timers of one loop. */
export class Timers {
  #heap = new TimerHeap();
  #cancelled = 0;
  #seq = 0;

  /** How many timers are in the heap, cancelled ones included. */
  get size(): number {
    return this.#heap.size;
  }

  /** The scheduling number of the next timer (FIFO among equal deadlines). */
  nextSeq(): number {
    return this.#seq++;
  }

  /** Schedule `timer`. */
  push(timer: TimerHandle): void {
    timer.scheduled = true;
    this.#heap.push(timer);
  }

  /** The earliest live timer; cancelled ones at the top are dropped. */
  earliest(): TimerHandle | undefined {
    const heap = this.#heap;
    let top = heap.peek();
    while (top !== undefined && top.cancelled()) {
      heap.pop();
      top.scheduled = false;
      this.#cancelled--;
      top = heap.peek();
    }
    return top;
  }

  /** Move the timers due at `now` to `ready`, earliest first. */
  collectDue(now: number, ready: ReadyQueue): void {
    for (;;) {
      const top = this.earliest();
      if (top === undefined || top.when() > now) return;
      this.#heap.pop();
      top.scheduled = false;
      ready.push(top);
    }
  }

  /** A scheduled timer was cancelled: sweep once most of the heap is. */
  cancelled(): void {
    this.#cancelled++;
    const size = this.#heap.size;
    if (size > MIN_SCHEDULED_TIMER_HANDLES && this.#cancelled * 2 > size) {
      this.#heap.filter((timer) => {
        if (!timer.cancelled()) return true;
        timer.scheduled = false;
        return false;
      });
      this.#cancelled = 0;
    }
  }

  /** Drop every timer (the loop closes). */
  clear(): void {
    this.#heap.clear();
  }
}
