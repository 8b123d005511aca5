/**
 * The Deno fallback of `bench/load_client.c`, for machines without `cc`: the
 * same arguments and the same one JSON line (see that file), but it tops
 * out near 60k req/s, below what the servers of `bench/echo_peers.ts` do.
 * Its `server_cpu_us` and `server_sys_us` are always -1: Deno lets a process
 * read another's `/proc/PID/stat` only under `--allow-all`, so the driver
 * asks the server for its CPU time instead (SERVER_PID is accepted and
 * ignored).
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 bench/_echo_load_client.ts \
 *   HOST PORT CONNECTIONS BYTES SECONDS [SERVER_PID [hold]]
 * ```
 *
 * @module
 */

/** Send `msg`, read its whole echo into `buf`; whether its ends match. */
async function roundTrip(
  conn: Deno.Conn,
  msg: Uint8Array,
  buf: Uint8Array,
): Promise<boolean> {
  let sent = 0;
  while (sent < msg.length) sent += await conn.write(msg.subarray(sent));
  let got = 0;
  while (got < buf.length) {
    const n = await conn.read(buf.subarray(got));
    if (n === null) return false;
    got += n;
  }
  const last = buf.length - 1;
  return (buf[0] === msg[0] || buf[0] === msg[0] - 0x20) &&
    (buf[last] === msg[last] || buf[last] === msg[last] - 0x20);
}

/** Connect, then round-trip on every connection (or hold them), as the C client. */
async function main(): Promise<void> {
  const [host, port, connections, bytes, seconds, _pid, mode] = Deno.args;
  const n = Number(connections), size = Number(bytes);
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < n; i++) {
    const conn = await Deno.connect({ hostname: host, port: Number(port) });
    conn.setNoDelay(true);
    conns.push(conn);
  }
  const msg = new Uint8Array(size);
  for (let i = 0; i < size; i++) msg[i] = 0x61 + i % 26;
  let errors = 0;
  if (mode === "hold") {
    await Promise.all(conns.map(async (conn) => {
      if (!await roundTrip(conn, msg, new Uint8Array(size))) errors++;
    }));
    console.log(JSON.stringify({ connected: n, errors }));
    const timer = setTimeout(() => Deno.exit(0), Number(seconds) * 1000);
    for await (const _ of Deno.stdin.readable) {
      // until stdin closes
    }
    clearTimeout(timer);
    return;
  }
  const latencies: number[] = [];
  const t0 = performance.now();
  const deadline = t0 + Number(seconds) * 1000;
  let last = t0;
  await Promise.all(conns.map(async (conn) => {
    const buf = new Uint8Array(size);
    try {
      for (;;) {
        const start = performance.now();
        if (!await roundTrip(conn, msg, buf)) errors++;
        last = performance.now();
        latencies.push((last - start) * 1000);
        if (last >= deadline) break;
      }
    } catch {
      errors++;
    }
  }));
  for (const conn of conns) conn.close();
  const sorted = Float64Array.from(latencies).sort();
  const at = (p: number) =>
    sorted.length === 0 ? 0 : Math.round(
      sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))],
    );
  console.log(JSON.stringify({
    requests: latencies.length,
    seconds: (last - t0) / 1000,
    p50_us: at(0.5),
    p99_us: at(0.99),
    errors,
    server_cpu_us: -1,
    server_sys_us: -1,
  }));
}

if (import.meta.main) await main();
