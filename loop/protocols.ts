/**
 * asyncio's protocols (`protocols.py`): the callbacks a transport calls on
 * the object that handles a connection. Subclass `Protocol` (or
 * `BufferedProtocol`; `DatagramProtocol` for UDP, `SubprocessProtocol` for
 * a child process) and override what you need, or pass any object with
 * those methods: a missing one does nothing, as the base class's.
 *
 * @module
 */
import type {
  DatagramTransport,
  SubprocessTransport,
  Transport,
} from "./transports.ts";

/**
 * What every protocol may have, as asyncio's `BaseProtocol`: the
 * connection's start and end, and the write flow control.
 *
 * @example
 * ```ts
 * import { BaseProtocol } from "@asyncio/deno";
 * console.log(typeof new BaseProtocol().connectionLost); // function
 * ```
 */
export class BaseProtocol {
  /**
   * The connection is made: keep `transport` to write to it.
   *
   * @param _transport The connection's transport (a `DatagramTransport`
   * for a `DatagramProtocol`, a `SubprocessTransport` for a
   * `SubprocessProtocol`).
   */
  connectionMade(
    _transport: Transport | DatagramTransport | SubprocessTransport,
  ): void {}

  /**
   * The connection is lost or closed: `exc` is its error, or `null` for a
   * regular EOF or a `close()`.
   *
   * @param _exc The error, or `null`.
   */
  connectionLost(_exc: unknown): void {}

  /** The transport's write buffer went over the high-water mark. */
  pauseWriting(): void {}

  /** The transport's write buffer is down to the low-water mark again. */
  resumeWriting(): void {}
}

/**
 * A streaming protocol, as asyncio's `Protocol`: `dataReceived` for each
 * chunk read, `eofReceived` when the peer half-closes.
 *
 * @example An echo server's protocol
 * ```ts
 * import { Protocol, type Transport } from "@asyncio/deno";
 * class Echo extends Protocol {
 *   transport: Transport | null = null;
 *   override connectionMade(transport: Transport) {
 *     this.transport = transport;
 *   }
 *   override dataReceived(data: Uint8Array) {
 *     this.transport!.write(data);
 *   }
 * }
 * console.log(new Echo() instanceof Protocol); // true
 * ```
 */
export class Protocol extends BaseProtocol {
  /**
   * Bytes came: they are the protocol's to keep (a copy per read).
   *
   * @param _data The bytes.
   */
  dataReceived(_data: Uint8Array): void {}

  /**
   * The peer closed its end. Return `true` to keep the transport open (to
   * write the rest); anything else closes it, as asyncio's.
   */
  eofReceived(): boolean | void {}
}

/**
 * A protocol that receives into its own buffer, as asyncio's
 * `BufferedProtocol`: `getBuffer(sizeHint)` gives the buffer, and
 * `bufferUpdated(nbytes)` says how much of it was filled.
 *
 * @example Counting bytes into one fixed buffer
 * ```ts
 * import { BufferedProtocol } from "@asyncio/deno";
 * class Counter extends BufferedProtocol {
 *   buffer = new Uint8Array(65536);
 *   total = 0;
 *   override getBuffer(_sizeHint: number) {
 *     return this.buffer;
 *   }
 *   override bufferUpdated(nbytes: number) {
 *     this.total += nbytes;
 *   }
 * }
 * console.log(new Counter().total); // 0
 * ```
 */
export class BufferedProtocol extends BaseProtocol {
  /**
   * The buffer to receive into (at least one byte; `sizeHint` is how much
   * is waiting, or -1 if unknown).
   *
   * @param _sizeHint How many bytes are to be received.
   */
  getBuffer(_sizeHint: number): Uint8Array {
    return new Uint8Array(0);
  }

  /**
   * `nbytes` bytes were written at the start of the last buffer given.
   *
   * @param _nbytes How many bytes came.
   */
  bufferUpdated(_nbytes: number): void {}

