import assert from "node:assert/strict";
import {
  type AbstractEventLoop,
  coroutine,
  createTask,
  EventLoop,
  type ExceptionContext,
  Future,
  Handle,
  run,
  RuntimeError,
  setEventLoop,
  sleep,
  Task,
  TimerHandle,
  ValueError,
  VirtualClock,
} from "../../mod.ts";
import { workerReport } from "../_worker.ts";

function makeLoop(): EventLoop {
  return new EventLoop({ clock: new VirtualClock() });
}

/** Run `loop` until a callback scheduled last (after `setup`) stops it. */
async function runBriefly(loop: EventLoop): Promise<void> {
  loop.callSoon(() => loop.stop());
  await loop.runForever();
}

/** Replace `console[method]` for the duration of `body`, recording calls. */
async function withConsoleStub(
  method: "error" | "warn",
  body: (calls: unknown[][]) => Promise<void> | void,
): Promise<void> {
  const original = console[method];
  const calls: unknown[][] = [];
  console[method] = (...args: unknown[]) => {
    calls.push(args);
  };
  try {
    await body(calls);
  } finally {
    console[method] = original;
  }
}

// --- callSoon -------------------------------------------------------------

Deno.test("callSoon() runs callbacks in FIFO order", async () => {
  const loop = makeLoop();
  const events: number[] = [];
  for (let i = 0; i < 10; i++) loop.callSoon(() => events.push(i));
  await runBriefly(loop);
  assert.deepEqual(events, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  loop.close();
});

Deno.test("callSoon() passes the extra arguments to the callback", async () => {
  const loop = makeLoop();
  const events: unknown[][] = [];
  loop.callSoon((...args: unknown[]) => events.push(args), 1, "two", null);
  loop.callSoon((a: number) => events.push([a]), 7);
  loop.callSoon(() => events.push([]));
  await runBriefly(loop);
  assert.deepEqual(events, [[1, "two", null], [7], []]);
  loop.close();
});

Deno.test("callSoon() returns a Handle whose cancel() prevents the callback", async () => {
  const loop = makeLoop();
  const events: string[] = [];
  loop.callSoon(() => events.push("a"));
  const handle = loop.callSoon(() => events.push("cancelled"));
  loop.callSoon(() => events.push("c"));
  assert.ok(handle instanceof Handle);
  assert.equal(handle.cancelled(), false);
  handle.cancel();
  assert.equal(handle.cancelled(), true);
  handle.cancel(); // idempotent
  assert.equal(handle.cancelled(), true);
  await runBriefly(loop);
  assert.deepEqual(events, ["a", "c"]);
  loop.close();
});

Deno.test("Handle.cancel() from an earlier callback of the same iteration prevents the later one", async () => {
  const loop = makeLoop();
  const events: string[] = [];
  loop.callSoon(() => {
    events.push("first");
    second.cancel();
  });
  const second = loop.callSoon(() => events.push("second"));
  await runBriefly(loop);
  assert.deepEqual(events, ["first"]);
  loop.close();
});

Deno.test("callSoon() from a callback runs in the next iteration, after the current batch", async () => {
  const loop = makeLoop();
  const events: string[] = [];
  loop.callSoon(() => {
    events.push("a");
    loop.callSoon(() => events.push("b"));
  });
  loop.callSoon(() => events.push("c"));
  // stop() is in the first batch: the iteration finishes, "b" waits.
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, ["a", "c"]);
  await runBriefly(loop);
  assert.deepEqual(events, ["a", "c", "b"]);
  loop.close();
});

Deno.test("callLater(0) runs after callSoon() callbacks already ready in the same iteration", async () => {
  // CPython: due timers are appended to the ready queue after what is there.
  const loop = makeLoop();
  const events: string[] = [];
  loop.callLater(0, () => events.push("timer0"));
  loop.callSoon(() => events.push("soon"));
  loop.callSoon(() => {
    events.push("a");
    loop.callSoon(() => events.push("b"));
  });
  loop.callSoon(() => events.push("c"));
  loop.callSoon(() => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, ["soon", "a", "c", "timer0"]);
  loop.close();
});

