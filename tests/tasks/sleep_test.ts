import assert from "node:assert/strict";
import {
  CancelledError,
  coroutine,
  createTask,
  RuntimeError,
  sleep,
} from "../../mod.ts";
import {
  assertRejectsError,
  assertThrowsError,
  now,
  runVirtual,
  testBoth,
} from "./_both.ts";

// async def main():
//     print(await asyncio.sleep(0.01, "r"), await asyncio.sleep(0, "z"))
// -> r z
testBoth("sleep(delay, result) resumes with result", async ({ fn }) => {
  const w = fn(function* () {
    const a: string = yield* sleep(1.5, "r");
    const b: string = yield* sleep(0, "z");
    const c: undefined = yield* sleep(1);
    return [a, b, c, now()];
  });
  assert.deepEqual(
    await runVirtual(async () => await createTask(w())),
    ["r", "z", undefined, 2.5],
  );
});

// await asyncio.sleep("1")
// -> TypeError '<=' not supported between instances of 'str' and 'int'
// (the port checks up front and names the API and the argument)
Deno.test("sleep() with a non-number delay throws TypeError naming sleep and delay", async () => {
  await runVirtual(() => {
    assertThrowsError(
      // deno-lint-ignore no-explicit-any
      () => sleep("1" as any),
      TypeError,
      'sleep: delay must be a number of seconds, got string "1"',
    );
    assertThrowsError(
      // deno-lint-ignore no-explicit-any
      () => sleep(undefined as any),
      TypeError,
      "sleep: delay must be a number of seconds, got undefined",
    );
  });
});

// (CPython accepts nan and never raises; the port rejects it up front)
Deno.test("sleep(NaN) throws TypeError", async () => {
  await runVirtual(() => {
    assertThrowsError(
      () => sleep(NaN),
      TypeError,
      "sleep: delay must be a number of seconds, got number NaN",
    );
  });
});

// async def z(name, d):
//     await asyncio.sleep(d); log.append(name)
// async def w(name):
//     for i in range(2):
//         await asyncio.sleep(-1); log.append(f"{name}{i}")
// await asyncio.gather(z("neg", -1), z("zero", 0), w("a"), w("b"))
// print(log, loop.time() - t0)
// -> ['neg', 'zero', 'a0', 'b0', 'a1', 'b1'] 0.0
testBoth(
  "sleep(-1) acts as sleep(0): it yields once, at time 0",
  async ({ fn }) => {
    const log: string[] = [];
    const z = fn(function* (name: string, d: number) {
      yield* sleep(d);
      log.push(name);
    });
    const w = fn(function* (name: string) {
      for (let i = 0; i < 2; i++) {
        yield* sleep(-1);
        log.push(`${name}${i}`);
      }
    });
    await runVirtual(async () => {
      const ts = [
        createTask(z("neg", -1)),
        createTask(z("zero", 0)),
        createTask(w("a")),
        createTask(w("b")),
      ];
      for (const t of ts) await t;
      assert.equal(now(), 0);
    });
    assert.deepEqual(log, ["neg", "zero", "a0", "b0", "a1", "b1"]);
  },
);

// async def s(d):
//     await asyncio.sleep(d)
//     log.append((d, loop.time() - t0))
// await asyncio.gather(s(2), s(3), s(5))
// print(log, loop.time() - t0)
// -> [(2, 2.0), (3, 3.0), (5, 5.0)] 5.0
testBoth(
  "sleep(): tasks sleeping 2, 3 and 5 s run concurrently and all finish at time 5",
  async ({ fn }) => {
    const log: [number, number][] = [];
    const s = fn(function* (d: number) {
      yield* sleep(d);
      log.push([d, now()]);
    });
    await runVirtual(async () => {
      const ts = [createTask(s(5)), createTask(s(2)), createTask(s(3))];
      for (const t of ts) await t;
      assert.equal(now(), 5);
    });
    assert.deepEqual(log, [[2, 2], [3, 3], [5, 5]]);
  },
);

// await asyncio.gather(s(2), s(1))
// print(log, loop.time() - t0)
// -> [(1, 1.0), (2, 2.0)] 2.0
testBoth(
  "sleep(): tasks sleeping 2 and 1 s finish together at time 2",
  async ({ fn }) => {
    const log: [number, number][] = [];
    const s = fn(function* (d: number) {
      yield* sleep(d);
      log.push([d, now()]);
    });
    await runVirtual(async () => {
      const ts = [createTask(s(2)), createTask(s(1))];
      for (const t of ts) await t;
      assert.equal(now(), 2);
    });
    assert.deepEqual(log, [[1, 1], [2, 2]]);
  },
);

