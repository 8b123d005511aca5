/**
 * A double-ended queue on a ring buffer, as Python's `collections.deque`:
 * O(1) `push`/`shift`/`pop` at both ends, and `remove` of a middle element in
 * O(n) as `deque.remove`. The primitives keep their waiters in one, and
 * `Queue` its items.
 *
 * @module
 */

/** A ring-buffer deque. */
export class Deque<T> {
  #items: (T | undefined)[] = new Array(8);
  #head = 0;
  #length = 0;
  #mask = 7;

  /** The number of elements. */
  get length(): number {
    return this.#length;
  }

  /** Append at the right end. */
  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Remove and return the leftmost element (`popleft`), or `undefined`. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  /** Remove and return the rightmost element, or `undefined`. */
  pop(): T | undefined {
    if (this.#length === 0) return undefined;
    const i = (this.#head + this.#length - 1) & this.#mask;
    const item = this.#items[i];
    this.#items[i] = undefined;
    this.#length--;
    return item;
  }

  /** The element at index `i` from the left (`0 <= i < length`). */
  at(i: number): T {
    return this.#items[(this.#head + i) & this.#mask] as T;
  }

  /**
   * Remove the first occurrence of `item`; return whether it was there
   * (Python's `remove` raises `ValueError` instead).
   */
  remove(item: T): boolean {
    const n = this.#length;
    let i = 0;
    while (i < n && this.at(i) !== item) i++;
    if (i === n) return false;
    if (i === 0) {
      this.shift();
      return true;
    }
    const items = this.#items, mask = this.#mask, head = this.#head;
    for (let j = i; j < n - 1; j++) {
      items[(head + j) & mask] = items[(head + j + 1) & mask];
    }
    items[(head + n - 1) & mask] = undefined;
    this.#length--;
    return true;
  }

  /** The elements, left to right. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#length; i++) out.push(this.at(i));
    return out;
  }

  #grow(): void {
    const old = this.toArray();
    const capacity = this.#items.length * 2;
    this.#items = new Array(capacity);
    for (let i = 0; i < old.length; i++) this.#items[i] = old[i];
    this.#head = 0;
    this.#mask = capacity - 1;
  }
}
