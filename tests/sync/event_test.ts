import assert from "node:assert/strict";
import {
  CancelledError,
  coroutine,
  createTask,
  Event,
  sleep,
} from "../../mod.ts";
import { assertRejectsError, runVirtual, testBoth } from "./_both.ts";

// async def w(n):
//     log.append(f"{n} waits"); await ev.wait(); log.append(f"{n} woke {ev.is_set()}")
// ts = [asyncio.create_task(w(n)) for n in "abc"]
// await asyncio.sleep(0); print(repr(ev))      # [unset, waiters:3]
// ts[1].cancel(); await asyncio.sleep(0); print(repr(ev))  # [unset, waiters:2]
// ev.set(); print(repr(ev))                    # [set, waiters:2]
// ev.clear(); await asyncio.gather(*ts, return_exceptions=True)
// print(log, ev.is_set())
// # ['a waits', 'b waits', 'c waits', 'a woke False', 'c woke False'] False
testBoth(
  "Event.set() wakes every waiter in order, even if cleared before they run",
  async ({ fn }) => {
    const ev = new Event();
    const log: string[] = [];
    const w = fn(function* (n: string) {
      log.push(`${n} waits`);
      assert.equal(yield ev.wait(), true);
      log.push(`${n} woke ${ev.isSet()}`);
    });
    await runVirtual(async () => {
      const ts = ["a", "b", "c"].map((n) => createTask(w(n)));
      await sleep(0);
      assert.equal(String(ev), "<Event [unset, waiters:3]>");
      ts[1].cancel();
      await sleep(0);
      assert.equal(String(ev), "<Event [unset, waiters:2]>");
      ev.set();
      assert.equal(Deno.inspect(ev), "<Event [set, waiters:2]>");
      ev.clear();
      await ts[0];
      await assertRejectsError(ts[1], CancelledError, "");
      await ts[2];
      assert.equal(ev.isSet(), false);
      assert.equal(String(ev), "<Event [unset]>");
    });
    assert.deepEqual(log, [
      "a waits",
      "b waits",
      "c waits",
      "a woke false",
      "c woke false",
    ]);
  },
);

// ev.set(); t = asyncio.create_task(w("d"))
// print(await ev.wait()); log.append("main"); await t
// print(log)  # True / ['main', 'd waits', 'd woke True']
testBoth(
  "Event.wait() of a set event returns true without yielding to the loop",
  async ({ fn }) => {
    const ev = new Event();
    const log: string[] = [];
    // Lazy in both flavours: an async function's synchronous prefix would
    // run at the call, before createTask.
    const w = coroutine(function* (n: string) {
      log.push(`${n} waits`);
      yield* ev.wait();
      log.push(`${n} woke ${ev.isSet()}`);
    });
    const main = fn(function* () {
      ev.set();
      const t = createTask(w("d"));
      assert.equal(yield ev.wait(), true);
      log.push("main");
      yield t;
    });
    await runVirtual(main);
    assert.deepEqual(log, ["main", "d waits", "d woke true"]);
  },
);