// --- timers ---------------------------------------------------------------

Deno.test("callLater() runs timers in deadline order at the exact virtual time", async () => {
  const loop = makeLoop();
  const events: [string, number][] = [];
  const record = (name: string) => events.push([name, loop.time()]);
  loop.callLater(3, record, "c");
  loop.callLater(1, record, "a");
  loop.callLater(2, record, "b");
  loop.callLater(3.5, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, [["a", 1], ["b", 2], ["c", 3]]);
  assert.equal(loop.time(), 3.5);
  loop.close();
});

Deno.test("callLater() with equal delays runs the timers in scheduling order", async () => {
  const loop = makeLoop();
  const events: number[] = [];
  for (let i = 0; i < 20; i++) {
    loop.callLater(1, (n: number) => events.push(n), i);
  }
  loop.callLater(1, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, Array.from({ length: 20 }, (_, i) => i));
  assert.equal(loop.time(), 1);
  loop.close();
});

Deno.test("callAt() runs at the given loop time, interleaved with callLater() by deadline", async () => {
  const loop = new EventLoop({ clock: new VirtualClock(10) });
  const events: [string, number][] = [];
  const record = (name: string) => events.push([name, loop.time()]);
  assert.equal(loop.time(), 10);
  loop.callLater(2, record, "later2");
  loop.callAt(11.5, record, "at11.5");
  loop.callAt(5, record, "past"); // already due: runs in the first iteration
  loop.callLater(1, record, "later1");
  loop.callAt(13, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, [
    ["past", 10],
    ["later1", 11],
    ["at11.5", 11.5],
    ["later2", 12],
  ]);
  assert.equal(loop.time(), 13);
  loop.close();
});

Deno.test("callAt() and callLater() pass extra arguments to the callback", async () => {
  const loop = makeLoop();
  const events: unknown[] = [];
  loop.callAt(1, (a: number, b: string) => events.push(a, b), 1, "x");
  loop.callLater(2, (a: boolean) => events.push(a), true);
  loop.callLater(2, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, [1, "x", true]);
  loop.close();
});

Deno.test("TimerHandle.when() returns the absolute loop time of the deadline", () => {
  const loop = new EventLoop({ clock: new VirtualClock(100) });
  const later = loop.callLater(2.5, () => {});
  const at = loop.callAt(7, () => {});
  assert.ok(later instanceof TimerHandle);
  assert.ok(at instanceof TimerHandle);
  assert.equal(later.when(), 102.5);
  assert.equal(at.when(), 7);
  later.cancel();
  at.cancel();
  loop.close();
});

Deno.test("TimerHandle.cancel() keeps a cancelled timer from running", async () => {
  const loop = makeLoop();
  const events: string[] = [];
  loop.callLater(1, () => events.push("a"));
  const b = loop.callLater(2, () => events.push("b"));
  const c = loop.callAt(3, () => events.push("c"));
  loop.callLater(4, () => events.push("d"));
  loop.callLater(1.5, () => c.cancel()); // cancelled while the loop runs
  b.cancel();
  assert.equal(b.cancelled(), true);
  loop.callLater(5, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, ["a", "d"]);
  assert.equal(c.cancelled(), true);
  assert.equal(loop.time(), 5);
  loop.close();
});

Deno.test("callLater() keeps working after 10,000 cancelled timers are cleaned from the heap", async () => {
  const loop = makeLoop();
  const events: [number, number][] = [];
  const timers: TimerHandle[] = [];
  for (let i = 0; i < 10_000; i++) {
    timers.push(loop.callLater(1 + i / 1000, (n: number) => {
      events.push([n, loop.time()]);
    }, i));
  }
  // Keep every 2,500th timer alive; cancel the rest.
  const kept = new Set([0, 2500, 5000, 7500]);
  for (let i = 0; i < timers.length; i++) if (!kept.has(i)) timers[i].cancel();
  loop.callLater(0.5, () => events.push([-1, loop.time()]));
  loop.callLater(20, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, [[-1, 0.5], [0, 1], [2500, 3.5], [5000, 6], [
    7500,
    8.5,
  ]]);
  assert.equal(loop.time(), 20);
  loop.close();
});

