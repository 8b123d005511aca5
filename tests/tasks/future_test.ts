import assert from "node:assert/strict";
import {
  CancelledError,
  createTask,
  EventLoop,
  type ExceptionContext,
  Future,
  getRunningLoop,
  InvalidStateError,
  isFuture,
  run,
  sleep,
  ValueError,
  VirtualClock,
} from "../../mod.ts";
import {
  assertError,
  assertRejectsError,
  assertThrowsError,
  runVirtual,
  testBoth,
} from "./_both.ts";

// async def main():
//     loop = asyncio.get_running_loop()
//     for m in ("result", "exception"):
//         try: getattr(loop.create_future(), m)()
//         except asyncio.InvalidStateError as e: print(type(e).__name__, e)
// -> InvalidStateError Result is not set.
// -> InvalidStateError Exception is not set.
Deno.test("Future.result() on a pending future throws InvalidStateError", async () => {
  await runVirtual(() => {
    const fut = new Future();
    assertThrowsError(
      () => fut.result(),
      InvalidStateError,
      "Result is not set.",
    );
    assert.equal(fut.done(), false);
  });
});

Deno.test("Future.exception() on a pending future throws InvalidStateError", async () => {
  await runVirtual(() => {
    const fut = new Future();
    assertThrowsError(
      () => fut.exception(),
      InvalidStateError,
      "Exception is not set.",
    );
  });
});

// from asyncio.futures import _PyFuture
// f = _PyFuture(loop=loop); f.set_result(1)
// try: f.set_result(2)
// except Exception as e: print(type(e).__name__, e)
// try: f.set_exception(ValueError())
// except Exception as e: print(type(e).__name__, e)
// -> InvalidStateError FINISHED: <Future finished result=1>
// -> InvalidStateError FINISHED: <Future finished result=1>
// (the C accelerator says "invalid state"; the port uses the Python text)
Deno.test("Future.setResult() twice throws InvalidStateError and keeps the first result", async () => {
  await runVirtual(() => {
    const fut = new Future<number>();
    fut.setResult(1);
    assertThrowsError(
      () => fut.setResult(2),
      InvalidStateError,
      "FINISHED: <Future finished result=1>",
    );
    assert.equal(fut.result(), 1);
  });
});

Deno.test("Future.setException() after done throws InvalidStateError", async () => {
  await runVirtual(() => {
    const fut = new Future<number>();
    fut.setResult(1);
    assertThrowsError(
      () => fut.setException(new ValueError("late")),
      InvalidStateError,
      "FINISHED: <Future finished result=1>",
    );
    const cancelled = new Future<number>();
    cancelled.cancel();
    assertThrowsError(
      () => cancelled.setException(new ValueError("late")),
      InvalidStateError,
      "CANCELLED: <Future cancelled>",
    );
    assert.equal(fut.result(), 1);
  });
});

// f3 = loop.create_future(); f3.set_result(1)
// print(f3.cancel(), loop.create_future().cancel())
// -> False True
Deno.test("Future.cancel() returns true when pending and false once done", async () => {
  await runVirtual(() => {
    const pending = new Future();
    assert.equal(pending.cancel(), true);
    assert.equal(pending.cancelled(), true);
    assert.equal(pending.done(), true);
    assert.equal(pending.cancel(), false);
    const finished = new Future<number>();
    finished.setResult(1);
    assert.equal(finished.cancel(), false);
    assert.equal(finished.cancelled(), false);
    assert.equal(finished.result(), 1);
    const failed = new Future();
    failed.setException(new ValueError("x"));
    assert.equal(failed.cancel(), false);
    assert.equal(failed.cancelled(), false);
    failed.exception();
  });
});

// f5 = loop.create_future(); f5.cancel("bye")
// try: f5.result()
// except asyncio.CancelledError as e: print("CE", e.args)
// -> CE ('bye',)
Deno.test("Future.result() of a cancelled future throws CancelledError with the cancel message", async () => {
  await runVirtual(() => {
    const fut = new Future();
    fut.cancel("bye");
    assertThrowsError(() => fut.result(), CancelledError, "bye");
    assertThrowsError(() => fut.exception(), CancelledError, "bye");
    const plain = new Future();
    plain.cancel();
    assertThrowsError(() => plain.result(), CancelledError, "");
  });
});

