/**
 * `addressOf`: a Deno address as Python's socket functions give it.
 *
 * @module
 */

/**
 * A `[host, port]` pair from a Deno address; for a Unix socket, its path
 * (`""` for an unnamed one), as CPython's AF_UNIX `getpeername()`.
 */
export function addressOf(addr: Deno.Addr): [string, number] | string {
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return [addr.hostname, addr.port];
  }
  return (addr as Deno.UnixAddr).path ?? "";
}
