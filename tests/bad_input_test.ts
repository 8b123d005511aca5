/**
 * Bad input that used to be accepted silently gets a `TypeError` naming the
 * argument and the value given (#16). (The checks of each API's other
 * arguments live beside its own tests.)
 */
import assert from "node:assert/strict";
import {
  allTasks,
  createTask,
  EventLoop,
  ExceptionGroup,
  Future,
  gather,
  Handle,
  openConnection,
  run,
  RuntimeError,
  shield,
  sleep,
  startServer,
  startUnixServer,
  type StreamReader,
  type StreamWriter,
  taskGroup,
  TimerHandle,
  ValueError,
  VirtualClock,
  wrapFuture,
} from "../mod.ts";
import { assertRejectsError, assertThrowsError } from "./tasks/_both.ts";
import { portOf } from "./streams/_helpers.ts";

Deno.test("run() of a generator function raises TypeError naming the fix, and runs nothing (#16)", async () => {
  let ran = false;
  await assertRejectsError(
    run(function* () {
      ran = true;
      yield;
    } as never),
    TypeError,
    "run: main is a generator function; make it a coroutine function with coroutine(function* …), or pass an async function",
  );
  assert.equal(ran, false);
});

Deno.test("createTask() with an unknown option raises TypeError naming it, and makes no task (#16)", async () => {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const coro = sleep(0);
  assertThrowsError(
    () => loop.createTask(coro, { bogus: 1 } as never),
    TypeError,
    'createTask: unknown option "bogus"',
  );
  assert.equal(allTasks(loop).size, 0);
  // The loop still works.
  assert.equal(await loop.runUntilComplete(loop.createTask(coro)), undefined);
  loop.close();
});

Deno.test("allTasks() of something that is not a loop raises TypeError (#16)", () => {
  assertThrowsError(
    () => allTasks(42 as never),
    TypeError,
    "allTasks: loop must be an event loop or null, got number 42",
  );
});

Deno.test("callExceptionHandler(null) raises TypeError (#16)", () => {
  const loop = new EventLoop();
  assertThrowsError(
    () => loop.callExceptionHandler(null as never),
    TypeError,
    "callExceptionHandler: context must be an object, got null",
  );
  loop.close();
});

Deno.test("startServer() and startUnixServer() with a backlog that is not an integer raise TypeError (#16)", () => {
  assertThrowsError(
    () => startServer(() => {}, "127.0.0.1", 0, { backlog: "abc" as never }),
    TypeError,
    'startServer: options.backlog must be an integer, got string "abc"',
  );
  assertThrowsError(
    () => startUnixServer(() => {}, "/tmp/x.sock", { backlog: 1.5 }),
    TypeError,
    "startUnixServer: options.backlog must be an integer, got number 1.5",
  );
});

Deno.test("StreamWriter.writelines() of something not iterable raises TypeError naming it (#16)", async () => {
  await run(async () => {
    const server = await startServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        await reader.read();
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const [, writer] = await openConnection("127.0.0.1", portOf(server));
    assertThrowsError(
      () => writer.writelines(42 as never),
      TypeError,
      "writelines: data must be an iterable of Uint8Array, got number 42",
    );
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });
});

