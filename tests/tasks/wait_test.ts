import assert from "node:assert/strict";
import {
  ALL_COMPLETED,
  CancelledError,
  createTask,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type Future,
  getRunningLoop,
  sleep,
  Task,
  ValueError,
  wait,
} from "../../mod.ts";
import {
  assertThrowsError,
  type Flavour,
  now,
  runVirtual,
  testBoth,
} from "./_both.ts";

function worker(fn: Flavour["fn"], log: string[]) {
  return fn(function* (name: string, delay: number, fail = false) {
    yield* sleep(delay);
    if (fail) throw new ValueError(name);
    log.push(`${name} done ${now()}`);
    return name;
  });
}

const names = (s: Set<Future<string>>) =>
  [...s].map((t) => (t as Task<string>).getName()).sort();

// ts = [create_task(w(log,"a",1), name="a"), create_task(w(log,"b",2,True), name="b"),
//       create_task(w(log,"c",3), name="c")]
// d,p = await asyncio.wait(ts, return_when=asyncio.FIRST_COMPLETED); print("FC", d, len(p), t())
// d,p = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION); print("FE", len(d), len(p), t())
// d,p = await asyncio.wait(ts); print("AC", len(d), len(p), t())
// -> FC ['a'] 2 1
// -> FE 2 1 2
// -> AC 3 0 3
testBoth(
  "wait() returns [done, pending] at FIRST_COMPLETED, FIRST_EXCEPTION and ALL_COMPLETED",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    await runVirtual(async () => {
      const ts = [
        createTask(w("a", 1), { name: "a" }),
        createTask(w("b", 2, true), { name: "b" }),
        createTask(w("c", 3), { name: "c" }),
      ];
      let [d, p] = await wait(ts, { returnWhen: FIRST_COMPLETED });
      assert.deepEqual([names(d), names(p), now()], [["a"], ["b", "c"], 1]);
      [d, p] = await wait(ts, { returnWhen: FIRST_EXCEPTION });
      assert.deepEqual([names(d), names(p), now()], [["a", "b"], ["c"], 2]);
      [d, p] = await wait(ts, { returnWhen: ALL_COMPLETED });
      assert.deepEqual([d.size, p.size, now()], [3, 0, 3]);
      [d, p] = await wait(new Set(ts));
      assert.deepEqual([d.size, p.size, now()], [3, 0, 3]);
      assert.throws(() => ts[1].result(), ValueError);
    });
    assert.deepEqual(log, ["a done 1", "c done 3"]);
  },
);

// ts = [create_task(w(log,"d",1)), create_task(w(log,"e",5))]
// d,p = await asyncio.wait(ts, timeout=2); print("TO", len(d), len(p), t(), [x.cancelled() for x in p])
// d,p = await asyncio.wait(ts, return_when=asyncio.FIRST_EXCEPTION); print(len(d), len(p), t())
// -> TO 1 1 2 [False]
// -> 2 0 5
testBoth(
  "wait() with a timeout returns what is done, cancels nothing and never raises TimeoutError",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    await runVirtual(async () => {
      const ts = [createTask(w("d", 1)), createTask(w("e", 5))];
      let [d, p] = await wait(ts, { timeout: 2 });
      assert.deepEqual([d.has(ts[0]), p.has(ts[1]), now()], [true, true, 2]);
      assert.equal(ts[1].cancelled(), false);
      [d, p] = await wait(ts, { returnWhen: FIRST_EXCEPTION, timeout: null });
      assert.deepEqual([d.size, p.size, now()], [2, 0, 5]);
      // A negative timeout returns at the next iteration, as call_later(-1).
      const late = createTask(sleep(1));
      [d, p] = await wait([late], { timeout: -1 });
      assert.deepEqual([d.size, p.size, now()], [0, 1, 5]);
      [d, p] = await wait([late], { timeout: Infinity });
      assert.deepEqual([d.size, p.size, now()], [1, 0, 6]);
    });
    assert.deepEqual(log, ["d done 1", "e done 5"]);
  },
);

