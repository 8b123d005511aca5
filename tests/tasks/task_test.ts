import assert from "node:assert/strict";
import {
  allTasks,
  CancelledError,
  coroutine,
  createTask,
  currentTask,
  EventLoop,
  Future,
  getRunningLoop,
  isFuture,
  RuntimeError,
  sleep,
  Task,
  ValueError,
} from "../../mod.ts";
import {
  assertError,
  assertRejectsError,
  assertThrowsError,
  now,
  runVirtual,
  testBoth,
} from "./_both.ts";

// async def w(): await asyncio.sleep(0); return 3
// t = asyncio.create_task(w()); print(type(t).__name__, await t, t.result())
// -> Task 3 3
testBoth(
  "createTask() returns a Task and awaiting it gives the coroutine's result",
  async ({ fn }) => {
    const w = fn(function* () {
      yield* sleep(0);
      return 3;
    });
    await runVirtual(async () => {
      const t = createTask(w());
      assert.ok(t instanceof Task);
      assert.ok(isFuture(t));
      assert.equal(t.done(), false);
      assert.equal(await t, 3);
      assert.equal(t.done(), true);
      assert.equal(t.result(), 3);
      assert.equal(t.exception(), null);
    });
  },
);

// async def w(): await asyncio.sleep(1); raise ValueError("boom")
// t = asyncio.create_task(w())
// try: await t
// except ValueError as e: print("ValueError", e, t.exception() is e)
// -> ValueError boom True
testBoth(
  "Task: an exception raised by the coroutine propagates to the awaiter",
  async ({ fn }) => {
    const w = fn(function* () {
      yield* sleep(1);
      throw new ValueError("boom");
    });
    await runVirtual(async () => {
      const t = createTask(w());
      let caught: unknown = null;
      try {
        await t;
      } catch (e) {
        caught = e;
      }
      assertError(caught, ValueError, "boom");
      assert.equal(t.exception(), caught);
      assert.equal(t.cancelled(), false);
      assert.equal(now(), 1);
    });
  },
);

// t = asyncio.create_task(w()); t2 = asyncio.create_task(w())
// t3 = asyncio.create_task(w(), name="worker")
// print(t.get_name(), t2.get_name(), t3.get_name(), asyncio.current_task().get_name())
// t3.set_name(5); print(repr(t3.get_name()))
// -> Task-2 Task-3 worker Task-1
// -> '5'
// (the counter is global, as in CPython: other tests have used numbers too)
Deno.test("Task names are Task-N from one counter, or the given name; setName() stringifies", async () => {
  await runVirtual(async () => {
    const mainName = currentTask()!.getName();
    assert.match(mainName, /^Task-\d+$/);
    const w = async () => {
      await sleep(0);
      return 3;
    };
    const t = createTask(w());
    const t2 = createTask(w());
    const t3 = createTask(w(), { name: "worker" });
    const n = Number(t.getName().slice("Task-".length));
    assert.equal(t.getName(), `Task-${n}`);
    assert.ok(n > Number(mainName.slice("Task-".length)));
    assert.equal(t2.getName(), `Task-${n + 1}`);
    assert.equal(t3.getName(), "worker");
    t3.setName(5);
    assert.equal(t3.getName(), "5");
    t3.setName("renamed");
    assert.equal(t3.getName(), "renamed");
    assert.deepEqual([await t, await t2, await t3], [3, 3, 3]);
  });
});

// t = asyncio.current_task()
// try: t.set_result(1)
// except RuntimeError as e: print(e)
// try: t.set_exception(ValueError())
// except RuntimeError as e: print(e)
// -> Task does not support set_result operation
// -> Task does not support set_exception operation
Deno.test("Task.setResult() and setException() throw RuntimeError", async () => {
  await runVirtual(() => {
    const t = currentTask()!;
    assertThrowsError(
      () => t.setResult(1),
      RuntimeError,
      "Task does not support set_result operation",
    );
    assertThrowsError(
      () => t.setException(new ValueError("x")),
      RuntimeError,
      "Task does not support set_exception operation",
    );
    assert.equal(t.done(), false);
  });
});

// async def w():
//     await asyncio.sleep(0)
//     return asyncio.current_task()
// t = asyncio.create_task(w()); print(await t is t)
// loop.call_soon(lambda: log.append(asyncio.current_task())); await asyncio.sleep(0); print(log)
// -> True
// -> [None]
testBoth(
  "currentTask() inside a task is that task, before and after a wait",
  async ({ fn }) => {
    const w = fn(function* () {
      const before = currentTask();
      yield* sleep(0);
      const middle = currentTask();
      yield* sleep(1);
      return [before, middle, currentTask()];
    });
    const log: unknown[] = [];
    await runVirtual(async () => {
      const main = currentTask();
      assert.ok(main instanceof Task);
      const t = createTask(w());
      const seen = await t;
      // The async flavour's code before its first await runs at call time,
      // in the creator (a JS eagerness): only the generator sees `t` there.
      assert.deepEqual(seen.slice(1), [t, t]);
      assert.equal(currentTask(), main);
      getRunningLoop().callSoon(() => log.push(currentTask()));
      await sleep(0);
    });
    assert.deepEqual(log, [null]);
  },
);

