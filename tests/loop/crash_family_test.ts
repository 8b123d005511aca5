/**
 * Misuses that CPython survives and that used to kill Deno (an unhandled
 * rejection) or leave `run()` pending forever: a callback that returns a
 * rejected promise, an `async` exception handler that rejects, and a task
 * left over by `run()` that awaits a plain promise which never settles.
 *
 * CPython 3.11's reference for the last (a cancel reaches every task there,
 * so the analogue is a task still pending when its loop is gone; CPython
 * reports it when the task is collected, as `run()` does when it gives one
 * up):
 *
 * ```text
 * async def waiter(fut): await fut
 * async def main():
 *     loop = asyncio.get_running_loop()
 *     loop.set_exception_handler(handler)  # prints sorted(ctx), message, task
 *     asyncio.create_task(waiter(loop.create_future()))
 *     await asyncio.sleep(0)
 *     return 42
 * loop = asyncio.new_event_loop()
 * print("result:", loop.run_until_complete(main())); loop.close(); gc.collect()
 * ---
 * result: 42
 * handler: ['message', 'task'] 'Task was destroyed but it is pending!' <Task
 *   pending name='Task-2' coro=<waiter() done, defined at …> wait_for=<Future
 *   pending cb=[Task.task_wakeup()]>>
 * ```
 *
 * and for a callback: `'Exception in callback cb() at p2.py:2'`, with
 * `exception` and `handle` (`<Handle cb() at p2.py:2>`) in the context.
 */
import assert from "node:assert/strict";
import { setImmediate } from "node:timers";
import {
  type AbstractEventLoop,
  CancelledError,
  coroutine,
  createTask,
  EventLoop,
  type ExceptionContext,
  Future,
  getRunningLoop,
  Handle,
  run,
  sleep,
  type Task,
  TimerHandle,
  ValueError,
  VirtualClock,
} from "../../mod.ts";

function makeLoop(): EventLoop {
  return new EventLoop({ clock: new VirtualClock() });
}

const loopFactory = makeLoop;

/** Record what reaches `loop`'s exception handler. */
function recordContexts(loop: AbstractEventLoop): ExceptionContext[] {
  const contexts: ExceptionContext[] = [];
  loop.setExceptionHandler((_loop, context) => contexts.push(context));
  return contexts;
}

/** Replace `console.error` for the duration of `body`, recording calls. */
async function withConsoleError(
  body: (calls: string[]) => Promise<void> | void,
): Promise<void> {
  const original = console.error;
  const calls: string[] = [];
  console.error = (...args: unknown[]) => {
    calls.push(args.map(String).join(" "));
  };
  try {
    await body(calls);
  } finally {
    console.error = original;
  }
}

/** An error raised after an `await`, as an `async` callback's would be. */
async function failLater(error: Error): Promise<never> {
  await null;
  throw error;
}

/** Let pending promise reactions and one turn of Deno's macrotasks run. */
function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A promise that never settles: no cancel can reach a task awaiting it. */
function never(): Promise<never> {
  return new Promise<never>(() => {});
}

function assertFailure(
  context: ExceptionContext,
  message: string,
  error: Error,
): void {
  assert.equal(context.message, message);
  assert.equal(context.exception, error);
  assert.ok(context.exception instanceof ValueError);
  assert.equal((context.exception as Error).message, error.message);
}

// --- callbacks that return a rejected promise ------------------------------

Deno.test("callSoon() reports the rejection of the promise its callback returns as 'Exception in callback', and the loop goes on", async () => {
  const loop = makeLoop();
  const contexts = recordContexts(loop);
  const error = new ValueError("async failure");
  const events: string[] = [];
  const handle = loop.callSoon(function boom() {
    return failLater(error);
  });
  loop.callSoon(() => events.push("next callback"));
  loop.callLater(1, () => events.push("timer"));
  loop.callLater(2, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, ["next callback", "timer"]);
  assert.equal(contexts.length, 1);
  assertFailure(contexts[0], "Exception in callback boom()", error);
  assert.equal(contexts[0].handle, handle);
  assert.deepEqual(Object.keys(contexts[0]).sort(), [
    "exception",
    "handle",
    "message",
  ]);
  loop.close();
});