Deno.test("callLater() still runs after every scheduled timer was cancelled", async () => {
  const loop = makeLoop();
  const events: number[] = [];
  const timers: TimerHandle[] = [];
  for (let i = 0; i < 10_000; i++) {
    timers.push(loop.callLater(0.1 + i / 10_000, () => events.push(i)));
  }
  for (const t of timers) t.cancel();
  loop.callLater(0.5, () => {
    events.push(-1);
    loop.stop();
  });
  await loop.runForever();
  assert.deepEqual(events, [-1]);
  assert.equal(loop.time(), 0.5);
  loop.close();
});

// --- stop -----------------------------------------------------------------

Deno.test("stop() from a callback lets the rest of the current batch run", async () => {
  const loop = makeLoop();
  const events: string[] = [];
  loop.callSoon(() => {
    events.push("s");
    loop.stop();
    loop.callSoon(() => events.push("next"));
  });
  loop.callSoon(() => events.push("same"));
  await loop.runForever();
  assert.deepEqual(events, ["s", "same"]);
  assert.equal(loop.isRunning(), false);
  await runBriefly(loop);
  assert.deepEqual(events, ["s", "same", "next"]);
  loop.close();
});

Deno.test("stop() before runForever() runs exactly one iteration", async () => {
  const loop = makeLoop();
  const events: string[] = [];
  loop.callSoon(() => {
    events.push("a");
    loop.callSoon(() => events.push("b"));
  });
  loop.stop();
  await loop.runForever();
  assert.deepEqual(events, ["a"]);
  await runBriefly(loop);
  assert.deepEqual(events, ["a", "b"]);
  loop.close();
});

Deno.test("stop() before runForever() with nothing scheduled returns without waiting for timers", async () => {
  const loop = makeLoop();
  const events: string[] = [];
  loop.callLater(10, () => events.push("timer"));
  loop.stop();
  await loop.runForever();
  assert.deepEqual(events, []);
  assert.equal(loop.time(), 0);
  loop.close();
});

// --- runUntilComplete -----------------------------------------------------

Deno.test("runUntilComplete() returns the result of a future set from a timer", async () => {
  const loop = makeLoop();
  const fut = loop.createFuture<number>();
  loop.callLater(1.5, () => fut.setResult(42));
  assert.equal(await loop.runUntilComplete(fut), 42);
  assert.equal(loop.time(), 1.5);
  assert.equal(loop.isRunning(), false);
  loop.close();
});

Deno.test("runUntilComplete() rejects with the future's exception", async () => {
  const loop = makeLoop();
  const fut = loop.createFuture<number>();
  const error = new ValueError("boom");
  loop.callLater(1, () => fut.setException(error));
  await assert.rejects(loop.runUntilComplete(fut), (e) => e === error);
  assert.equal(loop.time(), 1);
  loop.close();
});

Deno.test("runUntilComplete() rejects with RuntimeError when stop() is called before the future is done", async () => {
  const loop = makeLoop();
  const fut = loop.createFuture<number>();
  loop.callLater(1, () => loop.stop());
  await assert.rejects(loop.runUntilComplete(fut), {
    name: "RuntimeError",
    message: "Event loop stopped before Future completed.",
  });
  assert.equal(fut.done(), false);
  // The loop is not broken: the same future can still complete.
  loop.callLater(1, () => fut.setResult(7));
  assert.equal(await loop.runUntilComplete(fut), 7);
  assert.equal(loop.time(), 2);
  loop.close();
});