Deno.test("currentTask() of a generator task is that task from its first step", async () => {
  const w = coroutine(function* () {
    const first = currentTask();
    yield;
    return [first, currentTask()];
  });
  await runVirtual(async () => {
    const t = createTask(w());
    assert.deepEqual(await t, [t, t]);
  });
});

// async def main():
//     t = asyncio.create_task(asyncio.sleep(10))
//     await asyncio.sleep(0)
//     print(t in asyncio.all_tasks(), asyncio.current_task() in asyncio.all_tasks())
//     t.cancel(); await asyncio.sleep(0); print(t in asyncio.all_tasks())
// -> True True
// -> False
Deno.test("allTasks() contains the pending tasks and not the finished ones", async () => {
  await runVirtual(async () => {
    const t = createTask((async () => await sleep(10))());
    await sleep(0);
    const tasks = allTasks();
    assert.ok(tasks.has(t));
    assert.ok(tasks.has(currentTask()!));
    assert.equal(tasks.size, 2);
    t.cancel();
    await sleep(0);
    assert.equal(t.cancelled(), true);
    assert.equal(allTasks().has(t), false);
    assert.deepEqual([...allTasks()], [currentTask()]);
  });
});

Deno.test("allTasks(loop) lists a loop's pending tasks oldest first, once others finished or their loop closed", async () => {
  const a = new EventLoop(), b = new EventLoop();
  const gates = [a, b, a, b, a].map((loop) => loop.createFuture<number>());
  const tasks = gates.map((gate, i) =>
    new Task(gate, { loop: gate.getLoop(), name: `t${i}` })
  );
  const names = (loop: EventLoop) =>
    [...allTasks(loop)].map((t) => t.getName());
  assert.deepEqual(names(a), ["t0", "t2", "t4"]);
  assert.deepEqual(names(b), ["t1", "t3"]);
  gates[2].setResult(2); // the middle one of a's
  assert.equal(await a.runUntilComplete(tasks[2]), 2);
  assert.deepEqual(names(a), ["t0", "t4"]);
  const reports: string[] = [];
  b.setExceptionHandler((_, context) =>
    reports.push(`${context.message} ${(context.task as Task).getName()}`)
  );
  b.close(); // b's tasks never run again, and it says so
  assert.deepEqual(names(b), []);
  assert.deepEqual(reports, [
    "Task was destroyed but it is pending! t1",
    "Task was destroyed but it is pending! t3",
  ]);
  assert.deepEqual(names(a), ["t0", "t4"]);
  gates[4].setResult(4); // the last
  assert.equal(await a.runUntilComplete(tasks[4]), 4);
  assert.deepEqual(names(a), ["t0"]);
  gates[0].setResult(0); // the first, and the list is empty
  assert.equal(await a.runUntilComplete(tasks[0]), 0);
  assert.deepEqual(names(a), []);
  const late = new Task(a.createFuture(), { loop: a, name: "late" });
  assert.deepEqual(names(a), ["late"]);
  late.cancel();
  await assert.rejects(a.runUntilComplete(late), CancelledError);
  assert.deepEqual(names(a), []);
  a.close();
});

// asyncio.create_task(42)
// -> TypeError a coroutine was expected, got 42
Deno.test("createTask() with a non-awaitable throws TypeError naming createTask and the value", async () => {
  await runVirtual(() => {
    assertThrowsError(
      // deno-lint-ignore no-explicit-any
      () => createTask(42 as any),
      TypeError,
      "createTask: expected a coroutine or awaitable, got number 42",
    );
    assert.equal(allTasks().size, 1);
  });
});

// t = asyncio.create_task(asyncio.sleep(1, "x")); print(await t, loop.time() - t0)
// -> x 1.0
Deno.test("createTask() wraps an awaitable such as sleep(1, 'x')", async () => {
  await runVirtual(async () => {
    const t = createTask(sleep(1, "x"));
    assert.ok(t instanceof Task);
    assert.equal(await t, "x");
    assert.equal(now(), 1);
    const f = new Future<number>();
    const t2 = createTask(f);
    getRunningLoop().callLater(2, () => f.setResult(5));
    assert.equal(await t2, 5);
    assert.equal(now(), 3);
  });
});

