/**
 * Bad input that used to be accepted silently gets a `TypeError` naming the
 * argument and the value given (#16). (The checks of each API's other
 * arguments live beside its own tests.)
 */
import assert from "node:assert/strict";
import {
  allTasks,
  EventLoop,
  openConnection,
  run,
  sleep,
  startServer,
  startUnixServer,
  type StreamReader,
  type StreamWriter,
  VirtualClock,
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
