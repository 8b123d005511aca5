import assert from "node:assert/strict";
import {
  Barrier,
  BrokenBarrierError,
  CancelledError,
  createTask,
  RuntimeError,
  sleep,
  ValueError,
} from "../../mod.ts";
import {
  assertRejectsError,
  assertThrowsError,
  runVirtual,
  testBoth,
} from "./_both.ts";

// b = asyncio.Barrier(3); print(repr(b))   # [filling, waiters:0/3]
// async def w(n):
//     log.append(f"{n} waits"); i = await b.wait(); log.append(f"{n} passed {i}")
// ts = [asyncio.create_task(w(n)) for n in "abc"]
// await asyncio.sleep(0); print(b.n_waiting, repr(b))  # 0 [draining, waiters:0/3]
// await asyncio.gather(*ts); print(log, b.n_waiting, repr(b))
// # ['a waits', 'b waits', 'c waits', 'c passed 2', 'a passed 0', 'b passed 1']
// # 0 <Barrier [filling, waiters:0/3]>
// ts = [asyncio.create_task(w(n)) for n in "def"]; await asyncio.gather(*ts)
// # ['d waits', 'e waits', 'f waits', 'f passed 2', 'd passed 0', 'e passed 1']
testBoth(
  "Barrier.wait() releases all parties together with their indices, and is reusable",
  async ({ fn }) => {
    const b = new Barrier(3);
    const log: string[] = [];
    const w = fn(function* (n: string) {
      log.push(`${n} waits`);
      const i = yield b.wait();
      log.push(`${n} passed ${i}`);
    });
    await runVirtual(async () => {
      assert.equal(String(b), "<Barrier [filling, waiters:0/3]>");
      let ts = ["a", "b", "c"].map((n) => createTask(w(n)));
      await sleep(0);
      assert.equal(b.nWaiting, 0);
      assert.equal(String(b), "<Barrier [draining, waiters:0/3]>");
      for (const t of ts) await t;
      assert.equal(String(b), "<Barrier [filling, waiters:0/3]>");
      assert.deepEqual(log, [
        "a waits",
        "b waits",
        "c waits",
        "c passed 2",
        "a passed 0",
        "b passed 1",
      ]);
      log.length = 0;
      ts = ["d", "e", "f"].map((n) => createTask(w(n)));
      for (const t of ts) await t;
      assert.deepEqual(log, [
        "d waits",
        "e waits",
        "f waits",
        "f passed 2",
        "d passed 0",
        "e passed 1",
      ]);
    });
  },
);

testBoth("Barrier.nWaiting counts the tasks filling it", async ({ fn }) => {
  const b = new Barrier(3);
  const w = fn(function* () {
    return yield b.wait();
  });
  await runVirtual(async () => {
    const t1 = createTask(w());
    await sleep(0);
    assert.equal(b.nWaiting, 1);
    const t2 = createTask(w());
    await sleep(0);
    assert.equal(b.nWaiting, 2);
    assert.equal(Deno.inspect(b), "<Barrier [filling, waiters:2/3]>");
    assert.equal(await b.wait(), 2);
    assert.deepEqual([await t1, await t2], [0, 1]);
    assert.equal(b.parties, 3);
  });
});

// ts = [asyncio.create_task(w(n)) for n in "ab"]   # w logs BrokenBarrierError
// await asyncio.sleep(0); await b.reset(); print(repr(b))  # [resetting, waiters:0/3]
// await asyncio.gather(*ts); print(log, repr(b), b.broken)
// # ["a BrokenBarrierError('Abort or reset of barrier')",
// #  "b BrokenBarrierError('Abort or reset of barrier')"]
// # <Barrier [filling, waiters:0/3]> False
testBoth(
  "Barrier.reset() raises BrokenBarrierError in the waiting tasks and refills",
  async ({ fn }) => {
    const b = new Barrier(3);
    const log: string[] = [];
    const w = fn(function* (n: string) {
      try {
        yield b.wait();
        log.push(`${n} passed`);
      } catch (e) {
        assert.ok(e instanceof BrokenBarrierError);
        assert.ok(e instanceof RuntimeError);
        log.push(`${n} ${(e as Error).name}('${(e as Error).message}')`);
      }
    });
    const main = fn(function* () {
      const ts = ["a", "b"].map((n) => createTask(w(n)));
      yield;
      yield b.reset();
      assert.equal(String(b), "<Barrier [resetting, waiters:0/3]>");
      for (const t of ts) yield t;
      assert.equal(String(b), "<Barrier [filling, waiters:0/3]>");
      assert.equal(b.broken, false);
    });
    await runVirtual(main);
    assert.deepEqual(log, [
      "a BrokenBarrierError('Abort or reset of barrier')",
      "b BrokenBarrierError('Abort or reset of barrier')",
    ]);
  },
);

