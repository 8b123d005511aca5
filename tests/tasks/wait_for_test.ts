import assert from "node:assert/strict";
import {
  CancelledError,
  coroutine,
  createTask,
  currentTask,
  getRunningLoop,
  sleep,
  TimeoutError,
  ValueError,
  waitFor,
} from "../../mod.ts";
import {
  assertError,
  assertRejectsError,
  assertThrowsError,
  now,
  runVirtual,
  testBoth,
  worker,
} from "./_both.ts";

// print("wf ok", await asyncio.wait_for(w(log,"a",1), 2), t())
// try: await asyncio.wait_for(w(log,"b",5), 1)
// except TimeoutError as e: print("wf timeout", t(), type(e.__cause__).__name__)
// -> wf ok a 1
// -> wf timeout 2 CancelledError      log: ['a done 1', 'b cancelled 2']
testBoth(
  "waitFor() returns the result in time, and on timeout cancels the coroutine and raises TimeoutError",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    await runVirtual(async () => {
      assert.equal(await waitFor(w("a", 1), 2), "a");
      assert.equal(now(), 1);
      try {
        await waitFor(w("b", 5), 1);
        assert.fail("no timeout");
      } catch (e) {
        assertError(e, TimeoutError, "");
        assert.ok((e as Error).cause instanceof CancelledError);
      }
      assert.equal(now(), 2);
      assert.equal(currentTask()!.cancelling(), 0);
      await assertRejectsError(waitFor(w("c", 1, true), 2), ValueError, "c");
    });
    assert.deepEqual(log, ["a done 1", "b cancelled 2"]);
  },
);

// async def slowclean():
//     try: await asyncio.sleep(10)
//     finally: await asyncio.sleep(1); log.append(f"cleaned {t()}")
// tk = create_task(slowclean())
// try: await asyncio.wait_for(tk, 1)
// except TimeoutError: print("wf task timeout", t(), tk.cancelled())
// -> cleaned 2 / wf task timeout 2 True
testBoth(
  "waitFor() on timeout cancels the inner task and waits for it to finish",
  async ({ fn }) => {
    const log: string[] = [];
    const slowclean = fn(function* () {
      try {
        yield* sleep(10);
      } finally {
        yield* sleep(1);
        log.push(`cleaned ${now()}`);
      }
    });
    await runVirtual(async () => {
      const tk = createTask(slowclean());
      await assertRejectsError(waitFor(tk, 1), TimeoutError, "");
      log.push(`timeout ${now()} ${tk.cancelled()}`);
    });
    assert.deepEqual(log, ["cleaned 2", "timeout 2 true"]);
  },
);

// async def main2(): return await asyncio.wait_for(w(log,"a",5), 2)
// tk = create_task(main2()); await asyncio.sleep(1); tk.cancel()
// try: await tk
// except asyncio.CancelledError: print("wf outer", t(), log)
// tk = create_task(main2()); loop.call_later(2, tk.cancel)   # races the timeout
// -> wf outer 1 ['a cancelled 1']
// -> wf race CancelledError 2 ['a cancelled 2']
testBoth(
  "waitFor(): an outer cancellation reaches the inner awaitable and stays CancelledError, even racing the timeout",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    const main2 = fn(function* () {
      // `yield`: awaited in the new task, not in the creator's prefix.
      return yield waitFor(w("a", 5), 2);
    });
    await runVirtual(async () => {
      let tk = createTask(main2());
      await sleep(1);
      tk.cancel();
      await assertRejectsError(tk, CancelledError, "");
      log.push(`outer ${now()}`);
      tk = createTask(main2());
      getRunningLoop().callLater(2, () => tk.cancel());
      await assertRejectsError(tk, CancelledError, "");
      log.push(`race ${now()}`);
    });
    assert.deepEqual(log, [
      "a cancelled 1",
      "outer 1",
      "a cancelled 3",
      "race 3",
    ]);
  },
);

// async def sup():
//     try: await asyncio.sleep(10)
//     except asyncio.CancelledError: return "late"
// print(await asyncio.wait_for(sup(), 1), t())
// -> late 1
testBoth(
  "waitFor(): an awaitable that suppresses the cancellation gives its value (3.12)",
  async ({ fn }) => {
    const sup = fn(function* () {
      try {
        yield* sleep(10);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        return "late";
      }
    });
    await runVirtual(async () => {
      assert.equal(await waitFor(sup(), 1), "late");
      assert.equal(now(), 1);
      assert.equal(currentTask()!.cancelling(), 0);
    });
  },
);

// f = loop.create_future()
// try: await asyncio.wait_for(f, 0)
// except TimeoutError: print("wf 0", t(), f.cancelled())
// f2 = loop.create_future(); f2.set_result(3)
// print(await asyncio.wait_for(f2, 0), await asyncio.wait_for(f2, -1))
// started = []
// async def st(): started.append(1)
// try: await asyncio.wait_for(st(), 0)
// except TimeoutError: print("wf 0 coro", started)
// print(await asyncio.wait_for(w(log,"c",100), None), t())
// -> wf 0 0 True
// -> 3 3
// -> wf 0 coro []
// -> c 100
Deno.test("waitFor() with timeout <= 0 times out at once unless done; null waits forever", async () => {
  const started: number[] = [];
  const st = coroutine(function* () {
    started.push(1);
    yield* sleep(0);
  });
  await runVirtual(async () => {
    const loop = getRunningLoop();
    const f = loop.createFuture<number>();
    await assertRejectsError(waitFor(f, 0), TimeoutError, "");
    assert.deepEqual([now(), f.cancelled()], [0, true]);
    const f2 = loop.createFuture<number>();
    f2.setResult(3);
    assert.deepEqual([await waitFor(f2, 0), await waitFor(f2, -1)], [3, 3]);
    await assertRejectsError(waitFor(st(), 0), TimeoutError, "");
    assert.deepEqual(started, []);
    assert.equal(await waitFor(sleep(100, "c"), null), "c");
    assert.equal(await waitFor(sleep(100, "d"), Infinity), "d");
    assert.equal(now(), 200);
  });
});

// w = wait_for(asyncio.sleep(1, "x"), 2); r = await w; print(r, loop.time())
// (a generator coroutine caller: yield from)
Deno.test("waitFor() works with yield* in a generator coroutine", async () => {
  const main = coroutine(function* () {
    const r = yield* waitFor(sleep(1, "x"), 2);
    let timedOut = false;
    try {
      yield* waitFor(sleep(5), 1);
    } catch (e) {
      timedOut = e instanceof TimeoutError;
    }
    return [r, timedOut, now()];
  });
  assert.deepEqual(await runVirtual(main), ["x", true, 2]);
});

Deno.test("waitFor() rejects bad arguments with TypeError", async () => {
  assertThrowsError(
    () => waitFor(sleep(0), "1" as never),
    TypeError,
    'waitFor: timeout must be a number of seconds or null, got string "1"',
  );
  assertThrowsError(
    () => waitFor(sleep(0), undefined as never),
    TypeError,
    "waitFor: timeout must be a number of seconds or null, got undefined",
  );
  assertThrowsError(
    () => waitFor(5 as never, 1),
    TypeError,
    "waitFor: expected a Future, a coroutine or an awaitable, got number 5",
  );
  await runVirtual(async () => {
    assert.equal(await waitFor(sleep(1, "next"), 2), "next");
  });
});
