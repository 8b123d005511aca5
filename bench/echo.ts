/**
 * `bench/echo`: requests/s and p99 latency of the module's echo server (the
 * tutorial's upper-casing `handle` of `examples/echo_server.ts`, over
 * `startServer` + `reader.read`/`writer.write`/`drain`) against two
 * baselines in the same run, with the same load client:
 *
 * - raw: a raw-Deno echo server (`Deno.listen` + `conn.read`/`conn.write`,
 *   no module code) that upper-cases too: the target is ours/raw >= 0.85;
 * - floor: the same `handle` over the least that asyncio's semantics make
 *   any faithful port do on top of raw Deno (lazy awaitables, wake-ups off a
 *   ready queue, bytes that stay the caller's; `bench/_floor_echo_server.ts`),
 *   with nothing else: floor/raw is what those semantics cost by themselves.
 *
 * The load client is raw Deno and runs on the main thread: for each row it
 * connects every client first (Deno 2.9 starves pending `Deno.connect`
 * calls while other connections are busy), then each connection sends one
 * message, waits for its whole echo, records the latency and repeats, for
 * `--seconds` (2 by default). Each (row, server) first runs `--warmup`
 * seconds (2) unmeasured, as JIT tiering keeps speeding a server up for
 * several seconds, then `--reps` times (3), each server going first in turn.
 * The table gives the median req/s, the median of the per-rep ratios to raw
 * (the servers of one rep ran seconds apart, so the machine's drift cancels
 * out), the median p99 latencies and each server's median CPU time per
 * request: its Worker thread's user + system time over the measured seconds
 * (`process.threadCpuUsage()`, syscalls included), divided by the requests.
 * Its reps agree more closely than their req/s do, but it drifts between
 * runs too: compare it with raw's from the same run. A missed target is
 * reported, never an error: the exit code stays 0. `--rows=500x1024,…` runs
 * only those rows (connections x bytes), `--idle=0` no idle rows.
 *
 * Each server runs in its own Worker, so that the client does not share a
 * thread with it. A Worker loads its module with a read permission check,
 * so that needs `--allow-read` (`.` is enough); without it the servers run in
 * the client's process and thread, which skews the figures (the run says
 * so):
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-read=. bench/echo.ts
 * deno run --allow-net=127.0.0.1 bench/echo.ts --seconds=1 --reps=1
 * deno run --allow-net=127.0.0.1 --allow-read=. bench/echo.ts --idle=0 --rows=500x1024
 * ```
 *
 * Memory: N idle connections (each made one round trip, so its handler is
 * parked in `reader.read`) are opened to each server, and the process's RSS
 * delta / N is reported against the target of less than 50 KiB each for
 * ours. Both ends of every connection live in this one process, so the
 * figure includes the client's side (the raw server's row measures that
 * floor), and 10,000 connections need 20,000 descriptors: the default
 * `--idle=2000,9900` fits a `ulimit -n` of 20,000; raise the limit for
 * `--idle=2000,10000`. If the limit is hit, the row says how many opened.
 * RSS seldom shrinks, so ours is measured first (the conservative order).
 *
 * @module
 */
import process from "node:process";
import { run, type Server } from "../mod.ts";
import { startEchoServer, upper } from "../examples/echo_server.ts";
import { startFloorServer } from "./_floor_echo_server.ts";
import { median, table } from "./_report.ts";

type Kind = "ours" | "raw" | "floor";
const KINDS: readonly Kind[] = ["ours", "raw", "floor"];

const ROWS: ReadonlyArray<[connections: number, size: number]> = [
  [1, 64],
  [100, 64],
  [500, 1024],
  [100, 16 * 1024],
];
const TARGET_RATIO = 0.85;
const TARGET_IDLE_KIB = 50;
const CONNECT_BATCH = 100;
const ROUND_TRIP_TIMEOUT_MS = 10_000;
const KiB = 1024;

// Options -------------------------------------------------------------------

