/**
 * What the streams tests share: text to bytes and back, a server's port,
 * closing a server, and running a loop that must log nothing.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  type ExceptionContext,
  getRunningLoop,
  run,
  type Server,
} from "../../mod.ts";

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

/** Run `body` in a loop and check that nothing was logged. */
export async function quietly(body: () => Promise<void>): Promise<void> {
  await run(async () => {
    const logged: ExceptionContext[] = [];
    getRunningLoop().setExceptionHandler((_loop, ctx) => logged.push(ctx));
    await body();
    assert.deepEqual(logged, []);
  });
}
