/**
 * `loop.startTls(transport, protocol, sslcontext)`: asyncio's
 * `loop.start_tls` for a protocol's TCP transport, client side, as Deno
 * allows it (`Deno.startTls`; no Deno API upgrades an accepted connection).
 *
 * How it works: the upgrade is the one `StreamWriter.startTls` makes
 * (`SocketTransport.startTls`), run as a task started at once, so that the
 * transport stops reading ahead in the same step as the call. That is what
 * makes the upgrade possible at all: a protocol's transport reads again a
 * loop turn after each delivery, and `Deno.startTls` fails while a read is
 * pending (a pending read cannot be cancelled). So `startTls` must be called
 * before the next read starts: from `dataReceived` itself, or from a task
 * woken by what `dataReceived` did (a future it set), as asyncio's STARTTLS
 * examples do; later, with a read pending, it raises `RuntimeError` and the
 * transport goes on in plain text. The upgraded transport is the same
 * object, returned, and goes on driving the same protocol (asyncio returns
 * a new transport; the old one must not be used there, and here it is the
 * new one).
 *
 * @module
 */
import { RuntimeError, ValueError } from "../exceptions/builtins.ts";
import { checkOptions } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import type {
  LoopStartTlsOptions,
  SslClientOptions,
  Transport,
} from "../loop/transports.ts";
import { coroutine } from "../tasks/coroutine.ts";
import { Task } from "../tasks/task.ts";
import {
  checkHandshakeTimeout,
  checkShutdownTimeout,
  checkSsl,
} from "./_checks.ts";
import { SocketTransport } from "./_socket_transport.ts";
import { UserProtocol } from "./_user_protocol.ts";

const OPTIONS = [
  "serverSide",
  "serverHostname",
  "sslHandshakeTimeout",
  "sslShutdownTimeout",
] as const;

const API = "loop.startTls";

/** The upgrade, as the task `startTls` runs (see the module's header). */
const upgrade = coroutine(function* startTls(
  transport: SocketTransport,
  ssl: SslClientOptions,
  serverHostname: string | null,
  timeout: number,
) {
  yield* transport.startTls(ssl, serverHostname, timeout, API);
  return transport as Transport;
});

/**
 * Upgrade the protocol `protocol`'s TCP `transport` to TLS, as asyncio's
 * `loop.start_tls`; resolves to the transport once the handshake is done.
 * Call it before the transport reads again (see the module's header).
 */
export function startTls(
  loop: AbstractEventLoop,
  transport: unknown,
  protocol: unknown,
  sslcontext: unknown,
  options: LoopStartTlsOptions = {},
): Task<Transport> {
  checkOptions(API, options, OPTIONS);
  if (!(transport instanceof SocketTransport)) {
    throw new TypeError(
      `transport ${describe(transport)} is not supported by start_tls()`,
    );
  }
  if (protocol === null || typeof protocol !== "object") {
    throw new TypeError(
      `${API}: protocol must be the transport's protocol, got ${
        describe(protocol)
      }`,
    );
  }
  const driven = transport.protocol;
  if (!(driven instanceof UserProtocol) || driven.user !== protocol) {
    throw new ValueError(
      `${API}: protocol must be the one the transport drives (the upgraded ` +
        "transport goes on driving it; asyncio's may switch protocols)",
    );
  }
  if (
    sslcontext !== true &&
    (sslcontext === null || typeof sslcontext !== "object")
  ) {
    throw new TypeError(
      `${API}: sslcontext must be true or an object, got ${
        describe(sslcontext)
      }`,
    );
  }
  const ssl = checkSsl(API, "sslcontext", sslcontext)!;
  const { serverSide = false, serverHostname = null } = options;
  if (typeof serverSide !== "boolean") {
    throw new TypeError(
      `${API}: options.serverSide must be a boolean, got ${
        describe(serverSide)
      }`,
    );
  }
  if (serverSide) {
    throw new RuntimeError(
      `${API}: Deno has no server-side TLS upgrade (no Deno API upgrades ` +
        "an accepted connection); serve TLS with startServer(…, { ssl }) " +
        "or loop.createServer(…, { ssl }) instead",
    );
  }
  if (serverHostname !== null && typeof serverHostname !== "string") {
    throw new TypeError(
      `${API}: options.serverHostname must be a string, got ${
        describe(serverHostname)
      }`,
    );
  }
  const timeout = checkHandshakeTimeout(API, options.sslHandshakeTimeout);
  checkShutdownTimeout(API, options.sslShutdownTimeout);
  return new Task(upgrade(transport, ssl, serverHostname, timeout), {
    loop,
    eagerStart: true,
  });
}