function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const arg = Deno.args.find((a) => a.startsWith(prefix));
  return arg === undefined ? fallback : arg.slice(prefix.length);
}

// The raw-Deno echo server ------------------------------------------------------

/** ASCII upper-case in place, as the module's example does (on a copy). */
function upperInPlace(data: Uint8Array): void {
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b >= 0x61 && b <= 0x7a) data[i] = b - 0x20;
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let sent = 0;
  while (sent < data.length) {
    sent += await conn.write(sent === 0 ? data : data.subarray(sent));
  }
}

async function serveRaw(conn: Deno.TcpConn, open: Set<Deno.Conn>) {
  open.add(conn);
  try {
    conn.setNoDelay(true);
    const buf = new Uint8Array(64 * KiB);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      const data = buf.subarray(0, n);
      upperInPlace(data);
      await writeAll(conn, data);
    }
  } catch {
    // the client went away
  } finally {
    open.delete(conn);
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

interface Served {
  port: number;
  /** The server isolate's JS heap + external bytes. */
  memory(): Promise<number>;
  /**
   * The CPU time the server's thread has used so far, in µs (user + system,
   * its syscalls included), or `null` if it shares the client's thread.
   */
  cpuMicros(): Promise<number | null>;
  stop(): Promise<void>;
}

/** The CPU time this thread has used so far, in µs. */
function threadCpuMicros(): number {
  const usage = process.threadCpuUsage();
  return usage.user + usage.system;
}

const NO_CPU = () => Promise.resolve(null);

function startRawServer(): Served {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const accepting = (async () => {
    try {
      for await (const conn of listener) serveRaw(conn, open);
    } catch {
      // closed
    }
  })();
  return {
    port: listener.addr.port,
    memory: () => Promise.resolve(isolateMemory()),
    cpuMicros: NO_CPU,
    async stop() {
      listener.close();
      await accepting;
      for (const conn of open) conn.close();
    },
  };
}

/** A server that needs no loop of the module: raw or the floor. */
function startBaseline(kind: "raw" | "floor"): Served {
  if (kind === "raw") return startRawServer();
  const floor = startFloorServer(upper);
  return {
    port: floor.port,
    memory: () => Promise.resolve(isolateMemory()),
    cpuMicros: NO_CPU,
    stop: () => floor.stop(),
  };
}

// The module's echo server (needs a running loop) ---------------------------------

async function startOursServer(): Promise<Served> {
  const server: Server = await startEchoServer("127.0.0.1", 0);
  const [, port] = server.sockets[0].getsockname() as [string, number];
  return {
    port,
    memory: () => Promise.resolve(isolateMemory()),
    cpuMicros: NO_CPU,
    async stop() {
      server.close();
      server.closeClients();
      await server.waitClosed();
    },
  };
}

// The worker side: one server per Worker, started and stopped by messages ------------

interface WorkerScope {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}

function serveInWorker(scope: WorkerScope): void {
  const stopped = Promise.withResolvers<void>();
  scope.onmessage = (event: MessageEvent) => {
    const data = event.data as {
      kind?: Kind;
      memory?: true;
      cpu?: true;
      stop?: true;
    };
    if (data.memory) scope.postMessage({ memory: isolateMemory() });
    if (data.cpu) scope.postMessage({ cpu: threadCpuMicros() });
    if (data.stop) stopped.resolve();
    const kind = data.kind;
    if (kind === undefined) return;
    const serve = async (): Promise<void> => {
      const served = kind === "ours"
        ? await startOursServer()
        : startBaseline(kind);
      scope.postMessage({ port: served.port });
      await stopped.promise;
      await served.stop();
    };
    const done = kind === "ours" ? run(serve()) : serve();
    done.then(
      () => scope.postMessage({ stopped: true }),
      (error) => scope.postMessage({ error: String(error) }),
    );
  };
}

/** The bytes of this isolate's JS heap and of its external buffers. */
function isolateMemory(): number {
  const usage = Deno.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** The message that comes back from a worker, or its error. */
function reply(worker: Worker): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      const data = event.data as Record<string, unknown>;
      if ("error" in data) reject(new Error(String(data.error)));
      else resolve(data);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(event.message));
    };
  });
}

