/**
 * `bench/echo_peers.ts` (issue #22): echo servers against uvloop, each in a
 * process of its own, driven by a C epoll load client (`bench/load_client.c`,
 * built with `cc -O2` into a temporary directory) that does not saturate
 * before they do, as `bench/echo.ts`'s Deno client does near 60k req/s.
 *
 * The servers (`bench/_echo_peer_server.ts` and `bench/_echo_peer_server.py`)
 * all upper-case what they echo, as the tutorial's handler does:
 *
 * - ours: the module's streams, `examples/echo_server.ts`'s `handle`
 *   (`read(1024)`, `write`, `drain`);
 * - protocol: the module's protocols, a `Protocol` whose `dataReceived`
 *   does `transport.write` (`loop.createServer`);
 * - raw: raw Deno, `Deno.listen` + a `conn.read` (64 KiB buffer) /
 *   `conn.write` loop, in a process that never loads the module (whose
 *   promise hooks would tax every promise of the baseline);
 * - raw-hooks: raw with V8 promise hooks that do nothing installed where
 *   the module installs its own: the floor of any design that tells
 *   coroutines apart with hooks (`docs/attribution.md`), as with any hook
 *   set every promise and `await` leaves V8's fast paths;
 * - uvloop: Python asyncio streams under uvloop (`reader.read(65536)`,
 *   `writer.write`, `await writer.drain()`);
 * - uvloop-proto: a uvloop `Protocol` that writes back in `data_received`;
 * - raw-…: the variants of the raw server of the 16 KiB investigation
 *   (`--rows=100x16384 --servers=raw,raw-buf16k,raw-buf256k,raw-nodelay0,`
 *   `raw-copy,raw-noupper,raw-swar,uvloop,uvloop-noupper,ours,ours-64k`):
 *   read buffers of 16 KiB and 256 KiB, Nagle left on, a fresh copy
 *   written, no upper-casing, upper-casing four bytes at a time;
 *   uvloop-noupper is uvloop's streams echoing unchanged, ours-64k ours
 *   with `read(65536)`, as uvloop's streams.
 *
 * Each server is pinned to core 0 and the client to core 1 (`taskset`, when
 * there is one). For each row (connections x bytes) and each of `--rounds`
 * rounds (5), the servers run one after another, in an order rotated each
 * round: a `--warmup` (1 s) unmeasured run, then a `--seconds` (3) measured
 * one. The client connects every connection first, then each sends its
 * message, waits for the whole echo and sends again; it reads the server's
 * utime + stime from `/proc/PID/stat` at the start and at the end of the
 * measured window, so CPU time per request is the whole server process's,
 * its syscalls and its V8 threads included (the table also gives the
 * kernel's part, stime, and the reads per request of the servers that count
 * them). The table gives medians over the rounds, and the ratios are medians
 * of per-round ratios (the servers of a round ran seconds apart, so the
 * machine's drift cancels out).
 *
 * Idle connections (`--idle=10000`, `0` for none): a fresh process of each
 * of ours, protocol, raw, raw-buf16 (raw with 16-byte reads: Deno's own
 * floor, as raw's 64 KiB buffer per connection dominates its figure) and
 * CPython's asyncio streams (no uvloop; `--idle-servers=` picks others) is
 * measured before and after the C client opens N connections to it, makes
 * one round trip on each and holds them: its RSS delta / N (and, for the
 * Deno servers, their heap and external deltas after a full GC).
 *
 * Without `cc`, the run says so and drives the servers with the Deno
 * client of the same protocol, `bench/_echo_load_client.ts` (which, like
 * `bench/echo.ts`'s, saturates first). uvloop is looked for in `--python=`
 * (by default `python3`, then `/usr/bin/python3`); without it, the run says
 * so and skips the uvloop servers (the idle one, plain asyncio, runs on
 * `python3`). A missed target is reported, never an error: the exit code stays
 * 0.
 *
 * ```sh
 * deno run --allow-run=cc,taskset,python3,/usr/bin/python3,deno \
 *   --allow-write=/tmp bench/echo_peers.ts
 * ```
 *
 * (`--allow-write=/tmp` is for the client's build directory; the servers and
 * the clients get their own permissions.)
 *
 * `--rows=100x16384,…` runs only those rows, `--servers=…` only those
 * servers (raw is always among them: it is the baseline).
 *
 * @module
 */