// async def worker(name):
//     for i in range(3):
//         await asyncio.sleep(0)
//         log.append(f"{name}{i}")
// ts = [asyncio.create_task(worker(n)) for n in "abc"]
// for t in ts: await t
// -> ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'c2']
testBoth(
  "createTask(): sleep(0) round-robins three tasks in CPython's order",
  async ({ fn }) => {
    const log: string[] = [];
    const worker = fn(function* (name: string) {
      for (let i = 0; i < 3; i++) {
        yield* sleep(0);
        log.push(`${name}${i}`);
      }
    });
    await runVirtual(async () => {
      const ts = ["a", "b", "c"].map((n) => createTask(worker(n)));
      for (const t of ts) await t;
    });
    assert.deepEqual(log, [
      "a0",
      "b0",
      "c0",
      "a1",
      "b1",
      "c1",
      "a2",
      "b2",
      "c2",
    ]);
  },
);

// async def inner():
//     await asyncio.sleep(1); log.append("inner done"); return "in"
// async def outer(it):
//     await asyncio.sleep(0)
//     log.append("outer waits")
//     v = await it
//     log.append(f"outer got {v}")
//     return v + "+out"
// it = asyncio.create_task(inner()); ot = asyncio.create_task(outer(it))
// print(await ot, log)
// -> in+out ['outer waits', 'inner done', 'outer got in']
testBoth("Task awaiting another task gets its result", async ({ fn }) => {
  const log: string[] = [];
  const inner = fn(function* () {
    yield* sleep(1);
    log.push("inner done");
    return "in";
  });
  const outer = fn(function* (it: Task<string>) {
    yield* sleep(0);
    log.push("outer waits");
    const v: string = yield* it;
    log.push(`outer got ${v}`);
    return v + "+out";
  });
  const out = await runVirtual(async () => {
    const it = createTask(inner());
    const ot = createTask(outer(it));
    return [await ot, now()];
  });
  assert.deepEqual(out, ["in+out", 1]);
  assert.deepEqual(log, ["outer waits", "inner done", "outer got in"]);
});

// async def doner(name, fut):
//     await asyncio.sleep(0)
//     for i in range(3):
//         await fut
//         log.append(f"{name}{i}")
// async def sleeper():
//     for i in range(3):
//         await asyncio.sleep(0)
//         log.append(f"s{i}")
// fut = loop.create_future(); fut.set_result(1)
// ts = [create_task(doner("a", fut)), create_task(sleeper()), create_task(doner("b", fut))]
// for t in ts: await t
// -> ['a0', 'a1', 'a2', 's0', 'b0', 'b1', 'b2', 's1', 's2']
Deno.test("Task step is atomic: awaiting an already-done future does not yield", async () => {
  const log: string[] = [];
  async function doner(name: string, fut: Future<number>) {
    await sleep(0);
    for (let i = 0; i < 3; i++) {
      await fut;
      log.push(`${name}${i}`);
    }
  }
  async function sleeper() {
    for (let i = 0; i < 3; i++) {
      await sleep(0);
      log.push(`s${i}`);
    }
  }
  await runVirtual(async () => {
    const fut = getRunningLoop().createFuture<number>();
    fut.setResult(1);
    const ts = [
      createTask(doner("a", fut)),
      createTask(sleeper()),
      createTask(doner("b", fut)),
    ];
    for (const t of ts) await t;
  });
  assert.deepEqual(log, ["a0", "a1", "a2", "s0", "b0", "b1", "b2", "s1", "s2"]);
});

// async def other():
//     for i in range(3): await asyncio.sleep(0); log.append(f"other{i}")
// async def quick(): return 1
// async def bad(): raise ValueError("boom")
// create_task(other())
// for i in range(3):
//     t = create_task(quick()); log.append(f"done:{t.done()}")
//     await t; log.append(f"main{i}")
// for make in (quick, bad):
//     t = create_task(make()); t.cancel()
//     try: await t
//     except asyncio.CancelledError: log.append(f"{make.__name__} cancelled")
// t = create_task(bad())
// try: await t
// except ValueError as e: log.append(f"bad {e}")
// -> ['done:False', 'other0', 'main0', 'done:False', 'other1', 'other2',
//     'main1', 'done:False', 'main2', 'quick cancelled', 'bad cancelled',
//     'bad boom']
Deno.test("Task: a coroutine that ends before its first step leaves its task pending until then", async () => {
  const log: string[] = [];
  async function other() {
    for (let i = 0; i < 3; i++) {
      await sleep(0);
      log.push(`other${i}`);
    }
  }
  // deno-lint-ignore require-await
  async function quick() {
    return 1;
  }
  // deno-lint-ignore require-await
  async function bad(): Promise<never> {
    throw new ValueError("boom");
  }
  await runVirtual(async () => {
    createTask(other());
    for (let i = 0; i < 3; i++) {
      const t = createTask(quick());
      log.push(`done:${t.done()}`);
      await t;
      log.push(`main${i}`);
    }
    for (const make of [quick, bad]) {
      const t = createTask(make());
      t.cancel();
      try {
        await t;
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        log.push(`${make.name} cancelled`);
      }
    }
    const t = createTask(bad());
    try {
      await t;
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      log.push(`bad ${error.message}`);
    }
  });
  assert.deepEqual(log, [
    "done:false",
    "other0",
    "main0",
    "done:false",
    "other1",
    "other2",
    "main1",
    "done:false",
    "main2",
    "quick cancelled",
    "bad cancelled",
    "bad boom",
  ]);
});

