/**
 * Signals by name and number, as Python's `signal.Signals` on Linux: Deno
 * names signals (`"SIGTERM"`), Python numbers them (`signal.SIGTERM == 15`),
 * and a ported program may use either.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { ValueError } from "../exceptions/builtins.ts";

/**
 * A signal's name, as Deno names them (`"SIGTERM"`); the module's
 * functions also take Linux's numbers, as Python's (`15`).
 *
 * @example
 * ```ts
 * import type { SignalName } from "@asyncio/deno";
 * const sig: SignalName = "SIGTERM";
 * console.log(sig); // SIGTERM
 * ```
 */
export type SignalName = Deno.Signal;

/** Linux's signal numbers, as Python's `signal` module gives them. */
const NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPWR: 30,
  SIGSYS: 31,
};

const NAMES = new Map(Object.entries(NUMBERS).map(([name, n]) => [n, name]));

/**
 * A signal given by name (`"SIGTERM"`) or by Linux number (`15`), as Deno's
 * name; a `ValueError` for an unknown one, a `TypeError` for anything else.
 *
 * @param fn The function checking it, for the message.
 * @param sig The signal.
 */
export function signalName(fn: string, sig: unknown): SignalName {
  if (typeof sig === "string") {
    if (sig in NUMBERS) return sig as SignalName;
  } else if (typeof sig === "number") {
    const name = NAMES.get(sig);
    if (name !== undefined) return name as SignalName;
  } else {
    throw new TypeError(
      `${fn}: sig must be a signal name or number, got ${describe(sig)}`,
    );
  }
  throw new ValueError(
    `${fn}: sig must be a known signal, got ${describe(sig)}`,
  );
}

/** The Linux number of a signal named as Deno names it (`"SIGKILL"`: 9). */
export function signalNumber(name: string): number {
  return NUMBERS[name] ?? 0;
}
