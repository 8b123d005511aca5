/**
 * `Protocol`: what a socket transport calls, as asyncio's `Protocol` (with
 * the buffer-size and release hooks this transport's read pump and
 * `waitClosed()` need). The stream protocol (`_stream_protocol.ts`) is the
 * only one today.
 *
 * @module
 */
import type { SocketTransport } from "./_socket_transport.ts";

/** What the transport calls, as asyncio's `Protocol`. */
export interface Protocol {
  connectionMade(transport: SocketTransport): void;
  dataReceived(data: Uint8Array): void;
  /** The bytes received and not yet consumed (the pump reads ahead then). */
  bufferedSize(): number;
  eofReceived(): void;
  connectionLost(exc: unknown): void;
  pauseWriting(): void;
  resumeWriting(): void;
  /** The socket is closed and no Deno op is pending. */
  released(): void;
}
