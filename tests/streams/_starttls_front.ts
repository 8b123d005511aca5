/**
 * A plain-text STARTTLS front for the `startTls` tests (`StreamWriter`'s
 * and the loop's): Deno cannot upgrade an accepted connection, so the
 * front greets, answers `STARTTLS`, then pipes the raw bytes to a TLS
 * server, whose handshake the client's upgrade reaches.
 *
 * @module
 */
import { dec, enc } from "./_helpers.ts";

export const GREETING = "220 plain greeting\r\n";
export const GO_AHEAD = "220 go ahead\r\n";

async function writeAll(
  conn: Deno.Conn,
  data: Uint8Array,
): Promise<void> {
  for (let sent = 0; sent < data.length;) {
    sent += await conn.write(data.subarray(sent));
  }
}

/** Read from `conn` up to a newline (the peer then waits for a reply). */
async function readLineRaw(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(1024);
  let text = "";
  while (!text.includes("\n")) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += dec(buf.subarray(0, n));
  }
  return text;
}

/** Copy `from` to `to` until EOF or an error, then half-close `to`. */
async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(16 * 1024);
  try {
    for (;;) {
      const n = await from.read(buf);
      if (n === null) break;
      await writeAll(to, buf.subarray(0, n));
    }
  } catch {
    // reset or closed: the other way ends too
  }
  try {
    await to.closeWrite();
  } catch {
    // already gone
  }
}

/** Read and drop what `conn` sends, until it closes (or is closed). */
async function discard(conn: Deno.Conn): Promise<void> {
  const buf = new Uint8Array(16 * 1024);
  try {
    while (await conn.read(buf) !== null) {
      // dropped
    }
  } catch {
    // reset, or closed by hangUp()
  }
}

/** A plain-text STARTTLS front for one client. */
export interface Front {
  port: number;
  /** The command lines the client sent before TLS. */
  commands: string[];
  /** Settles once both sockets are closed. */
  done: Promise<void>;
  /** Close the client's socket (a silent front waits for this). */
  hangUp(): void;
}

/**
 * Serve one client with raw Deno APIs: greet, then answer each command
 * line with "250 ok" until `STARTTLS`, answered with `GO_AHEAD + extra` in
 * one write. Then pipe the raw bytes both ways to the TLS server at
 * `backendPort`, or, with `null`, read and drop the client's bytes until
 * `hangUp()` (Deno lets a TLS handshake in progress run on after the client
 * closes its `TlsConn`, so the client's socket stays open until then).
 */
export function startTlsFront(backendPort: number | null, extra = ""): Front {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const commands: string[] = [];
  let conn: Deno.Conn | null = null;
  let hungUp = false;
  const serve = async () => {
    try {
      conn = await listener.accept();
    } finally {
      listener.close();
    }
    let backend: Deno.Conn | null = null;
    try {
      await writeAll(conn, enc(GREETING));
      for (;;) {
        const line = await readLineRaw(conn);
        if (line === "") return;
        commands.push(line);
        if (line !== "STARTTLS\r\n") {
          await writeAll(conn, enc("250 ok\r\n"));
          continue;
        }
        await writeAll(conn, enc(GO_AHEAD + extra));
        break;
      }
      if (backendPort === null) {
        await discard(conn);
        return;
      }
      backend = await Deno.connect({
        hostname: "127.0.0.1",
        port: backendPort,
      });
      await Promise.all([pipe(conn, backend), pipe(backend, conn)]);
    } finally {
      if (!hungUp) conn.close();
      backend?.close();
    }
  };
  return {
    port: (listener.addr as Deno.NetAddr).port,
    commands,
    done: serve(),
    hangUp() {
      hungUp = true;
      conn?.close();
    },
  };
}
