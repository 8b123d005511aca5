/**
 * What the streams tests share: text to bytes and back, a server's port,
 * and closing a server.
 *
 * @module
 */
import type { Server } from "../../mod.ts";

/** UTF-8 bytes of `s`. */
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The text of UTF-8 bytes. */
export const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The port a TCP server listens on (it was started on port 0). */
export function portOf(server: Server): number {
  return (server.sockets[0].getsockname() as [string, number])[1];
}

/** Close a server and wait until it is closed. */
export async function shutdown(server: Server): Promise<void> {
  server.close();
  await server.waitClosed();
}
