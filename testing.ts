/**
 * `@asyncio/deno/testing`: what tests of asyncio programs use, as Trio keeps
 * `MockClock` in `trio.testing`: the virtual clock (`run(main, { clock:
 * "virtual" })` makes one for you), the real one, and the `Clock` interface
 * to write your own.
 *
 * @example An hour of timers in no time
 * ```ts
 * import { VirtualClock } from "@asyncio/deno/testing";
 * import { EventLoop } from "@asyncio/deno";
 * const loop = new EventLoop({ clock: new VirtualClock() });
 * loop.callLater(3600, () => loop.stop());
 * await loop.runForever();
 * console.log(loop.time()); // 3600
 * loop.close();
 * ```
 *
 * @module
 */
export { type Clock, MonotonicClock, VirtualClock } from "./loop/clock.ts";
