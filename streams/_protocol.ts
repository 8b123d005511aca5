/**
 * `TransportProtocol`: what a socket transport calls, asyncio's `Protocol`
 * callbacks plus the two this transport needs (whether to read ahead, for
 * the read pump; `released()`, for `waitClosed()`). The stream protocol
 * (`_stream_protocol.ts`) implements it; a user's protocol is adapted to it
 * (`_user_protocol.ts`).
 *
 * @module
 */
import type { SocketTransport } from "./_socket_transport.ts";

/** What the transport calls (see the module's header). */
export interface TransportProtocol {
  connectionMade(transport: SocketTransport): void;
  dataReceived(data: Uint8Array): void;
  /**
   * Whether the pump should read ahead, a loop turn after a delivery the
   * reader did not ask for: a stream's reader left bytes unconsumed (it is
   * slow, or not reading yet); a user's protocol always takes more.
   */
  readsAhead(): boolean;
  eofReceived(): void;
  connectionLost(exc: unknown): void;
  pauseWriting(): void;
  resumeWriting(): void;
  /** The socket is closed and no Deno op is pending. */
  released(): void;
}