// d, p = await asyncio.wait([w(log,"a",1), w(log,"b",2)])   # 3.11: wrapped in tasks
// print(sorted(type(x).__name__ for x in d), len(p), t())
// -> ['Task', 'Task'] 0 2
testBoth(
  "wait() wraps coroutines into tasks, and the sets hold those tasks",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    await runVirtual(async () => {
      const [d, p] = await wait([w("a", 1), w("b", 2)]);
      assert.equal(p.size, 0);
      assert.deepEqual(
        [...d].map((t) => t instanceof Task).sort(),
        [true, true],
      );
      assert.deepEqual([...d].map((t) => t.result()).sort(), ["a", "b"]);
      assert.equal(now(), 2);
    });
  },
);

// async def waiter(ts): return await asyncio.wait(ts)
// ts = [create_task(w(log,"a",5))]; wt = create_task(waiter(ts))
// await asyncio.sleep(1); wt.cancel()
// try: await wt
// except asyncio.CancelledError: print("cancelled", t(), ts[0].cancelled())
// await ts[0]; print(log)
// -> cancelled 1 False
// -> ['a done 5']
testBoth(
  "wait(): cancelling the waiting task raises CancelledError and leaves the futures alone",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    const waiter = fn(function* (ts: Task<string>[]) {
      return yield* wait(ts);
    });
    await runVirtual(async () => {
      const ts = [createTask(w("a", 5))];
      const wt = createTask(waiter(ts));
      await sleep(1);
      wt.cancel();
      try {
        await wt;
        assert.fail("not cancelled");
      } catch (e) {
        assert.ok(e instanceof CancelledError);
      }
      assert.deepEqual([now(), ts[0].cancelled()], [1, false]);
      await ts[0];
    });
    assert.deepEqual(log, ["a done 5"]);
  },
);

// f = loop.create_future(); f.set_result(1)
// d, p = await asyncio.wait([f]); print(len(d), len(p), t())
// -> 1 0 0
Deno.test("wait() of futures already done returns them all in done", async () => {
  await runVirtual(async () => {
    const f = getRunningLoop().createFuture<number>();
    f.setResult(1);
    const [d, p] = await wait([f, f], { returnWhen: FIRST_COMPLETED });
    assert.deepEqual([[...d], p.size, now()], [[f], 0, 0]);
  });
});

// for bad in [lambda: asyncio.wait([]), lambda: asyncio.wait(ts, return_when="X"),
//             lambda: asyncio.wait(ts[0])]:
//     try: await bad()
//     except Exception as e: print(type(e).__name__, e)
// -> ValueError Set of Tasks/Futures is empty.
// -> ValueError Invalid return_when value: X
// -> TypeError expect a list of futures, not Task
Deno.test("wait() rejects bad arguments with CPython's errors and messages", async () => {
  await runVirtual(async () => {
    const t = createTask(sleep(1));
    assertThrowsError(
      () => wait([]),
      ValueError,
      "Set of Tasks/Futures is empty.",
    );
    assertThrowsError(
      () => wait([t], { returnWhen: "X" as never }),
      ValueError,
      "Invalid return_when value: X",
    );
    assertThrowsError(
      () => wait(t as never),
      TypeError,
      "expect a list of futures, not Task",
    );
    assertThrowsError(
      () => wait(1 as never),
      TypeError,
      "wait: aws must be an iterable of futures, got number 1",
    );
    assertThrowsError(
      () => wait([t, 2] as never),
      TypeError,
      "wait: aws must hold Futures, Tasks or coroutines, got number 2",
    );
    assertThrowsError(
      () => wait([t], { timeout: "1" } as never),
      TypeError,
      'wait: options.timeout must be a number of seconds or null, got string "1"',
    );
    assertThrowsError(
      () => wait([t], { timeout: NaN }),
      TypeError,
      "wait: options.timeout must be a number of seconds or null, got number NaN",
    );
    assertThrowsError(
      () => wait([t], { return_when: FIRST_COMPLETED } as never),
      TypeError,
      'wait: unknown option "return_when"',
    );
    assertThrowsError(
      () => wait([t], 5 as never),
      TypeError,
      "wait: options must be an object, got number 5",
    );
    // The next call works.
    const [d] = await wait([t]);
    assert.deepEqual([d.size, now()], [1, 1]);
  });
});
