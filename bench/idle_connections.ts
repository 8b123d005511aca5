/**
 * `bench/idle_connections`: what an idle TCP connection costs a server, in
 * KiB of the server process's memory per connection (issue #22), for:
 *
 * - ours: the module's `startServer` with the tutorial's echo handler
 *   (`examples/echo_server.ts`: `await reader.read(1024)`, `writer.write`,
 *   `await writer.drain()` until EOF), parked in `reader.read`;
 * - raw: a raw-Deno server (`Deno.listen`, then per connection an async
 *   loop of `conn.read` into a 1 KiB buffer and `conn.write`), the floor;
 * - python: CPython's asyncio with the same handler (`asyncio.start_server`),
 *   the target, if `python3` is on the PATH (`--servers=ours,raw` skips it).
 *
 * Each server runs in a fresh child process (the raw one does not even load
 * the module). This process opens `--n` connections (10,000 by default) to
 * it, makes one round trip on each (so that every handler is parked in its
 * read), holds them all, and reads the child's VmRSS from
 * `/proc/PID/status` (with `sh`: Deno reads another process's only under
 * `--allow-all`) before and after, each after a full GC (the child runs
 * with `--expose-gc` and collects when asked on its stdin); a Deno child
 * also reports its heap used + external then (`Deno.memoryUsage()`). The
 * figures are (after - before) / n. Before the "before" figure, 200
 * connections are opened, used and closed, so that the code paths are
 * compiled and the pools warm. `--reps` runs (3) of each server,
 * interleaved, each server going first in turn; the table gives the
 * medians.
 *
 * File descriptors: this process holds n sockets, the child n more. The
 * child raises its own soft limit to the hard limit (`ulimit -n` in the `sh`
 * that starts it); this one cannot, so it checks that its soft limit (`ulimit
 * -n`) is above n and stops if not: raise it in the shell first.
 *
 * ```sh
 * deno run --allow-run=sh --allow-net=127.0.0.1 bench/idle_connections.ts
 * deno run --allow-run=sh --allow-net=127.0.0.1 bench/idle_connections.ts --n=2000 --reps=1 --servers=ours,raw
 * ```
 *
 * @module
 */
import { median, table } from "./_report.ts";

type Kind = "ours" | "raw" | "python";
const KiB = 1024;
const WARMUP_CONNECTIONS = 200;
/** Connections opened at a time. */
const CONCURRENCY = 100;
const PING = new Uint8Array([0x78]);

/** The value of `--name=value`, or `fallback`. */
function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const arg = Deno.args.find((a) => a.startsWith(prefix));
  return arg === undefined ? fallback : arg.slice(prefix.length);
}

// The children ------------------------------------------------------------

/** The raw-Deno server: one async read-write loop per connection. */
function serveRaw(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  (async () => {
    for await (const conn of listener) echoRaw(conn);
  })();
  return listener.addr.port;
}

async function echoRaw(conn: Deno.Conn): Promise<void> {
  try {
    const buf = new Uint8Array(KiB);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      for (let sent = 0; sent < n;) {
        sent += await conn.write(buf.subarray(sent, n));
      }
    }
  } catch {
    // the client went away
  } finally {
    conn.close();
  }
}

/**
 * A server child: print its port, then, for each line on stdin, collect
 * the garbage and print `heapUsed + external` (in bytes).
 */
async function child(kind: "ours" | "raw"): Promise<void> {
  let port: number;
  if (kind === "raw") port = serveRaw();
  else {
    // Loaded only here: the module's promise hooks would cost raw too.
    const { run } = await import("../mod.ts");
    const { startEchoServer } = await import("../examples/echo_server.ts");
    const listening = Promise.withResolvers<number>();
    // The module's loop runs until the process is killed.
    run(async () => {
      const server = await startEchoServer("127.0.0.1", 0);
      listening.resolve(server.sockets[0].getsockname()[1] as number);
      await server.serveForever();
    });
    port = await listening.promise;
  }
  const out = new TextEncoder();
  await Deno.stdout.write(out.encode(`${port}\n`));
  const gc = (globalThis as { gc?: () => void }).gc!;
  for await (
    const _ of Deno.stdin.readable.pipeThrough(new TextDecoderStream())
  ) {
    for (let i = 0; i < 3; i++) gc();
    const { heapUsed, external } = Deno.memoryUsage();
    await Deno.stdout.write(out.encode(`${heapUsed + external}\n`));
  }
}

/** The CPython child, the same protocol on stdin and stdout. */
const PYTHON_CHILD = `
import asyncio, gc, sys

async def handle(reader, writer):
    while True:
        data = await reader.read(1024)
        if not data:
            break
        writer.write(data.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    stdin = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
    while await stdin.readline():
        gc.collect()
        print(0, flush=True)

asyncio.run(main())
`;

// The parent --------------------------------------------------------------

/** A running child server and its stdout's lines. */
interface Child {
  pid: number;
  port: number;
  /** Collect the child's garbage: its heap + external bytes (Deno only). */
  collect(): Promise<number>;
  kill(): Promise<void>;
}

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

