import assert from "node:assert/strict";
import {
  allTasks,
  CancelledError,
  coroutine,
  createTask,
  type ExceptionContext,
  Future,
  gather,
  getRunningLoop,
  run,
  sleep,
  ValueError,
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

// async def w(log, name, d, fail=False):
//     try:
//         await asyncio.sleep(d)
//         if fail: raise ValueError(name)
//         log.append(f"{name} done {t()}"); return name
//     except asyncio.CancelledError:
//         log.append(f"{name} cancelled {t()}"); raise
// print(await asyncio.gather(w(log,"a",3), w(log,"b",1), w(log,"c",2)), log, t())
// -> ['a', 'b', 'c'] ['b done 1', 'c done 2', 'a done 3'] 3
testBoth(
  "gather() returns results in argument order, not completion order",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    await runVirtual(async () => {
      const results: [string, string, string] = await gather(
        w("a", 3),
        w("b", 1),
        w("c", 2),
      );
      assert.deepEqual(results, ["a", "b", "c"]);
      assert.equal(now(), 3);
    });
    assert.deepEqual(log, ["b done 1", "c done 2", "a done 3"]);
  },
);

// try: await asyncio.gather(w(log,"a",1,True), w(log,"b",2))
// except ValueError as e: log.append(f"raised {e!r} {t()}")
// await asyncio.sleep(2); print(log)
// -> ["raised ValueError('a') 1", 'b done 2']
testBoth(
  "gather() raises the first child error at once; the other children keep running",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    await runVirtual(async () => {
      try {
        await gather(w("a", 1, true), w("b", 2));
      } catch (e) {
        assertError(e, ValueError, "a");
        log.push(`raised ${now()}`);
      }
      await sleep(2);
    });
    assert.deepEqual(log, ["raised 1", "b done 2"]);
  },
);

// tb = asyncio.create_task(w(log,"b",5))
// async def canceller(): await asyncio.sleep(1); tb.cancel()
// asyncio.create_task(canceller())
// r = await asyncio.gather(w(log,"a",1,True), tb, w(log,"c",2), return_exceptions=True)
// print([repr(x) for x in r], log, t())
// -> ["ValueError('a')", "CancelledError('')", "'c'"] ['b cancelled 1', 'c done 2'] 2
testBoth(
  "gather({ returnExceptions: true }) puts errors and a child's CancelledError in the results",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    await runVirtual(async () => {
      const tb = createTask(w("b", 5));
      getRunningLoop().callLater(1, () => tb.cancel());
      const r = await gather(w("a", 1, true), tb, w("c", 2), {
        returnExceptions: true,
      });
      assertError(r[0], ValueError, "a");
      assertError(r[1], CancelledError, "");
      assert.equal(r[2], "c");
      assert.equal(now(), 2);
    });
    assert.deepEqual(log, ["b cancelled 1", "c done 2"]);
  },
);

// tb = asyncio.create_task(w(log,"b",5)); loop.call_later(1, tb.cancel)
// try: await asyncio.gather(tb, w(log,"c",2))
// except asyncio.CancelledError: log.append(f"gather raised CancelledError {t()}")
// await asyncio.sleep(2); print(log)
// -> ['b cancelled 1', 'gather raised CancelledError 1', 'c done 2']
testBoth(
  "gather(): a child cancelled on its own counts as an error (CancelledError)",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    await runVirtual(async () => {
      const tb = createTask(w("b", 5));
      getRunningLoop().callLater(1, () => tb.cancel());
      try {
        await gather(tb, w("c", 2));
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        log.push(`gather raised CancelledError ${now()}`);
      }
      await sleep(2);
    });
    assert.deepEqual(log, [
      "b cancelled 1",
      "gather raised CancelledError 1",
      "c done 2",
    ]);
  },
);

