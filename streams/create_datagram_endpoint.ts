/**
 * `createDatagramEndpoint()`: asyncio's UDP endpoints
 * (`loop.create_datagram_endpoint`) over `Deno.listenDatagram`, which Deno
 * 2.9 offers only with `--unstable-net`.
 *
 * @module
 */
import { ValueError } from "../exceptions/builtins.ts";
import { checkFunction, checkOptions } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { gaierror } from "../exceptions/os_errors.ts";
import { ioEnded, ioStarted } from "../loop/_io_in_flight.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import type { DatagramProtocolLike } from "../loop/protocols.ts";
import type {
  DatagramEndpointOptions,
  DatagramTransport,
} from "../loop/transports.ts";
import type { CoroutineGenerator } from "../tasks/coroutine.ts";
import { failWith, type Future } from "../tasks/future.ts";
import type { Awaitable } from "../tasks/future.ts";
import { Op } from "../tasks/_op.ts";
import {
  type Address,
  checkAddress,
  DatagramSocketTransport,
  listenDatagram,
} from "./_datagram_transport.ts";
import { toPythonError } from "./_os_errors.ts";
import { makeProtocol } from "./_make_protocol.ts";

const OPTIONS = [
  "localAddr",
  "remoteAddr",
  "reusePort",
  "allowBroadcast",
] as const;

/**
 * Open a UDP endpoint and drive the protocol that `protocolFactory` makes,
 * as asyncio's `loop.create_datagram_endpoint`: return `[transport,
 * protocol]` once `connectionMade` has run. Needs `--allow-net` and, on
 * Deno 2.9, `--unstable-net` (else a `RuntimeError` says so).
 *
 * `localAddr` is bound (a failure raised under its Python name, such as
 * `OSError` `[Errno 98] Address already in use`); without it, port 0 on
 * loopback if `remoteAddr` is a loopback address, else on all interfaces.
 * With `remoteAddr` (a name is resolved first: `localhost` to
 * `127.0.0.1`, others with `Deno.resolveDns`), `sendto(data)` sends there,
 * another address is a `ValueError`, and datagrams from elsewhere are
 * dropped. Bad arguments are a `TypeError` or `ValueError` naming them;
 * neither address is asyncio's `ValueError` "unexpected address family".
 *
 * Deno's UDP sockets are never `connect()`ed: an ICMP "port unreachable"
 * for a datagram sent to a closed port is not reported (asyncio, on a
 * connected socket, gives `errorReceived` a `ConnectionRefusedError`); the
 * datagram is just lost, as for an endpoint without `remoteAddr`.
 *
 * @param protocolFactory Makes the endpoint's protocol.
 * @param options `localAddr`, `remoteAddr`, `reusePort`, `allowBroadcast`.
 * @returns `[transport, protocol]`, awaitable with `await` and `yield*`.
 *
 * @example The asyncio docs' UDP echo client (declared, not run: it needs a server)
 * ```ts
 * import {
 *   DatagramProtocol,
 *   type DatagramTransport,
 *   getRunningLoop,
 * } from "@asyncio/deno";
 * class EchoClientProtocol extends DatagramProtocol {
 *   override connectionMade(transport: DatagramTransport) {
 *     transport.sendto(new TextEncoder().encode("Hello World!"));
 *   }
 *   override datagramReceived(data: Uint8Array) {
 *     console.log("Received:", new TextDecoder().decode(data));
 *   }
 * }
 * async function client() {
 *   const [transport] = await getRunningLoop().createDatagramEndpoint(
 *     () => new EchoClientProtocol(),
 *     { remoteAddr: ["127.0.0.1", 9999] },
 *   );
 *   transport.close();
 * }
 * console.log(typeof client); // function
 * ```
 */
export function createDatagramEndpoint<P extends DatagramProtocolLike>(
  loop: AbstractEventLoop | null,
  protocolFactory: () => P,
  options: DatagramEndpointOptions = {},
): Awaitable<[DatagramTransport, P]> {
  const api = "createDatagramEndpoint";
  checkFunction(api, "protocolFactory", protocolFactory);
  const given = checkOptions(api, options, OPTIONS);
  const localAddr = addressOption(api, "localAddr", given.localAddr);
  const remoteAddr = addressOption(api, "remoteAddr", given.remoteAddr);
  const reusePort = flagOption(api, "reusePort", given.reusePort);
  const allowBroadcast = flagOption(
    api,
    "allowBroadcast",
    given.allowBroadcast,
  );
  if (localAddr === null && remoteAddr === null) {
    throw new ValueError("unexpected address family");
  }
  const listen = listenDatagram(api);
  return new Op(
    open(
      loop ?? getEventLoop(),
      protocolFactory,
      listen,
      localAddr,
      remoteAddr,
      reusePort,
      // asyncio does not connect() a broadcasting socket: nothing filtered.
      !allowBroadcast,
    ),
    api,
  );
}

