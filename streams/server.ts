/**
 * `Server`: a listening socket and its connections, as asyncio's `Server`.
 *
 * @module
 */
import {
  type AbstractEventLoop,
  type AbstractServer,
  inspect,
  type TransportSocket,
} from "../loop/events.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { CancelledError } from "../exceptions/asyncio.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import type { Awaitable, Future } from "../tasks/future.ts";
import { Op } from "../tasks/_op.ts";
import { addressOf } from "./_address.ts";
import { track, untrack } from "./_open_resources.ts";
import { type ConnectionOwner, SocketTransport } from "./_socket_transport.ts";
import type { TransportProtocol } from "./_protocol.ts";
import { SSL_HANDSHAKE_TIMEOUT } from "./_checks.ts";

export type { TransportSocket } from "../loop/events.ts";

/** How long accepting pauses after an error such as too many open files. */
const ACCEPT_RETRY_DELAY_MS = 100;

/** Lost clients in a row after which accepting pauses all the same. */
const MAX_LOST_IN_A_ROW = 1000;

/**
 * Whether `accept()` failed for a client that reset or vanished before it
 * was accepted (CPython's ECONNABORTED, EPROTO, EAGAIN…; Deno reports a
 * reset before accept as `NotConnected`), not for the listener or the
 * system.
 */
function isLostClient(error: unknown): boolean {
  const errors = Deno.errors;
  return error instanceof errors.NotConnected ||
    error instanceof errors.ConnectionAborted ||
    error instanceof errors.ConnectionReset ||
    error instanceof errors.Interrupted ||
    error instanceof errors.WouldBlock;
}

/**
 * A server listening on sockets, as `asyncio.Server`: made by
 * `startServer` (or `startUnixServer`), it accepts connections and runs the client callback of
 * each as a Task. A client that resets or vanishes never stops it.
 *
 * @example Serving until closed (declared, not run: it needs the network)
 * ```ts
 * import { type StreamReader, type StreamWriter, startServer } from "@asyncio/deno";
 * async function serve(): Promise<void> {
 *   const server = await startServer(
 *     async (reader: StreamReader, writer: StreamWriter) => {
 *       writer.write(await reader.readLine());
 *       writer.close();
 *       await writer.waitClosed();
 *     },
 *     "127.0.0.1",
 *     0,
 *   );
 *   console.log("serving on", server.sockets[0].getsockname());
 *   await server.serveForever();
 * }
 * console.log(typeof serve); // function
 * ```
 */
export class Server implements AbstractServer {
  #loop: AbstractEventLoop;
  #listeners: Deno.Listener[] | null;
  #sockets: TransportSocket[];
  #makeProtocol: () => TransportProtocol;
  #serving = false;
  #servingForeverFut: Future<undefined> | null = null;
  #activeCount = 0;
  #waiters: Future<undefined>[] | null = [];
  #clients = new Set<SocketTransport>();
  #acceptLoops: Promise<void>[] = [];
  #acceptEnded = true;
  #owner: ConnectionOwner;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #sslcontext: object | null;

