/**
 * A Deno echo server of `bench/echo_peers.ts`, one per process:
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 bench/_echo_peer_server.ts KIND [OPTIONS]
 * ```
 *
 * It serves on 127.0.0.1 at a free port, prints that port on a line of its
 * own, then answers each line `mem` on stdin with one JSON line
 * `{rss, heapTotal, heapUsed, external}` (after a full GC when
 * `--v8-flags=--expose-gc` gave one), each line `stats` with
 * `{reads, bytes, user_us, sys_us}` (the reads made so far and the bytes they
 * returned: raw's `conn.read`s and protocol's `dataReceived` calls, while
 * ours reads inside the module, so its stay 0; and the process's CPU time,
 * which the Deno load client cannot read from `/proc` without
 * `--allow-all`), and exits when stdin closes. Every kind upper-cases what it echoes
 * (ASCII, in place), as `examples/echo_server.ts` does:
 *
 * - `ours`: the module's streams, `examples/echo_server.ts`'s `handle`
 *   (`read(1024)`, `write`, `drain`), under `startServer`;
 * - `ours-64k`: the same handler with `read(65536)`, as the uvloop server's
 *   (a 16 KiB message is then one read, not 16);
 * - `protocol`: the module's protocols, `loop.createServer` with a
 *   `Protocol` whose `dataReceived` upper-cases and `transport.write`s;
 * - `raw`: raw Deno, `Deno.listen` + `conn.read`/`conn.write`. Its options
 *   are the variants of the 16 KiB investigation: `buf=BYTES` (the read
 *   buffer, 65536), `nodelay=0` (no `setNoDelay(true)`), `copy=1` (write a
 *   fresh copy of what was read instead of a view), `upper=0` (echo
 *   unchanged), `upper=swar` (upper-case four bytes at a time), e.g.
 *   `raw buf=16384 nodelay=0`; and `hooks=1`, promise hooks that do
 *   nothing (`_noop_promise_hooks.ts`): the floor of the module's design.
 *
 * The raw server never loads the module: the module's promise hooks, once
 * installed, run for every promise in the process, and the baseline must
 * not pay them. So it upper-cases with its own copy of the tutorial's loop,
 * and ours and protocol import the module only when they start.
 *
 * @module
 */
import type { Server, StreamReader, StreamWriter, Transport } from "../mod.ts";
import { installNoopPromiseHooks } from "./_noop_promise_hooks.ts";

/** What the server has read so far, for the driver's reads per request. */
const stats = { reads: 0, bytes: 0 };

/** The raw server's variant (see the module doc). */
interface RawOptions {
  buf: number;
  nodelay: boolean;
  copy: boolean;
  upper: "byte" | "swar" | "none";
  /** Install promise hooks that do nothing, as the module installs its own. */
  hooks: boolean;
}

/** The raw server's variant from its `key=value` args, 64 KiB reads by default. */
function rawOptions(args: string[]): RawOptions {
  const options: RawOptions = {
    buf: 64 * 1024,
    nodelay: true,
    copy: false,
    upper: "byte",
    hooks: false,
  };
  for (const arg of args) {
    const [key, value] = arg.split("=");
    if (key === "buf") options.buf = Number(value);
    else if (key === "nodelay") options.nodelay = value !== "0";
    else if (key === "copy") options.copy = value === "1";
    else if (key === "hooks") options.hooks = value === "1";
    else if (key === "upper") {
      options.upper = value === "0"
        ? "none"
        : value === "swar"
        ? "swar"
        : "byte";
    } else throw new Error(`unknown raw option ${arg}`);
  }
  return options;
}

/**
 * `examples/echo_server.ts`'s `upper`, copied so that the raw server need
 * not import the module: ASCII upper-case in place, a byte at a time.
 */
function upperBytes(data: Uint8Array): Uint8Array {
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b >= 0x61 && b <= 0x7a) data[i] = b - 0x20;
  }
  return data;
}

/**
 * The same upper-casing four bytes at a time (SWAR): how much of the byte
 * loop's cost a word loop would take back. For each byte x below 0x80,
 * x + 0x1f has its top bit set iff x >= 'a', x + 0x05 iff x > 'z'.
 */
