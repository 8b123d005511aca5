/**
 * The raw-promises baseline of the queue benchmarks (`bench/sync.ts`,
 * `bench/_peers_raw.ts`): a bounded queue of resolver arrays.
 *
 * @module
 */

/** A bounded queue of promises: what one would write without the module. */
export class RawQueue<T> {
  items: T[] = [];
  head = 0;
  getters: Array<(v: T) => void> = [];
  putters: Array<() => void> = [];
  constructor(readonly maxsize: number) {}
  get size(): number {
    return this.items.length - this.head;
  }
  async put(item: T): Promise<void> {
    while (this.size >= this.maxsize) {
      await new Promise<void>((resolve) => this.putters.push(resolve));
    }
    const getter = this.getters.shift();
    if (getter !== undefined) getter(item);
    else this.items.push(item);
  }
  async get(): Promise<T> {
    if (this.size === 0) {
      return await new Promise<T>((resolve) => this.getters.push(resolve));
    }
    const item = this.items[this.head++];
    if (this.head > 1024) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    this.putters.shift()?.();
    return item;
  }
}
