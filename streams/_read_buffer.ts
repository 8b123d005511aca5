/**
 * `ReadBuffer`: the bytes a `StreamReader` holds, one buffer per reader.
 *
 * How it works. The buffered bytes are `buf[start:end]`, with
 * `0 <= start <= end <= buf.length`; `size` is `end - start`. Bytes are
 * appended at `end` and taken from `start`, so taking is O(1) and the bytes
 * move only when there is no room after `end`.
 *
 * Reads of up to `MAX_VIEW` (4 KiB) are views of `buf`, not copies: in Deno
 * an allocation costs more than copying a few KiB. Once a view is handed
 * out, `shared` is set and, from then on, no byte of `buf` before `end` is
 * ever written again, so the bytes a reader returned never change: appending
 * goes on after them, or into a fresh buffer. Bigger reads are copies, so
 * that a big buffer read in big pieces is reused in place.
 *
 * Appending `data` that does not fit after `end`: if the buffered bytes plus
 * `data` fit in `buf` and nothing was handed out, they are moved to the
 * front (compaction); otherwise they go into a fresh buffer (from the
 * slab allocator, `_slab.ts`): of just `data.length` bytes if the buffer was
 * empty (most messages are taken whole as they come), else of the same
 * length if they fit in it, else of `max(needed, 2 * buf.length,
 * MIN_CAPACITY)`, so a growing buffer doubles. A fresh buffer is not shared.
 *
 * When a take empties the buffer, the buffer is dropped: an empty reader
 * holds no memory (an idle connection's reader holds nothing, and keeps no
 * slab alive), and the next append allocates as above.
 *
 * The separator search (`find`) looks in `buf[start:end]` from `offset`
 * (relative to `start`) with `indexOf` for the separator's first byte, then
 * compares the rest; it returns the index relative to `start`, or -1 (it
 * stops where fewer bytes than the separator are left).
 *
 * No method makes a closure; `take` allocates only the view or copy it
 * returns, `append` only when it needs a fresh buffer.
 *
 * @module
 */
import { allocate } from "./_slab.ts";

const EMPTY = new Uint8Array(0);
/** The least a buffer that grows is allocated with. */
const MIN_CAPACITY = 4096;
/** Reads up to this size are views of the buffer, bigger ones copies. */
const MAX_VIEW = 4096;

/** A reader's buffered bytes (see the module's invariants). */
export class ReadBuffer {
  /** The buffered bytes are `#buf[#start:#end]`. */
  #buf: Uint8Array = EMPTY;
  #start = 0;
  #end = 0;
  /**
   * A view of `#buf` was handed out: the bytes before `#end` are never
   * written again.
   */
  #shared = false;

  /** The number of buffered bytes. */
  get size(): number {
    return this.#end - this.#start;
  }

  /** Append a copy of `data`. */
  append(data: Uint8Array): void {
    const size = this.#end - this.#start;
    const needed = size + data.length;
    if (this.#end + data.length > this.#buf.length) {
      if (needed <= this.#buf.length && !this.#shared) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const length = this.#buf.length;
        const capacity = size === 0
          ? needed
          : needed <= length
          ? length
          : Math.max(needed, 2 * length, MIN_CAPACITY);
        const fresh = allocate(capacity);
        fresh.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = fresh;
        this.#shared = false;
      }
      this.#start = 0;
      this.#end = size;
    }
    this.#buf.set(data, this.#end);
    this.#end += data.length;
  }

  /** Remove and return the first `n` buffered bytes (`n <= size`). */
  take(n: number): Uint8Array {
    const from = this.#start;
    let out: Uint8Array;
    if (n <= MAX_VIEW) {
      out = this.#buf.subarray(from, from + n);
      this.#shared = true;
    } else out = this.#buf.slice(from, from + n);
    this.#start += n;
    if (this.#start === this.#end) this.#clear();
    return out;
  }

  /**
   * Drop what `readLine` drops after a `LimitOverrunError` of `consumed`:
   * up to the `\n` at `consumed` if it is there, else everything.
   */
  dropLine(consumed: number): void {
    const at = this.#start + consumed;
    if (at < this.#end && this.#buf[at] === 0x0a) {
      this.#start = at + 1;
      if (this.#start === this.#end) this.#clear();
    } else {
      this.#clear();
    }
  }

  /** Empty the buffer: drop it (see the module's header). */
  #clear(): void {
    this.#buf = EMPTY;
    this.#start = this.#end = 0;
    this.#shared = false;
  }

  /** The index of `sep` in the buffer at or after `offset`, or -1. */
  find(sep: Uint8Array, offset: number): number {
    const view = this.#buf.subarray(this.#start, this.#end);
    const first = sep[0];
    if (sep.length === 1) return view.indexOf(first, offset);
    for (let i = offset;; i++) {
      i = view.indexOf(first, i);
      if (i < 0 || i + sep.length > view.length) return -1;
      let j = 1;
      while (j < sep.length && view[i + j] === sep[j]) j++;
      if (j === sep.length) return i;
    }
  }
}