Deno.test("callLater() and callAt() report the rejection of the promise their callback returns, with the TimerHandle", async () => {
  const loop = makeLoop();
  const contexts = recordContexts(loop);
  const later = new ValueError("from callLater");
  const at = new ValueError("from callAt");
  const laterHandle = loop.callLater(1, function viaCallLater() {
    return Promise.reject(later);
  });
  const atHandle = loop.callAt(2, function viaCallAt(arg: string) {
    assert.equal(arg, "arg");
    return failLater(at);
  }, "arg");
  let ran = false;
  loop.callLater(3, () => (ran = true));
  loop.callLater(4, () => loop.stop());
  await loop.runForever();
  assert.equal(ran, true);
  assert.equal(loop.time(), 4);
  assert.equal(contexts.length, 2);
  assertFailure(contexts[0], "Exception in callback viaCallLater()", later);
  assert.equal(contexts[0].handle, laterHandle);
  assertFailure(contexts[1], "Exception in callback viaCallAt()", at);
  assert.equal(contexts[1].handle, atHandle);
  assert.ok(contexts[1].handle instanceof TimerHandle);
  loop.close();
});

Deno.test("callSoon() is silent about a promise its callback returns that fulfils", async () => {
  const loop = makeLoop();
  const contexts = recordContexts(loop);
  const events: string[] = [];
  loop.callSoon(function fine() {
    return (async () => {
      await null;
      events.push("fulfilled");
    })();
  });
  loop.callSoon(() => Promise.resolve(42));
  loop.callLater(1, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(events, ["fulfilled"]);
  assert.deepEqual(contexts, []);
  loop.close();
});

Deno.test("a callback's later rejection keeps its name in the message when the handle is cancelled after it ran", async () => {
  const loop = makeLoop();
  const contexts = recordContexts(loop);
  const error = new ValueError("late");
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const handle = loop.callSoon(function slowFailure() {
    return gate.then(() => {
      throw error;
    });
  });
  loop.callLater(1, () => {
    handle.cancel();
    release();
  });
  loop.callLater(2, () => loop.stop());
  await loop.runForever();
  assert.equal(contexts.length, 1);
  assertFailure(contexts[0], "Exception in callback slowFailure()", error);
  assert.equal(contexts[0].handle, handle);
  loop.close();
});

Deno.test("an async done-callback of a Future that rejects is reported as 'Exception in callback', and the loop goes on", async () => {
  const loop = makeLoop();
  const contexts = recordContexts(loop);
  const error = new ValueError("in done-callback");
  const fut = new Future<number>({ loop });
  const seen: unknown[] = [];
  fut.addDoneCallback(async function onDone(f) {
    seen.push(f);
    await null;
    throw error;
  });
  fut.addDoneCallback((f) => seen.push(f.result()));
  loop.callSoon(() => fut.setResult(7));
  loop.callLater(1, () => loop.stop());
  await loop.runForever();
  assert.deepEqual(seen, [fut, 7]);
  assert.equal(contexts.length, 1);
  assertFailure(contexts[0], "Exception in callback onDone()", error);
  assert.ok(contexts[0].handle instanceof Handle);
  loop.close();
});

Deno.test("an async done-callback of a Task that throws is reported, and run() returns main's result", async () => {
  let contexts: ExceptionContext[] = [];
  const error = new ValueError("x");
  let child: Task<string> | null = null;
  const result = await run(async () => {
    contexts = recordContexts(getRunningLoop());
    child = createTask((async () => {
      await sleep(1);
      return "child";
    })());
    // The misuse as written in the wild: an async callback with no await.
    // deno-lint-ignore require-await
    child.addDoneCallback(async () => {
      throw error;
    });
    assert.equal(await child, "child");
    await sleep(1);
    return "main";
  }, { loopFactory });
  assert.equal(result, "main");
  assert.equal(contexts.length, 1);
  assertFailure(contexts[0], "Exception in callback <anonymous>()", error);
  assert.ok(contexts[0].handle instanceof Handle);
});

// --- async exception handlers ----------------------------------------------

Deno.test("an async exception handler that rejects is logged as 'Unhandled error in exception handler', and the loop goes on", async () => {
  const loop = makeLoop();
  const events: string[] = [];
  const handlerError = new ValueError("handler failed");
  await withConsoleError(async (calls) => {
    const received: ExceptionContext[] = [];
    loop.setExceptionHandler(async (_loop, context) => {
      received.push(context);
      await null;
      throw handlerError;
    });
    const error = new ValueError("callback failed");
    loop.callSoon(function boom() {
      throw error;
    });
    loop.callSoon(() => events.push("next callback"));
    loop.callLater(1, () => events.push("timer"));
    loop.callLater(2, () => loop.stop());
    await loop.runForever();
    assert.deepEqual(events, ["next callback", "timer"]);
    assert.equal(received.length, 1);
    assert.equal(received[0].message, "Exception in callback boom()");
    assert.equal(received[0].exception, error);
    assert.equal(calls.length, 1);
    assert.match(calls[0], /^Unhandled error in exception handler\n/);
    assert.match(calls[0], /context: "Exception in callback boom\(\)"/);
    assert.match(calls[0], /ValueError: handler failed/);
  });
  loop.close();
});

Deno.test("an async exception handler that fulfils is called and nothing is logged", async () => {
  const loop = makeLoop();
  await withConsoleError(async (calls) => {
    const received: string[] = [];
    loop.setExceptionHandler(async (_loop, context) => {
      await null;
      received.push(context.message);
    });
    loop.callSoon(function boom() {
      throw new ValueError("callback failed");
    });
    loop.callLater(1, () => loop.stop());
    await loop.runForever();
    assert.deepEqual(received, ["Exception in callback boom()"]);
    assert.deepEqual(calls, []);
  });
  loop.close();
});

Deno.test("an async defaultExceptionHandler() override that rejects is tried once more, then given up without a crash", async () => {
  const messages: string[] = [];
  class LoggingLoop extends EventLoop {
    override async defaultExceptionHandler(
      context: ExceptionContext,
    ): Promise<void> {
      messages.push(context.message);
      await null;
      throw new ValueError("logging failed");
    }
  }
  const loop = new LoggingLoop({ clock: new VirtualClock() });
  let ran = false;
  loop.callSoon(function boom() {
    throw new ValueError("callback failed");
  });
  loop.callLater(1, () => (ran = true));
  loop.callLater(2, () => loop.stop());
  await loop.runForever();
  assert.equal(ran, true);
  assert.deepEqual(messages, [
    "Exception in callback boom()",
    "Exception in default exception handler",
  ]);
  loop.close();
});

// --- run() and tasks a cancel cannot reach ---------------------------------

Deno.test("run() gives up a leftover task that awaits a promise that never settles: 'Task was destroyed but it is pending!', main's result returned", async () => {
  let contexts: ExceptionContext[] = [];
  let loop: AbstractEventLoop | null = null;
  let stuck: Task | null = null;
  let cancellable: Task | null = null;
  const events: string[] = [];
  const result = await run(async () => {
    loop = getRunningLoop();
    contexts = recordContexts(loop);
    stuck = createTask(
      (async () => {
        await never();
      })(),
      { name: "stuck" },
    );
    cancellable = createTask(
      (async () => {
        try {
          await sleep(100);
        } catch (e) {
          events.push(e instanceof CancelledError ? "cancelled" : `${e}`);
          throw e;
        }
      })(),
      { name: "cancellable" },
    );
    await sleep(1);
    return "main";
  }, { loopFactory });
  assert.equal(result, "main");
  assert.deepEqual(events, ["cancelled"]);
  assert.equal(cancellable!.cancelled(), true);
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].message, "Task was destroyed but it is pending!");
  assert.equal(contexts[0].task, stuck);
  assert.deepEqual(Object.keys(contexts[0]).sort(), ["message", "task"]);
  assert.equal(stuck!.done(), false);
  assert.equal(loop!.isClosed(), true);
  assert.equal(loop!.time(), 1);
});

