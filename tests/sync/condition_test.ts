import assert from "node:assert/strict";
import {
  CancelledError,
  Condition,
  createTask,
  Lock,
  RuntimeError,
  sleep,
} from "../../mod.ts";
import {
  assertRejectsError,
  assertThrowsError,
  runVirtual,
  testBoth,
} from "./_both.ts";

// async def w(n):
//     async with cond:
//         log.append(f"{n} waits"); r_ = await cond.wait()
//         log.append(f"{n} woke {r_} {cond.locked()}")
// ts = [asyncio.create_task(w(n)) for n in "abcd"]
// await asyncio.sleep(0); print(repr(cond))   # [unlocked, waiters:4]
// async with cond:
//     cond.notify(2); log.append("notified 2")
//     await asyncio.sleep(0); log.append("still holding")
// await asyncio.sleep(0); await asyncio.sleep(0)
// async with cond:
//     cond.notify_all(); log.append("notified all")
// await asyncio.gather(*ts); print(log)
// # ['a waits', 'b waits', 'c waits', 'd waits', 'notified 2', 'still holding',
// #  'a woke True True', 'b woke True True', 'notified all', 'c woke True True',
// #  'd woke True True']
testBoth(
  "Condition.notify(n) wakes the first n waiters, each once it re-acquires the lock",
  async ({ fn }) => {
    const cond = new Condition();
    const log: string[] = [];
    const w = fn(function* (n: string) {
      yield cond.acquire();
      try {
        log.push(`${n} waits`);
        const r = yield cond.wait();
        log.push(`${n} woke ${r} ${cond.locked()}`);
      } finally {
        cond.release();
      }
    });
    const main = fn(function* () {
      const ts = ["a", "b", "c", "d"].map((n) => createTask(w(n)));
      yield;
      assert.equal(String(cond), "<Condition [unlocked, waiters:4]>");
      yield cond.acquire();
      cond.notify(2);
      log.push("notified 2");
      yield;
      log.push("still holding");
      cond.release();
      yield;
      yield;
      yield cond.run(() => {
        cond.notifyAll();
        log.push("notified all");
      });
      for (const t of ts) yield t;
    });
    await runVirtual(main);
    assert.deepEqual(log, [
      "a waits",
      "b waits",
      "c waits",
      "d waits",
      "notified 2",
      "still holding",
      "a woke true true",
      "b woke true true",
      "notified all",
      "c woke true true",
      "d woke true true",
    ]);
  },
);

// Run on 3.11 with CPython 3.13's Condition.wait and _notify patched in
// (3.13 notifies another waiter when a wait ends in an error: a spurious
// wake-up for c):
// async def w(n):
//     async with cond:
//         try: await cond.wait(); log.append(f"{n} woke")
//         except asyncio.CancelledError:
//             log.append(f"{n} cancelled locked={cond.locked()}"); raise
// ts = [asyncio.create_task(w(n)) for n in "abc"]; await asyncio.sleep(0)
// async with cond:
//     ts[0].cancel(); cond.notify(1)
//     log.append("main notified 1 after cancelling a")
// await asyncio.gather(*ts[:2], return_exceptions=True)
// log.append(repr(cond))
// async with cond: cond.notify()
// await ts[2]; print(log)
// # ['main notified 1 after cancelling a', 'a cancelled locked=True', 'b woke',
// #  'c woke', '<Condition [unlocked]>']
testBoth(
  "Condition.wait() cancelled re-acquires the lock and the notification goes to the next waiter",
  async ({ fn }) => {
    const cond = new Condition();
    const log: string[] = [];
    const w = fn(function* (n: string) {
      yield cond.acquire();
      try {
        yield cond.wait();
        log.push(`${n} woke`);
      } catch (e) {
        log.push(`${n} cancelled locked=${cond.locked()}`);
        throw e;
      } finally {
        cond.release();
      }
    });
    await runVirtual(async () => {
      const ts = ["a", "b", "c"].map((n) => createTask(w(n)));
      await sleep(0);
      await cond.run(() => {
        ts[0].cancel();
        cond.notify(1);
        log.push("main notified 1 after cancelling a");
      });
      await assertRejectsError(ts[0], CancelledError, "");
      await ts[1];
      log.push(String(cond));
      assert.equal(ts[2].done(), true);
      await cond.run(() => cond.notify());
      await ts[2];
    });
    assert.deepEqual(log, [
      "main notified 1 after cancelling a",
      "a cancelled locked=true",
      "b woke",
      "c woke",
      "<Condition [unlocked]>",
    ]);
  },
);

