/**
 * The fault suite (#16): a server built on this module (`_fault_server.ts`)
 * runs as its own process, and the test attacks it from outside over
 * 127.0.0.1, as a porter's daemon would be attacked: Ctrl-C while it
 * serves, resets before accept, connection churn, slow clients beside
 * normal ones, a 30-day sleep on an idle loop. What the server says of
 * itself (RSS and heap after a collection, CPU time) comes from its `stats`
 * line; its open descriptors are counted by `python3` (Deno grants
 * `/proc/PID/fd` only with `--allow-all`), and the resets are made by it
 * (`SO_LINGER` 0, which Deno cannot set).
 */
import assert from "node:assert/strict";
import { Child } from "../_child.ts";
import { dec, enc } from "./_helpers.ts";
import { probePython } from "./_python.ts";

const python = probePython();
if (python === "absent") {
  console.warn(
    "faults_test.ts: python3 is not installed: the reset and descriptor checks are ignored",
  );
}

const SERVER_PERMISSIONS = ["--allow-net=127.0.0.1", "--v8-flags=--expose-gc"];

async function startServer(): Promise<{ child: Child; port: number }> {
  const child = new Child("streams/_fault_server.ts", SERVER_PERMISSIONS);
  const line = await child.waitFor(/^port \d+$/);
  return { child, port: Number(line.split(" ")[1]) };
}

/** A line client of the server. */
class Client {
  #conn: Deno.TcpConn;
  #buffer = new Uint8Array(65536);
  #pending = "";

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async open(port: number): Promise<Client> {
    return new Client(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Send `line` and read the one line that comes back ("" at EOF). */
  async ask(line: string): Promise<string> {
    await this.#conn.write(enc(line + "\n"));
    return await this.readLine();
  }

  async readLine(): Promise<string> {
    while (!this.#pending.includes("\n")) {
      const n = await this.#conn.read(this.#buffer);
      if (n === null) return "";
      this.#pending += dec(this.#buffer.subarray(0, n));
    }
    const end = this.#pending.indexOf("\n");
    const line = this.#pending.slice(0, end);
    this.#pending = this.#pending.slice(end + 1);
    return line;
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.#conn.write(bytes);
  }

  close(): void {
    this.#conn.close();
  }
}

interface Stats {
  rss: number;
  heapUsed: number;
}

/** Ask the server `question` on a connection of its own. */
async function ask(port: number, question: string): Promise<string> {
  const client = await Client.open(port);
  try {
    return await client.ask(question);
  } finally {
    client.close();
  }
}

async function stats(port: number): Promise<Stats> {
  return JSON.parse(await ask(port, "stats"));
}

/** Run `python3 -c code`; its stdout. */
function python3(code: string): string {
  const { code: status, stdout, stderr } = new Deno.Command("python3", {
    args: ["-c", code],
  }).outputSync();
  assert.equal(status, 0, dec(stderr));
  return dec(stdout).trim();
}

function openDescriptors(pid: number): number {
  return Number(
    python3(`import os; print(len(os.listdir("/proc/${pid}/fd")))`),
  );
}

/** Stop the server (SIGINT) and check it ended through `run()`'s cleanup. */
async function interrupt(child: Child): Promise<void> {
  child.kill("SIGINT");
  const { status, stdout, stderr } = await child.ended();
  assert.equal(stdout.at(-1), "closed", stderr);
  assert.equal(status.code, 130, stderr);
}

const MiB = 2 ** 20;

Deno.test("SIGINT while serveForever() serves: the server's finally runs, its clients get EOF (not a reset), and it exits with status 130", async () => {
  const { child, port } = await startServer();
  const client = await Client.open(port);
  assert.equal(await client.ask("hello"), "hello");
  child.kill("SIGINT");
  assert.equal(await client.readLine(), ""); // EOF: read() gave null
  client.close();
  const { status, stdout, stderr } = await child.ended();
  assert.equal(stdout.at(-1), "closed", stderr);
  assert.equal(status.code, 130);
  assert.match(stderr, /^KeyboardInterrupt\n/);
});

Deno.test({
  name:
    "50 clients reset before the server accepts them (it is stopped), and once it runs again the next client is served at once",
  ignore: python === "absent",
  fn: async () => {
    const { child, port } = await startServer();
    child.kill("SIGSTOP"); // the resets all land before any accept
    try {
      python3(`
import socket, struct
for i in range(50):
    s = socket.create_connection(("127.0.0.1", ${port}))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
`);
    } finally {
      child.kill("SIGCONT");
    }
    const t0 = performance.now();
    const client = await Client.open(port);
    assert.equal(await client.ask("after the resets"), "after the resets");
    const ms = performance.now() - t0;
    client.close();
    // A 0.1 s back-off per reset made it 5 s; CPython takes 3 ms.
    assert.ok(ms < 500, `the next client waited ${ms.toFixed(0)} ms`);
    await interrupt(child);
  },
});

Deno.test("20,000 connections come and go, twice: no descriptor left, no heap kept, and RSS levels off", async () => {
  const { child, port } = await startServer();
  const churn = async (count: number) => {
    const WORKERS = 8;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let i = 0; i < count / WORKERS; i++) {
          const client = await Client.open(port);
          assert.equal(await client.ask("hi"), "hi");
          client.close();
        }
      }),
    );
  };
  await churn(2000); // compiled code and the heap's first growth
  const warm = await stats(port);
  const fdsBefore = python === "present" ? openDescriptors(child.pid) : 0;
  await churn(20000);
  const first = await stats(port);
  await churn(20000);
  const second = await stats(port);
  if (python === "present") {
    assert.equal(openDescriptors(child.pid), fdsBefore);
  }
  // What a collection leaves is what the server keeps: nothing per client.
  assert.ok(
    second.heapUsed - warm.heapUsed < 2 * MiB,
    `heap after GC grew ${(second.heapUsed - warm.heapUsed) / MiB} MiB`,
  );
  // RSS: V8 keeps the young generation it grew into under 10,000 clients a
  // second (here 68 → 133 MiB; a raw Deno echo server 47 → 83), and reuses
  // it: the second 20,000 add little (3-11% here, on a loaded machine).
  assert.ok(
    second.rss < 1.3 * first.rss,
    `RSS went ${warm.rss / MiB} → ${first.rss / MiB} → ${second.rss / MiB} MiB`,
  );
  await interrupt(child);
});

