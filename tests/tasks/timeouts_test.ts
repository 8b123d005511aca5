import assert from "node:assert/strict";
import {
  CancelledError,
  coroutine,
  createTask,
  currentTask,
  getRunningLoop,
  RuntimeError,
  sleep,
  Timeout,
  timeout,
  timeoutAt,
  TimeoutError,
} from "../../mod.ts";
import {
  assertError,
  assertRejectsError,
  assertThrowsError,
  now,
  runVirtual,
  testBoth,
} from "./_both.ts";

// async with asyncio.timeout(2) as cm:
//     await asyncio.sleep(1); log.append(f"body {t()} {cm.when()} {cm.expired()}")
// log.append(f"after {cm.expired()} {cm!r}")
// -> ['body 1 2 False', 'after False <Timeout [finished]>']
testBoth(
  "timeout() returns the body's result when it ends in time",
  async ({ fn, kind }) => {
    const log: string[] = [];
    let seen: Timeout | null = null;
    const main = fn(function* () {
      const r = yield* timeout(
        2,
        kind === "generator"
          ? function* (cm: Timeout) {
            seen = cm;
            yield* sleep(1);
            log.push(`body ${now()} ${cm.when()} ${cm.expired()}`);
            return "result";
          }
          : async (cm: Timeout) => {
            seen = cm;
            await sleep(1);
            log.push(`body ${now()} ${cm.when()} ${cm.expired()}`);
            return "result";
          },
      );
      log.push(`after ${seen!.expired()} ${seen}`);
      return r;
    });
    assert.equal(await runVirtual(main), "result");
    assert.deepEqual(log, [
      "body 1 2 false",
      "after false <Timeout [finished]>",
    ]);
  },
);

// try:
//     async with asyncio.timeout(1) as cm:
//         try: await asyncio.sleep(5)
//         finally: log.append(f"finally {t()}")
// except TimeoutError as e:
//     log.append(f"TimeoutError {t()} {cm.expired()} {type(e.__cause__).__name__} {current_task().cancelling()}")
// -> ['finally 1', 'TimeoutError 1 True CancelledError 0']
testBoth(
  "timeout() expiry cancels the body where it waits and raises TimeoutError",
  async ({ fn }) => {
    const log: string[] = [];
    let seen: Timeout | null = null;
    const body = fn(function* () {
      try {
        yield* sleep(5);
      } finally {
        log.push(`finally ${now()}`);
      }
    });
    const main = fn(function* () {
      try {
        yield* timeout(1, (cm) => {
          seen = cm;
          return body();
        });
      } catch (e) {
        assertError(e, TimeoutError, "");
        assert.ok((e as Error).cause instanceof CancelledError);
        log.push(
          `TimeoutError ${now()} ${seen!.expired()} ${
            currentTask()!.cancelling()
          } ${seen}`,
        );
      }
    });
    await runVirtual(main);
    assert.deepEqual(log, [
      "finally 1",
      "TimeoutError 1 true 0 <Timeout [expired]>",
    ]);
  },
);

// async def body():
//     async with asyncio.timeout(5): await asyncio.sleep(10)
// tk = create_task(body()); await asyncio.sleep(1); tk.cancel()
// try: await tk
// except asyncio.CancelledError: log.append(f"CancelledError {t()}")
// tk = create_task(body()); loop.call_later(5, tk.cancel)    # the race: same iteration
// try: await tk
// except asyncio.CancelledError: log.append(f"race CancelledError {t()}")
// -> ['CancelledError 1', 'race CancelledError 6']
testBoth(
  "timeout() never converts an outside cancellation, even one racing the expiry",
  async ({ fn }) => {
    const log: string[] = [];
    // `yield`, not `yield*`: the async flavour then awaits the timeout, so
    // it enters in the new task, not in the creator's synchronous prefix.
    const body = fn(function* () {
      return yield timeout(5, () => sleep(10));
    });
    await runVirtual(async () => {
      let tk = createTask(body());
      await sleep(1);
      tk.cancel();
      try {
        await tk;
      } catch (e) {
        assert.ok(e instanceof CancelledError);
        log.push(`CancelledError ${now()}`);
      }
      tk = createTask(body());
      // Scheduled before the timeout's timer: runs first in that iteration.
      getRunningLoop().callLater(5, () => tk.cancel());
      try {
        await tk;
      } catch (e) {
        assert.ok(e instanceof CancelledError, `got ${e}`);
        log.push(`race CancelledError ${now()}`);
      }
    });
    assert.deepEqual(log, ["CancelledError 1", "race CancelledError 6"]);
  },
);

