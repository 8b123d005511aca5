/**
 * `logger`: where the loop's warnings go, as asyncio logs them to
 * `logging.getLogger("asyncio")`: debug mode's slow callbacks and task
 * steps, and the writes a transport drops after its connection was lost or
 * closed (from the fifth on, as asyncio's).
 * Errors nobody can raise (never-retrieved exceptions, a coroutine never
 * awaited, a task destroyed while pending) go to the loop's exception
 * handler instead, as in asyncio.
 *
 * @module
 */

/**
 * The loop's logger: replace `logger.warning` to route its warnings
 * elsewhere (a test collects them; a server sends them to its log). The
 * default prints to stderr with `console.warn`.
 *
 * @example Collecting the slow-callback warnings
 * ```ts
 * import { logger } from "@asyncio/deno";
 * const warnings: string[] = [];
 * const original = logger.warning;
 * logger.warning = (message) => warnings.push(message);
 * // ... run the code under test with { debug: true } ...
 * logger.warning = original;
 * console.log(warnings.length); // 0
 * ```
 */
export const logger: {
  /** Log a warning (asyncio's `logger.warning`). */
  warning(message: string): void;
} = {
  warning(message: string): void {
    console.warn(message);
  },
};
