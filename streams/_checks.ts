/**
 * Argument checks shared by `openConnection`, `startServer`, their Unix
 * socket counterparts and `StreamWriter.startTls`.
 *
 * @module
 */
import { checkInteger, checkSeconds } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { ValueError } from "../exceptions/builtins.ts";
import type { SslClientOptions } from "../loop/transports.ts";

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
  checkSeconds(api, `options.${option}`, timeout);
  if ((timeout as number) <= 0) {
    throw new ValueError(
      `${pythonName} should be a positive number, got ${timeout}`,
    );
  }
  return timeout as number;
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
  if (backlog !== undefined) checkInteger(api, "options.backlog", backlog);
}

/** Throw unless `options` is an object with only the allowed keys. */
export { checkOptions } from "../exceptions/checks.ts";

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
