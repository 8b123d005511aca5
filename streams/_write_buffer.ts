/**
 * The write buffer of a socket transport: what is queued for sending, as
 * copies (never the caller's arrays), handed to the write loop a syscall's
 * worth at a time.
 *
 * How it works: a write of up to 4 KiB is copied into a block, after the
 * previous ones and never over them (what is queued or in flight stays as
 * it is), so small writes cost no allocation each; a run of them becomes
 * one chunk when it is taken or when a big write is queued after it. A big
 * write is queued as its own copy. `take()` joins the small chunks at the
 * front (up to 64 KiB) so that they go in one Deno write, and hands a big
 * one over alone, not copied again. Once everything is sent (`sent()`), the
 * next writes fill the block again from the start: it stays warm. A new
 * block is bigger each time, from 1 KiB up to 16 KiB: an idle connection
 * that wrote little keeps little.
 *
 * Invariants:
 * - `#chunks`, then the block's open run `#block[#blockStart:#blockUsed]`,
 *   is everything queued, in order.
 * - Bytes of the block before `#blockStart` are queued or in flight until
 *   `sent()` finds nothing queued; only then are they overwritten.
 *
 * @module
 */

const MAX_BLOCK_WRITE = 4096;
const MIN_BLOCK = 1024;
const MAX_BLOCK = 16 * 1024;
const JOIN_LIMIT = 65536;
const EMPTY = new Uint8Array(0);

/** What a socket transport has queued for sending (see the header). */
export class WriteBuffer {
  #chunks: Uint8Array[] = [];
  #block = EMPTY;
  #blockStart = 0;
  #blockUsed = 0;

  /** Queue a copy of `data`. */
  push(data: Uint8Array): void {
    if (data.length <= MAX_BLOCK_WRITE) this.#copyToBlock(data);
    else {
      this.#queueRun();
      this.#chunks.push(data.slice());
    }
  }

  /** The next bytes to send (see the header), or `null` if none is queued. */
  take(): Uint8Array | null {
    this.#queueRun();
    const chunks = this.#chunks;
    if (chunks.length === 0) return null;
    let n = 1;
    let total = chunks[0].length;
    while (n < chunks.length && total + chunks[n].length <= JOIN_LIMIT) {
      total += chunks[n++].length;
    }
    let data = chunks[0];
    if (n > 1) {
      data = new Uint8Array(total);
      for (let i = 0, at = 0; i < n; at += chunks[i++].length) {
        data.set(chunks[i], at);
      }
    }
    if (n === 1) chunks.shift(); // no array of the removed, as splice makes
    else chunks.splice(0, n);
    return data;
  }

  /** Nothing is in flight anymore: if nothing is queued, reuse the block. */
  sent(): void {
    if (this.#chunks.length === 0 && this.#blockStart === this.#blockUsed) {
      this.#blockStart = this.#blockUsed = 0;
    }
  }

  /** Drop everything queued (the connection is lost). */
  clear(): void {
    this.#chunks = [];
    this.#blockStart = this.#blockUsed;
  }

  #copyToBlock(data: Uint8Array): void {
    let block = this.#block;
    let at = this.#blockUsed;
    if (at + data.length > block.length) {
      const size = Math.min(
        MAX_BLOCK,
        Math.max(MIN_BLOCK, 2 * block.length, data.length),
      );
      this.#queueRun();
      block = this.#block = new Uint8Array(size);
      at = this.#blockStart = 0;
    }
    block.set(data, at);
    this.#blockUsed = at + data.length;
  }

  /** Queue the block's open run of small writes as one chunk. */
  #queueRun(): void {
    const start = this.#blockStart;
    const end = this.#blockUsed;
    if (end > start) {
      this.#chunks.push(this.#block.subarray(start, end));
      this.#blockStart = end;
    }
  }
}