// g = asyncio.gather(w(log,"a",1), w(log,"b",2))   # generator coroutines and tasks
// await asyncio.sleep(0.5); log.append(f"cancel {g.cancel()}")
// try: await g
// except asyncio.CancelledError: log.append(f"gather CancelledError {t()} {g.cancelled()}")
// print(log, g.cancel())
// -> ['cancel True', 'a cancelled 0.5', 'b cancelled 0.5', 'gather CancelledError 0.5 False'] False
// (the async flavour wraps each child in its own task first, as the port's
// first round needed; bare coroutines are checked in attribution_test.ts)
testBoth(
  "gather().cancel() cancels every child; the gather then raises CancelledError",
  async ({ fn, kind }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    await runVirtual(async () => {
      const g = kind === "generator"
        ? gather(w("a", 1), w("b", 2))
        : gather(createTask(w("a", 1)), createTask(w("b", 2)));
      await sleep(0.5);
      log.push(`cancel ${g.cancel()}`);
      try {
        await g;
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        log.push(`gather CancelledError ${now()} ${g.cancelled()}`);
      }
      log.push(`again ${g.cancel()}`);
    });
    assert.deepEqual(log, [
      "cancel true",
      "a cancelled 0.5",
      "b cancelled 0.5",
      "gather CancelledError 0.5 false",
      "again false",
    ]);
  },
);

// async def main2(): return await asyncio.gather(w(log,"a",1), w(log,"b",2))
// tk = asyncio.create_task(main2()); await asyncio.sleep(0.5); tk.cancel()
// try: await tk
// except asyncio.CancelledError: log.append(f"task CancelledError {t()} {tk.cancelled()}")
// -> ['a cancelled 0.5', 'b cancelled 0.5', 'task CancelledError 0.5 True']
testBoth(
  "gather(): cancelling the task that awaits it cancels every child",
  async ({ fn, kind }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    const main2 = fn(function* () {
      return yield* (kind === "generator"
        ? gather(w("a", 1), w("b", 2))
        : gather(createTask(w("a", 1)), createTask(w("b", 2))));
    });
    await runVirtual(async () => {
      const tk = createTask(main2());
      await sleep(0.5);
      tk.cancel();
      try {
        await tk;
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        log.push(`task CancelledError ${now()} ${tk.cancelled()}`);
      }
    });
    assert.deepEqual(log, [
      "a cancelled 0.5",
      "b cancelled 0.5",
      "task CancelledError 0.5 true",
    ]);
  },
);

// async def sup():
//     try: await asyncio.sleep(5)
//     except asyncio.CancelledError: log.append("suppressed"); return "s"
// g = asyncio.gather(sup(), w(log,"b",1)); await asyncio.sleep(0.5); g.cancel()
// try: print(await g)
// except asyncio.CancelledError: log.append(f"gather CancelledError {t()}")
// -> ['suppressed', 'b cancelled 0.5', 'gather CancelledError 0.5']
testBoth(
  "gather().cancel(): the gather raises CancelledError even if a child suppresses it",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    const sup = fn(function* () {
      try {
        yield* sleep(5);
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        log.push("suppressed");
        return "s";
      }
    });
    await runVirtual(async () => {
      const g = gather(createTask(sup()), createTask(w("b", 1)));
      await sleep(0.5);
      g.cancel();
      try {
        await g;
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        log.push(`gather CancelledError ${now()}`);
      }
    });
    assert.deepEqual(log, [
      "suppressed",
      "b cancelled 0.5",
      "gather CancelledError 0.5",
    ]);
  },
);

// g = asyncio.gather(asyncio.sleep(1, "x")); print(await g, g.cancel(), g.cancelled())
// -> ['x'] False False
Deno.test("gather().cancel() after completion returns false and changes nothing", async () => {
  await runVirtual(async () => {
    const g = gather(sleep(1, "x"));
    assert.deepEqual(await g, ["x"]);
    assert.equal(g.cancel(), false);
    assert.equal(g.cancelled(), false);
    assert.deepEqual(g.result(), ["x"]);
  });
});

// f = loop.create_future(); f.set_result(7)
// print(await asyncio.gather(), await asyncio.gather(f, f), repr(asyncio.gather(asyncio.sleep(0))))
// -> [] [7, 7] <_GatheringFuture pending>
Deno.test("gather() of nothing is [], a repeated argument is waited for once, and it prints as _GatheringFuture", async () => {
  await runVirtual(async () => {
    const f = getRunningLoop().createFuture<number>();
    f.setResult(7);
    assert.deepEqual(await gather(), []);
    assert.deepEqual(await gather({ returnExceptions: true }), []);
    assert.deepEqual(await gather(f, f), [7, 7]);
    const g = gather(sleep(0));
    assert.equal(String(g), "<_GatheringFuture pending>");
    assert.ok(g instanceof Future);
    await g;
  });
});

