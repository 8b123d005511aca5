/**
 * The free blocks of the write buffers (`_write_buffer.ts`), shared by the
 * connections of the thread: a write buffer hands its block back once
 * everything in it is sent, so that an idle connection holds no write
 * memory, and takes one for its next burst of writes, warm, instead of
 * allocating (in Deno an ArrayBuffer costs a fixed price to allocate and to
 * collect, far more than copying the few KiB it holds).
 *
 * Blocks are 1 KiB to 64 KiB, powers of two. The pool keeps what was in use
 * at once (every connection of a busy server may have a block in flight),
 * up to 2 MiB of each size; the blocks beyond are left to the GC. A block
 * handed back must have no byte queued or in flight: nothing but the next
 * taker ever reads or writes it again.
 *
 * @module
 */

const MIN_BLOCK = 1024;
const SIZES = 7; // 1, 2, 4, 8, 16, 32 and 64 KiB
const KEEP_BYTES = 2 * 1024 * 1024;

const free: Uint8Array[][] = Array.from({ length: SIZES }, () => []);

/** The index in `free` of a block of `size` bytes, rounded up. */
function sizeIndex(size: number): number {
  let i = 0;
  while (MIN_BLOCK << i < size && i < SIZES - 1) i++;
  return i;
}

/**
 * A block of at least `size` bytes (at most 64 KiB): `size` rounded up to a
 * power of two, at least 1 KiB. Its bytes are whatever its last user left.
 */
export function takeBlock(size: number): Uint8Array {
  const i = sizeIndex(size);
  return free[i].pop() ?? new Uint8Array(MIN_BLOCK << i);
}

/** Hand a block back (see the module's header). */
export function giveBack(block: Uint8Array): void {
  const list = free[sizeIndex(block.length)];
  if ((list.length + 1) * block.length <= KEEP_BYTES) list.push(block);
}
