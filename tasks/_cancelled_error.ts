/**
 * The `CancelledError` a cancelled future or task raises, made here for
 * both. Outside debug mode it has no stack: its frames would be the loop's
 * own (it is made where the wait wakes, not where `cancel()` was called),
 * and V8 keeps the captured frames alive with the error, which at 100,000
 * cancellations was most of the collector's work. In debug mode it keeps
 * them, as any error.
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
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const error = new CancelledError(message);
  Error.stackTraceLimit = limit;
  return error;
}