  /**
   * Made by `startServer` and `startUnixServer`: use them instead.
   *
   * @param loop The loop the server belongs to.
   * @param listeners The listening sockets.
   * @param makeProtocol Makes the protocol of each client: a stream's, or a
   *   user's protocol adapted.
   * @param sslcontext For TLS listeners, the `ssl` option (each client's
   *   `getExtraInfo("sslcontext")`); `null` for plain sockets.
   * @param sslHandshakeTimeout For TLS listeners, how long a client's
   *   handshake may take, in seconds.
   */
  constructor(
    loop: AbstractEventLoop,
    listeners: Deno.Listener[],
    makeProtocol: () => TransportProtocol,
    sslcontext: object | null = null,
    sslHandshakeTimeout: number = SSL_HANDSHAKE_TIMEOUT,
  ) {
    this.#loop = loop;
    this.#sslcontext = sslcontext;
    this.#listeners = listeners;
    this.#sockets = listeners.map((listener) => {
      const name = addressOf(listener.addr);
      return { getsockname: () => name } as TransportSocket;
    });
    this.#makeProtocol = makeProtocol;
    this.#owner = {
      sslHandshakeTimeout,
      attach: (transport) => {
        this.#activeCount++;
        this.#clients.add(transport);
      },
      detach: (transport) => {
        this.#clients.delete(transport);
        this.#activeCount--;
        this.#maybeWakeup();
      },
    };
    track(loop, this);
  }

  /** Return the event loop the server is bound to. */
  getLoop(): AbstractEventLoop {
    return this.#loop;
  }

  /** Return `true` if the server is accepting new connections. */
  isServing(): boolean {
    return this.#serving;
  }

  /** The listening sockets; empty once the server is closed. */
  get sockets(): TransportSocket[] {
    return this.#listeners === null ? [] : [...this.#sockets];
  }

  /** Internal: start accepting connections (what `startServer` does). */
  startServingNow(): void {
    if (this.#serving || this.#listeners === null) return;
    this.#serving = true;
    this.#acceptEnded = false;
    this.#acceptLoops = this.#listeners.map((l) => this.#acceptLoop(l));
    Promise.all(this.#acceptLoops).then(() => {
      this.#acceptEnded = true;
      this.#maybeWakeup();
    });
  }

  /** Start accepting connections; a no-op if the server already is. */
  startServing(): Awaitable<void> {
    return new Op(this.#startServing(), "Server.startServing");
  }

  // deno-lint-ignore require-yield
  *#startServing(): CoroutineGenerator<void> {
    this.startServingNow();
  }

  /** The accept loop of one listener: every error is caught here. */
  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    let lostInARow = 0;
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
        lostInARow = 0;
      } catch (exception) {
        if (!this.#serving) return;
        if (exception instanceof Deno.errors.BadResource) return;
        // A client that reset or vanished before it was accepted: the next
        // one is served at once, as CPython's accept loop does (it backs
        // off only when resources run out; a long run of these, too).
        if (isLostClient(exception) && ++lostInARow < MAX_LOST_IN_A_ROW) {
          continue;
        }
        lostInARow = 0;
        if (!this.#loop.isClosed()) {
          this.#loop.callExceptionHandler({
            message: "socket.accept() out of system resource",
            exception,
            server: this,
          });
        }
        await new Promise<void>((resolve) => {
          this.#retryTimer = setTimeout(resolve, ACCEPT_RETRY_DELAY_MS);
        });
        this.#retryTimer = undefined;
        continue;
      }
      if (!this.#serving || this.#loop.isClosed()) {
        conn.close();
        return;
      }
      try {
        new SocketTransport(
          this.#loop,
          conn,
          this.#makeProtocol(),
          this.#owner,
          this.#sslcontext,
        );
      } catch (exception) {
        try {
          conn.close();
        } catch {
          // already closed
        }
        if (!this.#loop.isClosed()) {
          this.#loop.callExceptionHandler({
            message: "Error on transport creation for incoming connection",
            exception,
            server: this,
          });
        }
      }
    }
  }

  /**
   * Stop serving: close the listening sockets. Connections already accepted
   * stay open (see `closeClients()`); a `serveForever()` in progress is
   * cancelled.
   */
  close(): void {
    const listeners = this.#listeners;
    if (listeners === null) return;
    this.#listeners = null;
    this.#serving = false;
    for (const listener of listeners) {
      try {
        listener.close();
      } catch {
        // already closed
      }
    }
    if (this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      this.#acceptEnded = true;
    }
    const fut = this.#servingForeverFut;
    if (fut !== null && !fut.done()) {
      fut.cancel();
      this.#servingForeverFut = null;
    }
    this.#maybeWakeup();
  }

  /** Close every client connection (each flushes its buffer first). */
  closeClients(): void {
    for (const transport of [...this.#clients]) transport.close();
  }

  /** Abort every client connection at once. */
  abortClients(): void {
    for (const transport of [...this.#clients]) transport.abort();
  }

  #maybeWakeup(): void {
    if (
      this.#listeners !== null || this.#activeCount > 0 || !this.#acceptEnded
    ) {
      return;
    }
    untrack(this.#loop, this);
    const waiters = this.#waiters;
    this.#waiters = null;
    if (waiters === null || this.#loop.isClosed()) return;
    for (const waiter of waiters) {
      if (!waiter.done()) waiter.setResult(undefined);
    }
  }

  /**
   * Wait until the server is closed and all its connections are dropped
   * (and every socket released).
   */
  waitClosed(): Awaitable<void> {
    return new Op(this.#waitClosed(), "Server.waitClosed");
  }

  *#waitClosed(): CoroutineGenerator<void> {
    if (this.#waiters === null) return;
    const waiter = this.#loop.createFuture<undefined>();
    this.#waiters.push(waiter);
    yield* waiter;
  }

  /**
   * Start accepting connections until the coroutine is cancelled (or the
   * server closed): cancelling it closes the server, and leaves the clients
   * connected to their handlers.
   */
  serveForever(): Awaitable<void> {
    return new Op(this.#serveForever(), "Server.serveForever");
  }

  *#serveForever(): CoroutineGenerator<void> {
    if (this.#servingForeverFut !== null) {
      throw new RuntimeError(
        `server ${this} is already being awaited on serve_forever()`,
      );
    }
    if (this.#listeners === null) {
      throw new RuntimeError(`server ${this} is closed`);
    }
    this.startServingNow();
    const fut = this.#loop.createFuture<undefined>();
    this.#servingForeverFut = fut;
    try {
      yield* fut;
    } catch (error) {
      // Closed, not waited for: the clients' handlers are still running, and
      // whoever cancelled (Ctrl-C in `run()`) cancels them next; waiting for
      // them here would wait for every client to hang up (CPython 3.11's
      // `wait_closed()` returns at once after `close()`, too).
      if (error instanceof CancelledError) this.close();
      throw error;
    } finally {
      if (this.#servingForeverFut === fut) this.#servingForeverFut = null;
    }
  }

  /** `await using server = …`: close the server and wait until it is closed. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.waitClosed();
  }

  /** The loop closed: close the listeners, tell no one. */
  forceCloseSilently(): void {
    this.#serving = false;
    const listeners = this.#listeners;
    this.#listeners = null;
    for (const listener of listeners ?? []) {
      try {
        listener.close();
      } catch {
        // already closed
      }
    }
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
  }

  /** `<Server sockets=[["127.0.0.1",8888]]>`, as CPython's repr. */
  toString(): string {
    return `<Server sockets=${
      JSON.stringify(this.sockets.map((s) => s.getsockname()))
    }>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}
