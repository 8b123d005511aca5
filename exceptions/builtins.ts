/**
 * Python's built-in exceptions that asyncio raises and this module needs
 * under their Python names: `RuntimeError`, `ValueError`,
 * `KeyboardInterrupt`. A leaf, as every file of `exceptions/`.
 *
 * @module
 */

/**
 * Python's `RuntimeError`: raised where asyncio raises it (no running event
 * loop, closing a running loop, …).
 *
 * @example Checking the name
 * ```ts
 * import { RuntimeError } from "@asyncio/deno";
 * console.log(new RuntimeError("no running event loop").name); // RuntimeError
 * ```
 */
export class RuntimeError extends Error {
  /**
   * Make the exception.
   *
   * @param message What went wrong.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "RuntimeError";
  }
}

/**
 * Python's `ValueError`: an argument of the right type has a bad value.
 *
 * @example Checking the name
 * ```ts
 * import { ValueError } from "@asyncio/deno";
 * console.log(new ValueError("bad").name); // ValueError
 * ```
 */
export class ValueError extends Error {
  /**
   * Make the exception.
   *
   * @param message What was wrong with the value.
   */
  constructor(message?: string) {
    super(message ?? "");
    this.name = "ValueError";
  }
}

/**
 * Python's `KeyboardInterrupt`: what `run()` rejects with when Ctrl-C
 * (SIGINT) cancelled its main task. Its `cause` is that `CancelledError`.
 *
 * @example Cleaning up after Ctrl-C
 * ```ts
 * import { KeyboardInterrupt, run, sleep } from "@asyncio/deno";
 * try {
 *   await run(sleep(0.01));
 * } catch (error) {
 *   if (!(error instanceof KeyboardInterrupt)) throw error;
 *   console.log("interrupted");
 * }
 * ```
 */
export class KeyboardInterrupt extends Error {
  /**
   * Make the exception.
   *
   * @param options What was interrupted, as `cause`.
   */
  constructor(options?: ErrorOptions) {
    super("", options);
    this.name = "KeyboardInterrupt";
  }
}