import { median, table } from "./_report.ts";

const ROWS: ReadonlyArray<[connections: number, size: number]> = [
  [1, 64],
  [100, 64],
  [500, 1024],
  [100, 16 * 1024],
];
const KiB = 1024;

/** How each server is started: a Deno or a Python process and its args. */
const SERVERS: Record<string, { lang: "deno" | "python"; args: string[] }> = {
  ours: { lang: "deno", args: ["ours"] },
  "ours-64k": { lang: "deno", args: ["ours-64k"] },
  protocol: { lang: "deno", args: ["protocol"] },
  raw: { lang: "deno", args: ["raw"] },
  /** The floor of hook-based attribution: raw with promise hooks that do nothing. */
  "raw-hooks": { lang: "deno", args: ["raw", "hooks=1"] },
  uvloop: { lang: "python", args: ["streams", "uvloop"] },
  "uvloop-proto": { lang: "python", args: ["protocol", "uvloop"] },
  asyncio: { lang: "python", args: ["streams", "asyncio"] },
  "raw-buf16k": { lang: "deno", args: ["raw", "buf=16384"] },
  "raw-buf256k": { lang: "deno", args: ["raw", "buf=262144"] },
  "raw-nodelay0": { lang: "deno", args: ["raw", "nodelay=0"] },
  "raw-copy": { lang: "deno", args: ["raw", "copy=1"] },
  "raw-noupper": { lang: "deno", args: ["raw", "upper=0"] },
  "raw-swar": { lang: "deno", args: ["raw", "upper=swar"] },
  "uvloop-noupper": { lang: "python", args: ["streams", "uvloop", "plain"] },
  /** Deno's own floor per idle connection: a pending read of 16 bytes. */
  "raw-buf16": { lang: "deno", args: ["raw", "buf=16"] },
};
const DEFAULT_SERVERS = [
  "ours",
  "protocol",
  "raw",
  "raw-hooks",
  "uvloop",
  "uvloop-proto",
];
const IDLE_SERVERS = option(
  "idle-servers",
  "ours,protocol,raw,raw-buf16,asyncio",
)
  .split(",").filter((id) => id !== "");

const TARGET_CPU = 1.10;
const TARGET_PROTOCOL_RATE = 0.95;
const TARGET_PROTOCOL_CPU = 1.05;
const TARGET_IDLE_KIB = 5;

/** The value of `--name=value` on the command line, else `fallback`. */
function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const arg = Deno.args.find((a) => a.startsWith(prefix));
  return arg === undefined ? fallback : arg.slice(prefix.length);
}

const ROUNDS = Number(option("rounds", "5"));
const SECONDS = Number(option("seconds", "3"));
const WARMUP = Number(option("warmup", "1"));
const IDLE = Number(option("idle", "10000"));

// Processes -------------------------------------------------------------------

const decoder = new TextDecoder();

/** Whether `command args` runs and exits 0 (false if absent or not allowed). */
async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

const TASKSET = await succeeds("taskset", ["-c", "0", "true"]);

/** `[command, args]` run on `core` when taskset is there. */
function pinned(core: number, command: string, args: string[]) {
  return TASKSET
    ? { command: "taskset", args: ["-c", String(core), command, ...args] }
    : { command, args };
}

/** Deno itself: its path under taskset (which execs it), else as allowed. */
function denoCommand(): string {
  const exec = Deno.execPath();
  if (TASKSET) return exec;
  const state = Deno.permissions.querySync({ name: "run", command: exec });
  return state.state === "granted" ? exec : "deno";
}

