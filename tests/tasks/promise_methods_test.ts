/**
 * The module's awaitables have a Promise's `catch` and `finally`: Futures,
 * Tasks, generator coroutines and the lazy awaitables methods return.
 */
import assert from "node:assert/strict";
import {
  CancelledError,
  coroutine,
  createTask,
  getRunningLoop,
  Lock,
  run,
  sleep,
} from "../../mod.ts";

Deno.test("catch() and finally() on a Future, a Task, sleep() and a coroutine, as on a Promise", async () => {
  const log: unknown[] = [];
  await run(async () => {
    const loop = getRunningLoop();
    const fut = loop.createFuture<number>();
    loop.callLater(0.01, () => fut.setException(new Error("boom")));
    log.push(
      await fut.catch((e: Error) => `caught ${e.message}`).finally(() => {
        log.push("finally");
      }),
    );
    log.push(await sleep(0.01, 5).finally(() => log.push("after sleep")));
    const task = createTask(sleep(10));
    loop.callLater(0.01, () => task.cancel());
    log.push(await task.catch((e) => e instanceof CancelledError));
    const gen = coroutine(function* () {
      yield* sleep(0);
      throw new RangeError("from a generator");
    });
    log.push(await gen().catch((e: RangeError) => e.message));
    log.push(await new Lock().acquire().catch(() => "unused"));
    // finally keeps the outcome: a rejection passes through.
    await assert.rejects(
      async () =>
        await createTask((async () => {
          await sleep(0);
          throw new TypeError("kept");
        })()).finally(() => log.push("finally of a failure")),
      /kept/,
    );
  });
  assert.deepEqual(log, [
    "finally",
    "caught boom",
    "after sleep",
    5,
    true,
    "from a generator",
    true,
    "finally of a failure",
  ]);
});