// async def main():
//     loop = asyncio.get_running_loop()
//     fut = loop.create_future()
//     fut.add_done_callback(lambda f: log.append("cb1"))
//     loop.call_soon(lambda: log.append("soon-before"))
//     fut.add_done_callback(lambda f: log.append("cb2"))
//     fut.set_result(1)
//     log.append("after set_result")
//     loop.call_soon(lambda: log.append("soon-after"))
//     fut.add_done_callback(lambda f: log.append("cb3"))
//     await asyncio.sleep(0)
//     await asyncio.sleep(0)
//     print(log)
// -> ['after set_result', 'soon-before', 'cb1', 'cb2', 'soon-after', 'cb3']
Deno.test("Future.addDoneCallback() callbacks are scheduled with callSoon, never called inline", async () => {
  const log: string[] = [];
  const seen: unknown[] = [];
  await runVirtual(async () => {
    const loop = getRunningLoop();
    const fut = loop.createFuture<number>();
    fut.addDoneCallback((f) => {
      seen.push(f);
      log.push("cb1");
    });
    loop.callSoon(() => log.push("soon-before"));
    fut.addDoneCallback(() => log.push("cb2"));
    fut.setResult(1);
    log.push("after set_result");
    loop.callSoon(() => log.push("soon-after"));
    fut.addDoneCallback(() => log.push("cb3"));
    assert.deepEqual(log, ["after set_result"]);
    await sleep(0);
    await sleep(0);
    assert.deepEqual(seen, [fut]);
  });
  assert.deepEqual(log, [
    "after set_result",
    "soon-before",
    "cb1",
    "cb2",
    "soon-after",
    "cb3",
  ]);
});

// f2 = loop.create_future(); cb = lambda f: None
// f2.add_done_callback(cb); f2.add_done_callback(cb); f2.add_done_callback(lambda f: None)
// print(f2.remove_done_callback(cb), f2.remove_done_callback(cb))
// -> 2 0
Deno.test("Future.removeDoneCallback() removes every instance and returns the count", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    const fut = new Future<number>();
    const cb = () => log.push("cb");
    fut.addDoneCallback(cb);
    fut.addDoneCallback(cb);
    fut.addDoneCallback(() => log.push("other"));
    assert.equal(fut.removeDoneCallback(cb), 2);
    assert.equal(fut.removeDoneCallback(cb), 0);
    fut.setResult(1);
    await sleep(0);
  });
  assert.deepEqual(log, ["other"]);
});

// fut = loop.create_future(); cb = lambda f: log.append("cb")
// fut.add_done_callback(cb)
// for name in "abc":
//     fut.add_done_callback(lambda f, n=name: log.append(n))
//     fut.add_done_callback(cb)
// print(fut.remove_done_callback(cb))
// fut.add_done_callback(lambda f: log.append("d")); fut.set_result(1)
// await asyncio.sleep(0); print(log)
// -> 4
// -> ['a', 'b', 'c', 'd']
Deno.test("Future: done-callbacks run in the order added, also once removeDoneCallback() took the first", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    const fut = new Future<number>();
    const cb = () => log.push("cb");
    fut.addDoneCallback(cb);
    for (const name of "abc") {
      fut.addDoneCallback(() => log.push(name));
      fut.addDoneCallback(cb);
    }
    assert.equal(fut.removeDoneCallback(cb), 4);
    fut.addDoneCallback(() => log.push("d"));
    fut.setResult(1);
    await sleep(0);
  });
  assert.deepEqual(log, ["a", "b", "c", "d"]);
});

Deno.test("Future.addDoneCallback() with a non-function throws TypeError", async () => {
  await runVirtual(() => {
    const fut = new Future();
    assertThrowsError(
      // deno-lint-ignore no-explicit-any
      () => fut.addDoneCallback(42 as any),
      TypeError,
      "addDoneCallback: fn must be a function, got number 42",
    );
  });
});

// async def main():
//     loop = asyncio.get_running_loop()
//     fut = loop.create_future()
//     loop.call_later(1, fut.set_result, "v")
//     print(await fut, loop.time() - t0)
// -> v 1.0
testBoth(
  "Future is awaitable (await fut / yield* fut) and gives its result",
  async ({ fn }) => {
    const waitFor = fn(function* (fut: Future<string>) {
      const v: string = yield* fut;
      return v;
    });
    const out = await runVirtual<[string, number]>(async () => {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      loop.callLater(1, (f: Future<string>) => f.setResult("v"), fut);
      const v = await loop.createTask(waitFor(fut));
      return [v, loop.time()];
    });
    assert.deepEqual(out, ["v", 1]);
  },
);

// fut.set_exception(ValueError("bad")); await fut -> ValueError bad
testBoth(
  "Future exception is raised at the await / yield* and is catchable",
  async ({ fn }) => {
    const waitFor = fn(function* (fut: Future<string>) {
      try {
        yield* fut;
        return "no error";
      } catch (e) {
        return e;
      }
    });
    const caught = await runVirtual(async () => {
      const loop = getRunningLoop();
      const fut = loop.createFuture<string>();
      loop.callLater(
        1,
        (f: Future<string>) => f.setException(new ValueError("bad")),
        fut,
      );
      return await loop.createTask(waitFor(fut));
    });
    assertError(caught, ValueError, "bad");
  },
);