Deno.test("runUntilComplete() accepts an async coroutine and returns its value", async () => {
  const loop = makeLoop();
  setEventLoop(loop);
  try {
    const events: string[] = [];
    const main = async () => {
      events.push("start");
      await sleep(2);
      events.push("end");
      return "done";
    };
    assert.equal(await loop.runUntilComplete(main()), "done");
    assert.deepEqual(events, ["start", "end"]);
    assert.equal(loop.time(), 2);
  } finally {
    setEventLoop(null);
    loop.close();
  }
});

Deno.test("runUntilComplete() accepts a generator coroutine and returns its value", async () => {
  const loop = makeLoop();
  const events: string[] = [];
  const gen = coroutine(function* () {
    events.push("start");
    const v = yield* sleep(3, 21);
    events.push("end");
    return v * 2;
  });
  const coro = gen();
  assert.deepEqual(events, []); // lazy, as in Python
  assert.equal(await loop.runUntilComplete(coro), 42);
  assert.deepEqual(events, ["start", "end"]);
  assert.equal(loop.time(), 3);
  loop.close();
});

Deno.test("runUntilComplete() rejects with a coroutine's error", async () => {
  const loop = makeLoop();
  const gen = coroutine(function* () {
    yield* sleep(1);
    throw new ValueError("from generator");
  });
  await assert.rejects(loop.runUntilComplete(gen()), {
    name: "ValueError",
    message: "from generator",
  });
  loop.close();
});

Deno.test("runUntilComplete() rejects a future of another loop with ValueError", async () => {
  const loop = makeLoop();
  const other = makeLoop();
  const fut = other.createFuture();
  await assert.rejects(loop.runUntilComplete(fut), {
    name: "ValueError",
    message:
      "The future belongs to a different loop than the one specified as the loop argument",
  });
  // Both loops still work.
  const mine = loop.createFuture<number>();
  loop.callSoon(() => mine.setResult(1));
  assert.equal(await loop.runUntilComplete(mine), 1);
  loop.close();
  other.close();
});

// --- running / closed state -----------------------------------------------

Deno.test("isRunning() is true only while runForever() runs", async () => {
  const loop = makeLoop();
  const seen: boolean[] = [];
  assert.equal(loop.isRunning(), false);
  loop.callSoon(() => seen.push(loop.isRunning()));
  const p = runBriefly(loop);
  await p;
  assert.deepEqual(seen, [true]);
  assert.equal(loop.isRunning(), false);
  loop.close();
});

Deno.test("isClosed() is true after close(), and close() twice is harmless", () => {
  const loop = makeLoop();
  assert.equal(loop.isClosed(), false);
  loop.close();
  assert.equal(loop.isClosed(), true);
  loop.close();
  assert.equal(loop.isClosed(), true);
});

Deno.test("close() of a running loop throws RuntimeError", async () => {
  const loop = makeLoop();
  let caught: unknown = null;
  loop.callSoon(() => {
    try {
      loop.close();
    } catch (e) {
      caught = e;
    }
  });
  await runBriefly(loop);
  assert.ok(caught instanceof RuntimeError);
  assert.equal(caught.message, "Cannot close a running event loop");
  assert.equal(loop.isClosed(), false);
  loop.close();
  assert.equal(loop.isClosed(), true);
});

Deno.test("operations on a closed loop throw RuntimeError 'Event loop is closed'", async () => {
  const loop = makeLoop();
  loop.close();
  const closed = { name: "RuntimeError", message: "Event loop is closed" };
  assert.throws(() => loop.callSoon(() => {}), closed);
  assert.throws(() => loop.callLater(1, () => {}), closed);
  assert.throws(() => loop.callAt(1, () => {}), closed);
  assert.throws(() => loop.createFuture(), closed);
  await assert.rejects(loop.runForever(), closed);
  const fut = new Future({ loop });
  await assert.rejects(loop.runUntilComplete(fut), closed);
});

Deno.test("runForever() while the loop runs rejects with RuntimeError", async () => {
  const loop = makeLoop();
  let inner: Promise<void> | null = null;
  loop.callSoon(() => {
    inner = loop.runForever();
    inner.catch(() => {}); // examined below
  });
  await runBriefly(loop);
  assert.ok(inner !== null);
  await assert.rejects(inner, {
    name: "RuntimeError",
    message: "This event loop is already running",
  });
  // The loop is not left broken.
  const fut = loop.createFuture<string>();
  loop.callSoon(() => fut.setResult("ok"));
  assert.equal(await loop.runUntilComplete(fut), "ok");
  loop.close();
});