// async def consumer(n):
//     async with cond:
//         v = await cond.wait_for(lambda: len(items) > 0)
//         log.append(f"{n} got {items.pop(0)} pred={v}")
// ts = [asyncio.create_task(consumer(n)) for n in "ab"]; await asyncio.sleep(0)
// for x in (1, 2):
//     async with cond: items.append(x); cond.notify_all()
//     await asyncio.sleep(0)
// await asyncio.gather(*ts); print(log)  # ['a got 1 pred=True', 'b got 2 pred=True']
testBoth(
  "Condition.waitFor() waits until the predicate holds and returns its value",
  async ({ fn }) => {
    const cond = new Condition();
    const items: number[] = [];
    const log: string[] = [];
    const consumer = fn(function* (n: string) {
      yield cond.acquire();
      try {
        const v = yield cond.waitFor(() => items.length > 0);
        log.push(`${n} got ${items.shift()} pred=${v}`);
      } finally {
        cond.release();
      }
    });
    await runVirtual(async () => {
      const ts = ["a", "b"].map((n) => createTask(consumer(n)));
      await sleep(0);
      for (const x of [1, 2]) {
        await cond.run(() => {
          items.push(x);
          cond.notifyAll();
        });
        await sleep(0);
      }
      for (const t of ts) await t;
      assert.equal(
        await cond.run(() => cond.waitFor(() => "at once")),
        "at once",
      );
    });
    assert.deepEqual(log, ["a got 1 pred=true", "b got 2 pred=true"]);
  },
);

// await cond.wait()  # RuntimeError('cannot wait on un-acquired lock')
// cond.notify()      # RuntimeError('cannot notify on un-acquired lock')
Deno.test("Condition.wait() and notify() without the lock raise RuntimeError", async () => {
  await runVirtual(async () => {
    const cond = new Condition();
    await assertRejectsError(
      cond.wait(),
      RuntimeError,
      "cannot wait on un-acquired lock",
    );
    await assertRejectsError(
      cond.waitFor(() => false),
      RuntimeError,
      "cannot wait on un-acquired lock",
    );
    assertThrowsError(
      () => cond.notify(),
      RuntimeError,
      "cannot notify on un-acquired lock",
    );
    assertThrowsError(
      () => cond.notifyAll(),
      RuntimeError,
      "cannot notify on un-acquired lock",
    );
    assertThrowsError(
      () => cond.release(),
      RuntimeError,
      "Lock is not acquired.",
    );
  });
});

Deno.test("Condition() shares a given lock and rejects bad arguments", async () => {
  const lock = new Lock();
  const cond = new Condition(lock);
  await runVirtual(async () => {
    await lock.acquire();
    assert.equal(cond.locked(), true);
    cond.release();
    assert.equal(lock.locked(), false);
  });
  assertThrowsError(
    () => new Condition(42 as never),
    TypeError,
    "Condition: lock must be a Lock, got number 42",
  );
  assertThrowsError(
    () => cond.waitFor("x" as never),
    TypeError,
    'Condition.waitFor: predicate must be a function, got string "x"',
  );
  assertThrowsError(
    () => cond.notify("1" as never),
    TypeError,
    'Condition.notify: n must be a number, got string "1"',
  );
  assertThrowsError(
    () => cond.run(null as never),
    TypeError,
    "Condition.run: body must be a function, got null",
  );
});