// async with asyncio.timeout(5) as outer:
//     try:
//         async with asyncio.timeout(1) as inner: await asyncio.sleep(10)
//     except TimeoutError: log.append(f"inner timeout {t()} {inner.expired()} {outer.expired()}")
//     await asyncio.sleep(1); log.append(f"outer body goes on {t()}")
// try:
//     async with asyncio.timeout(1) as outer:
//         try:
//             async with asyncio.timeout(5) as inner: await asyncio.sleep(10)
//         except asyncio.CancelledError:
//             log.append(f"inner sees CancelledError {t()} {inner.expired()}"); raise
// except TimeoutError: log.append(f"outer timeout {t()} {outer.expired()}")
// -> ['inner timeout 1 True False', 'outer body goes on 2',
//     'inner sees CancelledError 3 False', 'outer timeout 3 True']
testBoth(
  "timeout(): nested timeouts each own their deadline",
  async ({ fn }) => {
    const log: string[] = [];
    const main = fn(function* () {
      let inner: Timeout | null = null;
      yield* timeout(5, function* (outer) {
        try {
          yield* timeout(1, function* (cm) {
            inner = cm;
            yield* sleep(10);
          });
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e;
          log.push(
            `inner timeout ${now()} ${inner!.expired()} ${outer.expired()}`,
          );
        }
        yield* sleep(1);
        log.push(`outer body goes on ${now()}`);
      });
      let outer2: Timeout | null = null;
      try {
        yield* timeout(1, function* (outer) {
          outer2 = outer;
          try {
            yield* timeout(5, function* (cm) {
              inner = cm;
              yield* sleep(10);
            });
          } catch (e) {
            assert.ok(e instanceof CancelledError);
            log.push(`inner sees CancelledError ${now()} ${inner!.expired()}`);
            throw e;
          }
        });
      } catch (e) {
        assert.ok(e instanceof TimeoutError);
        log.push(`outer timeout ${now()} ${outer2!.expired()}`);
      }
    });
    await runVirtual(main);
    assert.deepEqual(log, [
      "inner timeout 1 true false",
      "outer body goes on 2",
      "inner sees CancelledError 3 false",
      "outer timeout 3 true",
    ]);
  },
);

// async with asyncio.timeout(1) as cm:
//     cm.reschedule(loop.time()+3); await asyncio.sleep(2); log.append(f"extended {t()}")
//     cm.reschedule(None); await asyncio.sleep(5); log.append(f"none {t()} {cm.when()}")
// try:
//     async with asyncio.timeout(None) as cm:
//         cm.reschedule(loop.time()-1); await asyncio.sleep(1)
// except TimeoutError: log.append(f"past {t()}")
// try:
//     async with asyncio.timeout(-1): await asyncio.sleep(1)
// except TimeoutError: log.append(f"neg {t()}")
// -> ['extended 2', 'none 7 None', 'past 7', 'neg 7']
Deno.test("Timeout.reschedule() moves the deadline; null, a past time and a negative delay behave as in CPython", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    const loop = getRunningLoop();
    await timeout(1, async (cm) => {
      cm.reschedule(loop.time() + 3);
      await sleep(2);
      log.push(`extended ${now()}`);
      cm.reschedule(null);
      await sleep(5);
      log.push(`none ${now()} ${cm.when()}`);
    });
    try {
      await timeout(null, async (cm) => {
        cm.reschedule(loop.time() - 1);
        await sleep(1);
      });
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
      log.push(`past ${now()}`);
    }
    try {
      await timeout(-1, () => sleep(1));
    } catch (e) {
      assert.ok(e instanceof TimeoutError);
      log.push(`neg ${now()}`);
    }
    // An infinite deadline never fires either.
    await timeout(Infinity, () => sleep(100));
    log.push(`infinite ${now()}`);
  });
  assert.deepEqual(log, [
    "extended 2",
    "none 7 null",
    "past 7",
    "neg 7",
    "infinite 107",
  ]);
});