  /** The peer closed its end: as `Protocol.eofReceived`. */
  eofReceived(): boolean | void {}
}

/**
 * Any object a transport can drive: the methods of the classes above, each
 * optional (a missing one does nothing). With `getBuffer` it is driven as a
 * `BufferedProtocol`.
 */
export interface ProtocolLike {
  /** As `BaseProtocol.connectionMade`. */
  connectionMade?(transport: Transport): void;
  /** As `BaseProtocol.connectionLost`. */
  connectionLost?(exc: unknown): void;
  /** As `BaseProtocol.pauseWriting`. */
  pauseWriting?(): void;
  /** As `BaseProtocol.resumeWriting`. */
  resumeWriting?(): void;
  /** As `Protocol.dataReceived`. */
  dataReceived?(data: Uint8Array): void;
  /** As `Protocol.eofReceived`: `true` keeps the transport open. */
  eofReceived?(): boolean | void;
  /** As `BufferedProtocol.getBuffer`. */
  getBuffer?(sizeHint: number): Uint8Array;
  /** As `BufferedProtocol.bufferUpdated`. */
  bufferUpdated?(nbytes: number): void;
}

/**
 * A datagram (UDP) protocol, as asyncio's `DatagramProtocol`, for
 * `loop.createDatagramEndpoint`: `datagramReceived` for each datagram,
 * `errorReceived` for an `OSError` of a send or a receive (the endpoint
 * stays open).
 *
 * @example The asyncio docs' UDP echo server protocol
 * ```ts
 * import { DatagramProtocol, type DatagramTransport } from "@asyncio/deno";
 * class EchoServerProtocol extends DatagramProtocol {
 *   transport: DatagramTransport | null = null;
 *   override connectionMade(transport: DatagramTransport) {
 *     this.transport = transport;
 *   }
 *   override datagramReceived(data: Uint8Array, addr: [string, number]) {
 *     this.transport!.sendto(data, addr);
 *   }
 * }
 * console.log(new EchoServerProtocol() instanceof DatagramProtocol); // true
 * ```
 */
export class DatagramProtocol extends BaseProtocol {
  /**
   * The endpoint is ready: keep `transport` to send with it.
   *
   * @param _transport The endpoint's transport.
   */
  override connectionMade(_transport: DatagramTransport): void {}

  /**
   * A datagram came: the bytes are the protocol's to keep.
   *
   * @param _data The datagram's bytes (empty for a zero-length datagram).
   * @param _addr The sender, `[host, port]`.
   */
  datagramReceived(_data: Uint8Array, _addr: [string, number]): void {}

  /**
   * A send or a receive failed with an `OSError` (a `ConnectionRefusedError`,
   * a datagram too long…); the endpoint stays open.
   *
   * @param _exc The error.
   */
  errorReceived(_exc: Error): void {}
}

/**
 * Any object a datagram transport can drive: the methods of
 * `DatagramProtocol`, each optional (a missing one does nothing).
 */
export interface DatagramProtocolLike {
  /** As `DatagramProtocol.connectionMade`. */
  connectionMade?(transport: DatagramTransport): void;
  /** As `BaseProtocol.connectionLost`: `null` after `close()`. */
  connectionLost?(exc: unknown): void;
  /** As `BaseProtocol.pauseWriting`. */
  pauseWriting?(): void;
  /** As `BaseProtocol.resumeWriting`. */
  resumeWriting?(): void;
  /** As `DatagramProtocol.datagramReceived`. */
  datagramReceived?(data: Uint8Array, addr: [string, number]): void;
  /** As `DatagramProtocol.errorReceived`. */
  errorReceived?(exc: Error): void;
}