Deno.test("runUntilComplete() while the loop runs rejects with RuntimeError", async () => {
  const loop = makeLoop();
  let inner: Promise<unknown> | null = null;
  const fut = loop.createFuture();
  loop.callSoon(() => {
    inner = loop.runUntilComplete(fut);
    inner.catch(() => {});
  });
  await runBriefly(loop);
  await assert.rejects(inner!, {
    name: "RuntimeError",
    message: "This event loop is already running",
  });
  loop.close();
});

Deno.test("runForever() of a second loop while one runs rejects with RuntimeError", async () => {
  const loop = makeLoop();
  const other = makeLoop();
  const events: string[] = [];
  other.callSoon(() => events.push("other ran"));
  let inner: Promise<void> | null = null;
  loop.callSoon(() => {
    inner = other.runForever();
    inner.catch(() => {});
  });
  await runBriefly(loop);
  await assert.rejects(inner!, (e) => {
    assert.ok(e instanceof RuntimeError);
    assert.equal(
      e.message,
      "Cannot run the event loop while another loop is running",
    );
    return true;
  });
  assert.deepEqual(events, []);
  assert.equal(other.isRunning(), false);
  // Once the first loop stopped, the second one runs.
  await runBriefly(other);
  assert.deepEqual(events, ["other ran"]);
  loop.close();
  other.close();
});

// --- exception handler ----------------------------------------------------

Deno.test("setExceptionHandler() receives errors of callbacks and the loop keeps running", async () => {
  const loop = makeLoop();
  const contexts: ExceptionContext[] = [];
  const loops: AbstractEventLoop[] = [];
  const handler = (l: AbstractEventLoop, ctx: ExceptionContext) => {
    loops.push(l);
    contexts.push(ctx);
  };
  loop.setExceptionHandler(handler);
  assert.equal(loop.getExceptionHandler(), handler);
  const error = new ValueError("bad callback");
  const events: string[] = [];
  const handle = loop.callSoon(function boom() {
    throw error;
  });
  loop.callSoon(() => events.push("after"));
  loop.callLater(1, () => events.push("timer"));
  loop.callLater(2, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, ["after", "timer"]);
  assert.equal(contexts.length, 1);
  assert.equal(loops[0], loop);
  assert.ok(contexts[0].message.startsWith("Exception in callback"));
  assert.match(contexts[0].message, /boom/);
  assert.equal(contexts[0].exception, error);
  assert.equal(contexts[0].handle, handle);
  loop.close();
});

Deno.test("setExceptionHandler() receives errors thrown by timer callbacks", async () => {
  const loop = makeLoop();
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((_l, ctx) => contexts.push(ctx));
  const error = new TypeError("in timer");
  loop.callLater(1, () => {
    throw error;
  });
  loop.callLater(2, () => loop.stop());
  await loop.runForever();
  assert.equal(contexts.length, 1);
  assert.ok(contexts[0].message.startsWith("Exception in callback"));
  assert.equal(contexts[0].exception, error);
  assert.equal(loop.time(), 2);
  loop.close();
});

Deno.test("getExceptionHandler() is null by default and after setExceptionHandler(null)", async () => {
  const loop = makeLoop();
  assert.equal(loop.getExceptionHandler(), null);
  const handled: unknown[] = [];
  loop.setExceptionHandler((_l, ctx) => handled.push(ctx.exception));
  loop.setExceptionHandler(null);
  assert.equal(loop.getExceptionHandler(), null);
  await withConsoleStub("error", async (calls) => {
    const error = new Error("to the default handler");
    loop.callSoon(() => {
      throw error;
    });
    await runBriefly(loop);
    assert.deepEqual(handled, []);
    assert.equal(calls.length, 1);
    const text = calls[0].map(String).join(" ");
    assert.match(text, /^Exception in callback/);
    assert.match(text, /to the default handler/);
  });
  loop.close();
});

