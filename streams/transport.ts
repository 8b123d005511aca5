/**
 * `Transport`: what a stream's `transport` offers, as asyncio's
 * `Transport` (the socket under a `StreamWriter`).
 *
 * @module
 */

/**
 * A bidirectional transport over a socket, as `asyncio.Transport`:
 * `StreamWriter.transport`. Writes are buffered and never wait; flow control
 * pauses the writer's `drain()` above the high-water mark.
 */
export interface Transport {
  /**
   * Write bytes: they are buffered and sent as the socket accepts them.
   *
   * @param data The bytes to send.
   */
  write(data: Uint8Array): void;
  /**
   * Write every chunk of `list`.
   *
   * @param list The chunks to send, in order.
   */
  writelines(list: Iterable<Uint8Array>): void;
  /** Close the write end once the buffer is flushed (half-close). */
  writeEof(): void;
  /** Return `true`: a TCP transport can half-close. */
  canWriteEof(): boolean;
  /** Close once the buffer is flushed; nothing more is read. */
  close(): void;
  /** Close at once, dropping the buffer, as `transport.abort()`. */
  abort(): void;
  /** Return `true` if the transport is closing or closed. */
  isClosing(): boolean;
  /** Return the number of bytes buffered for writing, not yet sent. */
  getWriteBufferSize(): number;
  /** Return `[low, high]`, the flow-control water marks in bytes. */
  getWriteBufferLimits(): [number, number];
  /**
   * Set the flow-control water marks in bytes: `high` defaults to 64 KiB,
   * `low` to a quarter of `high`.
   *
   * @param high The size above which the writer must wait in `drain()`.
   * @param low The size at which it may go on.
   */
  setWriteBufferLimits(high?: number | null, low?: number | null): void;
  /** Stop reading from the socket until `resumeReading()`. */
  pauseReading(): void;
  /** Go on reading from the socket. */
  resumeReading(): void;
  /** Return `true` if the transport is receiving. */
  isReading(): boolean;
  /**
   * Return optional transport information: `"peername"` and `"sockname"`
   * as `[host, port]` (for a Unix socket, the path, `""` when unnamed, as
   * CPython), and `"sslcontext"`: for a TLS stream the `ssl` option it was
   * opened (or upgraded by `startTls`) with (`{}` for `ssl: true`), `null`
   * otherwise.
   *
   * @param name What to return.
   * @param defaultValue What to return when there is no such information.
   */
  getExtraInfo(name: string, defaultValue?: unknown): unknown;
}