Deno.test("Future: await of a future done before the await gives its result", async () => {
  const v = await runVirtual(async () => {
    const fut = new Future<number>();
    fut.setResult(7);
    return await fut;
  });
  assert.equal(v, 7);
});

Deno.test("Future.setException() with an error class instantiates it", async () => {
  await runVirtual(async () => {
    const fut = new Future();
    fut.setException(ValueError);
    const exc = fut.exception();
    assertError(exc, ValueError, "");
    await assertRejectsError(fut, ValueError, "");
  });
});

// print(repr(f3)); f3.set_result(1); print(repr(f3)); f2.cancel(); print(repr(f2))
// f4.set_exception(ValueError); print(repr(f4))
// -> <Future pending>
// -> <Future finished result=1>
// -> <Future cancelled>
// -> <Future finished exception=ValueError()>
Deno.test("Future.toString() prints like CPython's repr", async () => {
  await runVirtual(() => {
    const fut = new Future<number>();
    assert.equal(String(fut), "<Future pending>");
    fut.setResult(1);
    assert.equal(String(fut), "<Future finished result=1>");
    const c = new Future();
    c.cancel();
    assert.equal(String(c), "<Future cancelled>");
    const s = new Future<string>();
    s.setResult("x");
    assert.equal(String(s), "<Future finished result='x'>");
    const e = new Future();
    e.setException(new ValueError("bad"));
    assert.equal(String(e), "<Future finished exception=ValueError('bad')>");
    e.exception();
    assert.equal(Deno.inspect(fut), "<Future finished result=1>");
    assert.equal(isFuture(fut), true);
    assert.equal(isFuture(Promise.resolve(1)), false);
  });
});

function loopWithHandler(contexts: ExceptionContext[]): () => EventLoop {
  return () => {
    const loop = new EventLoop({ clock: new VirtualClock() });
    loop.setExceptionHandler((_loop, context) => contexts.push(context));
    return loop;
  };
}

// def main():
//     fut = loop.create_future(); fut.set_exception(ValueError("lost")); del fut
//     gc.collect()
// -> Future exception was never retrieved
//    future: <Future finished exception=ValueError('lost')>
//    ValueError: lost
Deno.test("Future exception never retrieved is reported to the exception handler at loop close", async () => {
  const contexts: ExceptionContext[] = [];
  let lost: Future | null = null;
  await run(async () => {
    lost = new Future();
    lost.setException(new ValueError("lost"));
    await sleep(0);
    assert.equal(contexts.length, 0);
  }, { loopFactory: loopWithHandler(contexts) });
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].message, "Future exception was never retrieved");
  assertError(contexts[0].exception, ValueError, "lost");
  assert.equal(contexts[0].future, lost);
});

Deno.test("Future exception that was awaited, or read with exception(), is not reported", async () => {
  const contexts: ExceptionContext[] = [];
  await run(async () => {
    const awaited = new Future();
    awaited.setException(new ValueError("awaited"));
    await assertRejectsError(awaited, ValueError, "awaited");
    const read = new Future();
    read.setException(new ValueError("read"));
    assertError(read.exception(), ValueError, "read");
    const viaResult = new Future();
    viaResult.setException(new ValueError("result"));
    assert.throws(() => viaResult.result(), ValueError);
  }, { loopFactory: loopWithHandler(contexts) });
  assert.deepEqual(contexts, []);
});

// fut = loop.create_future()
// fut.add_done_callback(lambda f: log.append("cb1"))
// async def waiter(): await fut; log.append("waiter")
// t = asyncio.create_task(waiter()); await asyncio.sleep(0)
// fut.add_done_callback(lambda f: log.append("cb2"))
// fut.set_result(1)
// await t; print(log)
// -> ['cb1', 'waiter', 'cb2']
testBoth(
  "Future: a waiting task resumes in done-callback order, between callbacks added before and after its wait",
  async ({ fn }) => {
    const log: string[] = [];
    await runVirtual(async () => {
      const fut = getRunningLoop().createFuture<number>();
      fut.addDoneCallback(() => log.push("cb1"));
      const waiter = fn(function* () {
        yield* fut;
        log.push("waiter");
      });
      const t = createTask(waiter());
      await sleep(0);
      fut.addDoneCallback(() => log.push("cb2"));
      fut.setResult(1);
      await t;
    });
    assert.deepEqual(log, ["cb1", "waiter", "cb2"]);
  },
);