// CPython, debug=True: the same report with source_traceback, where the task
// was created.
Deno.test("run(…, { debug: true }): 'Task was destroyed but it is pending!' says where the task was created (#16)", async () => {
  let contexts: ExceptionContext[] = [];
  function spawnStuck(): void {
    createTask((async () => await never())(), { name: "stuck" });
  }
  await run(async () => {
    contexts = recordContexts(getRunningLoop());
    spawnStuck();
    await sleep(1);
  }, { loopFactory, debug: true });
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].message, "Task was destroyed but it is pending!");
  assert.deepEqual(Object.keys(contexts[0]).sort(), [
    "message",
    "sourceTraceback",
    "task",
  ]);
  assert.match(
    contexts[0].sourceTraceback!.split("\n")[0],
    /at spawnStuck .*crash_family_test\.ts:\d+:\d+/,
  );
});

Deno.test("run() without a handler logs a given-up task with the default handler", async () => {
  await withConsoleError(async (calls) => {
    const result = await run(async () => {
      createTask(
        (async () => {
          await never();
        })(),
        { name: "stuck-default" },
      );
      await sleep(0);
      return 42;
    }, { loopFactory });
    assert.equal(result, 42);
    assert.equal(calls.length, 1);
    assert.match(
      calls[0],
      /^Task was destroyed but it is pending!\ntask: <Task pending name='stuck-default'/,
    );
  });
});

