/**
 * `Runner`, against what CPython 3.11's `asyncio.Runner` does with the same
 * scenarios. The scenario of the first two tests, in Python:
 *
 * ```python
 * q = asyncio.Queue(); r = asyncio.Runner()
 * l1 = r.run(fill())   # puts "a", "b"; leaves a worker sleeping
 * l2 = r.run(drain())  # gets "a", "b"
 * l1 is l2 is r.get_loop()          # True
 * r.close()            # "worker cancelled"; l1.is_closed() is True
 * r.run(drain())       # RuntimeError('Runner is closed')
 * r.get_loop()         # RuntimeError('Runner is closed')
 * ```
 */
import assert from "node:assert/strict";
import {
  type AbstractEventLoop,
  CancelledError,
  createTask,
  currentTask,
  EventLoop,
  type ExceptionContext,
  getEventLoop,
  getRunningLoop,
  Queue,
  run,
  Runner,
  RuntimeError,
  setEventLoop,
  sleep,
  type Task,
  ValueError,
  VirtualClock,
} from "../../mod.ts";
import { flavours, testEach } from "../tasks/_both.ts";

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

testEach(
  flavours,
  "Runner.run() twice: both runs are tasks on one loop, which keeps its state (a Queue, the clock) between them",
  async ({ fn }) => {
    const runner = new Runner({ loopFactory });
    const queue = new Queue<string>();
    const seen: [AbstractEventLoop, number, Task | null][] = [];
    const fill = fn(function* () {
      yield* queue.put("a");
      yield* sleep(1);
      yield* queue.put("b");
      seen.push([getRunningLoop(), getRunningLoop().time(), currentTask()]);
      return "filled";
    });
    const drain = fn(function* () {
      const first = queue.getNowait();
      const second = yield* queue.get();
      yield* sleep(1);
      seen.push([getRunningLoop(), getRunningLoop().time(), currentTask()]);
      return [first, second];
    });
    try {
      // Lazily: an async function's prefix, run at the call, would bind
      // its sleep to the current loop, not to the factory's.
      assert.equal(await runner.run(fill), "filled");
      assert.deepEqual(await runner.run(drain), ["a", "b"]);
      const loop = runner.getLoop();
      assert.equal(seen[0][0], loop);
      assert.equal(seen[1][0], loop);
      assert.deepEqual([seen[0][1], seen[1][1]], [1, 2]);
      assert.notEqual(seen[0][2], seen[1][2]);
      assert.ok(taskNumber(seen[0][2]) < taskNumber(seen[1][2]));
      assert.equal(loop.isClosed(), false);
      assert.equal(loop.isRunning(), false);
    } finally {
      await runner.close();
    }
  },
);

testEach(
  flavours,
  "Runner.close() cancels the tasks left by the runs, waits for their finally blocks, closes the loop; a second close() does nothing",
  async ({ fn }) => {
    const events: string[] = [];
    const runner = new Runner({ loopFactory });
    const worker = fn(function* () {
      try {
        yield* sleep(100);
        events.push("worker not cancelled");
      } catch (e) {
        events.push(e instanceof CancelledError ? "worker cancelled" : `${e}`);
        throw e;
      } finally {
        events.push(`worker finally at ${getRunningLoop().time()}`);
      }
    });
    let left: Task | null = null;
    await runner.run(fn(function* () {
      left = createTask(worker());
      yield* sleep(1);
      events.push("run ends");
    }));
    const loop = runner.getLoop();
    assert.equal(left!.done(), false);
    const closing = runner.close();
    assert.equal(runner.close(), closing, "a close() in progress is shared");
    await closing;
    assert.deepEqual(events, [
      "run ends",
      "worker cancelled",
      "worker finally at 1",
    ]);
    assert.equal(left!.cancelled(), true);
    assert.equal(loop.isClosed(), true);
    await runner.close();
    runner[Symbol.dispose]();
    assert.equal(loop.isClosed(), true);
  },
);

