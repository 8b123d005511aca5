/**
 * Ctrl-C during `run()`, as asyncio's runner does it: the first SIGINT
 * cancels the main task, so its `finally` blocks and context exits run, and
 * `run()` rejects with `KeyboardInterrupt`. A second one, while main still
 * cleans up, stops the loop at once, as Python's second `KeyboardInterrupt`
 * breaks out of it: `run()` then cancels every task (main too) and rejects.
 * From then on SIGINT has its default action: a third ends the process.
 * While a loop has its own SIGINT handler (`loop.addSignalHandler`), that
 * handler alone runs, as in CPython.
 *
 * @module
 */
import type { KeyboardInterrupt } from "../exceptions/builtins.ts";
import { loopHandles } from "../loop/_signal_handlers.ts";

/** What `run()` needs of its main task. */
interface MainTask {
  done(): boolean;
  cancel(): boolean;
}

/** A SIGINT listener installed for one `run()`. */
export interface SigintWatch {
  /** How many SIGINTs arrived: 1 cancelled main, 2 stopped the loop. */
  readonly interrupts: number;
  /** Give SIGINT its default action back (idempotent). */
  remove(): void;
}

const NOT_WATCHING: SigintWatch = { interrupts: 0, remove() {} };

/**
 * Whether this thread may own SIGINT: the main thread only, as CPython's
 * runner, and only where Deno has signal listeners.
 */
function mayListen(): boolean {
  const scope =
    (globalThis as { WorkerGlobalScope?: abstract new () => unknown })
      .WorkerGlobalScope;
  if (scope !== undefined && globalThis instanceof scope) return false;
  return typeof Deno?.addSignalListener === "function";
}

/** Cancel `main` on the first SIGINT, stop `loop` on the second. */
export function watchSigint(
  loop: { stop(): void },
  main: MainTask,
): SigintWatch {
  if (!mayListen()) return NOT_WATCHING;
  let interrupts = 0;
  let listening = true;
  const remove = () => {
    if (!listening) return;
    listening = false;
    Deno.removeSignalListener("SIGINT", onSigint);
  };
  const onSigint = () => {
    if (loopHandles("SIGINT")) return; // the program's own handler has it
    interrupts++;
    if (interrupts === 1 && !main.done()) {
      main.cancel();
      return;
    }
    remove();
    loop.stop();
  };
  try {
    Deno.addSignalListener("SIGINT", onSigint);
  } catch {
    return NOT_WATCHING; // a platform without SIGINT
  }
  return {
    get interrupts() {
      return interrupts;
    },
    remove,
  };
}

/**
 * If nobody handles `error` (the `KeyboardInterrupt` `run()` rejects with),
 * print it and exit with status 130, as Python ends on an uncaught
 * `KeyboardInterrupt` and shells report Ctrl-C; Deno would exit with 1.
 */
export function exitIfUnhandled(error: KeyboardInterrupt): void {
  const onUnhandled = (event: PromiseRejectionEvent) => {
    if (event.reason !== error) return;
    event.preventDefault();
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
    console.error(error);
    Deno.exit(130);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
}
