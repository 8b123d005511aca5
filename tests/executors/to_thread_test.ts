/**
 * toThread(), workerFunction() and loop.runInExecutor() with the loop's default
 * executor: a tagged function runs on a Worker, a plain one is refused
 * with the fix named; the default executor is made per loop and shut down
 * with it.
 */
import assert from "node:assert/strict";
import {
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  run,
  RuntimeError,
  toThread,
  ValueError,
  workerFunction,
  WorkerPoolExecutor,
} from "../../mod.ts";
import type { add, fails, fib } from "./_jobs.ts";

const JOBS = import.meta.resolve("./_jobs.ts");
const addOnWorker = workerFunction<typeof add>(JOBS, "add");
const fibOnWorker = workerFunction<typeof fib>(JOBS, "fib");

function plainAdd(a: number, b: number): number {
  return a + b;
}

Deno.test("workerFunction(): remembers where the function lives; called directly, runs it here", async () => {
  assert.equal(addOnWorker.moduleUrl, JOBS);
  assert.equal(addOnWorker.exportName, "add");
  assert.equal(addOnWorker.name, "add");
  assert.equal(await addOnWorker(2, 3), 5);
  await assert.rejects(
    workerFunction(JOBS, "nothing")(),
    new TypeError(`${JOBS} exports no function named "nothing"`),
  );
  assert.throws(
    () => workerFunction("_jobs.ts", "add"),
    new TypeError(
      'workerFunction: moduleUrl must be an absolute URL (import.meta.resolve("./jobs.ts")), got string "_jobs.ts"',
    ),
  );
  assert.throws(() => workerFunction(JOBS, ""), TypeError);
});

Deno.test("toThread(): runs a workerFunction on the default executor's Worker; errors come back as their class", async () => {
  const [sum, big, error, same] = await run(async () => {
    const failing = workerFunction<typeof fails>(JOBS, "fails");
    const fut = toThread(addOnWorker, 2, 3);
    assert.equal(fut.getLoop(), getRunningLoop());
    let error: unknown = null;
    try {
      await toThread(failing, "ValueError", "bad");
    } catch (e) {
      error = e;
    }
    return [
      await fut,
      await toThread(fibOnWorker, 25),
      error,
      await getRunningLoop().runInExecutor(null, addOnWorker, 1, 1),
    ];
  });
  assert.deepEqual([sum, big, same], [5, 75025, 2]);
  assert.ok(error instanceof ValueError);
  assert.equal((error as Error).message, "bad");
});

Deno.test("toThread(): a plain function is refused with a TypeError naming the fix; outside a loop, RuntimeError", async () => {
  await run(() => {
    assert.throws(
      () => toThread(plainAdd as never, 1, 2),
      new TypeError(
        'toThread: fn must be made by workerFunction(moduleUrl, exportName), got function plainAdd: a JavaScript function cannot run on another thread; export it from a module and pass workerFunction(import.meta.resolve("./module.ts"), "plainAdd")',
      ),
    );
    assert.throws(
      () => toThread((() => 1) as never),
      /got function \(anonymous\): .* workerFunction\(import\.meta\.resolve\("\.\/module\.ts"\), "fn"\)$/,
    );
    assert.throws(() => toThread(42 as never), /got number 42: /);
  });
  assert.throws(
    () => toThread(addOnWorker, 1, 2),
    new RuntimeError("no running event loop"),
  );
});

Deno.test("loop.runInExecutor(): on a given executor, with its Future on the given loop; bad arguments", async () => {
  const executor = new WorkerPoolExecutor({ maxWorkers: 1 });
  const loop = newEventLoop();
  try {
    const fut = loop.runInExecutor(executor, addOnWorker, 20, 22);
    assert.equal(fut.getLoop(), loop);
    assert.equal(await loop.runUntilComplete(fut), 42);
    assert.throws(
      () => loop.runInExecutor({} as never, addOnWorker, 1, 2),
      new TypeError(
        "runInExecutor: executor must be a WorkerPoolExecutor, got object",
      ),
    );
    assert.throws(
      () => loop.runInExecutor(executor, plainAdd as never, 1, 2),
      /^TypeError: runInExecutor: fn must be made by workerFunction/,
    );
  } finally {
    loop.close();
    await executor.shutdown();
  }
  assert.throws(
    () => loop.runInExecutor(executor, addOnWorker, 1, 2),
    new RuntimeError("Event loop is closed"),
  );
});

Deno.test("loop.setDefaultExecutor() / loop.shutdownDefaultExecutor(): the loop's default executor, shut down with it", async () => {
  const executor = new WorkerPoolExecutor({ maxWorkers: 1 });
  await run(async () => {
    const loop = getRunningLoop();
    loop.setDefaultExecutor(executor);
    assert.equal(await toThread(addOnWorker, 1, 2), 3);
    assert.match(String(executor), /workers=1 queued=0>$/);
    const pending = toThread(workerFunction(JOBS, "sleepMs"), 30, "late");
    await loop.shutdownDefaultExecutor();
    assert.equal(pending.result(), "late");
    assert.match(String(executor), /workers=0 queued=0 shutdown>$/);
    assert.throws(
      () => toThread(addOnWorker, 1, 2),
      new RuntimeError("cannot schedule new futures after shutdown"),
    );
    assert.throws(
      () => loop.setDefaultExecutor(null as never),
      new TypeError(
        "setDefaultExecutor: executor must be a WorkerPoolExecutor, got null",
      ),
    );
  });
  await run(async () => {
    const loop = getRunningLoop();
    await loop.shutdownDefaultExecutor(); // none made yet: done at once
    assert.throws(
      () => toThread(addOnWorker, 1, 2),
      new RuntimeError("Executor shutdown has been called"),
    );
  });
  // Closing a loop shuts its default executor down.
  const loop = getEventLoop();
  const other = new WorkerPoolExecutor({ maxWorkers: 1 });
  loop.setDefaultExecutor(other);
  assert.equal(
    await loop.runUntilComplete(loop.runInExecutor(null, addOnWorker, 2, 2)),
    4,
  );
  loop.close();
  assert.throws(
    () => other.submit(JOBS, "add", 1, 1),
    new RuntimeError("cannot schedule new futures after shutdown"),
  );
  assert.match(String(other), /workers=0 queued=0 shutdown>$/);
});