async function spawn(kind: Kind): Promise<Child> {
  const command = kind === "python" ? ["python3", "-c", PYTHON_CHILD] : [
    Deno.execPath(),
    "run",
    "--v8-flags=--expose-gc",
    "--allow-net=127.0.0.1",
    new URL(import.meta.url).pathname,
    `--child=${kind}`,
  ];
  const process = new Deno.Command("sh", {
    args: [
      "-c",
      `ulimit -n $(ulimit -Hn); exec ${command.map(shellQuote).join(" ")}`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = process.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let pending = "";
  async function line(): Promise<string> {
    for (;;) {
      const at = pending.indexOf("\n");
      if (at >= 0) {
        const text = pending.slice(0, at);
        pending = pending.slice(at + 1);
        return text;
      }
      const { value, done } = await lines.read();
      if (done) throw new Error(`the ${kind} child exited`);
      pending += value;
    }
  }
  const stdin = process.stdin.getWriter();
  const port = Number(await line());
  return {
    pid: process.pid,
    port,
    async collect() {
      await stdin.write(new TextEncoder().encode("gc\n"));
      return Number(await line());
    },
    async kill() {
      process.kill("SIGKILL");
      await process.status;
      await stdin.abort().catch(() => {});
      await lines.cancel().catch(() => {});
    },
  };
}

/** What `sh -c script` prints. */
async function sh(script: string): Promise<string> {
  const { stdout } = await new Deno.Command("sh", { args: ["-c", script] })
    .output();
  return new TextDecoder().decode(stdout);
}

/** The process's resident set size, in bytes, as `/proc/PID/status` says. */
async function rss(pid: number): Promise<number> {
  const kib = /VmRSS:\s+(\d+) kB/.exec(await sh(`cat /proc/${pid}/status`));
  if (kib === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(kib[1]) * KiB;
}

/** Open a connection and make one round trip on it. */
async function roundTrip(port: number): Promise<Deno.Conn> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(PING);
  const buf = new Uint8Array(16);
  if (await conn.read(buf) !== 1) throw new Error("no echo");
  return conn;
}

/** Open `n` connections, `CONCURRENCY` at a time, each after a round trip. */
async function openMany(port: number, n: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  let next = 0;
  async function opener(): Promise<void> {
    while (next < n) {
      next++;
      conns.push(await roundTrip(port));
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, opener));
  return conns;
}

function closeAll(conns: Deno.Conn[]): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

interface Sample {
  rssKiB: number;
  /** Heap used + external per connection, `NaN` for python. */
  heapKiB: number;
}

/** Let the child's accepts and round trips settle. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 500));

async function measure(kind: Kind, n: number): Promise<Sample> {
  const server = await spawn(kind);
  try {
    closeAll(await openMany(server.port, WARMUP_CONNECTIONS));
    await settle();
    const heapBefore = await server.collect();
    const rssBefore = await rss(server.pid);
    const conns = await openMany(server.port, n);
    await settle();
    const heapAfter = await server.collect();
    const rssAfter = await rss(server.pid);
    await server.kill();
    closeAll(conns);
    return {
      rssKiB: (rssAfter - rssBefore) / n / KiB,
      heapKiB: kind === "python" ? NaN : (heapAfter - heapBefore) / n / KiB,
    };
  } finally {
    await server.kill().catch(() => {});
  }
}

async function main(): Promise<void> {
  const role = option("child", "");
  if (role === "ours" || role === "raw") return await child(role);
  const n = Number(option("n", "10000"));
  const reps = Number(option("reps", "3"));
  let kinds = option("servers", "ours,raw,python").split(",") as Kind[];
  // A child's limit is this process's: `sh` inherits it.
  const limit = (await sh("ulimit -n")).trim();
  if (limit !== "unlimited" && Number(limit) < n + WARMUP_CONNECTIONS + 100) {
    // A benchmark never fails the run: say why it measured nothing.
    console.log(`ulimit -n is ${limit}: raise it above ${n} (or lower --n)`);
    return;
  }
  if (kinds.includes("python") && (await sh("command -v python3")) === "") {
    console.log("python3 not found: no python row");
    kinds = kinds.filter((kind) => kind !== "python");
  }
  const samples = new Map<Kind, Sample[]>(kinds.map((kind) => [kind, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[(rep + i) % kinds.length];
      const sample = await measure(kind, n);
      samples.get(kind)!.push(sample);
      const heap = kind === "python"
        ? ""
        : `, ${sample.heapKiB.toFixed(2)} KiB heap+external`;
      console.log(
        `rep ${rep + 1} ${kind}: ${
          sample.rssKiB.toFixed(2)
        } KiB RSS${heap} per connection`,
      );
    }
  }
  console.log(`\n${n} idle connections, medians of ${reps} runs:\n`);
  console.log(table(
    ["server", "RSS KiB/conn", "heap+external KiB/conn"],
    kinds.map((kind) => {
      const runs = samples.get(kind)!;
      return [
        kind,
        median(runs.map((s) => s.rssKiB)).toFixed(2),
        kind === "python" ? "-" : median(runs.map((s) => s.heapKiB)).toFixed(2),
      ];
    }),
  ));
}

if (import.meta.main) await main();