Deno.test("setExceptionHandler() rejects a non-function with TypeError", async () => {
  const loop = makeLoop();
  assert.throws(
    () => loop.setExceptionHandler(42 as never),
    (e) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /A callable object or None is expected/);
      return true;
    },
  );
  assert.equal(loop.getExceptionHandler(), null);
  const events: string[] = [];
  loop.callSoon(() => events.push("ok"));
  await runBriefly(loop);
  assert.deepEqual(events, ["ok"]);
  loop.close();
});

Deno.test("an exception handler that throws does not break the loop", async () => {
  const loop = makeLoop();
  const events: string[] = [];
  await withConsoleStub("error", async (calls) => {
    loop.setExceptionHandler(() => {
      events.push("handler");
      throw new Error("handler failed");
    });
    loop.callSoon(() => {
      throw new Error("callback failed");
    });
    loop.callSoon(() => events.push("next callback"));
    loop.callLater(1, () => events.push("timer"));
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    assert.deepEqual(events, ["handler", "next callback", "timer"]);
    assert.equal(calls.length, 1);
    const text = calls[0].map(String).join(" ");
    assert.match(text, /^Unhandled error in exception handler/);
    assert.match(text, /handler failed/);
  });
  loop.close();
});

Deno.test("callExceptionHandler() passes the loop and the context object through", () => {
  const loop = makeLoop();
  const received: [AbstractEventLoop, ExceptionContext][] = [];
  loop.setExceptionHandler((l, ctx) => received.push([l, ctx]));
  const context: ExceptionContext = {
    message: "custom",
    exception: new RuntimeError("x"),
    extra: 1,
  };
  loop.callExceptionHandler(context);
  assert.equal(received.length, 1);
  assert.equal(received[0][0], loop);
  assert.equal(received[0][1], context);
  assert.equal(received[0][1].extra, 1);
  loop.close();
});

Deno.test("defaultExceptionHandler() logs the message, the extra keys and the exception", () => {
  const loop = makeLoop();
  const original = console.error;
  const calls: unknown[][] = [];
  console.error = (...args: unknown[]) => {
    calls.push(args);
  };
  try {
    loop.defaultExceptionHandler({
      message: "something happened",
      exception: new ValueError("the cause"),
      where: "here",
    });
  } finally {
    console.error = original;
  }
  assert.equal(calls.length, 1);
  const text = calls[0].map(String).join(" ");
  assert.match(text, /^something happened/);
  assert.match(text, /where: here/);
  assert.match(text, /the cause/);
  loop.close();
});

// --- debug ----------------------------------------------------------------

Deno.test("setDebug() and getDebug() toggle debug mode", () => {
  const loop = makeLoop();
  assert.equal(loop.getDebug(), false);
  loop.setDebug(true);
  assert.equal(loop.getDebug(), true);
  loop.setDebug(false);
  assert.equal(loop.getDebug(), false);
  loop.close();
});

Deno.test("debug mode logs callbacks slower than slowCallbackDuration with console.warn", async () => {
  const loop = makeLoop();
  assert.equal(loop.slowCallbackDuration, 0.1);
  loop.setDebug(true);
  loop.slowCallbackDuration = 0;
  await withConsoleStub("warn", async (calls) => {
    loop.callSoon(function slowThing() {});
    loop.stop();
    await loop.runForever();
    assert.equal(calls.length, 1);
    const text = String(calls[0][0]);
    assert.match(
      text,
      /^Executing <Handle slowThing\(\)> took \d+\.\d+ seconds$/,
    );
  });
  loop.close();
});

Deno.test("without debug mode slow callbacks are not logged", async () => {
  const loop = makeLoop();
  loop.slowCallbackDuration = 0;
  await withConsoleStub("warn", async (calls) => {
    loop.callSoon(function slowThing() {});
    loop.stop();
    await loop.runForever();
    assert.equal(calls.length, 0);
  });
  loop.close();
});

