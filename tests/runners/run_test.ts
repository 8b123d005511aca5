import assert from "node:assert/strict";
import {
  type AbstractEventLoop,
  CancelledError,
  coroutine,
  createTask,
  currentTask,
  EventLoop,
  type ExceptionContext,
  getEventLoop,
  getRunningLoop,
  run,
  RuntimeError,
  setEventLoop,
  sleep,
  type Task,
  ValueError,
  VirtualClock,
} from "../../mod.ts";

function makeLoop(): EventLoop {
  return new EventLoop({ clock: new VirtualClock() });
}

const loopFactory = makeLoop;

function taskNumber(task: Task | null): number {
  assert.ok(task !== null);
  const match = /^Task-(\d+)$/.exec(task.getName());
  assert.ok(match !== null, `unexpected task name ${task.getName()}`);
  return Number(match[1]);
}

Deno.test("run() returns the value main returns", async () => {
  const result = await run(async () => {
    await sleep(1);
    return { answer: 42 };
  }, { loopFactory });
  assert.deepEqual(result, { answer: 42 });
});

Deno.test("run() accepts a generator coroutine and returns its value", async () => {
  const main = coroutine(function* () {
    const a = yield* sleep(1, 20);
    const b = yield* sleep(1, 22);
    return a + b;
  });
  let loop: AbstractEventLoop | null = null;
  const result = await run(
    coroutine(function* () {
      loop = getRunningLoop();
      return yield* main();
    }),
    { loopFactory },
  );
  assert.equal(result, 42);
  assert.equal(loop!.time(), 2);
});

Deno.test("run() rejects with the very error main throws", async () => {
  const error = new ValueError("main failed");
  await assert.rejects(
    run(async () => {
      await sleep(1);
      throw error;
    }, { loopFactory }),
    (e) => e === error,
  );
});

Deno.test("run() rejects with an error main throws before its first await", async () => {
  await assert.rejects(
    run(() => {
      throw new RuntimeError("sync failure");
    }, { loopFactory }),
    { name: "RuntimeError", message: "sync failure" },
  );
});

Deno.test("run(main) with a function runs nothing before the loop starts", async () => {
  const events: string[] = [];
  let runningInside: boolean | null = null;
  const promise = run(async () => {
    events.push("main start");
    runningInside = getRunningLoop().isRunning();
    await sleep(1);
    events.push("main end");
  }, { loopFactory });
  events.push("after run() call");
  await promise;
  assert.deepEqual(events, ["after run() call", "main start", "main end"]);
  assert.equal(runningInside, true);
});

Deno.test("run() names main's task Task-N and tasks main creates get larger numbers", async () => {
  const numbers = await run<readonly [number, number, string]>(async () => {
    const mainNumber = taskNumber(currentTask());
    const child = createTask(sleep(1));
    const named = createTask(sleep(1), { name: "custom" });
    await child;
    await named;
    return [mainNumber, taskNumber(child), named.getName()] as const;
  }, { loopFactory });
  const [mainNumber, childNumber, name] = numbers;
  assert.ok(mainNumber >= 1);
  assert.ok(childNumber > mainNumber, `${childNumber} > ${mainNumber}`);
  assert.equal(name, "custom");
});

Deno.test("run() cancels leftover tasks, whose finally blocks see CancelledError", async () => {
  const events: string[] = [];
  let loop: AbstractEventLoop | null = null;
  const result = await run(async () => {
    loop = getRunningLoop();
    createTask((async () => {
      try {
        events.push("worker start");
        await sleep(100);
        events.push("worker not cancelled");
      } catch (e) {
        events.push(
          e instanceof CancelledError ? "worker cancelled" : `other ${e}`,
        );
        throw e;
      } finally {
        events.push(`worker finally at ${getRunningLoop().time()}`);
      }
    })());
    await sleep(1);
    events.push("main end");
    return "main";
  }, { loopFactory });
  assert.equal(result, "main");
  assert.deepEqual(events, [
    "worker start",
    "main end",
    "worker cancelled",
    "worker finally at 1",
  ]);
  assert.equal(loop!.isClosed(), true);
  assert.equal(loop!.time(), 1);
});

Deno.test("run() inside a running loop rejects with RuntimeError", async () => {
  const events: string[] = [];
  await run(async () => {
    await assert.rejects(
      run(() => {
        events.push("inner ran");
      }, { loopFactory }),
      (e) => {
        assert.ok(e instanceof RuntimeError);
        assert.equal(
          e.message,
          "asyncio.run() cannot be called from a running event loop",
        );
        return true;
      },
    );
    // The outer loop keeps working.
    await sleep(1);
    events.push("outer end");
  }, { loopFactory });
  assert.deepEqual(events, ["outer end"]);
});

Deno.test("run() rejects a non-coroutine with ValueError naming what was given", async () => {
  await assert.rejects(run(42 as never), (e) => {
    assert.ok(e instanceof ValueError);
    assert.equal(e.name, "ValueError");
    assert.equal(e.message, "a coroutine was expected, got number 42");
    return true;
  });
  await assert.rejects(run(null as never), {
    name: "ValueError",
    message: "a coroutine was expected, got null",
  });
  // A later run works.
  assert.equal(
    await run(async () => await sleep(1, "ok"), { loopFactory }),
    "ok",
  );
});