Deno.test("Runner.run() and getLoop() after close() raise RuntimeError('Runner is closed'), and run nothing", async () => {
  const runner = new Runner({ loopFactory });
  await runner.run(() => sleep(1));
  await runner.close();
  let ran = false;
  await assert.rejects(
    runner.run(async () => {
      ran = true;
      await sleep(1);
    }),
    (e) => {
      assert.ok(e instanceof RuntimeError);
      assert.equal(e.message, "Runner is closed");
      return true;
    },
  );
  assert.equal(ran, false);
  assert.throws(() => runner.getLoop(), {
    name: "RuntimeError",
    message: "Runner is closed",
  });
});

Deno.test("Runner.close() of a runner that never made its loop does nothing: the runner still works, as CPython's", async () => {
  let made = 0;
  const runner = new Runner({
    loopFactory: () => {
      made++;
      return makeLoop();
    },
  });
  await runner.close();
  runner[Symbol.dispose]();
  assert.equal(made, 0);
  assert.equal(
    await runner.run(() => sleep(1, "still usable")),
    "still usable",
  );
  assert.equal(made, 1);
  await runner.close();
});

Deno.test("Runner.run() inside a running loop raises RuntimeError, and the outer loop keeps working", async () => {
  const inner = new Runner({ loopFactory });
  const events: string[] = [];
  await run(async () => {
    await assert.rejects(
      inner.run(() => {
        events.push("inner ran");
      }),
      (e) => {
        assert.ok(e instanceof RuntimeError);
        assert.equal(
          e.message,
          "Runner.run() cannot be called from a running event loop",
        );
        return true;
      },
    );
    await sleep(1);
    events.push("outer end");
  }, { loopFactory });
  assert.deepEqual(events, ["outer end"]);
  // Refusing made no loop; the runner works once no loop runs.
  assert.equal(await inner.run(() => sleep(1, "inner")), "inner");
  await inner.close();
});

Deno.test("Runner.close() during a run rejects with RuntimeError('Cannot close a running event loop') and cancels nothing", async () => {
  const runner = new Runner({ loopFactory });
  const result = await runner.run(async () => {
    await assert.rejects(runner.close(), {
      name: "RuntimeError",
      message: "Cannot close a running event loop",
    });
    assert.throws(() => runner[Symbol.dispose](), {
      name: "RuntimeError",
      message: "Cannot close a running event loop",
    });
    await sleep(1);
    return "not cancelled";
  });
  assert.equal(result, "not cancelled");
  assert.equal(await runner.run(() => sleep(1, "again")), "again");
  await runner.close();
});

Deno.test("Runner({ debug }) sets the loop's debug mode; null leaves it alone", async () => {
  const on = new Runner({ loopFactory, debug: true });
  assert.equal(on.getLoop().getDebug(), true);
  assert.equal(
    await on.run(async () => {
      await sleep(0);
      return getRunningLoop().getDebug();
    }),
    true,
  );
  await on.close();
  const off = new Runner({
    debug: false,
    loopFactory: () => {
      const loop = makeLoop();
      loop.setDebug(true);
      return loop;
    },
  });
  assert.equal(off.getLoop().getDebug(), false);
  await off.close();
  const left = new Runner({
    debug: null,
    loopFactory: () => {
      const loop = makeLoop();
      loop.setDebug(true);
      return loop;
    },
  });
  assert.equal(left.getLoop().getDebug(), true);
  await left.close();
});

Deno.test("Runner({ loopFactory }) makes its loop with the factory, once, lazily, and leaves the current loop alone", async () => {
  const made: EventLoop[] = [];
  const runner = new Runner({
    loopFactory: () => {
      const loop = makeLoop();
      made.push(loop);
      return loop;
    },
  });
  assert.equal(made.length, 0, "nothing is made before it is needed");
  const current = getEventLoop();
  try {
    const loop = runner.getLoop();
    assert.deepEqual(made, [loop]);
    const seen = await runner.run(async () => {
      await sleep(5);
      return getRunningLoop();
    });
    await runner.run(() => sleep(1));
    assert.equal(seen, loop);
    assert.equal(made.length, 1);
    assert.equal(loop.time(), 6);
    assert.equal(getEventLoop(), current);
    await runner.close();
    assert.equal(loop.isClosed(), true);
    assert.equal(getEventLoop(), current);
  } finally {
    setEventLoop(null);
    current.close();
  }
});