const DENO = denoCommand();
const ROOT = new URL("..", import.meta.url);
const path = (name: string) => new URL(name, import.meta.url).pathname;

/** The first Python that imports uvloop (`--python=`, else the usual two). */
async function findPython(): Promise<string | null> {
  const given = option("python", "");
  const candidates = given !== "" ? [given] : ["python3", "/usr/bin/python3"];
  for (const python of candidates) {
    if (await succeeds(python, ["-c", "import uvloop"])) return python;
  }
  return null;
}

/** Lines of a child's stdout, one at a time. */
class Lines {
  #reader: ReadableStreamDefaultReader<string>;
  #pending = "";

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  }

  async next(): Promise<string> {
    for (;;) {
      const nl = this.#pending.indexOf("\n");
      if (nl >= 0) {
        const line = this.#pending.slice(0, nl);
        this.#pending = this.#pending.slice(nl + 1);
        return line;
      }
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("the child's stdout closed");
      this.#pending += value;
    }
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

/** A server's answer to `mem`: bytes (heap and external for Deno only). */
interface Memory {
  rss: number;
  heapUsed?: number;
  external?: number;
}

/** A server child on core 0, with its port and its stdin control lines. */
class ServerProcess {
  readonly child: Deno.ChildProcess;
  readonly lines: Lines;
  readonly stdin: WritableStreamDefaultWriter<Uint8Array>;
  port = 0;

  constructor(id: string, python: string | null, gc = false) {
    const spec = SERVERS[id];
    const cmd = spec.lang === "deno"
      ? pinned(0, DENO, [
        "run",
        "--allow-net=127.0.0.1",
        ...(gc ? ["--v8-flags=--expose-gc"] : []),
        path("./_echo_peer_server.ts"),
        ...spec.args,
      ])
      : pinned(0, python!, [path("./_echo_peer_server.py"), ...spec.args]);
    this.child = new Deno.Command(cmd.command, {
      args: cmd.args,
      cwd: ROOT,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.lines = new Lines(this.child.stdout);
    this.stdin = this.child.stdin.getWriter();
  }

  get pid(): number {
    return this.child.pid;
  }

  async start(): Promise<this> {
    this.port = Number(await this.lines.next());
    return this;
  }

  async memory(): Promise<Memory> {
    await this.stdin.write(new TextEncoder().encode("mem\n"));
    return JSON.parse(await this.lines.next()) as Memory;
  }

  /** The reads the server counted so far (0 for ours), and its CPU time. */
  async stats(): Promise<ServerStats> {
    await this.stdin.write(new TextEncoder().encode("stats\n"));
    return JSON.parse(await this.lines.next());
  }

  async stop(): Promise<void> {
    await this.stdin.close().catch(() => {});
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await this.child.status;
    clearTimeout(timer);
    await this.lines.cancel().catch(() => {});
  }
}

// The load client -----------------------------------------------------------------

/** A server's answer to `stats`: its reads so far, its CPU time so far. */
interface ServerStats {
  reads: number;
  bytes: number;
  user_us: number;
  sys_us: number;
}

/** One measured run: the client's JSON line, plus the server's read count. */
interface Load {
  requests: number;
  seconds: number;
  p50_us: number;
  p99_us: number;
  errors: number;
  server_cpu_us: number;
  /** The kernel's part of `server_cpu_us` (stime). */
  server_sys_us: number;
  /** The server's reads over the run (0 when it does not count them). */
  reads: number;
  /** The bytes those reads returned. */
  readBytes: number;
}

/** The client's command: the C one if it builds, else the Deno one. */
async function buildClient(): Promise<{ command: string; prefix: string[] }> {
  try {
    const dir = await Deno.makeTempDir({ prefix: "echo_peers_client_" });
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(dir, { recursive: true });
      } catch {
        // gone already
      }
    });
    const exe = `${dir}/load_client`;
    const out = await new Deno.Command("cc", {
      args: ["-O2", "-o", exe, path("./load_client.c")],
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    if (out.success) {
      const runnable = TASKSET ||
        Deno.permissions.querySync({ name: "run", command: exe }).state ===
          "granted";
      if (runnable) return { command: exe, prefix: [] };
      console.log(
        `no taskset, and --allow-run does not cover ${exe}: cannot run the C load client:`,
      );
    } else {
      console.log("cc failed to build bench/load_client.c:");
    }
  } catch (error) {
    console.log(`no C load client (cc: ${(error as Error).message}):`);
  }
  console.log(
    "  falling back to the Deno load client, which saturates near 60k req/s: the fast rows measure the client, not the servers",
  );
  return {
    command: DENO,
    prefix: [
      "run",
      "--allow-net=127.0.0.1",
      path(
        "./_echo_load_client.ts",
      ),
    ],
  };
}

const CLIENT = await buildClient();

/** The load client's command line with `args`, pinned to core 1. */
function clientCommand(args: string[]) {
  return pinned(1, CLIENT.command, [...CLIENT.prefix, ...args]);
}

/** One run of the load client against `server`, with its read count. */
async function load(
  server: ServerProcess,
  connections: number,
  size: number,
  seconds: number,
): Promise<Load> {
  const cmd = clientCommand([
    "127.0.0.1",
    String(server.port),
    String(connections),
    String(size),
    String(seconds),
    String(server.pid),
  ]);
  const before = await server.stats();
  const out = await new Deno.Command(cmd.command, {
    args: cmd.args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const after = await server.stats();
  const text = decoder.decode(out.stdout).trim();
  if (!out.success || text === "") {
    throw new Error(`load client failed: ${decoder.decode(out.stderr)}`);
  }
  const result = JSON.parse(text.split("\n").at(-1)!) as Load;
  result.reads = after.reads - before.reads;
  result.readBytes = after.bytes - before.bytes;
  if (result.server_cpu_us < 0) {
    // The Deno client cannot read /proc/PID: the server's own count, taken
    // just before and after the client's run (its connecting included).
    result.server_sys_us = after.sys_us - before.sys_us;
    result.server_cpu_us = after.user_us - before.user_us +
      result.server_sys_us;
  }
  return result;
}

// Idle connections ----------------------------------------------------------------

const sleepMs = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What one idle measurement gives, per held connection. */
interface Idle {
  id: string;
  opened: number;
  rssKiB: number;
  heapKiB: number | null;
  externalKiB: number | null;
}

/**
 * A fresh `id` server's memory before and after `n` idle connections, per
 * connection (both memory readings taken after a full GC for Deno).
 */
async function idle(
  id: string,
  python: string | null,
  n: number,
): Promise<Idle> {
  const server = await new ServerProcess(id, python, true).start();
  try {
    await sleepMs(500);
    const before = await server.memory();
    const cmd = clientCommand([
      "127.0.0.1",
      String(server.port),
      String(n),
      "64",
      "600",
      "0",
      "hold",
    ]);
    const client = new Deno.Command(cmd.command, {
      args: cmd.args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(client.stderr).text();
    const lines = new Lines(client.stdout);
    let opened = 0;
    try {
      const answer = JSON.parse(await lines.next()) as { connected: number };
      opened = answer.connected;
    } catch {
      // the client failed: its stderr below
    }
    const after = opened > 0
      ? await sleepMs(1000).then(() => server.memory())
      : before;
    await client.stdin.close().catch(() => {});
    await lines.cancel().catch(() => {});
    await client.status;
    if (opened === 0) {
      throw new Error(`the hold client opened nothing: ${await stderr}`);
    }
    await stderr;
    const per = (a?: number, b?: number) =>
      a === undefined || b === undefined ? null : (b - a) / opened / KiB;
    return {
      id,
      opened,
      rssKiB: (after.rss - before.rss) / opened / KiB,
      heapKiB: per(before.heapUsed, after.heapUsed),
      externalKiB: per(before.external, after.external),
    };
  } finally {
    await server.stop();
  }
}

// Main ----------------------------------------------------------------------------

/** `64 B`, `16 KiB`: a message size as the tables print it. */
function sizeName(bytes: number): string {
  return bytes >= KiB ? `${bytes / KiB} KiB` : `${bytes} B`;
}

/** `100 x 64 B`: a row's name in the tables. */
function rowName(connections: number, size: number): string {
  return `${connections} x ${sizeName(size)}`;
}

const ratioText = (x: number) => Number.isFinite(x) ? `${x.toFixed(2)}x` : "–";
const met = (ok: boolean) => ok ? "met" : "NOT MET";

/** Run the rows, then the idle connections; print tables and targets. */
async function main(): Promise<void> {
  const python = await findPython();
  const rowNames = option("rows", "").split(",").filter((r) => r !== "");
  const rows = ROWS.filter(([c, s]) =>
    rowNames.length === 0 || rowNames.includes(`${c}x${s}`)
  );
  for (const name of rowNames) {
    if (!/^\d+x\d+$/.test(name)) continue; // --rows=none: idle rows only
    const [c, s] = name.split("x").map(Number);
    if (!rows.some(([rc, rs]) => rc === c && rs === s)) rows.push([c, s]);
  }
  let ids = option("servers", DEFAULT_SERVERS.join(","))
    .split(",").filter((id) => id !== "");
  for (const id of ids) {
    if (!(id in SERVERS)) throw new Error(`unknown server ${id}`);
  }
  if (!ids.includes("raw")) ids.unshift("raw");
  if (python === null) {
    console.log(
      "no python3 that imports uvloop (apt-get install python3-uvloop, or --python=PATH): its servers are skipped",
    );
    ids = ids.filter((id) => SERVERS[id].lang !== "python");
  }
  console.log(
    `echo against uvloop: ${ROUNDS} rounds of ${SECONDS} s per row and server, each after a ${WARMUP} s warm-up, medians (Deno ${Deno.version.deno}, V8 ${Deno.version.v8}${
      python === null ? "" : `, ${python}`
    }); client ${CLIENT.prefix.length === 0 ? "C (epoll)" : "Deno"}; ${
      TASKSET ? "server on core 0, client on core 1" : "NOT PINNED (no taskset)"
    }`,
  );

  const servers: Record<string, ServerProcess> = {};
  if (rows.length === 0) ids = [];
  for (const id of ids) {
    servers[id] = await new ServerProcess(id, python).start();
  }
  const body: string[][] = [];
  const targets: string[][] = [];
  let errors = 0;
  try {
    for (const [connections, size] of rows) {
      const name = rowName(connections, size);
      const results: Record<string, Load[]> = {};
      for (const id of ids) results[id] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < ids.length; i++) {
          const id = ids[(round + i) % ids.length];
          if (WARMUP > 0) await load(servers[id], connections, size, WARMUP);
          const result = await load(servers[id], connections, size, SECONDS);
          errors += result.errors;
          results[id].push(result);
        }
      }
      const rate = (r: Load) => r.requests / r.seconds;
      const cpu = (r: Load) => r.server_cpu_us / Math.max(1, r.requests);
      const sys = (r: Load) => r.server_sys_us / Math.max(1, r.requests);
      const readsPerRequest = (r: Load) => r.reads / Math.max(1, r.requests);
      /** The median over rounds of `f(id's run) / f(base's run)`. */
      const ratio = (id: string, base: string, f: (r: Load) => number) =>
        results[base] === undefined
          ? NaN
          : median(results[id].map((r, i) => f(r) / f(results[base][i])));
      for (const id of ids) {
        const rs = results[id];
        body.push([
          name,
          id,
          median(rs.map(rate)).toFixed(0),
          ratioText(ratio(id, "raw", rate)),
          ratioText(ratio(id, "uvloop", rate)),
          median(rs.map((r) => r.p50_us)).toFixed(0),
          median(rs.map((r) => r.p99_us)).toFixed(0),
          median(rs.map(cpu)).toFixed(2),
          ratioText(ratio(id, "raw", cpu)),
          median(rs.map(sys)).toFixed(2),
          rs[0].reads === 0 ? "–" : median(rs.map(readsPerRequest)).toFixed(2),
        ]);
        console.log(`  ${body.at(-1)!.join("  ")}`);
      }
      const target = (what: string, x: number, ok: boolean) => {
        if (Number.isFinite(x)) {
          targets.push([name, what, ratioText(x), met(ok)]);
        }
      };
      if (results.ours !== undefined) {
        const x = ratio("ours", "raw", cpu);
        target(
          `ours CPU/req <= ${TARGET_CPU}x raw`,
          x,
          x <= TARGET_CPU,
        );
        if (results["raw-hooks"] !== undefined) {
          // Not a target: how much of the distance any hook-based design pays.
          const floor = ratio("raw-hooks", "raw", cpu);
          if (Number.isFinite(floor)) {
            targets.push([
              name,
              "floor (raw-hooks) CPU/req",
              ratioText(floor),
              "",
            ]);
          }
        }
        if (size <= KiB && connections >= 100) {
          const y = ratio("ours", "uvloop", rate);
          target("ours req/s >= uvloop", y, y >= 1);
        }
      }
      if (results.protocol !== undefined) {
        const x = ratio("protocol", "raw", rate);
        target(
          `protocol req/s >= ${TARGET_PROTOCOL_RATE}x raw`,
          x,
          x >= TARGET_PROTOCOL_RATE,
        );
        const y = ratio("protocol", "raw", cpu);
        target(
          `protocol CPU/req <= ${TARGET_PROTOCOL_CPU}x raw`,
          y,
          y <= TARGET_PROTOCOL_CPU,
        );
      }
    }
  } finally {
    for (const id of ids) await servers[id].stop();
  }
  if (body.length > 0) console.log();
  if (body.length > 0) {
    console.log(table(
      [
        "connections x size",
        "server",
        "req/s",
        "/raw",
        "/uvloop",
        "p50 µs",
        "p99 µs",
        "CPU µs/req",
        "CPU/req /raw",
        "sys µs/req",
        "reads/req",
      ],
      body,
    ));
  }
  if (targets.length > 0) {
    console.log();
    console.log(table(["connections x size", "target", "ratio", ""], targets));
  }
  console.log(`${errors} load errors.`);

  if (IDLE > 0) {
    const idleBody: string[][] = [];
    for (const id of IDLE_SERVERS) {
      if (SERVERS[id].args.includes("uvloop") && python === null) continue;
      try {
        const r = await idle(id, python ?? "python3", IDLE);
        const kib = (x: number | null) => x === null ? "–" : x.toFixed(2);
        idleBody.push([
          id,
          String(r.opened),
          r.rssKiB.toFixed(2),
          kib(r.heapKiB),
          kib(r.externalKiB),
          id === "ours" ? met(r.rssKiB <= TARGET_IDLE_KIB) : "",
        ]);
      } catch (error) {
        idleBody.push([
          id,
          "0",
          `failed: ${(error as Error).message}`,
          "",
          "",
          "",
        ]);
      }
      console.log(`  idle: ${idleBody.at(-1)!.join("  ")}`);
    }
    console.log();
    console.log(table(
      [
        "server",
        "idle connections",
        "RSS KiB/conn",
        "heap KiB/conn",
        "external KiB/conn",
        `<= ${TARGET_IDLE_KIB} KiB`,
      ],
      idleBody,
    ));
    console.log(
      "A fresh server process each; its RSS (and, for Deno, heapUsed and external after a full GC) before and after the client's connections, / connections.",
    );
  }
}

if (import.meta.main) await main();
