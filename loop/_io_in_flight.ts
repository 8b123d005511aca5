/**
 * How much real I/O a task awaits right now (a read the reader asked for,
 * a connect, a write in flight), counted by `streams/`: what a virtual
 * clock waits for before it jumps, so that an echo over loopback arrives
 * before a 5-second `waitFor` expires on it (`_run_loop.ts`, `#idleVirtual`).
 *
 * @module
 */

let inFlight = 0;

/** An I/O operation a task awaits has started. */
export function ioStarted(): void {
  inFlight++;
}

/** It has ended (done, failed or dropped). */
export function ioEnded(): void {
  inFlight--;
}

/** How many such operations are in flight. */
export function ioInFlight(): number {
  return inFlight;
}
