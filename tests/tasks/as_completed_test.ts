import assert from "node:assert/strict";
import {
  asCompleted,
  CancelledError,
  createTask,
  Future,
  getRunningLoop,
  sleep,
  Task,
  TimeoutError,
  ValueError,
} from "../../mod.ts";
import {
  assertRejectsError,
  assertThrowsError,
  type Flavour,
  now,
  runVirtual,
  testBoth,
} from "./_both.ts";

function worker(fn: Flavour["fn"]) {
  return fn(function* (name: string, delay: number, fail = false) {
    yield* sleep(delay);
    if (fail) throw new ValueError(name);
    return name;
  });
}

// for aw in asyncio.as_completed([w("a",3), w("b",1), w("c",2,True)]):
//     try: log.append(f"{await aw} {t()}")
//     except ValueError as e: log.append(f"error {e} {t()}")
// -> ['b 1', 'error c 2', 'a 3']
testBoth(
  "asCompleted() gives results in completion order, raising each error in turn",
  async ({ fn, kind }) => {
    const w = worker(fn);
    const log: string[] = [];
    const main = fn(function* () {
      for (const aw of asCompleted([w("a", 3), w("b", 1), w("c", 2, true)])) {
        try {
          const r = kind === "generator" ? yield* aw : yield aw;
          log.push(`${r} ${now()}`);
        } catch (e) {
          if (!(e instanceof ValueError)) throw e;
          log.push(`error ${e.message} ${now()}`);
        }
      }
    });
    await runVirtual(main);
    assert.deepEqual(log, ["b 1", "error c 2", "a 3"]);
  },
);

// (3.13) ts = [create_task(w("a",2)), create_task(w("b",1))]
// async for t in asyncio.as_completed(ts): log.append(f"{t is ts[1]} {t.result()} {t()}")
// -> ['True b 1', 'False a 2']
Deno.test("asCompleted() with for await gives the input tasks themselves, in completion order", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    const ts = [createTask(sleep(2, "a")), createTask(sleep(1, "b"))];
    for await (const done of asCompleted(ts)) {
      // TypeScript types it as Awaited<Future<T>>; JavaScript gives the task.
      const t = done as unknown as Task<string>;
      assert.ok(t instanceof Task);
      log.push(`${t === ts[1]} ${t.result()} ${now()}`);
    }
    // Coroutines come out as the tasks they were wrapped in.
    for await (const done of asCompleted([sleep(0).then(() => "c")])) {
      const t = done as unknown as Task<string>;
      assert.ok(t instanceof Task);
      log.push(`${t.result()}`);
    }
  });
  assert.deepEqual(log, ["true b 1", "false a 2", "c"]);
});

// ts = [create_task(asyncio.sleep(1, "a")), create_task(asyncio.sleep(5, "b"))]
// for aw in asyncio.as_completed(ts, timeout=2):
//     try: log.append(f"{await aw} {t()}")
//     except TimeoutError: log.append(f"timeout {t()} {ts[1].cancelled()}")
// -> ['a 1', 'timeout 2 False']
testBoth(
  "asCompleted({ timeout }) raises TimeoutError for the rest and cancels nothing",
  async ({ fn, kind }) => {
    const log: string[] = [];
    const main = fn(function* () {
      const ts = [createTask(sleep(1, "a")), createTask(sleep(5, "b"))];
      for (const aw of asCompleted(ts, { timeout: 2 })) {
        try {
          log.push(`${kind === "generator" ? yield* aw : yield aw} ${now()}`);
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
          log.push(`timeout ${now()} ${ts[1].cancelled()}`);
        }
      }
      yield* ts[1];
    });
    await runVirtual(main);
    assert.deepEqual(log, ["a 1", "timeout 2 false"]);
  },
);

// it = iter(asyncio.as_completed([f1, f2]))  (f1, f2 pending futures)
// first = asyncio.create_task(next(it)); await asyncio.sleep(0); first.cancel()
// f1.set_result(1)
// print(await next(it))      # the result is not lost with the cancelled waiter
// -> 1
Deno.test("asCompleted(): cancelling a waiting awaitable loses no result", async () => {
  await runVirtual(async () => {
    const loop = getRunningLoop();
    const f1 = loop.createFuture<number>(), f2 = loop.createFuture<number>();
    const it = asCompleted([f1, f2])[Symbol.iterator]();
    const first = createTask(it.next().value!);
    await sleep(0);
    first.cancel();
    f1.setResult(1);
    await assertRejectsError(first, CancelledError, "");
    assert.equal(await it.next().value!, 1);
    assert.equal(it.next().done, true);
    f2.setResult(2);
  });
});

// list(asyncio.as_completed([])) -> []; as_completed(fut) -> TypeError
// expect an iterable of futures, not Future
Deno.test("asCompleted() of nothing is empty; bad arguments raise TypeError", async () => {
  await runVirtual(async () => {
    assert.deepEqual([...asCompleted([])], []);
    const f = new Future<number>();
    f.setResult(1);
    const aws = [...asCompleted([f, f])];
    assert.equal(aws.length, 1);
    assert.equal(await aws[0], 1);
    assertThrowsError(
      () => asCompleted(f as never),
      TypeError,
      "expect an iterable of futures, not Future",
    );
    assertThrowsError(
      () => asCompleted(3 as never),
      TypeError,
      "asCompleted: aws must be an iterable of futures, got number 3",
    );
    assertThrowsError(
      () => asCompleted([1] as never),
      TypeError,
      "asCompleted: aws must hold Futures, Tasks or coroutines, got number 1",
    );
    assertThrowsError(
      () => asCompleted([f], { timeout: "2" } as never),
      TypeError,
      'asCompleted: options.timeout must be a number of seconds or null, got string "2"',
    );
    assertThrowsError(
      () => asCompleted([f], { timout: 2 } as never),
      TypeError,
      'asCompleted: unknown option "timout"',
    );
  });
});