// ts = [asyncio.create_task(w(n)) for n in "ab"]; await asyncio.sleep(0)
// await b.abort(); await asyncio.gather(*ts); await w("c")
// print(log, repr(b), b.broken, b.n_waiting)
// # [..."Abort or reset of barrier") x2, "c BrokenBarrierError('Barrier aborted')"]
// # <Barrier [broken]> True 0
testBoth(
  "Barrier.abort() breaks the barrier for waiting and later tasks",
  async ({ fn }) => {
    const b = new Barrier(3);
    const log: string[] = [];
    const w = fn(function* (n: string) {
      try {
        yield b.wait();
        log.push(`${n} passed`);
      } catch (e) {
        log.push(`${n} ${(e as Error).name}('${(e as Error).message}')`);
      }
    });
    const main = fn(function* () {
      const ts = ["a", "b"].map((n) => createTask(w(n)));
      yield;
      yield b.abort();
      for (const t of ts) yield t;
      yield w("c");
      assert.equal(String(b), "<Barrier [broken]>");
      assert.equal(b.broken, true);
      assert.equal(b.nWaiting, 0);
    });
    await runVirtual(main);
    assert.deepEqual(log, [
      "a BrokenBarrierError('Abort or reset of barrier')",
      "b BrokenBarrierError('Abort or reset of barrier')",
      "c BrokenBarrierError('Barrier aborted')",
    ]);
  },
);

// t = asyncio.create_task(w("a")); await asyncio.sleep(0); t.cancel()
// await asyncio.gather(t, return_exceptions=True); print(repr(b))
// # <Barrier [filling, waiters:0/2]>
// ts = [asyncio.create_task(w(n)) for n in "bc"]; await asyncio.gather(*ts)
// # ['a cancelled n_waiting=0', 'c passed 1', 'b passed 0']
testBoth(
  "Barrier.wait() cancelled leaves the barrier filling without it",
  async ({ fn }) => {
    const b = new Barrier(2);
    const log: string[] = [];
    const w = fn(function* (n: string) {
      try {
        const i = yield b.wait();
        log.push(`${n} passed ${i}`);
      } catch (e) {
        log.push(`${n} cancelled n_waiting=${b.nWaiting}`);
        throw e;
      }
    });
    await runVirtual(async () => {
      const t = createTask(w("a"));
      await sleep(0);
      t.cancel();
      await assertRejectsError(t, CancelledError, "");
      assert.equal(String(b), "<Barrier [filling, waiters:0/2]>");
      const ts = ["b", "c"].map((n) => createTask(w(n)));
      for (const x of ts) await x;
    });
    assert.deepEqual(log, [
      "a cancelled n_waiting=0",
      "c passed 1",
      "b passed 0",
    ]);
  },
);

// async def w(n):
//     async with b as i: log.append(f"{n} {i}")
// await asyncio.gather(w("x"), w("y")); print(log)   # ['y 1', 'x 0']
Deno.test("Barrier.run() passes the index to the body", async () => {
  const b = new Barrier(2);
  const log: string[] = [];
  await runVirtual(async () => {
    const x = createTask(b.run((i) => log.push(`x ${i}`)));
    const y = createTask(b.run(async (i) => {
      await sleep(0);
      log.push(`y ${i}`);
      return "y done";
    }));
    await x;
    assert.equal(await y, "y done");
  });
  assert.deepEqual(log, ["x 0", "y 1"]);
});

// asyncio.Barrier(0)  # ValueError('parties must be > 0')
Deno.test("Barrier() rejects bad parties", () => {
  assertThrowsError(() => new Barrier(0), ValueError, "parties must be > 0");
  assertThrowsError(
    () => new Barrier("3" as never),
    TypeError,
    'Barrier: parties must be an integer, got string "3"',
  );
  assertThrowsError(
    () => new Barrier(1).run(1 as never),
    TypeError,
    "Barrier.run: body must be a function, got number 1",
  );
});
