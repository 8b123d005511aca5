/**
 * Property: random interleavings of `put`, `get` and task cancellation on a
 * bounded queue never lose or duplicate an item. Every item whose `put`
 * returned is, at the end, either returned by exactly one `get` or still in
 * the queue; no other item appears anywhere.
 */
import assert from "node:assert/strict";
// The brief pins fast-check inline (deno.json is the lead's to edit).
import fc from "fast-check";
import { coroutine, createTask, Queue, sleep, type Task } from "../../mod.ts";
import { runVirtual } from "./_both.ts";

type Op =
  | { op: "put"; generator: boolean }
  | { op: "get"; generator: boolean }
  | { op: "cancel"; index: number }
  | { op: "tick" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("put" as const), generator: fc.boolean() }),
  fc.record({ op: fc.constant("get" as const), generator: fc.boolean() }),
  fc.record({ op: fc.constant("cancel" as const), index: fc.nat(40) }),
  fc.record({ op: fc.constant("tick" as const) }),
);

async function scenario(maxsize: number, ops: Op[]): Promise<void> {
  const q = new Queue<number>(maxsize);
  const putDone: number[] = [];
  const got: number[] = [];
  let next = 0;
  const asyncPut = async (x: number) => {
    await q.put(x);
    putDone.push(x);
  };
  const genPut = coroutine(function* (x: number) {
    yield* q.put(x);
    putDone.push(x);
  });
  const asyncGet = async () => {
    got.push(await q.get());
  };
  const genGet = coroutine(function* () {
    got.push(yield* q.get());
  });
  await runVirtual(async () => {
    const tasks: Task<void>[] = [];
    for (const op of ops) {
      if (op.op === "put") {
        const x = next++;
        tasks.push(createTask(op.generator ? genPut(x) : asyncPut(x)));
      } else if (op.op === "get") {
        tasks.push(createTask(op.generator ? genGet() : asyncGet()));
      } else if (op.op === "cancel") {
        if (tasks.length > 0) tasks[op.index % tasks.length].cancel();
      } else {
        await sleep(0);
      }
    }
    await sleep(0);
    for (const t of tasks) t.cancel();
    for (const t of tasks) {
      try {
        await t;
      } catch {
        // cancelled
      }
    }
  });
  const remaining: number[] = [];
  while (!q.empty()) remaining.push(q.getNowait());
  const seen = [...got, ...remaining].sort((a, b) => a - b);
  assert.deepEqual(seen, [...putDone].sort((a, b) => a - b));
  assert.equal(new Set(seen).size, seen.length, "an item was duplicated");
  assert.ok(remaining.length <= maxsize, "the queue overflowed");
}

Deno.test("Queue under random put/get/cancel interleavings never loses or duplicates an item", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 4 }),
      fc.array(opArb, { maxLength: 60 }),
      scenario,
    ),
    { numRuns: 300 },
  );
});