function* open<P extends DatagramProtocolLike>(
  loop: AbstractEventLoop,
  protocolFactory: () => P,
  listen: typeof Deno.listenDatagram,
  localAddr: Address | null,
  remoteAddr: Address | null,
  reuseAddress: boolean,
  filter: boolean,
): CoroutineGenerator<[DatagramTransport, P]> {
  let remote: Address | null = null;
  if (remoteAddr !== null) {
    remote = [yield* resolved(loop, remoteAddr[0]), remoteAddr[1]];
  }
  const [hostname, port] = localAddr ?? [anyAddressFor(remote![0]), 0];
  let conn: Deno.DatagramConn;
  try {
    conn = listen({ transport: "udp", hostname, port, reuseAddress });
  } catch (error) {
    throw toPythonError(error);
  }
  let protocol: P;
  try {
    protocol = makeProtocol(protocolFactory);
  } catch (error) {
    conn.close();
    throw error;
  }
  const transport = new DatagramSocketTransport(
    loop,
    conn,
    protocol,
    remote,
    filter,
  );
  // After connectionMade and the first receive, as asyncio's waiter.
  const waiter = loop.createFuture<undefined>();
  loop.callSoon(setResultUnlessCancelled, waiter);
  try {
    yield* waiter;
  } catch (error) {
    transport.close();
    throw error;
  }
  return [transport, protocol];
}

function setResultUnlessCancelled(future: Future<undefined>): void {
  if (!future.done()) future.setResult(undefined);
}

function addressOption(
  api: string,
  name: string,
  value: unknown,
): Address | null {
  if (value === undefined || value === null) return null;
  return checkAddress(api, `options.${name}`, value);
}

function flagOption(api: string, name: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") {
    throw new TypeError(
      `${api}: options.${name} must be a boolean, got ${describe(value)}`,
    );
  }
  return value;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The loopback or wildcard address of `host`'s family, port 0 to bind. */
function anyAddressFor(host: string): string {
  if (host.includes(":")) return host === "::1" ? "::1" : "::";
  return host.startsWith("127.") ? "127.0.0.1" : "0.0.0.0";
}

/**
 * The address `host` stands for, as Deno reports senders: an IP literal
 * as it is (IPv6 in its short form), `localhost` as `127.0.0.1` (what
 * Python's `getaddrinfo` gives first), any other name resolved with
 * `Deno.resolveDns` (A first, then AAAA), a failure a `gaierror`.
 */
function* resolved(
  loop: AbstractEventLoop,
  host: string,
): CoroutineGenerator<string> {
  if (IPV4.test(host)) return host;
  if (host.includes(":")) return ipv6(host);
  if (host.toLowerCase() === "localhost") return "127.0.0.1";
  const future = loop.createFuture<string>();
  ioStarted(); // until resolved or failed
  lookup(host).then(
    (address) => {
      ioEnded();
      if (!future.done() && !loop.isClosed()) future.setResult(address);
    },
    (error) => {
      ioEnded();
      if (!future.done() && !loop.isClosed()) failWith(future, error);
    },
  );
  return yield* future;
}

function ipv6(host: string): string {
  try {
    return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  } catch {
    throw new gaierror("[Errno -2] Name or service not known", {
      errno: -2,
      strerror: "Name or service not known",
    });
  }
}

async function lookup(host: string): Promise<string> {
  for (const type of ["A", "AAAA"] as const) {
    try {
      const [first] = await Deno.resolveDns(host, type);
      if (first !== undefined) return first;
    } catch (error) {
      // No record of this type: try the next one.
      if (!(error instanceof Deno.errors.NotFound)) throw toPythonError(error);
    }
  }
  throw new gaierror("[Errno -2] Name or service not known", {
    errno: -2,
    strerror: "Name or service not known",
  });
}
