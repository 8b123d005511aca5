/**
 * The current-loop functions of asyncio's policy: `getEventLoop`,
 * `setEventLoop`, `newEventLoop`, `getRunningLoop`.
 *
 * @module
 */
import { RuntimeError } from "../exceptions/builtins.ts";
import { describe } from "../exceptions/describe.ts";
import { runningLoop } from "./_running_loop.ts";
import { EventLoop, type EventLoopOptions } from "./base_event_loop.ts";
import type { AbstractEventLoop } from "./events.ts";

let current: AbstractEventLoop | null = null;

/**
 * Return the running event loop; throw `RuntimeError` if there is none.
 *
 * @example Inside a coroutine
 * ```ts
 * import { getRunningLoop, run } from "@asyncio/deno";
 * await run(async () => console.log(getRunningLoop().isRunning())); // true
 * ```
 */
export function getRunningLoop(): AbstractEventLoop {
  const loop = runningLoop();
  if (loop === null) throw new RuntimeError("no running event loop");
  return loop;
}

/**
 * Return the running event loop, or else the current one, creating it if
 * there is none (or it was closed): the code a coroutine runs before its first
 * `await` binds to the loop that `run()` then runs.
 *
 * @example The tutorial's loop
 * ```ts
 * import { getEventLoop, sleep } from "@asyncio/deno";
 * const loop = getEventLoop();
 * console.log(await loop.runUntilComplete(sleep(0.01, "done")));
 * loop.close();
 * ```
 */
export function getEventLoop(): AbstractEventLoop {
  const running = runningLoop();
  if (running !== null) return running;
  if (current === null || current.isClosed()) current = new EventLoop();
  return current;
}

/**
 * Set the current event loop (`null` unsets it).
 *
 * @example Setting a loop
 * ```ts
 * import { getEventLoop, newEventLoop, setEventLoop } from "@asyncio/deno";
 * const loop = newEventLoop();
 * setEventLoop(loop);
 * console.log(getEventLoop() === loop); // true
 * loop.close();
 * setEventLoop(null);
 * ```
 */
export function setEventLoop(loop: AbstractEventLoop | null): void {
  if (loop !== null && !(loop instanceof EventLoop)) {
    throw new TypeError(
      `setEventLoop: loop must be an EventLoop or null, got ${describe(loop)}`,
    );
  }
  current = loop;
}

/**
 * Create and return a new event loop; `{ clock: "virtual" }` gives it a
 * virtual clock (timers jump instead of sleeping).
 *
 * @example A loop of one's own
 * ```ts
 * import { newEventLoop } from "@asyncio/deno";
 * const loop = newEventLoop();
 * loop.callSoon(() => loop.stop());
 * await loop.runForever();
 * loop.close();
 * ```
 */
export function newEventLoop(
  options: EventLoopOptions = {},
): AbstractEventLoop {
  return new EventLoop(options);
}
