/**
 * The protocol between a socket transport and a stream, as asyncio's
 * `StreamReaderProtocol` (with `FlowControlMixin`): it feeds the reader,
 * makes drain wait while the transport's buffer is full, and, on a server,
 * runs the client callback as a Task. What most connections never use
 * (the drain waiters, `waitClosed()`'s future) is made when first needed,
 * so that an idle connection holds little.
 *
 * @module
 */
import type { AbstractEventLoop } from "../loop/events.ts";
import { awaitResult } from "../tasks/_combinators.ts";
import { coroutine } from "../tasks/coroutine.ts";
import { ConnectionResetError } from "../exceptions/os_errors.ts";
import { failWith, type Future } from "../tasks/future.ts";
import type { Task } from "../tasks/task.ts";
import type { TransportProtocol } from "./_protocol.ts";
import type { SocketTransport } from "./_socket_transport.ts";
import { kSetTransport, StreamReader } from "./stream_reader.ts";
import { StreamWriter } from "./stream_writer.ts";

/** A client callback of `startServer`: plain, `async`, or a generator function. */
export type ClientConnectedCallback = (
  reader: StreamReader,
  writer: StreamWriter,
) => unknown;

/** Run the client callback inside the task: its waits are the task's. */
const runClientConnected = coroutine(function* clientConnectedCb(
  cb: ClientConnectedCallback,
  reader: StreamReader,
  writer: StreamWriter,
) {
  // A plain function, an async one, or a generator (coroutine) function.
  return yield* awaitResult(cb(reader, writer));
});

function onClientDone(
  this: { transport: SocketTransport; loop: AbstractEventLoop },
  task: Task<unknown>,
): void {
  if (task.cancelled()) {
    this.transport.close();
    return;
  }
  const exc = task.exception();
  if (exc !== null) {
    this.loop.callExceptionHandler({
      message: "Unhandled exception in client_connected_cb",
      exception: exc,
      transport: this.transport,
    });
    this.transport.close();
  }
}

const NO_WAITERS: readonly Future<undefined>[] = [];

/** The stream protocol of one connection. */
export class StreamProtocol implements TransportProtocol {
  #loop: AbstractEventLoop;
  #reader: StreamReader | null;
  #clientConnected: ClientConnectedCallback | null;
  #paused = false;
  /** The drains waiting while paused, made by the first one. */
  #drainWaiters: Future<undefined>[] | null = null;
  #connectionLost = false;
  /** `waitClosed()`'s future, made when first asked (most never are). */
  #closed: Future<undefined> | null = null;
  #released = false;

  constructor(
    reader: StreamReader,
    clientConnected: ClientConnectedCallback | null,
    loop: AbstractEventLoop,
  ) {
    this.#loop = loop;
    this.#reader = reader;
    this.#clientConnected = clientConnected;
  }

  connectionMade(transport: SocketTransport): void {
    const reader = this.#reader!;
    reader[kSetTransport](transport);
    const cb = this.#clientConnected;
    if (cb === null) return;
    const writer = new StreamWriter(transport, this, reader, this.#loop);
    const task = this.#loop.createTask(runClientConnected(cb, reader, writer));
    task.addDoneCallback(onClientDone.bind({ transport, loop: this.#loop }));
  }

  dataReceived(data: Uint8Array): void {
    this.#reader?.feedData(data);
  }

  eofReceived(): void {
    this.#reader?.feedEof();
  }

  readsAhead(): boolean {
    return (this.#reader?.bufferSize ?? 0) > 0;
  }

  connectionLost(exc: unknown): void {
    const reader = this.#reader;
    if (reader !== null) {
      if (exc === null) reader.feedEof();
      else reader.setException(exc);
    }
    this.#connectionLost = true;
    if (this.#paused) {
      for (const waiter of this.#drainWaiters ?? NO_WAITERS) {
        if (waiter.done()) continue;
        if (exc === null) waiter.setResult(undefined);
        else failWith(waiter, exc);
      }
    }
    this.#closedOutcome = exc;
  }

  #closedOutcome: unknown = null;

  released(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#closed !== null) this.#settleClosed(this.#closed);
  }

  #settleClosed(closed: Future<undefined>): void {
    if (closed.done()) return;
    const exc = this.#closedOutcome;
    if (exc === null) closed.setResult(undefined);
    else {
      failWith(closed, exc);
      closed.exception(); // retrieved: waitClosed() is optional
    }
  }

  pauseWriting(): void {
    this.#paused = true;
  }

  resumeWriting(): void {
    this.#paused = false;
    for (const waiter of this.#drainWaiters ?? NO_WAITERS) {
      if (!waiter.done()) waiter.setResult(undefined);
    }
  }

  canWrite(): boolean {
    return !this.#connectionLost && !this.#paused;
  }

  /** Wait while the transport's buffer is over the high-water mark. */
  *drainHelper(): Generator<unknown, void, unknown> {
    if (this.#connectionLost) throw new ConnectionResetError("Connection lost");
    if (!this.#paused) return;
    const waiter = this.#loop.createFuture<undefined>();
    const waiters = this.#drainWaiters ??= [];
    waiters.push(waiter);
    try {
      yield waiter; // waits as `yield*` would, with no iterator made
    } finally {
      const i = waiters.indexOf(waiter);
      if (i >= 0) waiters.splice(i, 1);
    }
  }

  /** The future done once the socket is released. */
  closeWaiter(): Future<undefined> {
    if (this.#closed === null) {
      this.#closed = this.#loop.createFuture<undefined>();
      if (this.#released) this.#settleClosed(this.#closed);
    }
    return this.#closed;
  }
}

/**
 * What a server makes for each client of `startServer`: a reader with the
 * limit and the stream protocol that runs `clientConnected` as a task.
 */
export function streamProtocols(
  loop: AbstractEventLoop,
  clientConnected: ClientConnectedCallback,
  limit: number,
): () => StreamProtocol {
  return () =>
    new StreamProtocol(new StreamReader(limit, loop), clientConnected, loop);
}