Deno.test("Runner() without a factory takes the current loop, as main()'s prefix does, and unsets it at close", async () => {
  setEventLoop(null);
  const runner = new Runner();
  let prefixTask: Task | null = null;
  async function main() {
    prefixTask = createTask(sleep(0, "prefix"));
    return await prefixTask;
  }
  const coro = main(); // its prefix binds to the current loop
  const loop = getEventLoop();
  assert.equal(await runner.run(coro), "prefix");
  assert.equal(runner.getLoop(), loop);
  assert.equal(prefixTask!.getLoop(), loop);
  assert.equal(getEventLoop(), loop, "the runner's loop is the current one");
  // A second runner alive at the same time gets a loop of its own.
  const other = new Runner();
  assert.notEqual(other.getLoop(), loop);
  await other.close();
  await runner.close();
  assert.equal(loop.isClosed(), true);
  const next = getEventLoop();
  assert.notEqual(next, loop);
  setEventLoop(null);
  next.close();
});

Deno.test("using runner = new Runner(): the block's end closes the loop at once, reporting a task left pending", async () => {
  const contexts: ExceptionContext[] = [];
  let loop: AbstractEventLoop | null = null;
  let left: Task | null = null;
  {
    using runner = new Runner({ loopFactory });
    loop = runner.getLoop();
    loop.setExceptionHandler((_loop, ctx) => contexts.push(ctx));
    assert.equal(await runner.run(() => sleep(1, "ran")), "ran");
    await runner.run(async () => {
      left = createTask(sleep(100));
      await sleep(0);
    });
  }
  assert.equal(loop.isClosed(), true);
  assert.equal(left!.done(), false);
  assert.deepEqual(
    contexts.map((c) => [c.message, c.task]),
    [["Task was destroyed but it is pending!", left]],
  );
});

Deno.test("await using runner = new Runner(): the block's end awaits close(), which cancels the tasks left", async () => {
  let loop: AbstractEventLoop | null = null;
  let left: Task | null = null;
  {
    await using runner = new Runner({ loopFactory });
    loop = runner.getLoop();
    await runner.run(async () => {
      left = createTask(sleep(100));
      await sleep(0);
    });
  }
  assert.equal(loop.isClosed(), true);
  assert.equal(left!.cancelled(), true);
});

Deno.test("Runner.run() names each run's task Task-N, from the one counter, and returns or rejects as the task does", async () => {
  await using runner = new Runner({ loopFactory });
  const tasks: (Task | null)[] = [];
  for (let i = 0; i < 2; i++) {
    await runner.run(async () => {
      await sleep(0);
      tasks.push(currentTask());
    });
  }
  const [first, second] = tasks;
  assert.ok(taskNumber(first) < taskNumber(second));
  const error = new ValueError("run failed");
  await assert.rejects(
    runner.run(async () => {
      await sleep(1);
      throw error;
    }),
    (e) => e === error,
  );
  // A failed run leaves the runner usable.
  assert.equal(await runner.run(() => sleep(1, "after")), "after");
});

Deno.test("Runner's bad input: options, debug, loopFactory and main raise what run() raises, naming Runner", async () => {
  assert.throws(() => new Runner({ bogus: 1 } as never), {
    name: "TypeError",
    message: 'Runner: unknown option "bogus"',
  });
  assert.throws(() => new Runner(5 as never), {
    name: "TypeError",
    message: "Runner: options must be an object, got number 5",
  });
  assert.throws(() => new Runner({ debug: 1 } as never), {
    name: "TypeError",
    message: "Runner: options.debug must be a boolean or null, got number 1",
  });
  assert.throws(() => new Runner({ loopFactory: "loop" } as never), {
    name: "TypeError",
    message:
      'Runner: options.loopFactory must be a function, got string "loop"',
  });
  await using runner = new Runner({ loopFactory });
  await assert.rejects(runner.run(42 as never), {
    name: "ValueError",
    message: "a coroutine was expected, got number 42",
  });
  await assert.rejects(
    runner.run(function* () {
      yield;
    } as never),
    {
      name: "TypeError",
      message:
        "Runner.run: main is a generator function; make it a coroutine function with coroutine(function* …), or pass an async function",
    },
  );
  // The runner still works.
  assert.equal(await runner.run(() => sleep(1, "ok")), "ok");
});