Deno.test("run() with { debug: true } turns on the loop's debug mode", async () => {
  const seen = await run(async () => {
    await sleep(0);
    return getRunningLoop().getDebug();
  }, { loopFactory, debug: true });
  assert.equal(seen, true);
  const defaultSeen = await run(async () => {
    await sleep(0);
    return getRunningLoop().getDebug();
  }, { loopFactory });
  assert.equal(defaultSeen, false);
});

Deno.test("run() closes the loop it ran when main returns or throws", async () => {
  let loop: AbstractEventLoop | null = null;
  await run(async () => {
    loop = getRunningLoop();
    await sleep(1);
  }, { loopFactory });
  assert.equal(loop!.isClosed(), true);
  assert.equal(loop!.isRunning(), false);
  let failing: AbstractEventLoop | null = null;
  await assert.rejects(
    run(async () => {
      failing = getRunningLoop();
      await sleep(1);
      throw new ValueError("x");
    }, { loopFactory }),
    { name: "ValueError", message: "x" },
  );
  assert.equal(failing!.isClosed(), true);
  assert.throws(() => getRunningLoop(), {
    name: "RuntimeError",
    message: "no running event loop",
  });
});

Deno.test("run() uses the loop made by loopFactory", async () => {
  const loop = makeLoop();
  const seen = await run<AbstractEventLoop[]>(async () => {
    await sleep(5);
    return [getRunningLoop(), getEventLoop()];
  }, { loopFactory: () => loop });
  assert.equal(seen[0], loop);
  assert.equal(seen[1], loop);
  assert.equal(loop.time(), 5);
  assert.equal(loop.isClosed(), true);
});

Deno.test("run() reports a task exception nobody retrieved as 'Task exception was never retrieved'", async () => {
  const contexts: ExceptionContext[] = [];
  const error = new ValueError("lost");
  let failed: Task | null = null;
  await run(async () => {
    getRunningLoop().setExceptionHandler((_loop, ctx) => contexts.push(ctx));
    failed = createTask((async () => {
      await sleep(1);
      throw error;
    })());
    await sleep(2);
    assert.equal(failed.done(), true);
  }, { loopFactory });
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].message, "Task exception was never retrieved");
  assert.equal(contexts[0].exception, error);
  assert.equal(contexts[0].task, failed);
});

Deno.test("run(main()) binds main's prefix createTask() and sleep() to the loop run uses", async () => {
  const loop = makeLoop();
  setEventLoop(loop);
  const events: [string, number][] = [];
  const seen = {
    worker: null as Task | null,
    main: null as Task | null,
    workerTask: null as Task<string> | null,
  };
  async function worker(): Promise<string> {
    await sleep(1);
    seen.worker = currentTask();
    events.push(["worker resumed", loop.time()]);
    await sleep(1);
    assert.equal(currentTask(), seen.worker);
    return "worker";
  }
  async function main() {
    const workerTask = createTask(worker());
    seen.workerTask = workerTask;
    const slept = sleep(3, "slept");
    const value = await slept;
    seen.main = currentTask();
    events.push(["main resumed", loop.time()]);
    return [value, await workerTask];
  }
  try {
    const result = await run(main());
    assert.deepEqual(result, ["slept", "worker"]);
    assert.deepEqual(events, [["worker resumed", 1], ["main resumed", 3]]);
    const { worker: workerSeen, main: mainSeen, workerTask } = seen;
    assert.ok(workerTask !== null && mainSeen !== null);
    assert.equal(workerSeen, workerTask);
    assert.notEqual(mainSeen, workerTask);
    assert.equal(workerTask.getLoop(), loop);
    assert.equal(mainSeen.getLoop(), loop);
    // As in CPython: main's task is numbered before the task its prefix made.
    assert.ok(taskNumber(mainSeen) < taskNumber(workerTask));
    assert.equal(loop.isClosed(), true);
  } finally {
    setEventLoop(null);
    loop.close();
  }
});

Deno.test("run(main()) lets a task created in main's prefix be cancelled as its own task", async () => {
  const loop = makeLoop();
  setEventLoop(loop);
  const events: string[] = [];
  async function worker() {
    try {
      await sleep(10);
      events.push("worker finished");
    } catch (e) {
      events.push(e instanceof CancelledError ? "worker cancelled" : "other");
      throw e;
    }
  }
  async function main() {
    const task = createTask(worker());
    const first = sleep(1);
    await first;
    task.cancel();
    await assert.rejects(Promise.resolve(task), CancelledError);
    await sleep(1);
    events.push(`main at ${getRunningLoop().time()}`);
    return task.cancelled();
  }
  try {
    assert.equal(await run(main()), true);
    assert.deepEqual(events, ["worker cancelled", "main at 2"]);
  } finally {
    setEventLoop(null);
    loop.close();
  }
});
