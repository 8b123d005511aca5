/**
 * The datagram transport under `loop.createDatagramEndpoint`, as asyncio's
 * `_SelectorDatagramTransport`: a façade over a `Deno.DatagramConn` (UDP)
 * that drives a `DatagramProtocol`.
 *
 * How it works: one receive is pending at a time. When a datagram lands,
 * its delivery is queued with `callSoon` (asyncio's reader callback), and
 * the next receive starts once it is delivered. Sends go out one at a
 * time, in order, each a `conn.send`; what waits meanwhile is the write
 * buffer. An `OSError` of a send or a receive goes to `errorReceived` and
 * the endpoint stays open. With a `remoteAddr`, Deno offers no
 * `connect()`: the transport drops datagrams from other addresses itself.
 *
 * Invariants:
 * - Every promise of a Deno op is awaited (`then(ok, failed)`): no
 *   rejection is ever unhandled. The pending receive counts as I/O in
 *   flight (`_io_in_flight.ts`), so a virtual clock waits for a datagram
 *   before it jumps; so does a send in flight.
 * - `connectionLost` is delivered once, with `callSoon`, only after the
 *   socket is closed and its last op has settled: once the protocol hears
 *   of it, no Deno op of the endpoint is left (the test sanitizers hold).
 * - After `close()` nothing more is delivered nor sent.
 * - The transport is tracked by its loop until then (`_open_resources.ts`):
 *   closing the loop closes its socket, and tells no one.
 *
 * @module
 */
import { RuntimeError, ValueError } from "../exceptions/builtins.ts";
import { checkInteger } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { ioEnded, ioStarted } from "../loop/_io_in_flight.ts";
import { startOwnIo } from "../loop/_new_promise.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { logger } from "../loop/log.ts";
import type { DatagramProtocolLike } from "../loop/protocols.ts";
import type { DatagramTransport } from "../loop/transports.ts";
import { addressOf } from "./_address.ts";
import { stateWord } from "./_state_word.ts";
import { type ForceClosable, track, untrack } from "./_open_resources.ts";
import { isOsError, pyRepr, toPythonError } from "./_os_errors.ts";

/** Python 3.13 counts a datagram's UDP header in the write buffer. */
const HEADER_SIZE = 8;
/** asyncio's default water marks of the write buffer, in bytes. */
const HIGH_WATER = 64 * 1024;
const LOW_WATER = HIGH_WATER / 4;
/** Above any UDP payload (65507 bytes over IPv4, 65527 over IPv6). */
const RECEIVE_SIZE = 65536;
const LOG_THRESHOLD_FOR_CONNLOST_WRITES = 5;

/** A `[host, port]` address. */
export type Address = [string, number];

/**
 * Check an address argument: a `[host, port]` array (a `TypeError`
 * otherwise, asyncio's "2-tuple is expected"), the port 0-65535 (a
 * `ValueError`).
 */
export function checkAddress(
  api: string,
  arg: string,
  value: unknown,
): Address {
  if (
    !Array.isArray(value) || value.length !== 2 || typeof value[0] !== "string"
  ) {
    throw new TypeError(
      `${api}: ${arg} must be a [host, port] array (2-tuple is expected), got ${
        describe(value)
      }`,
    );
  }
  const port = checkInteger(api, `${arg}[1]`, value[1]);
  if (port < 0 || port > 65535) {
    throw new ValueError(`${api}: ${arg}[1] must be 0-65535, got ${port}`);
  }
  return [value[0], port];
}

/** Python's repr of an address tuple, for asyncio's messages. */
function addressRepr([host, port]: Address): string {
  return `(${pyRepr(host)}, ${port})`;
}

type Delivery = [DatagramSocketTransport, Uint8Array, Deno.NetAddr];

