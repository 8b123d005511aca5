/**
 * What one suspended `await` keeps, by what it awaits (issue #22): a
 * thenable whose `then()` registers a waiter and returns a fresh promise,
 * the shape of the module's Futures, against a native promise. In raw
 * JavaScript, with promise hooks that do nothing installed as the module
 * installs its own (`_noop_promise_hooks.ts`), so that only the shape
 * differs. V8 awaits a native promise with a reaction; a thenable costs it a
 * wrapper promise with two resolving functions, and the thenable's `then()`
 * must return a promise with two more. The difference is what Futures that V8
 * awaits as native promises would save per sleeping task.
 *
 * For each shape, `AWAITERS` `async` functions each await their own future;
 * the heap after a full GC, before they start and once they all wait,
 * divided by their number. Medians of 5 runs, the shapes interleaved:
 *
 * ```sh
 * deno run --v8-flags=--expose-gc bench/await_bridge.ts
 * ```
 *
 * @module
 */
import { installNoopPromiseHooks } from "./_noop_promise_hooks.ts";
import { median, table } from "./_report.ts";

const AWAITERS = 100_000;
const RUNS = 5;

installNoopPromiseHooks();

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.log("await_bridge: needs --v8-flags=--expose-gc; skipped");
  Deno.exit(0);
}

/** A waiter of a thenable future: the callbacks and its promise's resolvers. */
interface ThenWaiter {
  onFulfilled: (value: unknown) => unknown;
  resolve: (value: unknown) => void;
}

/** The module's shape: `then()` keeps a waiter and returns a new promise. */
class ThenableFuture {
  #waiters: ThenWaiter[] = [];

  then(onFulfilled: (value: unknown) => unknown): Promise<unknown> {
    const { promise, resolve } = Promise.withResolvers<unknown>();
    this.#waiters.push({ onFulfilled, resolve });
    return promise;
  }

  setResult(value: unknown): void {
    for (const w of this.#waiters) w.resolve(w.onFulfilled(value));
  }
}

/** A future V8 awaits as a native promise. */
class PromiseFuture {
  readonly promise: Promise<unknown>;
  readonly setResult: (value: unknown) => void;

  constructor() {
    const { promise, resolve } = Promise.withResolvers<unknown>();
    this.promise = promise;
    this.setResult = resolve;
  }
}

type Shape = "thenable" | "promise";

/** Bytes of heap per suspended awaiter of `shape`. */
async function bytesPerAwaiter(shape: Shape): Promise<number> {
  gc!();
  gc!();
  const before = Deno.memoryUsage().heapUsed;
  const futures: Array<ThenableFuture | PromiseFuture> = [];
  const done: Promise<unknown>[] = [];
  for (let i = 0; i < AWAITERS; i++) {
    if (shape === "thenable") {
      const fut = new ThenableFuture();
      futures.push(fut);
      done.push((async () => await fut)());
    } else {
      const fut = new PromiseFuture();
      futures.push(fut);
      done.push((async () => await fut.promise)());
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 10)); // all suspended
  gc!();
  gc!();
  const bytes = (Deno.memoryUsage().heapUsed - before) / AWAITERS;
  for (const fut of futures) fut.setResult(1);
  await Promise.all(done);
  return bytes;
}

const results: Record<Shape, number[]> = { thenable: [], promise: [] };
for (let run = 0; run < RUNS; run++) {
  for (const shape of ["thenable", "promise"] as const) {
    results[shape].push(await bytesPerAwaiter(shape));
  }
}
const thenable = median(results.thenable);
const promise = median(results.promise);
console.log(
  `await_bridge: ${AWAITERS} suspended awaits, heap after a full GC, medians of ${RUNS} interleaved runs, with promise hooks that do nothing (Deno ${Deno.version.deno})`,
);
console.log(table(["awaited", "bytes per awaiter"], [
  ["a thenable future (the module's shape)", thenable.toFixed(0)],
  ["a native promise", promise.toFixed(0)],
  ["difference", (thenable - promise).toFixed(0)],
]));