async function startInWorker(kind: Kind): Promise<Served> {
  const worker = new Worker(new URL(import.meta.url), { type: "module" });
  const started = reply(worker);
  worker.postMessage({ kind });
  const { port } = await started as { port: number };
  return {
    port,
    async memory() {
      const answer = reply(worker);
      worker.postMessage({ memory: true });
      return (await answer).memory as number;
    },
    async cpuMicros() {
      const answer = reply(worker);
      worker.postMessage({ cpu: true });
      return (await answer).cpu as number;
    },
    async stop() {
      const stopped = reply(worker);
      worker.postMessage({ stop: true });
      await stopped;
      worker.terminate();
    },
  };
}

// The load client ---------------------------------------------------------------

function timeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`${what}: no answer in ${ROUND_TRIP_TIMEOUT_MS} ms`)),
      ROUND_TRIP_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/** Connect `n` clients, `CONNECT_BATCH` at a time; stop at the first error. */
async function connectAll(
  port: number,
  n: number,
  probe: boolean,
): Promise<{ conns: Deno.TcpConn[]; error: unknown }> {
  const conns: Deno.TcpConn[] = [];
  const ping = new Uint8Array([0x61]);
  const connectOne = async (): Promise<Deno.TcpConn> => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conns.push(conn);
    conn.setNoDelay(true);
    if (probe) {
      await writeAll(conn, ping);
      const got = new Uint8Array(1);
      if (await conn.read(got) !== 1 || got[0] !== 0x41) {
        throw new Error("bad echo of the probe byte");
      }
    }
    return conn;
  };
  let error: unknown = null;
  for (let opened = 0; opened < n && error === null;) {
    const batch = Math.min(CONNECT_BATCH, n - opened);
    const results = await Promise.allSettled(
      Array.from(
        { length: batch },
        () => timeout(connectOne(), "connect and round trip"),
      ),
    );
    for (const result of results) {
      if (result.status === "rejected" && error === null) {
        error = result.reason;
      }
    }
    opened += batch;
  }
  return { conns, error };
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

interface Load {
  requests: number;
  errors: number;
  seconds: number;
  p99Ms: number;
  /** The server's CPU time per request, in µs, if it has a thread of its own. */
  cpuPerRequest: number | null;
}

function message(size: number): [Uint8Array, Uint8Array] {
  const msg = new Uint8Array(size);
  for (let i = 0; i < size; i++) msg[i] = 0x61 + i % 26; // a..z
  const expected = msg.slice();
  upperInPlace(expected);
  return [msg, expected];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function drive(
  conn: Deno.Conn,
  msg: Uint8Array,
  expected: Uint8Array,
  deadline: number,
  latencies: number[],
  counts: { errors: number },
): Promise<void> {
  const size = msg.length;
  const buf = new Uint8Array(size);
  let first = true;
  try {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await writeAll(conn, msg);
      let got = 0;
      while (got < size) {
        const n = await conn.read(buf.subarray(got));
        if (n === null) throw new Error("EOF before the whole echo");
        got += n;
      }
      latencies.push(performance.now() - t0);
      // The whole message on the first round trip, its ends afterwards.
      const ok = first
        ? sameBytes(buf, expected)
        : buf[0] === expected[0] && buf[size - 1] === expected[size - 1];
      if (!ok) counts.errors++;
      first = false;
    }
  } catch {
    counts.errors++;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function load(
  server: Served,
  connections: number,
  size: number,
  seconds: number,
): Promise<Load> {
  const { conns, error } = await connectAll(server.port, connections, false);
  if (error !== null) {
    closeAll(conns);
    throw error;
  }
  const [msg, expected] = message(size);
  const latencies: number[] = [];
  const counts = { errors: 0 };
  const cpu0 = await server.cpuMicros();
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    conns.map((conn) =>
      drive(conn, msg, expected, deadline, latencies, counts)
    ),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = await server.cpuMicros();
  closeAll(conns);
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors: counts.errors,
    seconds: elapsed,
    p99Ms: percentile(sorted, 0.99),
    cpuPerRequest: cpu0 === null || cpu1 === null
      ? null
      : (cpu1 - cpu0) / Math.max(1, latencies.length),
  };
}

// Idle connections ----------------------------------------------------------------

const sleepMs = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

async function settledRss(): Promise<number> {
  await sleepMs(300);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(Deno.memoryUsage().rss);
    await sleepMs(50);
  }
  return median(samples);
}

