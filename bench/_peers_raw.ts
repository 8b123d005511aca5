/**
 * `bench/peers.ts`'s workloads on raw promises (see `_peers_child.ts`):
 * what one would write without a library.
 *
 * With `--hooks`, it first installs promise hooks that do nothing
 * (`_noop_promise_hooks.ts`): the floor run.
 *
 * @module
 */
import { CANCEL_SLEEP_S, check, child, SLEEP_S } from "./_peers_child.ts";
import { installNoopPromiseHooks } from "./_noop_promise_hooks.ts";
import { RawQueue } from "./_raw_queue.ts";

if (Deno.args.includes("--hooks")) installNoopPromiseHooks();

// The same do-nothing `async` function as the other children spawn.
// deno-lint-ignore require-await
async function work(i: number): Promise<number> {
  return i;
}

async function spawnAwait(n: number): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  const promises: Promise<number>[] = [];
  for (let i = 0; i < n; i++) promises.push(work(i));
  for (const p of promises) sum += await p;
  const ms = performance.now() - t0;
  check(sum === n * (n - 1) / 2, "spawn lost results");
  return ms;
}

function timeout(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function sleeper(): Promise<void> {
  await timeout(SLEEP_S * 1000);
}

async function sleepers(n: number): Promise<number> {
  const t0 = performance.now();
  const promises: Promise<void>[] = [];
  for (let i = 0; i < n; i++) promises.push(sleeper());
  for (const p of promises) await p;
  return performance.now() - t0;
}

async function queue(n: number): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  const q = new RawQueue<number>(1);
  const consumer = (async () => {
    for (let i = 0; i < n; i++) sum += await q.get();
  })();
  for (let i = 0; i < n; i++) await q.put(i);
  await consumer;
  const ms = performance.now() - t0;
  check(sum === n * (n - 1) / 2, "queue lost items");
  return ms;
}

/**
 * A cancellable sleep: a timer, and a listener on the signal that clears
 * it and rejects with the signal's reason.
 */
function abortableTimeout(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const id = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(id);
      reject(signal.reason);
    }
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

async function cancel(n: number): Promise<number> {
  let started = 0;
  let woke = 0;
  let cancelled = 0;
  const controllers: AbortController[] = [];
  const promises: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const controller = new AbortController();
    controllers.push(controller);
    promises.push((async () => {
      started++;
      await abortableTimeout(CANCEL_SLEEP_S * 1000, controller.signal);
      woke++;
    })());
  }
  while (started < n) await timeout(1);
  const t0 = performance.now();
  for (const controller of controllers) controller.abort();
  // allSettled, not `await` on each in turn: a promise that rejects before
  // anything handles it costs Deno 2.9.6 a scan of its pending unhandled
  // rejections when it is handled, O(n) each (~300 us/op at 100k).
  for (const settled of await Promise.allSettled(promises)) {
    if (settled.status === "fulfilled") continue;
    const e = settled.reason;
    if (!(e instanceof DOMException && e.name === "AbortError")) throw e;
    cancelled++;
  }
  const ms = performance.now() - t0;
  check(woke === 0 && cancelled === n, "cancel missed sleepers");
  return ms;
}

await child({ spawn: spawnAwait, sleep: sleepers, queue, cancel });
