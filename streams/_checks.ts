/**
 * Argument checks shared by `openConnection`, `startServer`, their Unix
 * socket counterparts and `StreamWriter.startTls`.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import { ValueError } from "../exceptions/builtins.ts";
import type { SslClientOptions } from "./open_connection.ts";

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

/** asyncio's `SSL_HANDSHAKE_TIMEOUT`, in seconds. */
export const SSL_HANDSHAKE_TIMEOUT = 60;

/** asyncio's `SSL_SHUTDOWN_TIMEOUT`, in seconds. */
export const SSL_SHUTDOWN_TIMEOUT = 30;

/**
 * Check `options.sslHandshakeTimeout`: absent or `null` (asyncio's 60 s), or
 * a positive number of seconds; return it.
 */
export function checkHandshakeTimeout(api: string, value: unknown): number {
  return checkSslTimeout(
    api,
    "sslHandshakeTimeout",
    "ssl_handshake_timeout",
    value ?? SSL_HANDSHAKE_TIMEOUT,
  );
}

/**
 * Check `options.sslShutdownTimeout`: absent or `null` (asyncio's 30 s), or
 * a positive number of seconds; return it.
 */
export function checkShutdownTimeout(api: string, value: unknown): number {
  return checkSslTimeout(
    api,
    "sslShutdownTimeout",
    "ssl_shutdown_timeout",
    value ?? SSL_SHUTDOWN_TIMEOUT,
  );
}

function checkSslTimeout(
  api: string,
  option: string,
  pythonName: string,
  timeout: unknown,
): number {
  if (typeof timeout !== "number" || Number.isNaN(timeout)) {
    throw new TypeError(
      `${api}: options.${option} must be a number of seconds, got ${
        describe(timeout)
      }`,
    );
  }
  if (timeout <= 0) {
    throw new ValueError(
      `${pythonName} should be a positive number, got ${timeout}`,
    );
  }
  return timeout;
}

/**
 * Throw asyncio's `ValueError` when a TLS option (`sslHandshakeTimeout`,
 * `sslShutdownTimeout`) is given without `ssl`.
 */
export function checkOnlyWithSsl(
  options: { sslHandshakeTimeout?: unknown; sslShutdownTimeout?: unknown },
  ssl: unknown,
): void {
  if (ssl !== null) return;
  if ((options.sslHandshakeTimeout ?? null) !== null) {
    throw new ValueError("ssl_handshake_timeout is only meaningful with ssl");
  }
  if ((options.sslShutdownTimeout ?? null) !== null) {
    throw new ValueError("ssl_shutdown_timeout is only meaningful with ssl");
  }
}

/** Throw unless `backlog` (an option) is absent or an integer. */
export function checkBacklog(api: string, backlog: unknown): void {
  if (
    backlog !== undefined &&
    (typeof backlog !== "number" || !Number.isInteger(backlog))
  ) {
    throw new TypeError(
      `${api}: options.backlog must be an integer, got ${describe(backlog)}`,
    );
  }
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

/** Throw unless `options` is an object with only the allowed keys. */
export { checkOptions } from "../tasks/_combinators.ts";

const DEFAULT_SSL: SslClientOptions = Object.freeze({});

/**
 * A client's `ssl` as settings: `null` for none (`undefined`, `null`,
 * `false`), a frozen `{}` for `true`; else a `TypeError` naming `api` and
 * the argument `name`.
 */
export function checkSsl(
  api: string,
  name: string,
  ssl: unknown,
): SslClientOptions | null {
  if (ssl === undefined || ssl === null || ssl === false) return null;
  if (ssl === true) return DEFAULT_SSL;
  if (typeof ssl !== "object") {
    throw new TypeError(
      `${api}: ${name} must be a boolean or an object, got ${describe(ssl)}`,
    );
  }
  const caCerts = (ssl as SslClientOptions).caCerts;
  if (
    caCerts !== undefined &&
    (!Array.isArray(caCerts) || caCerts.some((c) => typeof c !== "string"))
  ) {
    throw new TypeError(
      `${api}: ${name}.caCerts must be an array of PEM strings, got ${
        describe(caCerts)
      }`,
    );
  }
  return ssl as SslClientOptions;
}
