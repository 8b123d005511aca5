/**
 * A loop's signal handlers, as asyncio's `add_signal_handler`: each is a
 * Deno signal listener that puts its handle on the loop's ready queue, so
 * the callback runs as a loop callback (never inside Deno's listener, and
 * after whatever the loop was doing), once per signal received.
 *
 * Invariants:
 * - At most one handler per signal: adding one replaces the previous.
 * - Every Deno listener added here is removed by `remove()` or `clear()`
 *   (the loop's `close()`): a closed loop listens to nothing.
 *
 * @module
 */
import { RuntimeError } from "../exceptions/builtins.ts";
import type { Handle } from "./events.ts";
import { signalNumber } from "./signals.ts";

interface Installed {
  handle: Handle;
  listener: () => void;
}

/** How many loops have a handler for each signal. */
const handled = new Map<Deno.Signal, number>();

/**
 * Whether a loop has a handler for `sig`: then `run()`'s own Ctrl-C
 * handling stands aside, as CPython's does once `loop.add_signal_handler`
 * replaces its SIGINT handler.
 */
export function loopHandles(sig: Deno.Signal): boolean {
  return (handled.get(sig) ?? 0) > 0;
}

/** The signal handlers of one loop (see the module's header). */
export class SignalHandlers {
  readonly #installed = new Map<Deno.Signal, Installed>();
  readonly #schedule: (handle: Handle) => void;

  /** @param schedule Puts a handle on the loop's ready queue. */
  constructor(schedule: (handle: Handle) => void) {
    this.#schedule = schedule;
  }

  /** Install `handle` for `sig`, replacing the previous handler. */
  add(sig: Deno.Signal, handle: Handle): void {
    const listener = () => {
      if (!handle.cancelled()) this.#schedule(handle);
    };
    try {
      Deno.addSignalListener(sig, listener);
    } catch {
      throw new RuntimeError(`sig ${signalNumber(sig)} cannot be caught`);
    }
    this.remove(sig);
    this.#installed.set(sig, { handle, listener });
    handled.set(sig, (handled.get(sig) ?? 0) + 1);
  }

  /** Remove the handler of `sig`; return whether there was one. */
  remove(sig: Deno.Signal): boolean {
    const installed = this.#installed.get(sig);
    if (installed === undefined) return false;
    this.#installed.delete(sig);
    handled.set(sig, handled.get(sig)! - 1);
    Deno.removeSignalListener(sig, installed.listener);
    return true;
  }

  /** Remove every handler (the loop closes). */
  clear(): void {
    for (const sig of [...this.#installed.keys()]) this.remove(sig);
  }
}
