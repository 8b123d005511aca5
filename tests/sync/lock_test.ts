import assert from "node:assert/strict";
import {
  CancelledError,
  coroutine,
  createTask,
  currentTask,
  Event,
  getRunningLoop,
  Lock,
  run,
  RuntimeError,
  sleep,
  type Task,
} from "../../mod.ts";
import {
  assertRejectsError,
  assertThrowsError,
  runVirtual,
  testBoth,
} from "./_both.ts";

// lock = asyncio.Lock(); log = []
// async def w(n):
//     async with lock:
//         log.append(n); await asyncio.sleep(0)
// await lock.acquire()
// ts = [asyncio.create_task(w(n)) for n in "abcd"]
// await asyncio.sleep(0)
// print(repr(lock))      # <asyncio.locks.Lock object at 0x… [locked, waiters:4]>
// lock.release(); await asyncio.gather(*ts)
// print(log)             # ['a', 'b', 'c', 'd']
testBoth("Lock.acquire() wakes waiters in FIFO order", async ({ fn }) => {
  const lock = new Lock();
  const log: string[] = [];
  const w = fn(function* (n: string) {
    yield lock.acquire();
    try {
      log.push(n);
      yield;
    } finally {
      lock.release();
    }
  });
  await runVirtual(async () => {
    await lock.acquire();
    const ts = ["a", "b", "c", "d"].map((n) => createTask(w(n)));
    await sleep(0);
    assert.equal(String(lock), "<Lock [locked, waiters:4]>");
    lock.release();
    for (const t of ts) await t;
    assert.equal(String(lock), "<Lock [unlocked]>");
  });
  assert.deepEqual(log, ["a", "b", "c", "d"]);
});

// async def w(n):
//     try: await lock.acquire()
//     except asyncio.CancelledError: log.append(f"{n} cancelled"); raise
//     log.append(n); await asyncio.sleep(0); lock.release()
// await lock.acquire()
// ts = [asyncio.create_task(w(n)) for n in "abc"]
// await asyncio.sleep(0)
// ts[1].cancel(); await asyncio.sleep(0)
// lock.release(); await asyncio.gather(*ts, return_exceptions=True)
// print(log, lock.locked())  # ['b cancelled', 'a', 'c'] False
testBoth(
  "Lock.acquire() cancelled in the middle of the queue leaves it, others keep their order",
  async ({ fn }) => {
    const lock = new Lock();
    const log: string[] = [];
    const w = fn(function* (n: string) {
      try {
        yield lock.acquire();
      } catch (e) {
        log.push(`${n} cancelled`);
        throw e;
      }
      log.push(n);
      yield;
      lock.release();
    });
    await runVirtual(async () => {
      await lock.acquire();
      const ts = ["a", "b", "c"].map((n) => createTask(w(n)));
      await sleep(0);
      ts[1].cancel();
      await sleep(0);
      assert.equal(String(lock), "<Lock [locked, waiters:2]>");
      lock.release();
      await assertRejectsError(ts[1], CancelledError, "");
      await ts[0];
      await ts[2];
      assert.equal(lock.locked(), false);
    });
    assert.deepEqual(log, ["b cancelled", "a", "c"]);
  },
);

// await lock.acquire()
// ts = [asyncio.create_task(w(n)) for n in "abc"]   # w as above, no sleep
// await asyncio.sleep(0)
// lock.release()   # wakes a
// ts[0].cancel()   # a is cancelled before it runs
// await asyncio.gather(*ts, return_exceptions=True)
// print(log, lock.locked())  # ['a cancelled', 'b', 'c'] False
testBoth(
  "Lock.acquire() cancelled after its wake-up passes the wake-up to the next waiter",
  async ({ fn }) => {
    const lock = new Lock();
    const log: string[] = [];
    const w = fn(function* (n: string) {
      try {
        yield lock.acquire();
      } catch (e) {
        log.push(`${n} cancelled`);
        throw e;
      }
      log.push(n);
      lock.release();
    });
    await runVirtual(async () => {
      await lock.acquire();
      const ts = ["a", "b", "c"].map((n) => createTask(w(n)));
      await sleep(0);
      lock.release();
      ts[0].cancel();
      await assertRejectsError(ts[0], CancelledError, "");
      await ts[1];
      await ts[2];
      assert.equal(lock.locked(), false);
    });
    assert.deepEqual(log, ["a cancelled", "b", "c"]);
  },
);

// async def other(): log.append("other")
// t = asyncio.create_task(other())
// await lock.acquire(); log.append("acquired"); lock.release()
// await lock.acquire(); log.append("again"); lock.release()
// await asyncio.sleep(0); log.append("after sleep"); await t
// print(log)  # ['acquired', 'again', 'other', 'after sleep']
testBoth(
  "Lock.acquire() of a free lock does not yield to the loop",
  async ({ fn }) => {
    const lock = new Lock();
    const log: string[] = [];
    // A lazy coroutine in both flavours: an async function's synchronous
    // prefix would run at the call, before createTask.
    // deno-lint-ignore require-yield
    const other = coroutine(function* () {
      log.push("other");
    });
    const main = fn(function* () {
      const t = createTask(other());
      assert.equal(yield lock.acquire(), true);
      log.push("acquired");
      lock.release();
      yield lock.acquire();
      log.push("again");
      lock.release();
      yield;
      log.push("after sleep");
      yield t;
    });
    await runVirtual(main);
    assert.deepEqual(log, ["acquired", "again", "other", "after sleep"]);
  },
);

