/**
 * `PIPE`, `STDOUT` and `DEVNULL`: what a subprocess's `stdin`, `stdout` and
 * `stderr` may be, with the values of Python's `asyncio.subprocess`.
 *
 * @module
 */

/**
 * Connect the stream to the parent through a pipe: the `Process` then has
 * a `StreamWriter` (`stdin`) or a `StreamReader` (`stdout`, `stderr`).
 *
 * @example
 * ```ts
 * import { PIPE } from "@asyncio/deno";
 * console.log(PIPE); // -1
 * ```
 */
export const PIPE: -1 = -1;

/**
 * For `stderr` only: send the child's errors to the same pipe as its
 * output (`stdout: PIPE`).
 *
 * @example
 * ```ts
 * import { STDOUT } from "@asyncio/deno";
 * console.log(STDOUT); // -2
 * ```
 */
export const STDOUT: -2 = -2;

/**
 * Connect the stream to the null device: no input, output thrown away.
 *
 * @example
 * ```ts
 * import { DEVNULL } from "@asyncio/deno";
 * console.log(DEVNULL); // -3
 * ```
 */
export const DEVNULL: -3 = -3;