/** What `awaitable` rejects with (it must reject). */
async function reason(awaitable: PromiseLike<unknown>): Promise<unknown> {
  try {
    await awaitable;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

// CPython 3.11: `fut.set_exception("str")` raises `TypeError: invalid
// exception object` (3.12: "exceptions must derive from BaseException").
Deno.test("Future.setException() of a string, number, null or undefined raises TypeError, as CPython; the future stays pending (#16)", async () => {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const fut = new Future<number>({ loop });
  const cases: [unknown, string][] = [
    ["str", 'string "str"'],
    [42, "number 42"],
    [null, "null"],
    [undefined, "undefined"],
    [Symbol("s"), "symbol"],
  ];
  for (const [value, got] of cases) {
    assertThrowsError(
      () => fut.setException(value),
      TypeError,
      `setException: exception must be an Error (or another object), got ${got}`,
    );
  }
  assert.equal(fut.done(), false);
  fut.setResult(1);
  assert.equal(await loop.runUntilComplete(fut), 1);
  loop.close();
});

Deno.test("Future.setException() takes any object: an Error, a DOMException, a plain object (#16)", () => {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const plain = { message: "not an Error" };
  for (const exc of [new ValueError("v"), new DOMException("d"), plain]) {
    const fut = new Future({ loop });
    fut.setException(exc);
    assert.equal(fut.exception(), exc);
  }
  loop.close();
});

Deno.test("a task whose coroutine throws a string fails with it, and gather() and shield() reject with it (#16)", async () => {
  await run(async () => {
    const task = createTask((async () => {
      await sleep(0);
      throw "boom";
    })());
    assert.equal(await reason(gather(task)), "boom");
    assert.equal(task.exception(), "boom");
    const again = createTask((async () => {
      await sleep(0);
      throw 42;
    })());
    assert.equal(await reason(shield(again)), 42);
  });
});

Deno.test("wrapFuture() of a promise rejecting with a string fails with it; with undefined, with a RuntimeError (it used to crash Deno) (#16)", async () => {
  await run(async () => {
    assert.equal(await reason(wrapFuture(Promise.reject("s"))), "s");
    await assertRejectsError(
      wrapFuture(Promise.reject(undefined)),
      RuntimeError,
      "failed with undefined",
    );
  });
});

// CPython: `ExceptionGroup("m", [42])` raises `ValueError: Item 0 of second
// argument (exceptions) is not an exception`; here a TypeError, as
// setException's, naming the item and the value.
Deno.test("new ExceptionGroup() with an item that is not an object raises TypeError naming it (CPython: ValueError) (#16)", () => {
  assertThrowsError(
    () => new ExceptionGroup("m", [42]),
    TypeError,
    "ExceptionGroup: item 0 of exceptions must be an Error (or another object), got number 42",
  );
  assertThrowsError(
    () => new ExceptionGroup("m", [new ValueError("ok"), "x"]),
    TypeError,
    'ExceptionGroup: item 1 of exceptions must be an Error (or another object), got string "x"',
  );
  // A class is not an exception, as in CPython.
  assertThrowsError(
    () => new ExceptionGroup("m", [ValueError]),
    TypeError,
    "ExceptionGroup: item 0 of exceptions must be an Error (or another object), got function",
  );
  // The empty check comes first, as CPython's.
  assertThrowsError(
    () => new ExceptionGroup("m", []),
    ValueError,
    "second argument (exceptions) must be a non-empty sequence",
  );
  const plain = { message: "plain" };
  assert.deepEqual(new ExceptionGroup("m", [plain]).exceptions, [plain]);
});

Deno.test("a TaskGroup whose task throws a string raises an ExceptionGroup holding it, which split() keeps (#16)", async () => {
  await run(async () => {
    let group: unknown = null;
    try {
      await taskGroup(async (tg) => {
        tg.createTask((async () => {
          await sleep(0);
          throw "child";
        })());
        tg.createTask((async () => {
          await sleep(0);
          throw new ValueError("v");
        })());
        await sleep(1);
      });
    } catch (e) {
      group = e;
    }
    assert.ok(group instanceof ExceptionGroup);
    assert.deepEqual(group.exceptions.length, 2);
    assert.equal(group.exceptions[0], "child");
    const [match, rest] = group.split(ValueError);
    assert.equal(match?.exceptions.length, 1);
    assert.deepEqual(rest?.exceptions, ["child"]);
  });
});

// CPython's `asyncio.Handle(42, (), loop)` takes it and fails when the loop
// runs it; `call_soon(42)` checks only in debug mode.
Deno.test("new Handle() and new TimerHandle() of a callback that is not a function raise TypeError (#16)", () => {
  const loop = new EventLoop({ clock: new VirtualClock() });
  assertThrowsError(
    () => new Handle(42 as never, []),
    TypeError,
    "Handle: callback must be a function, got number 42",
  );
  assertThrowsError(
    () => new TimerHandle(0, 0, "f" as never, [], loop),
    TypeError,
    'TimerHandle: callback must be a function, got string "f"',
  );
  loop.close();
});

// CPython takes `TimerHandle(float("nan"), …)` and `call_at(nan, …)`, and runs
// the callback at once (every comparison with nan is false); the port's
// `callAt` already refuses NaN, and so does the handle now. Infinity stays:
// `callLater(Infinity)` is a timer that never fires.
Deno.test("new TimerHandle() at NaN or a non-number raises TypeError, as callAt (#16)", () => {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const noop = () => {};
  assertThrowsError(
    () => new TimerHandle(NaN, 0, noop, [], loop),
    TypeError,
    "TimerHandle: when must be a number of seconds, got number NaN",
  );
  assertThrowsError(
    () => new TimerHandle("1" as never, 0, noop, [], loop),
    TypeError,
    'TimerHandle: when must be a number of seconds, got string "1"',
  );
  assertThrowsError(
    () => loop.callAt(NaN, noop),
    TypeError,
    "callAt: when must be a number of seconds, got number NaN",
  );
  assert.equal(new TimerHandle(Infinity, 0, noop, [], loop).when(), Infinity);
  const never = loop.callLater(Infinity, noop);
  assert.equal(never.when(), Infinity);
  never.cancel();
  loop.close();
});
