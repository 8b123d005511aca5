/**
 * A binary min-heap of timer handles ordered by deadline, then by scheduling
 * order, so that timers due at the same time run FIFO (stable, where
 * CPython's heapq is not).
 *
 * @module
 */
import type { TimerHandle } from "./events.ts";

const MIN_CAPACITY = 16;

/** Whether key (`w1`, `s1`) comes before (`w2`, `s2`): deadline, then order. */
function earlier(w1: number, s1: number, w2: number, s2: number): boolean {
  return w1 < w2 || (w1 === w2 && s1 < s2);
}

/**
 * The timer heap. Each slot's deadline and scheduling number are kept in
 * typed arrays beside the handles: comparing them touches no handle (a
 * sift through 100,000 timers would otherwise visit two objects per level).
 */
export class TimerHeap {
  #items: TimerHandle[] = [];
  #whens = new Float64Array(MIN_CAPACITY);
  #seqs = new Float64Array(MIN_CAPACITY);

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
    if (i === this.#whens.length) this.#resize(2 * i);
    items.push(timer);
    const whens = this.#whens, seqs = this.#seqs;
    const when = timer.when(), seq = timer.seq;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pw = whens[parent];
      if (earlier(pw, seqs[parent], when, seq)) break;
      items[i] = items[parent];
      whens[i] = pw;
      seqs[i] = seqs[parent];
      i = parent;
    }
    items[i] = timer;
    whens[i] = when;
    seqs[i] = seq;
  }

  /** Remove and return the earliest timer. */
  pop(): TimerHandle | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    const n = items.length;
    if (n > 0 && last !== undefined) {
      this.#siftDown(0, last, this.#whens[n], this.#seqs[n]);
    }
    // Give the memory of a drained heap back, as the handles are.
    if (n > MIN_CAPACITY && 4 * n < this.#whens.length) this.#resize(2 * n);
    return top;
  }

  /** Drop every timer for which `keep` is false, in linear time. */
  filter(keep: (timer: TimerHandle) => boolean): void {
    const items = this.#items.filter(keep);
    this.#items = items;
    const n = items.length;
    if (4 * n < this.#whens.length) this.#allocate(2 * n);
    const whens = this.#whens, seqs = this.#seqs;
    for (let i = 0; i < n; i++) {
      whens[i] = items[i].when();
      seqs[i] = items[i].seq;
    }
    for (let i = (n >> 1) - 1; i >= 0; i--) {
      this.#siftDown(i, items[i], whens[i], seqs[i]);
    }
  }

  /** Remove everything. */
  clear(): void {
    this.#items = [];
    this.#allocate(MIN_CAPACITY);
  }

  /** Fresh key arrays for `capacity` timers (at least `MIN_CAPACITY`). */
  #allocate(capacity: number): void {
    this.#whens = new Float64Array(Math.max(MIN_CAPACITY, capacity));
    this.#seqs = new Float64Array(this.#whens.length);
  }

  /** New key arrays for `capacity` timers, keeping the stored keys. */
  #resize(capacity: number): void {
    const n = this.#items.length;
    const whens = this.#whens, seqs = this.#seqs;
    this.#allocate(capacity);
    this.#whens.set(whens.subarray(0, n));
    this.#seqs.set(seqs.subarray(0, n));
  }

  /** Put `timer` (its key `when`, `seq`) at `start` or below, in order. */
  #siftDown(
    start: number,
    timer: TimerHandle,
    when: number,
    seq: number,
  ): void {
    const items = this.#items, whens = this.#whens, seqs = this.#seqs;
    const n = items.length;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let cw = whens[child], cs = seqs[child];
      const right = child + 1;
      if (right < n) {
        const rw = whens[right], rs = seqs[right];
        if (earlier(rw, rs, cw, cs)) {
          child = right;
          cw = rw;
          cs = rs;
        }
      }
      if (!earlier(cw, cs, when, seq)) break;
      items[i] = items[child];
      whens[i] = cw;
      seqs[i] = cs;
      i = child;
    }
    items[i] = timer;
    whens[i] = when;
    seqs[i] = seq;
  }
}