// async def main():
//     g = asyncio.gather(w(log,"a",0.01), w(log,"b",0.01))   # before main's first await
//     print(await g)
// asyncio.run(main())
// -> ['a', 'b']
Deno.test("gather() works in a coroutine's prefix, before run() starts the loop", async () => {
  const log: string[] = [];
  // The real clock: the prefix runs on the current loop, not a factory's.
  const w = worker((b) => coroutine(b), log);
  async function main() {
    const g = gather(w("a", 0.01), (async () => await sleep(0.01, "b"))());
    return await g;
  }
  assert.deepEqual(await run(main()), ["a", "b"]);
});

// loop.set_exception_handler(lambda l, c: ctx.append(c))
// try: await asyncio.gather(w(log,"a",1,True), w(log,"b",2,True))
// except ValueError: pass
// await asyncio.sleep(2); print(ctx)
// -> []   (the second error is marked retrieved by gather)
testBoth(
  "gather(): a child error after the gather has failed is not reported as never retrieved",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    const contexts: ExceptionContext[] = [];
    await runVirtual(async () => {
      getRunningLoop().setExceptionHandler((_l, c) => contexts.push(c));
      await assertRejectsError(
        gather(w("a", 1, true), w("b", 2, true)),
        ValueError,
        "a",
      );
      await sleep(2);
    });
    assert.deepEqual(contexts, []);
  },
);

// (bad arguments: no CPython text; gather(1) raises TypeError in ensure_future)
Deno.test("gather() rejects bad arguments with TypeError, starting nothing", async () => {
  await runVirtual(async () => {
    const before = allTasks().size;
    const coro = coroutine(function* () {
      yield* sleep(0);
    });
    assertThrowsError(
      () => gather(coro(), 1 as never),
      TypeError,
      "gather: argument 1 must be a Future, a coroutine or an awaitable, got number 1",
    );
    assertThrowsError(
      () => gather(undefined as never),
      TypeError,
      "gather: argument 0 must be a Future, a coroutine or an awaitable, got undefined",
    );
    assertThrowsError(
      () => gather(sleep(0), { returnExceptons: true } as never),
      TypeError,
      'gather: unknown option "returnExceptons"',
    );
    assertThrowsError(
      () => gather(sleep(0), { returnExceptions: "yes" } as never),
      TypeError,
      'gather: options.returnExceptions must be a boolean, got string "yes"',
    );
    assert.equal(allTasks().size, before);
    // The next call works.
    assert.deepEqual(await gather(sleep(0, 1)), [1]);
  });
});

// Coroutines started together share one context (a known limit), so their
// waits all belong to one task: cancelling the gather must still reach each.
// async def c(name, d):
//     try: await asyncio.sleep(d); log.append(f"{name} done {now()}")
//     except asyncio.CancelledError: log.append(f"{name} cancelled {now()}"); raise
// g = asyncio.gather(c("c", 3), c("d", 3)); await asyncio.sleep(2.5); g.cancel()
// try: await g
// except asyncio.CancelledError: log.append(f"gather CancelledError {now()}")
// -> ['c cancelled 2.5', 'd cancelled 2.5', 'gather CancelledError 2.5']
Deno.test("gather() cancel reaches every async coroutine started in one call", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    async function c(name: string, d: number) {
      try {
        await sleep(d);
        log.push(`${name} done ${now()}`);
      } catch (e) {
        log.push(`${name} cancelled ${now()}`);
        throw e;
      }
    }
    const g = gather(c("c", 3), c("d", 3));
    await sleep(2.5);
    g.cancel();
    try {
      await g;
    } catch (e) {
      log.push(`gather ${(e as Error).name} ${now()}`);
    }
  });
  assert.deepEqual(log, [
    "c cancelled 2.5",
    "d cancelled 2.5",
    "gather CancelledError 2.5",
  ]);
});