// cm2 = asyncio.Timeout(None)
// cm2.reschedule(1)                     -> Timeout has not been entered
// (after a timeout expired) cm.reschedule(1)  -> Cannot change state of expired Timeout
// async with cm2: pass
// cm2.reschedule(1)                     -> Cannot change state of finished Timeout
// async with cm2: pass                  -> Timeout has already been entered
Deno.test("Timeout: reschedule() outside the body and a second entry raise RuntimeError", async () => {
  await runVirtual(async () => {
    const cm2 = new Timeout(null);
    assertThrowsError(
      () => cm2.reschedule(1),
      RuntimeError,
      "Timeout has not been entered",
    );
    let expired: Timeout | null = null;
    await assertRejectsError(
      timeout(1, async (cm) => {
        expired = cm;
        await sleep(2);
      }),
      TimeoutError,
      "",
    );
    assertThrowsError(
      () => expired!.reschedule(1),
      RuntimeError,
      "Cannot change state of expired Timeout",
    );
    assert.equal(await cm2.run(() => 5), 5);
    assertThrowsError(
      () => cm2.reschedule(1),
      RuntimeError,
      "Cannot change state of finished Timeout",
    );
    await assertRejectsError(
      cm2.run(() => 5),
      RuntimeError,
      "Timeout has already been entered",
    );
  });
});

// async with asyncio.timeout(1) as cm:
//     try: await asyncio.sleep(5)
//     except asyncio.CancelledError: log.append("suppressed")
// log.append(f"after suppress {t()} {cm.expired()} {current_task().cancelling()}")
// -> ['suppressed', 'after suppress 1 True 0']
testBoth(
  "timeout(): a body that suppresses the cancellation ends normally, expired() true",
  async ({ fn }) => {
    const log: string[] = [];
    const main = fn(function* () {
      let seen: Timeout | null = null;
      const r = yield* timeout(1, function* (cm) {
        seen = cm;
        try {
          yield* sleep(5);
        } catch (e) {
          if (!(e instanceof CancelledError)) throw e;
          log.push("suppressed");
        }
        return "ok";
      });
      log.push(
        `after ${r} ${now()} ${seen!.expired()} ${currentTask()!.cancelling()}`,
      );
    });
    await runVirtual(main);
    assert.deepEqual(log, ["suppressed", "after ok 1 true 0"]);
  },
);

// async with asyncio.timeout_at(loop.time() + 1) as cm: print(repr(cm), cm.when())
// -> <Timeout [active] when=W> W
Deno.test("timeoutAt() uses an absolute deadline; Timeout prints as CPython's repr", async () => {
  await runVirtual(async () => {
    const loop = getRunningLoop();
    await sleep(2.5);
    const text = await timeoutAt(loop.time() + 1.23456, (cm) => String(cm));
    assert.equal(text, "<Timeout [active] when=3.735>");
    await assertRejectsError(
      timeoutAt(loop.time() + 1, () => sleep(2)),
      TimeoutError,
      "",
    );
    assert.equal(now(), 3.5);
    assert.equal(String(new Timeout(5)), "<Timeout [created]>");
  });
});