// --- task factory ---------------------------------------------------------

Deno.test("setTaskFactory() is used by loop.createTask() and createTask()", async () => {
  const loop = makeLoop();
  const made: [AbstractEventLoop, string | null | undefined][] = [];
  const factory = (
    l: AbstractEventLoop,
    coro: unknown,
    options: { name?: string | null },
  ) => {
    made.push([l, options.name]);
    return new Task(coro as PromiseLike<unknown>, {
      loop: l,
      name: options.name ?? "from-factory",
    });
  };
  assert.equal(loop.getTaskFactory(), null);
  loop.setTaskFactory(factory);
  assert.equal(loop.getTaskFactory(), factory);
  const gen = coroutine(function* () {
    const inner = createTask(
      coroutine(function* () {
        return yield* sleep(1, "inner");
      })(),
    );
    return [yield* inner, inner.getName()];
  });
  const task = loop.createTask(gen(), { name: "outer" });
  assert.ok(task instanceof Task);
  assert.equal(task.getName(), "outer");
  assert.deepEqual(await loop.runUntilComplete(task), [
    "inner",
    "from-factory",
  ]);
  assert.deepEqual(made, [[loop, "outer"], [loop, null]]);
  loop.setTaskFactory(null);
  assert.equal(loop.getTaskFactory(), null);
  loop.close();
});

Deno.test("setTaskFactory() rejects a non-function with TypeError", async () => {
  const loop = makeLoop();
  assert.throws(() => loop.setTaskFactory(42 as never), (e) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /task factory must be a callable/);
    return true;
  });
  assert.equal(loop.getTaskFactory(), null);
  const gen = coroutine(function* () {
    return yield* sleep(1, "still works");
  });
  assert.equal(await loop.runUntilComplete(gen()), "still works");
  loop.close();
});

// --- bad input ------------------------------------------------------------

Deno.test("callSoon() rejects a non-function with a TypeError naming callSoon", async () => {
  const loop = makeLoop();
  assert.throws(() => loop.callSoon(42 as never), (e) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /callSoon/);
    assert.match(e.message, /42/);
    return true;
  });
  const events: string[] = [];
  loop.callSoon(() => events.push("ok"));
  await runBriefly(loop);
  assert.deepEqual(events, ["ok"]);
  loop.close();
});

Deno.test("callSoon() rejects an async function with TypeError 'coroutines cannot be used with callSoon()'", async () => {
  const loop = makeLoop();
  assert.throws(() => loop.callSoon(async () => {}), {
    name: "TypeError",
    message: "coroutines cannot be used with callSoon()",
  });
  // CPython's call_later() checks in call_at(), whose name its message gives.
  assert.throws(() => loop.callLater(1, async () => {}), (e) => {
    assert.ok(e instanceof TypeError);
    assert.match(
      e.message,
      /^coroutines cannot be used with call(Later|At)\(\)$/,
    );
    return true;
  });
  const events: string[] = [];
  loop.callSoon(() => events.push("ok"));
  await runBriefly(loop);
  assert.deepEqual(events, ["ok"]);
  loop.close();
});

Deno.test("callSoon() rejects a generator coroutine function with TypeError", async () => {
  // asyncio.iscoroutinefunction() is true for legacy @coroutine functions, so
  // call_soon() refuses them rather than calling them and dropping the result.
  const loop = makeLoop();
  const gen = coroutine(function* () {});
  assert.throws(() => loop.callSoon(gen), {
    name: "TypeError",
    message: "coroutines cannot be used with callSoon()",
  });
  const events: string[] = [];
  loop.callSoon(() => events.push("ok"));
  await runBriefly(loop);
  assert.deepEqual(events, ["ok"]);
  loop.close();
});