// asyncio.current_task().cancel()
// r = await lock.acquire(); print(r, lock.locked())   # True True
// try: await asyncio.sleep(0)
// except asyncio.CancelledError: print("cancelled at sleep")  # printed
testBoth(
  "Lock.acquire() of a free lock keeps the lock when a cancellation is pending; it lands at the next wait",
  async ({ fn }) => {
    const lock = new Lock();
    const log: string[] = [];
    const main = fn(function* () {
      currentTask()!.cancel();
      log.push(`${yield lock.acquire()} ${lock.locked()}`);
      try {
        yield;
      } catch (e) {
        log.push(`${(e as Error).name} at sleep`);
      }
    });
    await runVirtual(main);
    assert.deepEqual(log, ["true true", "CancelledError at sleep"]);
  },
);

// try: lock.release()
// except RuntimeError as e: print(repr(e))  # RuntimeError('Lock is not acquired.')
Deno.test("Lock.release() of an unlocked lock raises RuntimeError", () => {
  const lock = new Lock();
  assertThrowsError(
    () => lock.release(),
    RuntimeError,
    "Lock is not acquired.",
  );
  assert.equal(lock.locked(), false);
});

// try:
//     async with lock: raise ValueError("boom")
// except ValueError: print(lock.locked())  # False
testBoth(
  "Lock.run() returns the body's result and releases the lock however the body ends",
  async ({ fn }) => {
    const lock = new Lock();
    const main = fn(function* () {
      const r = yield lock.run(async (l) => {
        assert.equal(l, lock);
        assert.equal(lock.locked(), true);
        await sleep(1);
        return 42;
      });
      assert.equal(r, 42);
      assert.equal(lock.locked(), false);
      const g = yield lock.run(coroutine(function* () {
        yield* sleep(1);
        return "generator body";
      }));
      assert.equal(g, "generator body");
      assert.equal(yield lock.run(() => "plain"), "plain");
      try {
        yield lock.run(() => {
          throw new TypeError("boom");
        });
        assert.fail("not reached");
      } catch (e) {
        assert.equal((e as Error).message, "boom");
      }
      assert.equal(lock.locked(), false);
    });
    await runVirtual(main);
  },
);

Deno.test("Lock.run() rejects a body that is not a function", () => {
  assertThrowsError(
    () => new Lock().run(42 as never),
    TypeError,
    "Lock.run: body must be a function, got number 42",
  );
});

testBoth(
  "Lock.run() releases the lock when the task is cancelled inside the body",
  async ({ fn }) => {
    const lock = new Lock();
    const holder = fn(function* () {
      yield lock.run(() => sleep(10));
    });
    await runVirtual(async () => {
      const t: Task<void> = createTask(holder());
      await sleep(1);
      assert.equal(lock.locked(), true);
      t.cancel();
      await assertRejectsError(t, CancelledError, "");
      assert.equal(lock.locked(), false);
    });
  },
);

// ev = asyncio.Event()
// async def first():
//     asyncio.get_running_loop().call_soon(ev.set); await ev.wait()
// asyncio.run(first()); ev.clear()
// async def second(): await ev.wait()
// asyncio.run(second())
// # RuntimeError: <asyncio.locks.Event object at 0x… [unset]> is bound to a
// # different event loop
Deno.test("Lock used from a second loop raises RuntimeError", async () => {
  const lock = new Lock();
  await runVirtual(async () => {
    await lock.acquire();
    getRunningLoop().callLater(1, () => lock.release());
    await lock.acquire(); // waits: binds the lock to this loop
  });
  await run(async () => {
    await assertRejectsError(
      lock.acquire(),
      RuntimeError,
      "<Lock [locked]> is bound to a different event loop",
    );
  });
  // The same holds for an Event.
  const ev = new Event();
  await runVirtual(async () => {
    getRunningLoop().callSoon(() => ev.set());
    await ev.wait();
  });
  ev.clear();
  await run(async () => {
    await assertRejectsError(
      ev.wait(),
      RuntimeError,
      "<Event [unset]> is bound to a different event loop",
    );
  });
});

// print(lock); c = lock.acquire(); print(lock); await c; print(lock)
// # [unlocked], [unlocked] (a coroutine does nothing until awaited), [locked]
Deno.test("Lock.acquire() does nothing until awaited, and the lock prints like CPython's repr", async () => {
  const lock = new Lock();
  assert.equal(Deno.inspect(lock), "<Lock [unlocked]>");
  await runVirtual(async () => {
    const c = lock.acquire();
    assert.equal(Deno.inspect(lock), "<Lock [unlocked]>");
    assert.equal(await c, true);
    assert.equal(Deno.inspect(lock), "<Lock [locked]>");
    lock.release();
  });
});
