/**
 * Argument checks shared by `openConnection`, `startServer` and their Unix
 * socket counterparts.
 *
 * @module
 */
import { describe } from "../loop/_runtime.ts";
import { ValueError } from "../tasks/exceptions.ts";

/** Throw unless `port` is an integer from 0 to 65535; return it. */
export function checkPort(api: string, port: unknown): number {
  if (typeof port !== "number" || !Number.isInteger(port)) {
    throw new TypeError(
      `${api}: port must be an integer, got ${describe(port)}`,
    );
  }
  if (port < 0 || port > 65535) {
    throw new ValueError(`${api}: port must be 0-65535, got ${port}`);
  }
  return port;
}

/** Throw unless `limit` is a positive integer; return it. */
export function checkLimit(api: string, limit: unknown): number {
  if (typeof limit !== "number" || !Number.isInteger(limit)) {
    throw new TypeError(
      `${api}: options.limit must be an integer, got ${describe(limit)}`,
    );
  }
  if (limit <= 0) throw new ValueError("Limit cannot be <= 0");
  return limit;
}

/** Throw unless `path` is a non-empty string; return it. */
export function checkPath(api: string, path: unknown): string {
  if (typeof path !== "string") {
    throw new TypeError(
      `${api}: path must be a string, got ${describe(path)}`,
    );
  }
  if (path === "") throw new ValueError(`${api}: path must not be empty`);
  return path;
}

/** Throw unless `options` is an object; return it. */
export function checkOptions<T>(api: string, options: T): T {
  if (options === null || typeof options !== "object") {
    throw new TypeError(
      `${api}: options must be an object, got ${describe(options)}`,
    );
  }
  return options;
}