// Same scenario with `yield* fut` (Python: `yield from fut` in a
// @types.coroutine generator), same output.
Deno.test("Task step is atomic for generator tasks: yield* of a done future does not yield", async () => {
  const log: string[] = [];
  const doner = coroutine(function* (name: string, fut: Future<number>) {
    yield* sleep(0);
    for (let i = 0; i < 3; i++) {
      yield* fut;
      log.push(`${name}${i}`);
    }
  });
  const sleeper = coroutine(function* () {
    for (let i = 0; i < 3; i++) {
      yield* sleep(0);
      log.push(`s${i}`);
    }
  });
  await runVirtual(async () => {
    const fut = getRunningLoop().createFuture<number>();
    fut.setResult(1);
    const ts = [
      createTask(doner("a", fut)),
      createTask(sleeper()),
      createTask(doner("b", fut)),
    ];
    for (const t of ts) await t;
  });
  assert.deepEqual(log, ["a0", "a1", "a2", "s0", "b0", "b1", "b2", "s1", "s2"]);
});

// async def w(): raise ValueError("never awaited")
// asyncio.create_task(w()); await asyncio.sleep(0)
// -> Task exception was never retrieved
Deno.test("Task exception never retrieved is reported to the exception handler", async () => {
  const messages: string[] = [];
  const errors: unknown[] = [];
  await runVirtual(async () => {
    getRunningLoop().setExceptionHandler((_loop, context) => {
      messages.push(context.message);
      errors.push(context.exception);
    });
    createTask((async () => {
      await sleep(0);
      throw new ValueError("never awaited");
    })());
    const awaited = createTask((async () => {
      await sleep(0);
      throw new ValueError("awaited");
    })());
    await assertRejectsError(awaited, ValueError, "awaited");
  });
  assert.deepEqual(messages, ["Task exception was never retrieved"]);
  assertError(errors[0], ValueError, "never awaited");
});

// async def selfawait():
//     await asyncio.sleep(0)
//     try: await asyncio.current_task()
//     except RuntimeError as e: return str(e)
// print(await asyncio.create_task(selfawait()))
// -> Task cannot await on itself: <Task pending name='Task-2' coro=<selfawait() running at ...>>
testBoth(
  "Task awaiting itself raises RuntimeError 'Task cannot await on itself'",
  async ({ fn }) => {
    const selfAwait = fn(function* () {
      yield* sleep(0);
      const me = currentTask()!;
      try {
        yield* me;
      } catch (e) {
        return [me, e];
      }
      return [me, null];
    });
    await runVirtual(async () => {
      const [me, e] = await createTask(selfAwait()) as [Task, unknown];
      assert.ok(e instanceof RuntimeError);
      assert.equal(e.name, "RuntimeError");
      // Printed while the task was still pending.
      assert.ok(
        (e as Error).message.startsWith(
          `Task cannot await on itself: <Task pending name='${me.getName()}'`,
        ),
      );
    });
  },
);

// A task that starts coroutines without making them tasks and awaits their
// promises: their waits are attributed to the task, which itself waits on a
// plain promise, so each of their steps ends through the loop's fallback.
// async def main():
//     async def c(i): await asyncio.sleep(0.01); return i
//     coros = [c(i) for i in range(50)]
//     return sum([await x for x in coros])
// -> 1225
Deno.test("Task awaiting plain coroutine promises it started completes (step-end fallback)", async () => {
  const total = await runVirtual<number>(async () => {
    const coros: Promise<number>[] = [];
    for (let i = 0; i < 50; i++) {
      coros.push((async () => {
        await sleep(0.01);
        return i;
      })());
    }
    let sum = 0;
    for (const c of coros) sum += await c;
    return sum;
  });
  assert.equal(total, 1225);
});

// CPython checks the coroutine before it takes a number from the counter:
// a rejected create_task(1) leaves no gap in the Task-N names.
Deno.test("createTask() with a bad argument takes no Task-N number", async () => {
  const names = await runVirtual<number[]>(async () => {
    const first = createTask(sleep(0)).getName();
    assert.throws(() => createTask(42 as never), TypeError);
    const second = createTask(sleep(0)).getName();
    await sleep(0);
    return [first, second].map((name) => Number(name.slice("Task-".length)));
  });
  assert.equal(names[1], names[0] + 1);
});