function upperWords(data: Uint8Array): Uint8Array {
  const n = data.length;
  let i = 0;
  while (i < n && ((data.byteOffset + i) & 3) !== 0) {
    const b = data[i];
    if (b >= 0x61 && b <= 0x7a) data[i] = b - 0x20;
    i++;
  }
  const count = (n - i) >>> 2;
  if (count > 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset + i, count);
    for (let k = 0; k < count; k++) {
      const w = words[k];
      const low = w & 0x7f7f7f7f;
      const lower = (low + 0x1f1f1f1f) & ~(low + 0x05050505) & ~w & 0x80808080;
      words[k] = w ^ (lower >>> 2);
    }
  }
  for (i += count * 4; i < n; i++) {
    const b = data[i];
    if (b >= 0x61 && b <= 0x7a) data[i] = b - 0x20;
  }
  return data;
}

/** One raw client: read, upper-case, write back until EOF, nothing else. */
async function serveRaw(conn: Deno.TcpConn, options: RawOptions) {
  try {
    if (options.nodelay) conn.setNoDelay(true);
    const buf = new Uint8Array(options.buf);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      stats.reads++;
      stats.bytes += n;
      let data = buf.subarray(0, n);
      if (options.upper === "byte") upperBytes(data);
      else if (options.upper === "swar") upperWords(data);
      if (options.copy) data = data.slice();
      let sent = 0;
      while (sent < n) {
        sent += await conn.write(sent === 0 ? data : data.subarray(sent));
      }
    }
  } catch {
    // the client went away
  } finally {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

/** Listen on a free port and serve raw clients; returns the port. */
function startRaw(options: RawOptions): number {
  if (options.hooks) installNoopPromiseHooks();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) serveRaw(conn, options);
  })();
  return listener.addr.port;
}

/** The kinds of server that run the module. */
type ModuleKind = "ours" | "ours-64k" | "protocol";

/**
 * Serve ours, ours-64k or protocol under the module's `run`, loaded only now
 * (see the module doc), until stdin closes.
 */
async function serveModule(kind: ModuleKind): Promise<void> {
  const { getRunningLoop, Protocol, run, startServer } = await import(
    "../mod.ts"
  );
  const { startEchoServer, upper } = await import(
    "../examples/echo_server.ts"
  );
  /** The protocol server's echo: upper-case each chunk and write it back. */
  class UpperEcho extends Protocol {
    transport: Transport | null = null;
    override connectionMade(transport: Transport) {
      this.transport = transport;
    }
    override dataReceived(data: Uint8Array) {
      stats.reads++;
      stats.bytes += data.length;
      this.transport!.write(upper(data));
    }
  }
  /** `examples/echo_server.ts`'s `handle`, reading up to 64 KiB at once. */
  async function handle64k(reader: StreamReader, writer: StreamWriter) {
    while (true) {
      const data = await reader.read(65536);
      if (data.length === 0) break;
      writer.write(upper(data));
      await writer.drain();
    }
    writer.close();
    await writer.waitClosed();
  }
  await run(async () => {
    const server = kind === "ours"
      ? await startEchoServer("127.0.0.1", 0)
      : kind === "ours-64k"
      ? await startServer(handle64k, "127.0.0.1", 0)
      : await getRunningLoop().createServer(
        () => new UpperEcho(),
        "127.0.0.1",
        0,
      ) as Server;
    console.log(portOf(server));
    await control();
  });
}

/** The port a server listens on (it was asked for port 0). */
function portOf(server: Server): number {
  return (server.sockets[0].getsockname() as [string, number])[1];
}

/** This process's user and system CPU time so far, in µs. */
async function cpuUsage(): Promise<{ user_us: number; sys_us: number }> {
  const { default: process } = await import("node:process");
  const { user, system } = process.cpuUsage();
  return { user_us: user, sys_us: system };
}

/** Answer `mem` and `stats` lines until stdin closes. */
async function control(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const decoder = new TextDecoderStream();
  let pending = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(decoder)) {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line === "mem") {
        gc?.();
        const { rss, heapTotal, heapUsed, external } = Deno.memoryUsage();
        console.log(JSON.stringify({ rss, heapTotal, heapUsed, external }));
      } else if (line === "stats") {
        console.log(JSON.stringify({ ...stats, ...await cpuUsage() }));
      }
    }
  }
}

if (import.meta.main) {
  const [kind, ...args] = Deno.args;
  if (kind === "raw") {
    console.log(startRaw(rawOptions(args)));
    await control();
  } else if (kind === "ours" || kind === "ours-64k" || kind === "protocol") {
    await serveModule(kind);
  } else {
    throw new Error(`unknown server kind ${kind}`);
  }
  Deno.exit(0);
}