// async def main():
//     for d in (0.5, 0.25):
//         await asyncio.sleep(d); print(loop.time() - t0)
// -> 0.5 / 0.75
Deno.test("sleep() advances the virtual clock by exactly its delay", async () => {
  await runVirtual(async () => {
    await sleep(0.5);
    assert.equal(now(), 0.5);
    await sleep(0.25);
    assert.equal(now(), 0.75);
    await sleep(0);
    assert.equal(now(), 0.75);
  });
});

// t = asyncio.create_task(asyncio.sleep(100)); await asyncio.sleep(0); t.cancel()
// try: await t
// except asyncio.CancelledError: pass
// print(loop.time() - t0); await asyncio.sleep(1); print(loop.time() - t0)
// -> 0.0
// -> 1.0
Deno.test("sleep(): cancelling the sleeping task drops its timer", async () => {
  await runVirtual(async () => {
    const t = createTask(sleep(100));
    await sleep(0);
    t.cancel();
    await assertRejectsError(t, CancelledError, "");
    // With its timer still armed, the idle virtual clock would jump to 100
    // while this task waits on a plain (non-loop) Promise.
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(now(), 0);
    await sleep(1);
    assert.equal(now(), 1);
  });
});

// async def a():
//     print("a start"); await asyncio.sleep(0.01); print("a end")
// t = asyncio.create_task(a()); t.cancel()
// try: await t
// except asyncio.CancelledError: print("cancelled", t.cancelled())
// -> cancelled True
// (JavaScript runs a()'s prefix at the call: "a start" prints here too)
Deno.test("sleep(): a task cancelled before its first step never resumes from its prefix's sleep", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    async function a() {
      log.push("a start");
      await sleep(0.01);
      log.push("a end");
    }
    const t = createTask(a());
    t.cancel();
    await assertRejectsError(t, CancelledError, "");
    log.push(`cancelled ${t.cancelled()}`);
    await sleep(1);
  });
  assert.deepEqual(log, ["a start", "cancelled true"]);
});

// s = asyncio.sleep(0.01, "x"); t = asyncio.create_task(s)
// await asyncio.sleep(0)
// try: await s
// except RuntimeError as e: print(e)
// print(await t)
// -> coroutine is being awaited already
// -> x
// (the port says "cannot reuse already awaited coroutine" in both cases)
Deno.test("sleep(): awaiting a sleep that a task runs raises RuntimeError; the task goes on", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    const s = sleep(0.01, "x");
    const t = createTask(s);
    await sleep(0);
    await assertRejectsError(
      s,
      RuntimeError,
      "cannot reuse already awaited coroutine",
    );
    log.push(await t);
    const g = coroutine(function* () {
      const twice = sleep(0.01, "y");
      const first: string = yield* twice;
      try {
        yield* twice;
      } catch (e) {
        log.push((e as Error).message);
      }
      return first;
    });
    log.push(await g());
  });
  assert.deepEqual(log, ["x", "cannot reuse already awaited coroutine", "y"]);
});

// A sleep is a native promise: what JavaScript does with one works on it.
Deno.test("sleep(): then/catch/finally, Promise.all and return from an async function", async () => {
  const log: unknown[] = [];
  await runVirtual(async () => {
    log.push(
      await sleep(0.5, "c").then((v) => v + "!").finally(() => {
        log.push(`finally at ${now()}`);
      }),
    );
    log.push(await Promise.all([sleep(0.25, 1), sleep(0.5, 2)]), now());
    // The shape under test: an async function that returns a sleep.
    // deno-lint-ignore require-await
    const returned = async () => sleep(0.25, "returned");
    log.push(await returned(), now());
    log.push(await Promise.race([sleep(1, "slow"), sleep(0.25, "fast")]));
  });
  assert.deepEqual(log, [
    "finally at 0.5",
    "c!",
    [1, 2],
    1,
    "returned",
    1.25,
    "fast",
  ]);
});

Deno.test("sleep(): cancelling a task in Promise.all of two sleeps cancels both", async () => {
  await runVirtual(async () => {
    const t = createTask(async () => {
      await Promise.all([sleep(100), sleep(200)]);
    });
    await sleep(0);
    t.cancel();
    await assertRejectsError(t, CancelledError, "");
    // Either timer left armed would make the idle virtual clock jump to it.
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(now(), 0);
  });
});
