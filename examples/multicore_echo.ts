/**
 * One event loop per core: the tutorial's echo server run by several
 * Workers on one port (`startServer(…, { reusePort: true })`), the kernel
 * spreading the connections between them, as a Python server forks one
 * process per core with `SO_REUSEPORT`. Then 200 clients of this thread's
 * loop each send 20 lines and read them back upper-cased; it prints how
 * many connections each loop served.
 *
 * Run it with
 * `deno run --unstable-net --allow-net=127.0.0.1 --allow-read=. examples/multicore_echo.ts [loops]`
 * (`reusePort` is still behind `--unstable-net` in Deno 2.9, and a Worker
 * needs to read its module; the default is
 * one loop per core, `navigator.hardwareConcurrency`).
 *
 * @module
 */
import { gather, openConnection, run } from "../mod.ts";

const CLIENTS = 200;
const LINES = 20;

/** The servers' Workers, all listening on `port`. */
export interface Cores {
  port: number;
  /** Stop every server; what each served, in connections. */
  stop(): Promise<number[]>;
}

/** Start `loops` Workers serving on one port; resolve once all listen. */
export async function serveOnCores(loops: number): Promise<Cores> {
  const url = new URL("./_multicore_worker.ts", import.meta.url);
  const workers: Worker[] = [];
  const start = (port: number) => {
    const worker = new Worker(url, { type: "module" });
    workers.push(worker);
    const ready = Promise.withResolvers<number>();
    worker.onmessage = (e) => ready.resolve(e.data.ready);
    worker.postMessage({ port });
    return ready.promise;
  };
  // The first picks a free port; the others join it.
  const port = await start(0);
  await Promise.all(Array.from({ length: loops - 1 }, () => start(port)));
  return {
    port,
    stop: () =>
      Promise.all(workers.map((worker) => {
        const done = Promise.withResolvers<number>();
        worker.onmessage = (e) => {
          done.resolve(e.data.clients);
          worker.terminate();
        };
        worker.postMessage({ stop: true });
        return done.promise;
      })),
  };
}

/** One client: `LINES` lines out and back, checked. */
async function client(port: number, id: number): Promise<void> {
  const [reader, writer] = await openConnection("127.0.0.1", port);
  const encoder = new TextEncoder();
  for (let i = 0; i < LINES; i++) {
    const line = `client ${id} line ${i}\n`;
    writer.write(encoder.encode(line));
    await writer.drain();
    const echo = new TextDecoder().decode(await reader.readLine());
    if (echo !== line.toUpperCase()) throw new Error(`bad echo ${echo}`);
  }
  writer.close();
  await writer.waitClosed();
}

/** Serve on `loops` loops, run the clients, print what each loop served. */
export async function main(
  loops = navigator.hardwareConcurrency,
): Promise<number[]> {
  const cores = await serveOnCores(loops);
  await run(() =>
    gather(
      ...Array.from(
        { length: CLIENTS },
        (_, id) => () => client(cores.port, id),
      ),
    )
  );
  const served = await cores.stop();
  console.log(
    `${CLIENTS} clients served by ${loops} loops on port ${cores.port}: ${
      served.join(" + ")
    }`,
  );
  return served;
}

if (import.meta.main) {
  await main(Number(Deno.args[0] ?? navigator.hardwareConcurrency));
}
