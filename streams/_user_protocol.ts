/**
 * A user's protocol (`loop.createConnection`, `loop.createServer`) driven
 * by the socket transport: asyncio's `Protocol` and `BufferedProtocol`
 * callbacks from the transport's own (`TransportProtocol`).
 *
 * How it works: each chunk read is the protocol's to keep (a copy, as
 * asyncio's `bytes`; the read pump reuses its buffer), or, for a buffered
 * protocol, is copied into the buffers `getBuffer()` gives. The pump keeps
 * reading as data comes (`readsAhead()`), a loop turn after each delivery,
 * so what the protocol writes in `dataReceived` goes out first; the
 * protocol pauses it with `transport.pauseReading()`. At EOF, unless
 * `eofReceived()` returns `true`, the transport closes, as asyncio's.
 *
 * @module
 */
import { RuntimeError } from "../exceptions/builtins.ts";
import type { ProtocolLike } from "../loop/protocols.ts";
import type { TransportProtocol } from "./_protocol.ts";
import type { SocketTransport } from "./_socket_transport.ts";

/** A user's protocol, adapted (see the module's header). */
export class UserProtocol implements TransportProtocol {
  readonly user: ProtocolLike;
  #transport: SocketTransport | null = null;

  constructor(user: ProtocolLike) {
    this.user = user;
  }

  connectionMade(transport: SocketTransport): void {
    this.#transport = transport;
    this.user.connectionMade?.(transport);
  }

  dataReceived(data: Uint8Array): void {
    const user = this.user;
    if (typeof user.getBuffer !== "function") {
      user.dataReceived?.(data.slice());
      return;
    }
    for (let at = 0; at < data.length;) {
      const buffer = user.getBuffer(data.length - at);
      if (!(buffer instanceof Uint8Array) || buffer.length === 0) {
        throw new RuntimeError("getBuffer() returned an empty buffer");
      }
      const n = Math.min(buffer.length, data.length - at);
      buffer.set(data.subarray(at, at + n));
      at += n;
      user.bufferUpdated?.(n);
    }
  }

  readsAhead(): boolean {
    return true;
  }

  eofReceived(): void {
    if (this.user.eofReceived?.() !== true) this.#transport?.close();
  }

  connectionLost(exc: unknown): void {
    this.user.connectionLost?.(exc);
  }

  pauseWriting(): void {
    this.user.pauseWriting?.();
  }

  resumeWriting(): void {
    this.user.resumeWriting?.();
  }

  released(): void {}
}
