/**
 * One round of `bench/attribution.ts`, in a Worker of its own (a fresh
 * isolate: promise hooks are per isolate and cannot be removed). The mode,
 * from the URL's query: `hooks` loads the module as it is, `relabel` loads
 * it with the hooks refused (the fallback, the mechanism before #15), `bare`
 * loads nothing (plain JavaScript with no hooks). Each figure is this
 * thread's CPU time per operation, in ns.
 *
 * @module
 */
import process from "node:process";
import { AsyncLocalStorage } from "node:async_hooks";

const mode = new URL(import.meta.url).searchParams.get("mode") ?? "hooks";
if (mode === "relabel" || mode === "floor") {
  (globalThis as Record<symbol, unknown>)[Symbol.for("asyncio.attribution")] =
    "relabel";
}
if (mode === "floor") {
  // The hooks' own cost: the three the module installs, doing nothing.
  const { denoPromiseHooks } = await import("../loop/_async_context.ts");
  const nothing = () => {};
  denoPromiseHooks()!(nothing, nothing, undefined, nothing);
}

/** CPU ns per op of `fn(n)`, after one warm-up call. */
async function cpuPerOp(
  n: number,
  fn: (n: number) => unknown,
): Promise<number> {
  await fn(Math.ceil(n / 10));
  const start = process.threadCpuUsage();
  await fn(n);
  const used = process.threadCpuUsage(start);
  return (used.user + used.system) * 1000 / n;
}

/** Keeps what a benchmark makes alive until the next op. */
const kept: unknown[] = [null];
// deno-lint-ignore require-await
async function leaf(): Promise<number> {
  return 1;
}
const plain: Record<string, (n: number) => unknown> = {
  "new Promise": (n) => {
    for (let i = 0; i < n; i++) kept[0] = new Promise(() => {});
  },
  "async call + await": async (n) => {
    for (let i = 0; i < n; i++) await leaf();
  },
  "native await": async (n) => {
    const p = Promise.resolve(1);
    for (let i = 0; i < n; i++) await p;
  },
  "async call + await in ALS.run": (n) => {
    const als = new AsyncLocalStorage<number>();
    return als.run(1, async () => {
      for (let i = 0; i < n; i++) await leaf();
    });
  },
};

// Plain JavaScript beside the module: loaded first, as in a program using it.
const asyncio = mode === "bare" ? null : await import("../mod.ts");
const results: Record<string, number> = {};
for (const [name, fn] of Object.entries(plain)) {
  results[name] = await cpuPerOp(name === "new Promise" ? 1e7 : 3e6, fn);
}

if (asyncio !== null) {
  const { createTask, gather, getRunningLoop, Lock, run, sleep } = asyncio;
  type Fut = ReturnType<ReturnType<typeof getRunningLoop>["createFuture"]>;
  const module: Record<string, (n: number) => unknown> = {
    "await sleep(0), 100 tasks": (n) =>
      run(async () => {
        const per = Math.ceil(n / 100);
        const tasks = [];
        for (let t = 0; t < 100; t++) {
          tasks.push(createTask((async () => {
            for (let i = 0; i < per; i++) await sleep(0);
          })()));
        }
        for (const t of tasks) await t;
      }),
    "future hand-off": (n) =>
      run(async () => {
        const loop = getRunningLoop();
        const box = {
          a: loop.createFuture<number>(),
          b: loop.createFuture<number>(),
        };
        const player = async (mine: "a" | "b", other: "a" | "b") => {
          for (let i = 0; i < n / 2; i++) {
            await box[mine];
            box[mine] = loop.createFuture<number>() as Fut & typeof box.a;
            (box[other] as Fut).setResult(i);
          }
        };
        box.a.setResult(-1);
        const x = createTask(player("a", "b"));
        const y = createTask(player("b", "a"));
        await x;
        await y;
      }),
    "createTask + await": (n) =>
      run(async () => {
        for (let i = 0; i < n; i++) await createTask(leaf());
      }),
    "lock hand-off, gathered": (n) =>
      run(async () => {
        const lock = new Lock();
        const worker = async () => {
          for (let i = 0; i < n / 2; i++) {
            await lock.acquire();
            try {
              await sleep(0);
            } finally {
              lock.release();
            }
          }
        };
        await gather(worker(), worker());
      }),
  };
  for (const [name, fn] of Object.entries(module)) {
    results[name] = await cpuPerOp(5e5, fn);
  }
}
kept[0] = null;
const scope = self as unknown as {
  postMessage(m: unknown): void;
  close(): void;
};
scope.postMessage(results);
scope.close();