// The drip of 2,000 writes shares this process (and 2 cores) with the
// measured client, which costs it up to a third of its rate on a loaded
// machine; a server starved by slow clients would fall far below half.
Deno.test("2,000 slow clients sending a byte a second beside normal ones: a normal client keeps over half its rate", async () => {
  const { child, port } = await startServer();
  /** Round trips one normal client makes in `ms`. */
  const rate = async (ms: number) => {
    const client = await Client.open(port);
    let n = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      assert.equal(await client.ask("ping"), "ping");
      n++;
    }
    client.close();
    return n;
  };
  await rate(300); // warm up
  const before = await rate(1000);
  const slow: Deno.TcpConn[] = [];
  for (let i = 0; i < 2000; i++) {
    slow.push(await Deno.connect({ hostname: "127.0.0.1", port }));
  }
  let dripping = true;
  const drip = (async () => {
    while (dripping) {
      for (const conn of slow) await conn.write(enc("x"));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  const during = await rate(1000);
  dripping = false;
  await drip;
  const after = await rate(1000);
  for (const conn of slow) conn.close();
  const baseline = (before + after) / 2;
  assert.ok(
    during > 0.5 * baseline,
    `round trips a second: ${before} before, ${during} beside 2,000 slow clients, ${after} after`,
  );
  await interrupt(child);
});

Deno.test("a 30-day sleep on an idle loop costs under 10 ms of CPU a second", async () => {
  const { child, port } = await startServer();
  assert.equal(await ask(port, "sleep"), "sleeping");
  const t0 = performance.now();
  const before = Number(await ask(port, "cpu"));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = Number(await ask(port, "cpu"));
  const seconds = (performance.now() - t0) / 1000;
  // A 1 ms timer re-armed forever (Deno's overflow) costs 100s of ms.
  const perSecond = (after - before) / seconds;
  assert.ok(perSecond < 10, `${perSecond.toFixed(1)} ms of CPU a second`);
  await interrupt(child);
});
