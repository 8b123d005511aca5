import assert from "node:assert/strict";
import {
  coroutine,
  createEagerTaskFactory,
  createTask,
  eagerTaskFactory,
  getRunningLoop,
  sleep,
  Task,
  taskGroup,
} from "../../mod.ts";
import { assertThrowsError, now, runVirtual } from "./_both.ts";

// (Python 3.12; eager tasks do not exist in the 3.11 on the machine)
// loop.set_task_factory(asyncio.eager_task_factory)
// async def quick(): log.append("quick ran"); return 1
// async def slow(): log.append("slow start"); await asyncio.sleep(1); log.append("slow end"); return 2
// t1 = asyncio.create_task(quick()); log.append(f"created {t1.done()}")
// t2 = asyncio.create_task(slow()); log.append(f"created {t2.done()}")
// print(await t1, await t2, log)
// -> 1 2 ['quick ran', 'created True', 'slow start', 'created False', 'slow end']
Deno.test("eagerTaskFactory: a generator task runs at once, to completion if it never suspends", async () => {
  const log: string[] = [];
  // deno-lint-ignore require-yield
  const quick = coroutine(function* () {
    log.push("quick ran");
    return 1;
  });
  const slow = coroutine(function* () {
    log.push("slow start");
    yield* sleep(1);
    log.push("slow end");
    return 2;
  });
  await runVirtual(async () => {
    getRunningLoop().setTaskFactory(eagerTaskFactory);
    const t1 = createTask(quick());
    log.push(`created ${t1.done()}`);
    const t2 = createTask(slow());
    log.push(`created ${t2.done()}`);
    assert.deepEqual([await t1, await t2, now()], [1, 2, 1]);
  });
  assert.deepEqual(log, [
    "quick ran",
    "created true",
    "slow start",
    "created false",
    "slow end",
  ]);
});

// Without the factory, the same program logs
// ['created False', 'created False', 'quick ran', 'slow start', 'slow end']
Deno.test("eagerTaskFactory: without it the same generator tasks start at the next iteration", async () => {
  const log: string[] = [];
  // deno-lint-ignore require-yield
  const quick = coroutine(function* () {
    log.push("quick ran");
    return 1;
  });
  await runVirtual(async () => {
    const t1 = createTask(quick());
    log.push(`created ${t1.done()}`);
    await t1;
  });
  assert.deepEqual(log, ["created false", "quick ran"]);
});

// loop.set_task_factory(asyncio.eager_task_factory)
// async def child():
//     log.append("child start"); f = loop.create_future(); f.set_result(5)
//     a = await f; log.append("after f"); return a + 1
// t = asyncio.create_task(child()); log.append("created"); print(await t, log)
// -> 6 ['child start', 'after f', 'created']
// (JS: an async function has run to its first await when it is called; its
// awaits of done futures then go on in the microtasks after createTask, so
// "created" comes before "after f" here, eager or not.)
Deno.test("eagerTaskFactory: an async task runs through awaits of done futures and gives its result", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    const loop = getRunningLoop();
    loop.setTaskFactory(eagerTaskFactory);
    const child = async () => {
      log.push("child start");
      const f = loop.createFuture<number>();
      f.setResult(5);
      const a = await f;
      log.push("after f");
      return a + 1;
    };
    const t = createTask(child());
    log.push("created");
    assert.ok(t instanceof Task);
    assert.equal(await t, 6);
    assert.equal(now(), 0);
  });
  assert.deepEqual(log, ["child start", "created", "after f"]);
});

// class MyTask(asyncio.Task): pass
// loop.set_task_factory(asyncio.create_eager_task_factory(MyTask))
// t = asyncio.create_task(quick()); print(type(t).__name__, t.done())
// -> MyTask True   (and a task group takes a task done at creation)
Deno.test("createEagerTaskFactory() makes tasks of the given class; a task group takes them", async () => {
  class MyTask<T> extends Task<T> {}
  // deno-lint-ignore require-yield
  const quick = coroutine(function* () {
    return "q";
  });
  await runVirtual(async () => {
    getRunningLoop().setTaskFactory(createEagerTaskFactory(MyTask));
    const t = createTask(quick(), { name: "mine" });
    assert.ok(t instanceof MyTask);
    assert.deepEqual([t.done(), t.getName(), t.result()], [true, "mine", "q"]);
    const r = await taskGroup((tg) => {
      const done = tg.createTask(quick());
      assert.equal(done.done(), true);
      return done.result();
    });
    assert.equal(r, "q");
  });
});

Deno.test("createEagerTaskFactory() rejects a non-class with TypeError", () => {
  assertThrowsError(
    () => createEagerTaskFactory("Task" as never),
    TypeError,
    'createEagerTaskFactory: customTaskConstructor must be a Task class, got string "Task"',
  );
});
