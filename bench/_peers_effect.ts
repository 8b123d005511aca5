/**
 * `bench/peers.ts`'s workloads on Effect 4 (see `_peers_child.ts`).
 *
 * @module
 */
import { Effect, Fiber, Queue } from "effect";
import { CANCEL_SLEEP_S, check, child, SLEEP_S } from "./_peers_child.ts";

const work = (i: number) => Effect.sync(() => i);

async function spawnAwait(n: number): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  await Effect.runPromise(Effect.gen(function* () {
    const fibers: Fiber.Fiber<number>[] = [];
    for (let i = 0; i < n; i++) fibers.push(yield* Effect.forkChild(work(i)));
    for (const fiber of fibers) sum += yield* Fiber.join(fiber);
  }));
  const ms = performance.now() - t0;
  check(sum === n * (n - 1) / 2, "spawn lost results");
  return ms;
}

const sleeper = Effect.sleep(SLEEP_S * 1000); // a number is milliseconds

async function sleepers(n: number): Promise<number> {
  const t0 = performance.now();
  await Effect.runPromise(Effect.gen(function* () {
    const fibers: Fiber.Fiber<void>[] = [];
    for (let i = 0; i < n; i++) fibers.push(yield* Effect.forkChild(sleeper));
    for (const fiber of fibers) yield* Fiber.join(fiber);
  }));
  return performance.now() - t0;
}

async function queue(n: number): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  await Effect.runPromise(Effect.gen(function* () {
    const q = yield* Queue.bounded<number>(1);
    const consumer = yield* Effect.forkChild(Effect.gen(function* () {
      for (let i = 0; i < n; i++) sum += yield* Queue.take(q);
    }));
    for (let i = 0; i < n; i++) yield* Queue.offer(q, i);
    yield* Fiber.join(consumer);
  }));
  const ms = performance.now() - t0;
  check(sum === n * (n - 1) / 2, "queue lost items");
  return ms;
}

async function cancel(n: number): Promise<number> {
  let started = 0;
  let woke = 0;
  let ms = 0;
  const sleeper = Effect.gen(function* () {
    started++;
    yield* Effect.sleep(CANCEL_SLEEP_S * 1000);
    woke++;
  });
  await Effect.runPromise(Effect.gen(function* () {
    const fibers: Fiber.Fiber<void>[] = [];
    for (let i = 0; i < n; i++) fibers.push(yield* Effect.forkChild(sleeper));
    while (started < n) yield* Effect.sleep(1); // every one is asleep
    const t0 = performance.now();
    yield* Fiber.interruptAll(fibers);
    ms = performance.now() - t0;
  }));
  check(woke === 0, "cancel missed fibers");
  return ms;
}

await child({ spawn: spawnAwait, sleep: sleepers, queue, cancel });