// async def body(): raise KeyError("x")
// try:
//     async with asyncio.timeout(1): await body()
// except KeyError as e: print(repr(e))
// -> KeyError('x')
testBoth(
  "timeout(): a body error passes through unchanged, and the timer is dropped",
  async ({ fn }) => {
    const body = fn(function* () {
      yield* sleep(0.5);
      throw new RangeError("x");
    });
    await runVirtual(async () => {
      await assertRejectsError(timeout(1, body), RangeError, "x");
      // The dropped timer never cancels the task later.
      await sleep(2);
      assert.equal(currentTask()!.cancelling(), 0);
      assert.equal(now(), 2.5);
    });
  },
);

// asyncio.timeout(1) outside a loop      -> RuntimeError: no running event loop
// async with asyncio.timeout(None): pass  (in a callback: no task)
// -> RuntimeError: Timeout should be used inside a task
Deno.test("timeout() outside a task raises RuntimeError", async () => {
  await assertRejectsError(
    timeout(1, () => 1),
    RuntimeError,
    "no running event loop",
  );
  await assertRejectsError(
    timeout(null, () => 1),
    RuntimeError,
    "Timeout should be used inside a task",
  );
  const gen = coroutine(function* () {
    return yield* timeoutAt(1, () => 2);
  });
  await assertRejectsError(
    gen(),
    RuntimeError,
    "Timeout should be used inside a task",
  );
  await runVirtual(async () => {
    const loop = getRunningLoop();
    const fut = loop.createFuture<unknown>();
    loop.callSoon(() => {
      timeout(1, () => 3).then(
        (v) => fut.setResult(v),
        (e) => fut.setResult(e),
      );
    });
    assertError(
      await fut,
      RuntimeError,
      "Timeout should be used inside a task",
    );
  });
});

Deno.test("timeout() and timeoutAt() reject bad arguments with TypeError", async () => {
  assertThrowsError(
    () => timeout("1" as never, () => {}),
    TypeError,
    'timeout: delay must be a number of seconds or null, got string "1"',
  );
  assertThrowsError(
    () => timeout(undefined as never, () => {}),
    TypeError,
    "timeout: delay must be a number of seconds or null, got undefined",
  );
  assertThrowsError(
    () => timeout(NaN, () => {}),
    TypeError,
    "timeout: delay must be a number of seconds or null, got number NaN",
  );
  assertThrowsError(
    () => timeout(1, 5 as never),
    TypeError,
    "timeout: body must be a function, got number 5",
  );
  assertThrowsError(
    () => timeoutAt({} as never, () => {}),
    TypeError,
    "timeoutAt: when must be a number of seconds or null, got object",
  );
  assertThrowsError(
    () => new Timeout("soon" as never),
    TypeError,
    'Timeout: when must be a number of seconds or null, got string "soon"',
  );
  await runVirtual(async () => {
    await timeout(1, async (cm) => {
      assertThrowsError(
        () => cm.reschedule("2" as never),
        TypeError,
        'Timeout.reschedule: when must be a number of seconds or null, got string "2"',
      );
      await sleep(0.5);
    });
    assert.equal(now(), 0.5);
  });
});

// async def main():
//     async def work(): await asyncio.sleep(1); return 1
//     async with asyncio.timeout(5): r = await asyncio.create_task(work())
//     print(r, asyncio.current_task() is main_task)
// -> 1 True
Deno.test("timeout(): a body that creates tasks from async coroutines leaves the caller its own task", async () => {
  await runVirtual(async () => {
    const main = currentTask();
    const work = async () => {
      await sleep(1);
      return 1;
    };
    const r = await timeout(5, async () => await createTask(work()));
    assert.equal(r, 1);
    assert.equal(currentTask(), main);
    // The caller's waits are still its own: a timeout still reaches them.
    await assertRejectsError(timeout(1, () => sleep(5)), TimeoutError, "");
    assert.deepEqual([now(), currentTask(), main!.cancelling()], [2, main, 0]);
  });
});