/**
 * A protocol driving a child process, as asyncio's `SubprocessProtocol`,
 * for `loop.subprocessExec` and `loop.subprocessShell`: `connectionMade`
 * first, `pipeDataReceived(fd, data)` for what the child writes to its
 * stdout (`fd` 1) or stderr (2), `pipeConnectionLost(fd, exc)` once for
 * each pipe (0, its stdin, too), `processExited()` when it exits, and
 * `connectionLost(null)` last, once it has exited and every pipe is
 * closed. As in asyncio, `processExited()` may come before the last
 * `pipeDataReceived` and `pipeConnectionLost`: wait for both to read all
 * the output.
 *
 * @example The asyncio docs' `DateProtocol`
 * ```ts
 * import { type Future, SubprocessProtocol } from "@asyncio/deno";
 * class DateProtocol extends SubprocessProtocol {
 *   output: Uint8Array[] = [];
 *   pipeClosed = false;
 *   exited = false;
 *   constructor(readonly exitFuture: Future<boolean>) {
 *     super();
 *   }
 *   override pipeConnectionLost(_fd: number, _exc: unknown) {
 *     this.pipeClosed = true;
 *     this.checkForExit();
 *   }
 *   override pipeDataReceived(_fd: number, data: Uint8Array) {
 *     this.output.push(data);
 *   }
 *   override processExited() {
 *     this.exited = true;
 *     // processExited() can come before pipeConnectionLost(): wait for both.
 *     this.checkForExit();
 *   }
 *   checkForExit() {
 *     if (this.pipeClosed && this.exited) this.exitFuture.setResult(true);
 *   }
 * }
 * console.log(typeof DateProtocol); // function
 * ```
 */
export class SubprocessProtocol extends BaseProtocol {
  /**
   * The child runs and its pipes are open: keep `transport` to write to
   * its stdin (`getPipeTransport(0)`), signal it or close it.
   *
   * @param _transport The child's transport.
   */
  override connectionMade(_transport: SubprocessTransport): void {}

  /**
   * The child wrote to its stdout or stderr: the bytes are the protocol's
   * to keep.
   *
   * @param _fd 1 for stdout, 2 for stderr.
   * @param _data The bytes.
   */
  pipeDataReceived(_fd: number, _data: Uint8Array): void {}

  /**
   * One of the child's pipes is closed: the child closed it (or exited),
   * or the parent did.
   *
   * @param _fd 0 for stdin, 1 for stdout, 2 for stderr.
   * @param _exc The error (a `BrokenPipeError` for a stdin whose bytes
   * could not all be sent), or `null`.
   */
  pipeConnectionLost(_fd: number, _exc: unknown): void {}

  /** The child has exited: `transport.getReturncode()` is its code. */
  processExited(): void {}
}

/**
 * Any object a subprocess transport can drive: the methods of
 * `SubprocessProtocol`, each optional (a missing one does nothing).
 *
 * @example A plain object as the protocol
 * ```ts
 * import type { SubprocessProtocolLike } from "@asyncio/deno";
 * const chunks: Uint8Array[] = [];
 * const protocol: SubprocessProtocolLike = {
 *   pipeDataReceived: (_fd, data) => void chunks.push(data),
 * };
 * console.log(typeof protocol.pipeDataReceived); // function
 * ```
 */
export interface SubprocessProtocolLike {
  /** As `SubprocessProtocol.connectionMade`. */
  connectionMade?(transport: SubprocessTransport): void;
  /** As `BaseProtocol.connectionLost`: `null`, once all is done. */
  connectionLost?(exc: unknown): void;
  /** As `BaseProtocol.pauseWriting`: the stdin pipe's buffer is full. */
  pauseWriting?(): void;
  /** As `BaseProtocol.resumeWriting`. */
  resumeWriting?(): void;
  /** As `SubprocessProtocol.pipeDataReceived`. */
  pipeDataReceived?(fd: number, data: Uint8Array): void;
  /** As `SubprocessProtocol.pipeConnectionLost`. */
  pipeConnectionLost?(fd: number, exc: unknown): void;
  /** As `SubprocessProtocol.processExited`. */
  processExited?(): void;
}
