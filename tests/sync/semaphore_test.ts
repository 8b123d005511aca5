import assert from "node:assert/strict";
import {
  BoundedSemaphore,
  CancelledError,
  createTask,
  Semaphore,
  sleep,
  ValueError,
} from "../../mod.ts";
import {
  assertRejectsError,
  assertThrowsError,
  runVirtual,
  testBoth,
} from "./_both.ts";

// sem = asyncio.Semaphore(2); print(repr(sem))   # [unlocked, value:2]
// async def w(n):
//     try:
//         async with sem:
//             log.append(f"{n} in"); await asyncio.sleep(0.1); log.append(f"{n} out")
//     except asyncio.CancelledError: log.append(f"{n} cancelled"); raise
// ts = [asyncio.create_task(w(n)) for n in "abcde"]
// await asyncio.sleep(0); print(repr(sem))       # [locked, waiters:3]
// ts[3].cancel(); await asyncio.gather(*ts, return_exceptions=True)
// print(log, repr(sem))
// # ['a in', 'b in', 'd cancelled', 'a out', 'b out', 'c in', 'e in', 'c out',
// #  'e out'] <Semaphore [unlocked, value:2]>
testBoth(
  "Semaphore.run() admits value tasks at a time, in FIFO order, skipping a cancelled waiter",
  async ({ fn }) => {
    const sem = new Semaphore(2);
    const log: string[] = [];
    const body = fn(function* (n: string) {
      log.push(`${n} in`);
      yield sleep(0.1);
      log.push(`${n} out`);
    });
    const w = fn(function* (n: string) {
      try {
        yield sem.run(() => body(n));
      } catch (e) {
        log.push(`${n} cancelled`);
        throw e;
      }
    });
    await runVirtual(async () => {
      assert.equal(String(sem), "<Semaphore [unlocked, value:2]>");
      const ts = ["a", "b", "c", "d", "e"].map((n) => createTask(w(n)));
      await sleep(0);
      assert.equal(String(sem), "<Semaphore [locked, waiters:3]>");
      ts[3].cancel();
      for (const [i, t] of ts.entries()) {
        if (i === 3) await assertRejectsError(t, CancelledError, "");
        else await t;
      }
      assert.equal(String(sem), "<Semaphore [unlocked, value:2]>");
    });
    assert.deepEqual(log, [
      "a in",
      "b in",
      "d cancelled",
      "a out",
      "b out",
      "c in",
      "e in",
      "c out",
      "e out",
    ]);
  },
);

testBoth(
  "Semaphore.acquire() blocks at zero and wakes waiters in FIFO order",
  async ({ fn }) => {
    const sem = new Semaphore(2);
    const log: string[] = [];
    const w = fn(function* (n: string) {
      try {
        yield sem.acquire();
      } catch (e) {
        log.push(`${n} cancelled`);
        throw e;
      }
      log.push(`${n} in`);
      yield sleep(0.1);
      log.push(`${n} out`);
      sem.release();
    });
    await runVirtual(async () => {
      const ts = ["a", "b", "c", "d", "e"].map((n) => createTask(w(n)));
      await sleep(0);
      assert.equal(String(sem), "<Semaphore [locked, waiters:3]>");
      ts[3].cancel();
      for (const [i, t] of ts.entries()) {
        if (i === 3) await assertRejectsError(t, CancelledError, "");
        else await t;
      }
      assert.equal(String(sem), "<Semaphore [unlocked, value:2]>");
    });
    assert.deepEqual(log, [
      "a in",
      "b in",
      "d cancelled",
      "a out",
      "b out",
      "c in",
      "e in",
      "c out",
      "e out",
    ]);
  },
);

// sem = asyncio.Semaphore(0)
// ts = [asyncio.create_task(w(n)) for n in "abc"]  # w: acquire, log "n acquired"
// await asyncio.sleep(0)
// sem.release(); ts[0].cancel()                    # a woken, then cancelled
// await asyncio.sleep(0); await asyncio.sleep(0)
// print(log, repr(sem))  # ['a cancelled', 'b acquired'] [locked, waiters:1]
// sem.release(); await asyncio.gather(*ts, return_exceptions=True)
// print(log, repr(sem))  # [..., 'c acquired'] <Semaphore [locked]>
testBoth(
  "Semaphore.acquire() cancelled after its wake-up gives the slot to the next waiter",
  async ({ fn }) => {
    const sem = new Semaphore(0);
    const log: string[] = [];
    const w = fn(function* (n: string) {
      try {
        yield sem.acquire();
        log.push(`${n} acquired`);
      } catch (e) {
        log.push(`${n} cancelled`);
        throw e;
      }
    });
    await runVirtual(async () => {
      const ts = ["a", "b", "c"].map((n) => createTask(w(n)));
      await sleep(0);
      sem.release();
      ts[0].cancel();
      await sleep(0);
      await sleep(0);
      assert.deepEqual(log, ["a cancelled", "b acquired"]);
      assert.equal(String(sem), "<Semaphore [locked, waiters:1]>");
      sem.release();
      await assertRejectsError(ts[0], CancelledError, "");
      await ts[1];
      await ts[2];
      assert.equal(String(sem), "<Semaphore [locked]>");
    });
    assert.deepEqual(log, ["a cancelled", "b acquired", "c acquired"]);
  },
);

// b = asyncio.BoundedSemaphore(1); b.release()
// # ValueError('BoundedSemaphore released too many times')
// asyncio.Semaphore(-1)  # ValueError('Semaphore initial value must be >= 0')
Deno.test("BoundedSemaphore.release() above the initial value raises ValueError", async () => {
  const b = new BoundedSemaphore(1);
  assertThrowsError(
    () => b.release(),
    ValueError,
    "BoundedSemaphore released too many times",
  );
  await b.acquire();
  b.release(); // back to 1: fine
  assertThrowsError(
    () => b.release(),
    ValueError,
    "BoundedSemaphore released too many times",
  );
  assert.equal(String(b), "<BoundedSemaphore [unlocked, value:1]>");
  const s = new Semaphore(1);
  s.release(); // an unbounded one may go above
  assert.equal(String(s), "<Semaphore [unlocked, value:2]>");
});

Deno.test("Semaphore() rejects bad initial values", () => {
  assertThrowsError(
    () => new Semaphore(-1),
    ValueError,
    "Semaphore initial value must be >= 0",
  );
  assertThrowsError(
    () => new BoundedSemaphore(-1),
    ValueError,
    "Semaphore initial value must be >= 0",
  );
  assertThrowsError(
    () => new Semaphore("2" as never),
    TypeError,
    'Semaphore: value must be an integer, got string "2"',
  );
  assertThrowsError(
    () => new BoundedSemaphore(1.5),
    TypeError,
    "BoundedSemaphore: value must be an integer, got number 1.5",
  );
  assert.equal(new Semaphore().locked(), false);
  assert.equal(new Semaphore(0).locked(), true);
});
