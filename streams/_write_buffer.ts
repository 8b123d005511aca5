/**
 * The write buffer of a socket transport: what is queued for sending, as
 * copies (never the caller's arrays), handed to the write loop a syscall's
 * worth at a time.
 *
 * How it works: a write of up to 64 KiB is copied into a block, after the
 * previous ones and never over them (what is queued or in flight stays as
 * it is), so writes cost no allocation each (in Deno a fresh array costs
 * more than copying into a warm block: at 100 × 16 KiB echoes, a `slice()`
 * per write cost the protocol server 11% more CPU per request, the
 * `read(65536)` streams server 20%); a run of them becomes one chunk
 * when it is taken or when a bigger write is queued after it. A bigger
 * write is queued as its own copy. `take()` joins the small chunks at the
 * front (up to 64 KiB) so that they go in one Deno write, and hands a big
 * one over alone, not copied again. Once everything is sent (`sent()`),
 * the block goes back to the pool of free blocks (`_block_pool.ts`), so
 * that an idle connection holds no write memory; the next write takes one
 * from the pool, as big as what the last burst of writes put in blocks
 * (1 KiB to 64 KiB), so that a steady burst fills one block and
 * goes out uncopied; a block that fills up is followed by one twice as big.
 *
 * Invariants:
 * - `#chunks`, then the block's open run `#block[#blockStart:#blockUsed]`,
 *   is everything queued, in order.
 * - Bytes of the block before `#blockStart` are queued or in flight: they
 *   are never overwritten; the block goes back to the pool only once
 *   `sent()` finds nothing queued (the write loop calls it with nothing in
 *   flight).
 *
 * @module
 */
import { giveBack, takeBlock } from "./_block_pool.ts";

const MAX_BLOCK_WRITE = 64 * 1024;
const MAX_BLOCK = 64 * 1024;
const JOIN_LIMIT = 65536;
const EMPTY = new Uint8Array(0);

/** What a socket transport has queued for sending (see the header). */
export class WriteBuffer {
  #chunks: Uint8Array[] = [];
  #block: Uint8Array = EMPTY;
  #blockStart = 0;
  #blockUsed = 0;
  /** What small writes put in blocks since the block was freed, and before. */
  #burst = 0;
  #lastBurst = 0;

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
    const chunks = this.#chunks;
    // Only small writes queued: the run, with no array of chunks grown.
    if (chunks.length === 0) return this.#takeRun();
    this.#queueRun();
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

  /** Nothing is in flight anymore: if nothing is queued, free the block. */
  sent(): void {
    if (
      this.#chunks.length === 0 && this.#blockStart === this.#blockUsed &&
      this.#block !== EMPTY
    ) {
      giveBack(this.#block);
      this.#block = EMPTY;
      this.#blockStart = this.#blockUsed = 0;
      this.#lastBurst = this.#burst;
      this.#burst = 0;
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
        Math.max(
          block.length === 0 ? this.#lastBurst : 2 * block.length,
          data.length,
        ),
      );
      this.#queueRun();
      block = this.#block = takeBlock(size);
      at = this.#blockStart = 0;
    }
    block.set(data, at);
    this.#blockUsed = at + data.length;
    this.#burst += data.length;
  }

  /** Queue the block's open run of small writes as one chunk. */
  #queueRun(): void {
    const run = this.#takeRun();
    if (run !== null) this.#chunks.push(run);
  }

  /** The block's open run of small writes, now closed, or `null`. */
  #takeRun(): Uint8Array | null {
    const start = this.#blockStart;
    const end = this.#blockUsed;
    if (end === start) return null;
    this.#blockStart = end;
    return this.#block.subarray(start, end);
  }
}
