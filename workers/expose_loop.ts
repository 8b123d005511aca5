/**
 * `exposeLoop()`: the side of a loop that code on other Workers talks to,
 * as asyncio's `call_soon_threadsafe` and `run_coroutine_threadsafe` are
 * called from other threads.
 *
 * How it works: a function cannot cross to another Worker, so the loop
 * exposes named functions, and the other side names them. `exposeLoop`
 * makes a `MessageChannel`, keeps one port and returns the other, to be
 * transferred to a Worker (`worker.postMessage(port, [port])`), where
 * `connectLoop(port)` wraps it. Each message runs its function on this
 * loop: a call as a loop callback (`callSoonThreadsafe`), in the order
 * sent; a run as a task, whose outcome goes back as a reply.
 *
 * Invariants:
 * - A message runs only through the loop's ready queue: never inside
 *   Deno's message event, never while a task step is in progress.
 * - The kept port closes when the loop closes: it keeps no process alive.
 *
 * @module
 */
import { checkFunction } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import { closeHooks } from "../loop/_hooks.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type { Task } from "../tasks/task.ts";
import {
  type CallMessage,
  cloneError,
  type ReplyMessage,
  type RunMessage,
} from "./_messages.ts";

/** The functions a loop exposes to other Workers, by name. */
// deno-lint-ignore no-explicit-any
export type ExposedFunctions = Record<string, (...args: any[]) => unknown>;

const openPorts = new Map<AbstractEventLoop, Set<MessagePort>>();

closeHooks.push((loop) => {
  const ports = openPorts.get(loop as AbstractEventLoop);
  if (ports === undefined) return;
  openPorts.delete(loop as AbstractEventLoop);
  for (const port of ports) port.close();
});

/**
 * Expose `functions` of `loop` to another Worker: return the port to
 * transfer to it, where `connectLoop(port)` calls them by name
 * (`callSoonThreadsafe`: as a loop callback; `runCoroutineThreadsafe`: as
 * a task, with its result or error sent back). Arguments and results go by
 * structured clone. The loop's `close()` closes the port.
 *
 * @param loop The loop the functions run on.
 * @param functions The functions, by the names the other side uses.
 * @returns The port to transfer to the other Worker.
 *
 * @example Letting a Worker schedule callbacks on this loop
 * ```ts
 * import { exposeLoop, getRunningLoop, run } from "@asyncio/deno";
 * await run(async () => {
 *   const seen: number[] = [];
 *   const port = exposeLoop(getRunningLoop(), { record: (n: number) => seen.push(n) });
 *   // new Worker(url, { type: "module" }).postMessage(port, [port]);
 *   port.close();
 *   console.log(seen.length); // 0
 * });
 * ```
 */
export function exposeLoop(
  loop: AbstractEventLoop,
  functions: ExposedFunctions,
): MessagePort {
  if (typeof loop?.callSoonThreadsafe !== "function") {
    throw new TypeError(
      `exposeLoop: loop must be an event loop, got ${describe(loop)}`,
    );
  }
  if (functions === null || typeof functions !== "object") {
    throw new TypeError(
      `exposeLoop: functions must be an object of functions, got ${
        describe(functions)
      }`,
    );
  }
  for (const [name, fn] of Object.entries(functions)) {
    checkFunction("exposeLoop", `functions.${name}`, fn);
  }
  if (loop.isClosed()) throw new RuntimeError("Event loop is closed");
  const { port1: kept, port2: given } = new MessageChannel();
  let ports = openPorts.get(loop);
  if (ports === undefined) openPorts.set(loop, ports = new Set());
  ports.add(kept);
  const table = new Map(Object.entries(functions));
  kept.onmessage = (event: MessageEvent<CallMessage | RunMessage>) => {
    if (loop.isClosed()) return;
    const message = event.data;
    const fn = table.get(message?.name);
    if (message?.kind === "call") {
      if (fn === undefined) return reportUnknown(loop, message.name);
      loop.callSoonThreadsafe(fn, ...message.args);
    } else if (message?.kind === "run") {
      loop.callSoonThreadsafe(runExposed, loop, kept, fn, message);
    }
  };
  return given;
}

function reportUnknown(loop: AbstractEventLoop, name: string): void {
  loop.callExceptionHandler({
    message: `callSoonThreadsafe from a Worker: no function named ${
      JSON.stringify(name)
    } is exposed`,
  });
}

/** A run message's task, and its reply once it is done. */
function runExposed(
  loop: AbstractEventLoop,
  port: MessagePort,
  // deno-lint-ignore no-explicit-any
  fn: ((...args: any[]) => unknown) | undefined,
  message: RunMessage,
): void {
  const reply = (answer: ReplyMessage) => {
    try {
      port.postMessage(answer);
    } catch (error) {
      // The result cannot be cloned: say so instead.
      port.postMessage(
        {
          kind: "reply",
          id: message.id,
          ok: false,
          error: cloneError(error),
        } satisfies ReplyMessage,
      );
    }
  };
  if (fn === undefined) {
    return reply({
      kind: "reply",
      id: message.id,
      ok: false,
      error: cloneError(
        new RuntimeError(
          `runCoroutineThreadsafe: no function named ${
            JSON.stringify(message.name)
          } is exposed`,
        ),
      ),
    });
  }
  const task: Task<unknown> = loop.createTask(
    () => fn(...message.args) as never,
    {
      name: `${message.name}() from a Worker`,
    },
  );
  task.addDoneCallback((done: Task<unknown>) => {
    if (!done.cancelled() && done.exception() === null) {
      reply({ kind: "reply", id: message.id, ok: true, value: done.result() });
    } else {
      const error = done.cancelled()
        ? { name: "CancelledError", message: "", stack: undefined }
        : cloneError(done.exception());
      reply({ kind: "reply", id: message.id, ok: false, error });
    }
  });
}