/** The transport of one UDP endpoint (see the module's header). */
export class DatagramSocketTransport
  implements DatagramTransport, ForceClosable {
  readonly #loop: AbstractEventLoop;
  readonly #conn: Deno.DatagramConn;
  readonly #protocol: DatagramProtocolLike;
  /** The remote address (resolved), or `null`. */
  readonly #address: Address | null;
  /** Drop datagrams from other addresses than `#address`. */
  readonly #filter: boolean;
  readonly #extra: Record<string, unknown>;
  readonly #buf = new Uint8Array(RECEIVE_SIZE);
  /** Datagrams not sent yet; the first one is in flight when `#sending`. */
  readonly #queue: Array<[Uint8Array, Deno.NetAddr]> = [];
  #bufferSize = 0;
  #sending = false;
  #receiving = false;
  #writingPaused = false;
  #closing = false;
  #connClosed = false;
  /** asyncio's `_conn_lost`: sends dropped after the end, counted. */
  #connLost = 0;
  /** `connectionLost` is scheduled (or, the loop closing, never will be). */
  #lost = false;
  #lostExc: unknown = null;

  /**
   * Schedule `connectionMade` and then the first receive, as asyncio does
   * (each with `callSoon`, so a waiter scheduled next sees both done).
   *
   * @param address The remote address, resolved, or `null`.
   * @param filter Whether to drop datagrams from elsewhere.
   */
  constructor(
    loop: AbstractEventLoop,
    conn: Deno.DatagramConn,
    protocol: DatagramProtocolLike,
    address: Address | null,
    filter: boolean,
  ) {
    this.#loop = loop;
    this.#conn = conn;
    this.#protocol = protocol;
    this.#address = address;
    this.#filter = filter && address !== null;
    this.#extra = {
      sockname: addressOf(conn.addr),
      peername: address === null ? null : [...address],
    };
    track(loop, this);
    loop.callSoon(DatagramSocketTransport.#connectionMade, this);
    loop.callSoon(DatagramSocketTransport.#receive, this);
  }

  sendto(data: Uint8Array, addr: Address | null = null): void {
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(
        `data argument must be a bytes-like object, not '${describe(data)}'`,
      );
    }
    let to: Address;
    if (this.#address !== null) {
      if (addr !== null && !sameAddress(addr, this.#address)) {
        throw new ValueError(
          `Invalid address: must be None or ${addressRepr(this.#address)}`,
        );
      }
      to = this.#address;
    } else if (addr === null) {
      throw new TypeError(
        "sendto: addr is required: the endpoint has no remoteAddr",
      );
    } else {
      to = checkAddress("sendto", "addr", addr);
    }
    if (this.#closing) {
      if (this.#connLost >= LOG_THRESHOLD_FOR_CONNLOST_WRITES) {
        logger.warning("socket.send() raised exception.");
      }
      this.#connLost++;
      return;
    }
    // A copy: the caller may reuse its bytes before the send goes out.
    this.#queue.push([
      data.slice(),
      { transport: "udp", hostname: to[0], port: to[1] },
    ]);
    this.#bufferSize += data.length + HEADER_SIZE;
    this.#maybePauseProtocol();
    if (!this.#sending) this.#sendNext();
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#connLost++;
    if (!this.#sending) this.#closeConn(); // the datagrams in flight go first
    this.#maybeLost();
  }

  abort(): void {
    this.#forceClose(null);
  }

  isClosing(): boolean {
    return this.#closing;
  }

  getWriteBufferSize(): number {
    return this.#bufferSize;
  }

  getExtraInfo(name: string, defaultValue: unknown = null): unknown {
    return name in this.#extra ? this.#extra[name] : defaultValue;
  }

  /** The loop closed: close the socket, tell no one. */
  forceCloseSilently(): void {
    this.#closing = true;
    this.#lost = true;
    this.#connLost++;
    this.#clear();
    this.#closeConn();
  }

  /** `<DatagramTransport sockname=… peername=…>`. */
  toString(): string {
    const state = stateWord(this.#connClosed, this.#closing);
    return `<DatagramTransport${state} sockname=${
      JSON.stringify(this.#extra.sockname)
    } peername=${JSON.stringify(this.#extra.peername)}>`;
  }

  static #connectionMade(transport: DatagramSocketTransport): void {
    transport.#protocol.connectionMade?.(transport);
  }

  // Receiving.

  static #receive(transport: DatagramSocketTransport): void {
    if (transport.#closing || transport.#receiving) return;
    transport.#receiving = true;
    ioStarted(); // until a datagram lands, or the socket closes
    startOwnIo(
      DatagramSocketTransport.#startReceive,
      DatagramSocketTransport.#receiveNotStarted,
      transport,
    );
  }

  static #startReceive(transport: DatagramSocketTransport): void {
    transport.#conn.receive(transport.#buf)
      .then(transport.#onDatagram, transport.#onReceiveError);
  }

  static #receiveNotStarted(
    transport: DatagramSocketTransport,
    error: unknown,
  ): void {
    transport.#onReceiveError(error);
  }

  #onDatagram = ([data, addr]: [Uint8Array, Deno.Addr]): void => {
    this.#receiving = false;
    ioEnded();
    if (this.#closing) return this.#maybeLost(); // as asyncio's removed reader
    // A copy: the next receive reuses the buffer.
    const delivery: Delivery = [this, data.slice(), addr as Deno.NetAddr];
    this.#loop.callSoon(DatagramSocketTransport.#deliver, delivery);
  };

  /** asyncio's `_read_ready`: deliver, then receive the next one. */
  static #deliver([transport, data, addr]: Delivery): void {
    if (transport.#closing) return;
    try {
      const from: Address = [addr.hostname, addr.port];
      if (transport.#filter && !sameAddress(from, transport.#address!)) return;
      transport.#protocol.datagramReceived?.(data, from);
    } finally {
      // An error of the protocol goes to the loop's handler; reading goes on.
      DatagramSocketTransport.#receive(transport);
    }
  }

  #onReceiveError = (error: unknown): void => {
    this.#receiving = false;
    ioEnded();
    if (this.#closing) return this.#maybeLost(); // the close cancelled it
    const exc = toPythonError(error);
    if (isOsError(exc)) {
      this.#loop.callSoon(DatagramSocketTransport.#errorThenReceive, [
        this,
        exc,
      ]);
    } else {
      this.#fatal(exc, "Fatal read error on datagram transport");
    }
  };

  static #errorThenReceive([transport, exc]: [
    DatagramSocketTransport,
    unknown,
  ]): void {
    if (transport.#closing) return;
    try {
      transport.#protocol.errorReceived?.(exc as Error);
    } finally {
      DatagramSocketTransport.#receive(transport);
    }
  }

  // Sending.

  #sendNext(): void {
    this.#sending = true;
    ioStarted(); // until the datagram is sent
    startOwnIo(
      DatagramSocketTransport.#startSend,
      DatagramSocketTransport.#sendNotStarted,
      this,
    );
  }

  static #startSend(transport: DatagramSocketTransport): void {
    const [data, addr] = transport.#queue[0];
    transport.#conn.send(data, addr)
      .then(transport.#onSent, transport.#onSendError);
  }

  static #sendNotStarted(
    transport: DatagramSocketTransport,
    error: unknown,
  ): void {
    transport.#onSendError(error);
  }

  /** The first datagram of the queue is sent, or failed: the next one. */
  #sendEnded(): void {
    this.#sending = false;
    ioEnded();
    const done = this.#queue.shift();
    if (done !== undefined) this.#bufferSize -= done[0].length + HEADER_SIZE;
    this.#maybeResumeProtocol();
    if (this.#connClosed) return this.#maybeLost();
    if (this.#queue.length > 0) return this.#sendNext();
    if (this.#closing) {
      this.#closeConn();
      this.#maybeLost();
    }
  }

  #onSent = (): void => {
    this.#sendEnded();
  };

  #onSendError = (error: unknown): void => {
    const aborted = this.#connClosed;
    this.#sendEnded();
    if (aborted || this.#lost) return;
    const exc = toPythonError(error);
    if (isOsError(exc)) {
      this.#loop.callSoon(DatagramSocketTransport.#errorReceived, [this, exc]);
    } else {
      this.#fatal(exc, "Fatal write error on datagram transport");
    }
  };

  static #errorReceived([transport, exc]: [
    DatagramSocketTransport,
    unknown,
  ]): void {
    if (transport.#lost) return;
    transport.#protocol.errorReceived?.(exc as Error);
  }

  #maybePauseProtocol(): void {
    if (this.#writingPaused || this.#bufferSize <= HIGH_WATER) return;
    this.#writingPaused = true;
    this.#flowControl("pauseWriting");
  }

  #maybeResumeProtocol(): void {
    if (!this.#writingPaused || this.#bufferSize > LOW_WATER) return;
    this.#writingPaused = false;
    this.#flowControl("resumeWriting");
  }

  #flowControl(method: "pauseWriting" | "resumeWriting"): void {
    try {
      this.#protocol[method]?.();
    } catch (exception) {
      this.#report(`protocol.${method}() failed`, exception);
    }
  }

  // Closing.

  /** An error that is no `OSError`: report it, close at once. */
  #fatal(exc: unknown, message: string): void {
    this.#report(message, exc);
    this.#forceClose(exc);
  }

  /** Close at once, dropping the buffer; `connectionLost(exc)`. */
  #forceClose(exc: unknown): void {
    if (this.#lost) return;
    this.#closing = true;
    this.#connLost++;
    this.#lostExc = exc;
    this.#clear();
    this.#closeConn();
    this.#maybeLost();
  }

  /** Drop what is not in flight yet. */
  #clear(): void {
    this.#queue.length = this.#sending ? 1 : 0;
    this.#bufferSize = this.#queue.length === 0
      ? 0
      : this.#queue[0][0].length + HEADER_SIZE;
  }

  #closeConn(): void {
    if (this.#connClosed) return;
    this.#connClosed = true;
    try {
      this.#conn.close(); // a pending receive or send then rejects
    } catch {
      // already closed
    }
  }

  /** Once closed with no op pending: `connectionLost`, a loop turn later. */
  #maybeLost(): void {
    if (
      this.#lost || !this.#connClosed || this.#receiving || this.#sending
    ) return;
    this.#lost = true;
    untrack(this.#loop, this);
    if (this.#loop.isClosed()) return;
    this.#loop.callSoon(DatagramSocketTransport.#connectionLost, this);
  }

  static #connectionLost(transport: DatagramSocketTransport): void {
    transport.#protocol.connectionLost?.(transport.#lostExc);
  }

  #report(message: string, exception: unknown): void {
    if (this.#loop.isClosed()) return;
    this.#loop.callExceptionHandler({
      message,
      exception,
      transport: this,
      protocol: this.#protocol,
    });
  }
}

/** Whether two `[host, port]` addresses are the same, as Python's `==`. */
function sameAddress(a: Address, b: Address): boolean {
  return Array.isArray(a) && a[0] === b[0] && a[1] === b[1];
}

/** Raised when `Deno.listenDatagram` is absent (no `--unstable-net`). */
export function listenDatagram(api: string): typeof Deno.listenDatagram {
  const listen = (Deno as { listenDatagram?: typeof Deno.listenDatagram })
    .listenDatagram;
  if (typeof listen !== "function") {
    throw new RuntimeError(
      `${api}: Deno's UDP sockets (Deno.listenDatagram) need the --unstable-net flag`,
    );
  }
  return listen;
}
