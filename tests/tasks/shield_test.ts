import assert from "node:assert/strict";
import {
  CancelledError,
  createTask,
  Future,
  getRunningLoop,
  shield,
  sleep,
  Task,
  ValueError,
} from "../../mod.ts";
import {
  assertError,
  assertRejectsError,
  assertThrowsError,
  type Flavour,
  now,
  runVirtual,
  testBoth,
} from "./_both.ts";

function work(fn: Flavour["fn"], log: string[]) {
  return fn(function* () {
    try {
      yield* sleep(2);
      log.push(`inner done ${now()}`);
      return "r";
    } catch (e) {
      if (e instanceof CancelledError) log.push(`inner cancelled ${now()}`);
      throw e;
    }
  });
}

// inner = create_task(work())
// async def waiter(): return await asyncio.shield(inner)
// wt = create_task(waiter()); await asyncio.sleep(1); wt.cancel()
// try: await wt
// except asyncio.CancelledError: log.append(f"waiter cancelled {t()} {inner.done()}")
// log.append(f"{await inner} {t()}")
// -> ['waiter cancelled 1 False', 'inner done 2', 'r 2']
testBoth(
  "shield(): cancelling the task that awaits it leaves the inner task running",
  async ({ fn }) => {
    const log: string[] = [];
    const w = work(fn, log);
    await runVirtual(async () => {
      const inner = createTask(w());
      const waiter = fn(function* () {
        return yield* shield(inner);
      });
      const wt = createTask(waiter());
      await sleep(1);
      wt.cancel();
      await assertRejectsError(wt, CancelledError, "");
      log.push(`waiter cancelled ${now()} ${inner.done()}`);
      log.push(`${await inner} ${now()}`);
    });
    assert.deepEqual(log, [
      "waiter cancelled 1 false",
      "inner done 2",
      "r 2",
    ]);
  },
);

// outer = asyncio.shield(w()); outer.cancel()  (the coroutine is wrapped in a task)
// -> outer cancelled, the coroutine finishes: ['inner done 2']
testBoth(
  "shield(coroutine): the outer Future may be cancelled while the wrapped coroutine goes on",
  async ({ fn }) => {
    const log: string[] = [];
    const w = work(fn, log);
    await runVirtual(async () => {
      const outer = shield(w());
      assert.ok(outer instanceof Future && !(outer instanceof Task));
      await sleep(1);
      assert.equal(outer.cancel(), true);
      await assertRejectsError(outer, CancelledError, "");
      await sleep(2);
    });
    assert.deepEqual(log, ["inner done 2"]);
  },
);

// inner2 = create_task(work()); outer = asyncio.shield(inner2)
// await asyncio.sleep(0); inner2.cancel()
// try: await outer
// except asyncio.CancelledError: log.append(f"outer cancelled {outer.cancelled()}")
// async def bad(): await asyncio.sleep(1); raise ValueError("v")
// try: await asyncio.shield(bad())
// except ValueError as e: log.append(f"error {e}")
// f = loop.create_future(); f.set_result(1); log.append(f"same {asyncio.shield(f) is f}")
// -> ['inner cancelled', 'outer cancelled True', 'error v', 'same True']
testBoth(
  "shield(): an inner cancellation or error reaches the outer Future; a done one is returned as is",
  async ({ fn }) => {
    const log: string[] = [];
    const w = work(fn, log);
    const bad = fn(function* () {
      yield* sleep(1);
      throw new ValueError("v");
    });
    await runVirtual(async () => {
      const inner2 = createTask(w());
      const outer = shield(inner2);
      await sleep(0);
      inner2.cancel();
      await assertRejectsError(outer, CancelledError, "");
      log.push(`outer cancelled ${outer.cancelled()}`);
      try {
        await shield(bad());
      } catch (e) {
        assertError(e, ValueError, "v");
        log.push("error v");
      }
      const f = getRunningLoop().createFuture<number>();
      f.setResult(1);
      log.push(`same ${shield(f) === f}`);
      // Cancelling after completion changes nothing.
      const done = shield(createTask(w()));
      assert.equal(await done, "r");
      assert.equal(done.cancel(), false);
    });
    assert.deepEqual(log, [
      "inner cancelled 0",
      "outer cancelled true",
      "error v",
      "same true",
      "inner done 3",
    ]);
  },
);

Deno.test("shield() rejects a non-awaitable with TypeError", () => {
  assertThrowsError(
    () => shield(42 as never),
    TypeError,
    "shield: expected a Future, a coroutine or an awaitable, got number 42",
  );
  assertThrowsError(
    () => shield(undefined as never),
    TypeError,
    "shield: expected a Future, a coroutine or an awaitable, got undefined",
  );
});
