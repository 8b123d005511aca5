/**
 * What bad input raises: the one home of the argument checks every layer
 * uses, in one message style. A wrong type is a `TypeError`, a wrong value
 * a `ValueError` (as asyncio raises them); the message names the API, the
 * argument and what was given: `callLater: delay must be a number of
 * seconds, got string "1"`.
 *
 * Each check returns the value it accepted, typed, so that a caller checks
 * and reads in one step.
 *
 * @module
 */
import { ValueError } from "./builtins.ts";
import { describe } from "./describe.ts";

/** A `TypeError` unless `value` is a function. */
export function checkFunction(api: string, arg: string, value: unknown): void {
  if (typeof value !== "function") {
    throw new TypeError(
      `${api}: ${arg} must be a function, got ${describe(value)}`,
    );
  }
}

/** A `TypeError` unless `value` is a number of seconds (not NaN). */
export function checkSeconds(api: string, arg: string, value: unknown): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(
      `${api}: ${arg} must be a number of seconds, got ${describe(value)}`,
    );
  }
  return value;
}

/** A timeout or deadline: a number of seconds (not NaN), or `null`. */
export function checkSecondsOrNull(
  api: string,
  arg: string,
  value: unknown,
): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(
      `${api}: ${arg} must be a number of seconds or null, got ${
        describe(value)
      }`,
    );
  }
  return value;
}

/** A `TypeError` unless `value` is an integer. */
export function checkInteger(api: string, arg: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(
      `${api}: ${arg} must be an integer, got ${describe(value)}`,
    );
  }
  return value;
}

/** An integer from 0 to 65535 (a `ValueError` outside). */
export function checkPort(api: string, port: unknown): number {
  checkInteger(api, "port", port);
  if ((port as number) < 0 || (port as number) > 65535) {
    throw new ValueError(`${api}: port must be 0-65535, got ${port}`);
  }
  return port as number;
}

/** A stream's buffer limit: a positive integer (asyncio's `ValueError`). */
export function checkLimit(api: string, limit: unknown): number {
  checkInteger(api, "options.limit", limit);
  if ((limit as number) <= 0) throw new ValueError("Limit cannot be <= 0");
  return limit as number;
}

/** A non-empty string (a path). */
export function checkPath(api: string, path: unknown): string {
  if (typeof path !== "string") {
    throw new TypeError(
      `${api}: path must be a string, got ${describe(path)}`,
    );
  }
  if (path === "") throw new ValueError(`${api}: path must not be empty`);
  return path;
}

/**
 * An options object: `undefined` means none; anything but a plain object
 * (an awaitable, an iterable: an argument misplaced), or a key not in
 * `allowed`, is a `TypeError` naming it.
 */
export function checkOptions<O extends object>(
  api: string,
  options: O | undefined,
  allowed: readonly string[],
): Partial<O> {
  if (options === undefined) return {};
  if (
    options === null || typeof options !== "object" ||
    typeof (options as { then?: unknown }).then === "function" ||
    Symbol.iterator in options
  ) {
    throw new TypeError(
      `${api}: options must be an object, got ${describe(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${api}: unknown option "${key}"`);
    }
  }
  return options;
}
