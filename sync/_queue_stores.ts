/**
 * Where a queue keeps its items: `FifoStore` (`Queue`), `LifoStore`
 * (`LifoQueue`) and `HeapStore` (`PriorityQueue`), with `pythonLess`, the
 * order a priority queue uses by default.
 *
 * How it works. A store is CPython's `_init`, `_put` and `_get` hooks made
 * an object: `Queue` only ever calls `push`, `take` (never on an empty
 * store), `length` and `toArray` (for its `toString`), and a subclass picks
 * its store once, in its constructor. The FIFO and LIFO stores are the ring
 * `Deque` taken from one end or the other, as `collections.deque`'s
 * `popleft` and `pop`.
 *
 * The heap is `heapq`'s binary min-heap in an array, with its invariant:
 * for every `k`, `!less(heap[2k+1], heap[k])` and `!less(heap[2k+2], heap[k])`,
 * so `heap[0]` is a smallest item. `push` is `heappush` (append, then move
 * the item up past every parent it is less than: `heapq._siftdown`); `take`
 * is `heappop` (the last item replaces the root, goes down along the smaller
 * children to a leaf without comparing itself, then back up:
 * `heapq._siftup`). Being the same algorithm, it calls `less` on the same
 * pairs in the same order, so items that tie come out in CPython's order,
 * and an unorderable item raises at the same `put` or `get` as in Python.
 * A `less` that raises leaves the array as the sift had it then, as
 * `heapq`'s Python code does (the item is in it if the first comparison
 * raised).
 *
 * Python's `<` (`pythonLess`): numbers, bigints and booleans compare with
 * each other (a `bool` is an `int` in Python), strings with strings (by
 * UTF-16 code units), and arrays as tuples: the first items that are not
 * equal (Python's `==`, `pythonEqual`: numeric equality, arrays item by
 * item, anything else by identity) decide, else the shorter array is less.
 * Any other pair raises `TypeError: '<' not supported between instances of
 * 'A' and 'B'`, CPython's text, with the JavaScript type or constructor
 * names; for arrays it is raised by the first pair of items that decides,
 * as for tuples.
 *
 * @module
 */
import { Deque } from "./_deque.ts";

/** Where a queue keeps its items: `_init`, `_put`, `_get` of CPython. */
export interface Store<T> {
  readonly length: number;
  push(item: T): void;
  take(): T;
  toArray(): T[];
}

/** `Queue`'s store: first in, first out. */
export class FifoStore<T> extends Deque<T> implements Store<T> {
  take(): T {
    return this.shift() as T;
  }
}

/** `LifoQueue`'s store: last in, first out. */
export class LifoStore<T> extends Deque<T> implements Store<T> {
  take(): T {
    return this.pop() as T;
  }
}

/** A binary min-heap, with `heapq`'s exact algorithm (so the same order). */
export class HeapStore<T> implements Store<T> {
  #heap: T[] = [];
  #less: (a: T, b: T) => boolean;

  constructor(less: (a: T, b: T) => boolean) {
    this.#less = less;
  }

  get length(): number {
    return this.#heap.length;
  }

  /** `heapq.heappush`. */
  push(item: T): void {
    this.#heap.push(item);
    this.#siftDown(0, this.#heap.length - 1);
  }

  /** `heapq.heappop`. */
  take(): T {
    const heap = this.#heap;
    const last = heap.pop() as T;
    if (heap.length === 0) return last;
    const top = heap[0];
    heap[0] = last;
    this.#siftUp(0);
    return top;
  }

  toArray(): T[] {
    return [...this.#heap];
  }

  #siftDown(start: number, pos: number): void {
    const heap = this.#heap;
    const item = heap[pos];
    while (pos > start) {
      const parentPos = (pos - 1) >> 1;
      const parent = heap[parentPos];
      if (!this.#less(item, parent)) break;
      heap[pos] = parent;
      pos = parentPos;
    }
    heap[pos] = item;
  }

  #siftUp(pos: number): void {
    const heap = this.#heap;
    const end = heap.length;
    const start = pos;
    const item = heap[pos];
    let child = 2 * pos + 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !this.#less(heap[child], heap[right])) child = right;
      heap[pos] = heap[child];
      pos = child;
      child = 2 * pos + 1;
    }
    heap[pos] = item;
    this.#siftDown(start, pos);
  }
}

function isNumeric(value: unknown): value is number | bigint | boolean {
  const type = typeof value;
  return type === "number" || type === "bigint" || type === "boolean";
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "Object";
  return typeof value;
}

/** Python's `==` on what `pythonLess` orders. */
function pythonEqual(a: unknown, b: unknown): boolean {
  if (isNumeric(a) && isNumeric(b)) return a == b;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (!pythonEqual(a[i], b[i])) return false;
    }
    return true;
  }
  return a === b;
}

/**
 * Python's `<` for what a priority queue usually holds: numbers, strings and
 * arrays (as tuples, compared item by item). Anything else raises
 * `TypeError`, as Python does for unorderable types.
 */
export function pythonLess(a: unknown, b: unknown): boolean {
  if (isNumeric(a) && isNumeric(b)) return a < b;
  if (typeof a === "string" && typeof b === "string") return a < b;
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!pythonEqual(a[i], b[i])) return pythonLess(a[i], b[i]);
    }
    return a.length < b.length;
  }
  throw new TypeError(
    `'<' not supported between instances of '${typeName(a)}' and '${
      typeName(b)
    }'`,
  );
}