Deno.test("run() waits for a leftover task whose cleanup awaits a plain promise a timer settles, before giving up the stuck one", async () => {
  let contexts: ExceptionContext[] = [];
  let loop: AbstractEventLoop | null = null;
  let stuck: Task | null = null;
  const events: string[] = [];
  const result = await run(async () => {
    loop = getRunningLoop();
    contexts = recordContexts(loop);
    stuck = createTask(
      (async () => {
        await never();
      })(),
      { name: "stuck" },
    );
    createTask((async () => {
      try {
        await sleep(100);
      } finally {
        // A plain promise (no cancel reaches it), but a timer is left: the
        // loop is not quiet, so shutdown waits for it.
        const loop = getRunningLoop();
        await new Promise<void>((resolve) =>
          loop.callLater(5, () => resolve())
        );
        events.push("plain promise settled at " + loop.time());
      }
    })());
    await sleep(1);
    return "main";
  }, { loopFactory });
  assert.equal(result, "main");
  assert.deepEqual(events, ["plain promise settled at 6"]);
  assert.equal(loop!.time(), 6);
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].message, "Task was destroyed but it is pending!");
  assert.equal(contexts[0].task, stuck);
});

Deno.test("run() gives pending I/O a grace: a cleanup awaiting what Deno settles next is waited for, not given up", async () => {
  let contexts: ExceptionContext[] = [];
  let cleaner: Task | null = null;
  const events: string[] = [];
  const result = await run(async () => {
    contexts = recordContexts(getRunningLoop());
    cleaner = createTask((async () => {
      try {
        await sleep(100);
      } finally {
        // Neither a loop future nor a timer: the loop sleeps with nothing
        // scheduled until Deno settles this, one macrotask later (the grace
        // is 0.1 s of real time: a margin of about a thousand).
        await macrotask();
        events.push("plain promise settled");
      }
    })());
    await sleep(1);
    return "main";
  }, { loopFactory });
  assert.equal(result, "main");
  assert.deepEqual(events, ["plain promise settled"]);
  assert.equal(cleaner!.cancelled(), true);
  assert.deepEqual(contexts, []);
});

Deno.test("run() gives up a task that awaits a given-up task, and neither runs its callbacks when the promise settles after run() returned", async () => {
  let contexts: ExceptionContext[] = [];
  let release!: (value: string) => void;
  const gate = new Promise<string>((resolve) => (release = resolve));
  const events: string[] = [];
  let stuck: Task<string> | null = null;
  let waiter: Task | null = null;
  const result = await run(async () => {
    contexts = recordContexts(getRunningLoop());
    stuck = createTask(
      (async () => {
        const value = await gate;
        events.push(`resumed with ${value}`);
        return value;
      })(),
      { name: "stuck" },
    );
    stuck.addDoneCallback(() => events.push("done-callback"));
    waiter = createTask(
      (async () => {
        await stuck;
      })(),
      { name: "waiter" },
    );
    await sleep(0);
    return "main";
  }, { loopFactory });
  assert.equal(result, "main");
  assert.deepEqual(contexts.map((c) => [c.message, c.task]), [
    ["Task was destroyed but it is pending!", stuck],
    ["Task was destroyed but it is pending!", waiter],
  ]);
  // The coroutine resumes on its own; ending it schedules nothing on the
  // closed loop, which would throw "Event loop is closed" where nobody can
  // catch it. (An unhandled rejection would fail this test.)
  release("late");
  await macrotask();
  await macrotask();
  assert.deepEqual(events, ["resumed with late"]);
  assert.equal(contexts.length, 2);
});

Deno.test("run() reports a task created during shutdown and still pending, as CPython when it collects one", async () => {
  let contexts: ExceptionContext[] = [];
  let late: Task | null = null;
  const result = await run(async () => {
    contexts = recordContexts(getRunningLoop());
    createTask(
      (async () => {
        try {
          await sleep(100);
        } finally {
          late = createTask(sleep(10), { name: "made-in-finally" });
        }
      })(),
      { name: "worker" },
    );
    await sleep(0);
    return 42;
  }, { loopFactory });
  assert.equal(result, 42);
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].message, "Task was destroyed but it is pending!");
  assert.equal(contexts[0].task, late);
});

Deno.test("run() cancels a generator coroutine waiting on a promise that never settles, with no report", async () => {
  let contexts: ExceptionContext[] = [];
  let gen: Task | null = null;
  const result = await run(async () => {
    contexts = recordContexts(getRunningLoop());
    gen = createTask(
      coroutine(function* waitsForever() {
        yield never();
      })(),
    );
    await sleep(0);
    return "main";
  }, { loopFactory });
  assert.equal(result, "main");
  assert.equal(gen!.cancelled(), true);
  assert.deepEqual(contexts, []);
});
