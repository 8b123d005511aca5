/**
 * `connectLoop()`: the Worker's side of a loop exposed by `exposeLoop()`.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import {
  type CallMessage,
  rebuildError,
  type ReplyMessage,
  type RunMessage,
} from "./_messages.ts";

/**
 * A loop on another Worker, reached through the port its `exposeLoop()`
 * returned: call its exposed functions by name.
 *
 * @example A Worker's side (declared, not run: it needs the other side)
 * ```ts
 * import { connectLoop } from "@asyncio/deno";
 * function onPort(port: MessagePort) {
 *   const loop = connectLoop(port);
 *   for (let i = 0; i < 3; i++) loop.callSoonThreadsafe("record", i);
 *   loop.close();
 * }
 * console.log(typeof onPort); // function
 * ```
 */
export class RemoteLoop {
  readonly #port: MessagePort;
  readonly #replies = new Map<number, PromiseWithResolvers<unknown>>();
  #nextId = 0;
  #closed = false;

  /**
   * Made by `connectLoop`.
   *
   * @param port The port the loop's `exposeLoop()` returned.
   */
  constructor(port: MessagePort) {
    this.#port = port;
    port.onmessage = (event: MessageEvent<ReplyMessage>) => {
      const reply = event.data;
      const waiting = this.#replies.get(reply?.id);
      if (waiting === undefined) return;
      this.#replies.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.value);
      else waiting.reject(rebuildError(reply.error));
    };
  }

  /**
   * Run the exposed function `name(...args)` on the loop as a callback, as
   * asyncio's `loop.call_soon_threadsafe`: the calls of one Worker run in
   * the order made. An unknown name is reported by the loop's exception
   * handler.
   *
   * @param name The function's name in `exposeLoop()`.
   * @param args Its arguments, by structured clone.
   */
  callSoonThreadsafe(name: string, ...args: unknown[]): void {
    this.#check("callSoonThreadsafe", name);
    this.#port.postMessage({ kind: "call", name, args } satisfies CallMessage);
  }

  /**
   * Run the exposed function `name(...args)` on the loop as a task, as
   * asyncio's `run_coroutine_threadsafe`; return a Promise of its result
   * (rejected with its error, rebuilt as its class where known). Wrap it
   * with `wrapFuture` to await it as a Future of this Worker's loop.
   *
   * @param name The function's name in `exposeLoop()`.
   * @param args Its arguments, by structured clone.
   */
  runCoroutineThreadsafe<T = unknown>(
    name: string,
    ...args: unknown[]
  ): Promise<T> {
    this.#check("runCoroutineThreadsafe", name);
    const id = this.#nextId++;
    const waiting = Promise.withResolvers<unknown>();
    this.#replies.set(id, waiting);
    this.#port.postMessage(
      { kind: "run", id, name, args } satisfies RunMessage,
    );
    // Handled here, so that a result nobody awaits is dropped, as Python's
    // concurrent future drops it, instead of killing the Worker.
    waiting.promise.catch(() => {});
    return waiting.promise as Promise<T>;
  }

  /**
   * Close the port (an open port keeps this Worker's event loop alive): the
   * pending replies fail with `RuntimeError`.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#port.close();
    for (const waiting of this.#replies.values()) {
      waiting.reject(new RuntimeError("connectLoop: the port was closed"));
    }
    this.#replies.clear();
  }

  #check(api: string, name: unknown): void {
    if (typeof name !== "string") {
      throw new TypeError(
        `${api}: name must be a string, got ${describe(name)}`,
      );
    }
    if (this.#closed) {
      throw new RuntimeError(`${api}: the port was closed`);
    }
  }
}

/**
 * Reach a loop on another Worker through the port its `exposeLoop()`
 * returned (transferred to this Worker).
 *
 * @param port The transferred port.
 * @returns The remote loop.
 *
 * @example
 * ```ts
 * import { connectLoop } from "@asyncio/deno";
 * const { port1 } = new MessageChannel();
 * const loop = connectLoop(port1);
 * loop.close();
 * ```
 */
export function connectLoop(port: MessagePort): RemoteLoop {
  if (!(port instanceof MessagePort)) {
    throw new TypeError(
      `connectLoop: port must be a MessagePort, got ${describe(port)}`,
    );
  }
  return new RemoteLoop(port);
}
