/**
 * The running loop: the one whose `runForever` is in progress. Only the loop
 * sets it (when it starts and stops running); everything else reads it
 * through `runningLoop()`, as CPython's `events._get_running_loop`.
 *
 * @module
 */
import type { AbstractEventLoop } from "./events.ts";

let running: AbstractEventLoop | null = null;

/** The loop running now, or `null`. */
export function runningLoop(): AbstractEventLoop | null {
  return running;
}

/** The loop starts running (`loop`) or stops (`null`). */
export function setRunningLoop(loop: AbstractEventLoop | null): void {
  running = loop;
}
