/**
 * `bench/peers.ts`'s workloads on Effection (see `_peers_child.ts`).
 *
 * Effection has no bounded queue: `createQueue()` is unbounded and
 * `createChannel()` is an unbuffered broadcast whose `send` never waits for
 * a reader. The queue workload builds capacity 1 from two of its queues: the
 * items, and the free slots (the consumer hands one back per item taken).
 *
 * @module
 */
import {
  createQueue,
  type Operation,
  run,
  sleep,
  spawn,
  type Task,
} from "effection";
import { CANCEL_SLEEP_S, check, child, SLEEP_S } from "./_peers_child.ts";

// An operation that returns at once: the workload times the task, not work.
// deno-lint-ignore require-yield
function* work(i: number): Operation<number> {
  return i;
}

async function spawnAwait(n: number): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  await run(function* () {
    const tasks: Task<number>[] = [];
    for (let i = 0; i < n; i++) tasks.push(yield* spawn(() => work(i)));
    for (const task of tasks) sum += yield* task;
  });
  const ms = performance.now() - t0;
  check(sum === n * (n - 1) / 2, "spawn lost results");
  return ms;
}

function* sleeper(): Operation<void> {
  yield* sleep(SLEEP_S * 1000);
}

async function sleepers(n: number): Promise<number> {
  const t0 = performance.now();
  await run(function* () {
    const tasks: Task<void>[] = [];
    for (let i = 0; i < n; i++) tasks.push(yield* spawn(sleeper));
    for (const task of tasks) yield* task;
  });
  return performance.now() - t0;
}

async function queue(n: number): Promise<number> {
  let sum = 0;
  const t0 = performance.now();
  await run(function* () {
    const items = createQueue<number, never>();
    const slots = createQueue<void, never>();
    slots.add(); // capacity 1
    const consumer = yield* spawn(function* () {
      for (let i = 0; i < n; i++) {
        const next = yield* items.next();
        if (next.done) throw new Error("closed");
        sum += next.value;
        slots.add();
      }
    });
    for (let i = 0; i < n; i++) {
      yield* slots.next(); // wait for a free slot
      items.add(i);
    }
    yield* consumer;
  });
  const ms = performance.now() - t0;
  check(sum === n * (n - 1) / 2, "queue lost items");
  return ms;
}

/**
 * The sleepers are the children of one task; halting it halts them all and
 * resolves once they are torn down (halting each task in turn is what
 * `cancelEach` does, `bench/peers.ts --effection-halt-each`).
 */
async function cancel(n: number): Promise<number> {
  let started = 0;
  let woke = 0;
  let ms = 0;
  await run(function* () {
    const group = yield* spawn(function* () {
      for (let i = 0; i < n; i++) {
        yield* spawn(function* () {
          started++;
          yield* sleep(CANCEL_SLEEP_S * 1000);
          woke++;
        });
      }
      yield* sleep(CANCEL_SLEEP_S * 2000);
    });
    while (started < n) yield* sleep(1); // every one is asleep
    const t0 = performance.now();
    yield* group.halt();
    ms = performance.now() - t0;
  });
  check(woke === 0, "cancel missed tasks");
  return ms;
}

/** Halt each of the sleeping tasks, one after the other. */
async function cancelEach(n: number): Promise<number> {
  let started = 0;
  let woke = 0;
  let ms = 0;
  await run(function* () {
    const tasks: Task<void>[] = [];
    for (let i = 0; i < n; i++) {
      tasks.push(
        yield* spawn(function* () {
          started++;
          yield* sleep(CANCEL_SLEEP_S * 1000);
          woke++;
        }),
      );
    }
    while (started < n) yield* sleep(1);
    const t0 = performance.now();
    for (const task of tasks) yield* task.halt();
    ms = performance.now() - t0;
  });
  check(woke === 0, "cancel missed tasks");
  return ms;
}

await child({
  spawn: spawnAwait,
  sleep: sleepers,
  queue,
  cancel: Deno.args.includes("--halt-each") ? cancelEach : cancel,
});
