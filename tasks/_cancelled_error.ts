/**
 * The `CancelledError` a cancelled future or task raises, made here for
 * both. Outside debug mode it has no stack: its frames would be the loop's
 * own (it is made where the wait wakes, not where `cancel()` was called),
 * and V8 keeps the captured frames alive with the error, which at 100,000
 * cancellations was most of the collector's work. In debug mode it keeps
 * them, as any error.
 *
 * How it is made without one: `new` of any error class records up to 10
 * frames whatever `Error.stackTraceLimit` says (Deno asks V8 to keep them
 * for its uncaught-error reports), and V8 makes frame objects from them
 * again when the error is thrown into the waiting coroutine: 700 bytes and
 * half the time of a cancellation (100,000 sleeping tasks: 11.2 µs a
 * cancel with them, 5.1 µs without, paired runs). So outside debug mode the
 * error is an object of the class made with `Object.create`, with the
 * `name`, `message` and `stack` of a real one: `instanceof`, `try`/`catch`,
 * printing and the exception handler see no difference, but V8 does not
 * count it as one of its own errors (`Error.isError()` is false).
 *
 * @module
 */
import { CancelledError } from "../exceptions/asyncio.ts";

/** A `CancelledError` with `message`, stackless unless `debug`. */
export function cancelledError(
  message: string | null,
  debug: boolean,
): CancelledError {
  if (debug) return new CancelledError(message);
  const error = Object.create(CancelledError.prototype) as CancelledError;
  const text = message ?? "";
  // As `new CancelledError(message)` leaves them: `name` an own enumerable
  // property (its constructor sets it), `message` and `stack` not enumerable.
  error.name = "CancelledError";
  Object.defineProperty(error, "message", {
    value: text,
    writable: true,
    configurable: true,
  });
  Object.defineProperty(error, "stack", {
    value: text === "" ? "CancelledError" : `CancelledError: ${text}`,
    writable: true,
    configurable: true,
  });
  return error;
}