interface Idle {
  opened: number;
  /** Process RSS delta / opened, KiB. */
  rssKiB: number;
  /** The server isolate's heap + external delta / opened, KiB. */
  heapKiB: number;
  error: unknown;
}

async function idle(server: Served, n: number): Promise<Idle> {
  const rss0 = await settledRss();
  const heap0 = await server.memory();
  const { conns, error } = await connectAll(server.port, n, true);
  const rss1 = await settledRss();
  const heap1 = await server.memory();
  closeAll(conns);
  await sleepMs(500); // let the server see the EOFs
  const opened = Math.max(1, conns.length);
  return {
    opened: conns.length,
    rssKiB: (rss1 - rss0) / opened / KiB,
    heapKiB: (heap1 - heap0) / opened / KiB,
    error,
  };
}

// Main ------------------------------------------------------------------------------

function sizeName(bytes: number): string {
  return bytes >= KiB ? `${bytes / KiB} KiB` : `${bytes} B`;
}

async function bench(
  start: (kind: Kind) => Promise<Served>,
  inWorkers: boolean,
): Promise<void> {
  const seconds = Number(option("seconds", "2"));
  const reps = Number(option("reps", "3"));
  const warmup = Number(option("warmup", "2"));
  const idleCounts = option("idle", "2000,9900").split(",").map(Number)
    .filter((n) => n > 0); // --idle=0: no idle rows
  const rowNames = option("rows", "").split(",").filter((r) => r !== "");
  const rows = ROWS.filter(([connections, size]) =>
    rowNames.length === 0 || rowNames.includes(`${connections}x${size}`)
  );
  console.log(
    `echo benchmark: ${reps} runs of ${seconds} s per row and server after a ${warmup} s warm-up, medians (Deno ${Deno.version.deno}, V8 ${Deno.version.v8}); servers ${
      inWorkers
        ? "in Workers"
        : "IN THIS THREAD (no --allow-read: figures skewed, the client shares the thread)"
    }`,
  );
  const servers: Record<Kind, Served> = {
    ours: await start("ours"),
    raw: await start("raw"),
    floor: await start("floor"),
  };
  const body: string[][] = [];
  const idleBody: string[][] = [];
  let errors = 0;
  try {
    // Idle memory first, on a process that has not grown yet; ours first.
    for (const n of idleCounts) {
      const ours = await idle(servers.ours, n);
      const raw = await idle(servers.raw, n);
      const row = [
        `${n}`,
        `${ours.opened}`,
        ours.rssKiB.toFixed(1),
        raw.rssKiB.toFixed(1),
        ours.heapKiB.toFixed(1),
        raw.heapKiB.toFixed(1),
        ours.opened < n ? "n/a" : ours.rssKiB < TARGET_IDLE_KIB ? "yes" : "NO",
      ];
      idleBody.push(row);
      console.log(`  idle: ${row.join("  ")}`);
      for (const [kind, result] of [["ours", ours], ["raw", raw]] as const) {
        if (result.error !== null) {
          console.log(
            `  ${kind}: stopped at ${result.opened} connections: ${result.error}`,
          );
        }
      }
    }
    for (const [connections, size] of rows) {
      const rates: Record<Kind, number[]> = { ours: [], raw: [], floor: [] };
      const p99s: Record<Kind, number[]> = { ours: [], raw: [], floor: [] };
      const cpus: Record<Kind, number[]> = { ours: [], raw: [], floor: [] };
      const run = async (kind: Kind, secs: number): Promise<Load> => {
        const result = await load(servers[kind], connections, size, secs);
        errors += result.errors;
        return result;
      };
      // Unmeasured: let each server's JIT settle on this row's pattern.
      if (warmup > 0) {
        for (const kind of KINDS) await run(kind, warmup);
      }
      for (let rep = 0; rep < reps; rep++) {
        // Each server goes first, second and third in turn.
        for (let i = 0; i < KINDS.length; i++) {
          const kind = KINDS[(rep + i) % KINDS.length];
          const result = await run(kind, seconds);
          rates[kind].push(result.requests / result.seconds);
          p99s[kind].push(result.p99Ms);
          if (result.cpuPerRequest !== null) {
            cpus[kind].push(result.cpuPerRequest);
          }
        }
      }
      // Ratios per rep, then their median: the three servers of a rep ran
      // within seconds of each other, so the machine's drift cancels out.
      const ratio = (kind: Kind) =>
        median(rates[kind].map((rate, rep) => rate / rates.raw[rep]));
      const ours = ratio("ours");
      body.push([
        `${connections} x ${sizeName(size)}`,
        median(rates.ours).toFixed(0),
        median(rates.raw).toFixed(0),
        median(rates.floor).toFixed(0),
        `${ours.toFixed(2)}x`,
        `${ratio("floor").toFixed(2)}x`,
        median(p99s.ours).toFixed(2),
        median(p99s.raw).toFixed(2),
        cpus.ours.length === 0
          ? "n/a"
          : KINDS.map((kind) => median(cpus[kind]).toFixed(1)).join(" / "),
        ours >= TARGET_RATIO ? "yes" : "NO",
      ]);
      console.log(`  load: ${body.at(-1)!.join("  ")}`);
    }
  } finally {
    for (const kind of KINDS) await servers[kind].stop();
  }
  console.log();
  console.log(table(
    [
      "connections x size",
      "ours req/s",
      "raw req/s",
      "floor req/s",
      "ours/raw",
      "floor/raw",
      "ours p99 ms",
      "raw p99 ms",
      "CPU µs/req ours / raw / floor",
      `>= ${TARGET_RATIO}`,
    ],
    body,
  ));
  if (idleBody.length > 0) {
    console.log();
    console.log(table(
      [
        "idle connections",
        "opened",
        "ours RSS KiB/conn",
        "raw RSS KiB/conn",
        "ours heap KiB/conn",
        "raw heap KiB/conn",
        `< ${TARGET_IDLE_KIB} KiB`,
      ],
      idleBody,
    ));
    console.log();
    console.log(
      `RSS KiB/conn: the process's RSS delta / connections, both ends of each connection included, ours measured first on a fresh process (the raw figure reuses memory ours freed: indicative only). Heap KiB/conn: the server isolate's heapUsed + external delta${
        inWorkers ? "" : " (here the client's isolate too)"
      }.`,
    );
  }
  console.log(`${errors} load errors.`);
}

function isWorker(): boolean {
  const scope = (globalThis as { WorkerGlobalScope?: typeof Object })
    .WorkerGlobalScope;
  return scope !== undefined && globalThis instanceof scope;
}

if (isWorker()) {
  serveInWorker(globalThis as unknown as WorkerScope);
} else if (import.meta.main) {
  const readable = Deno.permissions.querySync({
    name: "read",
    path: new URL(import.meta.url),
  }).state === "granted";
  if (readable) {
    await bench(startInWorker, true);
  } else {
    await run(() =>
      bench(
        (kind) =>
          kind === "ours"
            ? startOursServer()
            : Promise.resolve(startBaseline(kind)),
        false,
      )
    );
  }
}
