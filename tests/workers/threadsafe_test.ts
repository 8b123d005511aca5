/**
 * Thread-safe calls: a Worker schedules callbacks and runs coroutines on
 * this thread's loop through `exposeLoop`/`connectLoop`, and
 * `runCoroutineThreadsafe` submits a coroutine from a Deno timer.
 */
import assert from "node:assert/strict";
import {
  CancelledError,
  currentTask,
  exposeLoop,
  getRunningLoop,
  run,
  runCoroutineThreadsafe,
  sleep,
  ValueError,
} from "../../mod.ts";

Deno.test("a Worker schedules 1,000 callbacks on the main loop, all run in order; runs tasks and gets results and errors", async () => {
  const seen: number[] = [];
  const logged: string[] = [];
  let answer: Record<string, unknown> = {};
  await run(async () => {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_loop, ctx) => logged.push(ctx.message));
    const port = exposeLoop(loop, {
      record: (i: number) => {
        assert.equal(currentTask(), null); // a loop callback, not a task
        seen.push(i);
      },
      double: async (n: number) => {
        assert.notEqual(currentTask(), null); // a task of its own
        await sleep(0.01);
        return n * 2;
      },
      fail: (message: string) => {
        throw new ValueError(message);
      },
    });
    const worker = new Worker(
      new URL("./_remote_side.ts", import.meta.url),
      { type: "module" },
    );
    const done = Promise.withResolvers<Record<string, unknown>>();
    worker.onmessage = (e) => done.resolve(e.data);
    worker.postMessage(port, [port]);
    answer = await done.promise;
    worker.terminate();
  });
  assert.deepEqual(seen, Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(answer, {
    doubled: 42,
    failure: ["ValueError", "bad value", true],
    unknown: 'runCoroutineThreadsafe: no function named "missing" is exposed',
  });
  assert.deepEqual(logged, [
    'callSoonThreadsafe from a Worker: no function named "noSuchFunction" is exposed',
  ]);
});

Deno.test("runCoroutineThreadsafe(): from a Deno timer into the running loop; errors and cancellation reject", async () => {
  const results: unknown[] = [];
  await run(async () => {
    const loop = getRunningLoop();
    const outside = Promise.withResolvers<void>();
    setTimeout(async () => {
      results.push(
        await runCoroutineThreadsafe(() => sleep(0.01, "done"), loop),
      );
      await runCoroutineThreadsafe(async () => {
        await sleep(0);
        throw new ValueError("boom");
      }, loop).catch((e) => results.push(e instanceof ValueError));
      await runCoroutineThreadsafe(async () => {
        currentTask()!.cancel();
        await sleep(1);
      }, loop).catch((e) => results.push(e instanceof CancelledError));
      // Nobody awaits this one: its error is dropped, nothing crashes.
      runCoroutineThreadsafe(async () => {
        await sleep(0);
        throw new ValueError("ignored");
      }, loop);
      outside.resolve();
    }, 0);
    await sleep(0); // the timer's callback runs while the loop waits
    while (results.length < 3) await sleep(0.01);
    await outside.promise;
    await sleep(0.01);
  });
  assert.deepEqual(results, ["done", true, true]);
  assert.throws(
    () => runCoroutineThreadsafe(() => sleep(0), {} as never),
    /runCoroutineThreadsafe: loop must be an event loop, got object/,
  );
});