Deno.test("callLater() rejects a non-number delay with a TypeError naming delay", async () => {
  const loop = makeLoop();
  assert.throws(() => loop.callLater("1" as never, () => {}), (e) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /callLater/);
    assert.match(e.message, /delay/);
    assert.match(e.message, /"1"/);
    return true;
  });
  assert.throws(() => loop.callLater(1, null as never), (e) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /callback must be a function, got null/);
    return true;
  });
  const events: number[] = [];
  loop.callLater(1, () => events.push(loop.time()));
  loop.callLater(1, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, [1]);
  loop.close();
});

Deno.test("callAt() rejects NaN with a TypeError naming callAt", async () => {
  const loop = makeLoop();
  assert.throws(() => loop.callAt(NaN, () => {}), (e) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /callAt/);
    assert.match(e.message, /NaN/);
    return true;
  });
  const events: number[] = [];
  loop.callAt(2, () => events.push(loop.time()));
  loop.callAt(2, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, [2]);
  loop.close();
});

Deno.test("new EventLoop() rejects non-object options with TypeError", async () => {
  assert.throws(() => new EventLoop(42 as never), (e) => {
    assert.ok(e instanceof TypeError);
    assert.match(e.message, /EventLoop/);
    assert.match(e.message, /number/);
    return true;
  });
  assert.throws(
    () => new EventLoop({ clock: {} as never }),
    (e) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /clock/);
      return true;
    },
  );
  const loop = makeLoop();
  const events: string[] = [];
  loop.callSoon(() => events.push("ok"));
  await runBriefly(loop);
  assert.deepEqual(events, ["ok"]);
  loop.close();
});

Deno.test("runForever() lets Deno's timers and I/O run while the ready queue stays busy", async () => {
  // A task that yields with sleep(0) forever keeps the ready queue non-empty;
  // a real Deno timer must still fire (the loop yields to macrotasks).
  let fired = false;
  const timer = new Promise<void>((resolve) =>
    setTimeout(() => {
      fired = true;
      resolve();
    }, 1)
  );
  const spins = await run(async () => {
    let n = 0;
    const deadline = performance.now() + 2000;
    while (!fired && performance.now() < deadline) {
      await sleep(0);
      n++;
    }
    return n;
  });
  await timer;
  assert.ok(fired, "the Deno timer never fired while the loop was busy");
  assert.ok(spins > 0);
});

Deno.test("VirtualClock rejects a start or an advance that is not a number of seconds", () => {
  assert.throws(
    () => new VirtualClock("5" as never),
    (e: unknown) =>
      e instanceof TypeError && /VirtualClock: start/.test(e.message),
  );
  const clock = new VirtualClock(1);
  // ValueError, as every bad value here (Trio's MockClock.jump(-1) too)
  assert.throws(() => clock.advance(-1), {
    name: "ValueError",
    message: "VirtualClock.advance: seconds must be >= 0, got -1",
  });
  assert.throws(() => clock.advance("1" as never), {
    name: "TypeError",
    message:
      'VirtualClock.advance: seconds must be a number of seconds, got string "1"',
  });
  assert.throws(() => clock.advance(NaN), TypeError);
  clock.advance(2);
  assert.equal(clock.now(), 3);
});

// The loop is its own floor (docs/contract.md §4): in a Worker where only
// loop/policy.ts is imported, it runs callbacks and timers in asyncio's order,
// reports a callback's error, stops and closes; a future needs tasks/, and
// asking for one says so.
Deno.test("the loop alone, without tasks/ loaded, runs callbacks and timers and names what createFuture() needs (#17)", async () => {
  const report = await workerReport<{
    log: string[];
    atCancelled: boolean;
    createFuture: string;
    closed: boolean;
  }>(new URL("./_loop_alone_worker.ts", import.meta.url));
  assert.deepEqual(report.log, [
    "soon a",
    "handler Exception in callback <anonymous>() boom",
    "at",
    "later true",
  ]);
  assert.equal(report.atCancelled, false);
  assert.equal(
    report.createFuture,
    "RuntimeError: createFuture: no Future class is loaded; import mod.ts (or tasks/task.ts) first",
  );
  assert.equal(report.closed, true);
});
