/**
 * The lazy form of a task (`createTask(() => w())`), and the misuses of an
 * eager coroutine that CPython rejects or that cannot be attributed (#15):
 * a coroutine awaited twice, a coroutine handed to `createTask` after it
 * already waited, and a thenable whose `then()` throws.
 */
import assert from "node:assert/strict";
import {
  coroutine,
  createTask,
  currentTask,
  ensureFuture,
  EventLoop,
  gather,
  Lock,
  RuntimeError,
  sleep,
  taskGroup,
  VirtualClock,
  wait,
} from "../../mod.ts";
import { assertRejectsError, assertThrowsError, runVirtual } from "./_both.ts";

/** A coroutine function that logs its prefix and each step with its task. */
function worker(log: string[]) {
  return async (name: string) => {
    log.push(`${name} prefix ${currentTask()?.getName()}`);
    await sleep(0);
    log.push(`${name} ${currentTask()?.getName()}`);
    return name;
  };
}

Deno.test("createTask(() => w()) runs nothing before the task's first step, and the prefix is the task's (#15)", async () => {
  const log: string[] = [];
  const w = worker(log);
  await runVirtual(async () => {
    const t = createTask(() => w("a"), { name: "A" });
    log.push("created");
    assert.equal(await t, "a");
  });
  assert.deepEqual(log, ["created", "a prefix A", "a A"]);
});

Deno.test("gather(), wait() and taskGroup's createTask() take the lazy form too (#15)", async () => {
  const log: string[] = [];
  const w = worker(log);
  await runVirtual(async () => {
    const main = currentTask()!;
    assert.deepEqual(await gather(() => w("a"), () => w("b")), ["a", "b"]);
    const [done] = await wait([() => w("c")]);
    assert.equal(done.size, 1);
    await taskGroup((tg) => {
      tg.createTask(() => w("d"), { name: "D" });
    });
    assert.equal(log.some((line) => line.endsWith(main.getName())), false);
  });
  assert.deepEqual(log.map((line) => line.split(" ")[0]), [
    "a",
    "b",
    "a",
    "b",
    "c",
    "c",
    "d",
    "d",
  ]);
  assert.equal(log.at(-1), "d D");
});

// async def w(): return 1
// c = w(); await c; t = asyncio.create_task(c); await t
// -> RuntimeError: cannot reuse already awaited coroutine
Deno.test("createTask() of a coroutine already awaited fails the task with CPython's RuntimeError (#15)", async () => {
  await runVirtual(async () => {
    const w = async () => {
      await sleep(0);
      return 1;
    };
    const c = w();
    assert.equal(await c, 1);
    await assertRejectsError(
      createTask(c),
      RuntimeError,
      "cannot reuse already awaited coroutine",
    );
    const d = w();
    assert.equal(await createTask(d), 1);
    await assertRejectsError(
      createTask(d),
      RuntimeError,
      "cannot reuse already awaited coroutine",
    );
  });
});

Deno.test("createTask() of a coroutine that already waited in an earlier step raises RuntimeError naming the fix (#15)", async () => {
  const log: string[] = [];
  const w = worker(log);
  let main = "";
  await runVirtual(async () => {
    main = currentTask()!.getName();
    const late = w("late");
    await sleep(0);
    assertThrowsError(
      () => createTask(late),
      RuntimeError,
      "createTask: the coroutine already waited before it was given to " +
        "createTask (JavaScript runs an async function at once, up to its " +
        "first await); pass it on in the step that called it, or pass a " +
        "function: createTask(() => work())",
    );
    // The coroutine goes on as its creator's, as it began.
    assert.equal(await late, "late");
  });
  assert.deepEqual(log, [`late prefix ${main}`, `late ${main}`]);
});

Deno.test("createTask() of a coroutine made in an earlier step that has not waited yet adopts it (#15)", async () => {
  await runVirtual(async () => {
    const w = async () => {
      await Promise.resolve();
      await sleep(0);
      return currentTask()?.getName();
    };
    const c = w();
    await Promise.resolve();
    assert.equal(await createTask(c, { name: "late" }), "late");
  });
});

function brokenThenable(): PromiseLike<never> {
  return {
    then(): never {
      throw new RangeError("then() broke");
    },
  } as PromiseLike<never>;
}

Deno.test("a thenable whose then() throws fails the task that waits on it with that error (#15)", async () => {
  await runVirtual(async () => {
    await assertRejectsError(
      createTask(brokenThenable()),
      RangeError,
      "then() broke",
    );
    await assertRejectsError(
      gather(brokenThenable()),
      RangeError,
      "then() broke",
    );
    await assertRejectsError(
      ensureFuture(brokenThenable()),
      RangeError,
      "then() broke",
    );
    const g = coroutine(function* () {
      try {
        yield brokenThenable();
      } catch (e) {
        return `caught ${(e as Error).message}`;
      }
    });
    assert.equal(await createTask(g()), "caught then() broke");
  });
});

Deno.test("a task whose loop was closed while it awaited a plain promise ends silently when the promise settles (#15)", async () => {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const { promise, resolve } = Promise.withResolvers<void>();
  const task = loop.createTask((async () => {
    await promise;
    return 1;
  })());
  await loop.runUntilComplete(loop.createTask(() => sleep(0.01)));
  const reports: unknown[] = [];
  loop.setExceptionHandler((_, context) => reports.push(context.task));
  loop.close(); // reports it: "Task was destroyed but it is pending!"
  assert.deepEqual(reports, [task]);
  resolve();
  // Its end comes from a promise reaction: it must not throw there.
  await new Promise((done) => setTimeout(done, 0));
  assert.equal(task.done(), false);
});

Deno.test("a coroutine neither adopted nor awaited in the step that called it starts its first wait when that step suspends, as its creator's (#15)", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    const main = currentTask();
    const lock = new Lock();
    const background = (async () => {
      log.push("prefix");
      await lock.acquire();
      log.push(`acquired ${currentTask() === main}`);
      lock.release();
    })();
    log.push("main goes on");
    await sleep(0);
    log.push("main resumed");
    await background;
  });
  // Its wait is held until main suspends (a createTask() before that would
  // have made it its task's), then queued as main's, before main's own
  // wake-up: as plain JavaScript runs it, and as asyncio would a task.
  assert.deepEqual(log, [
    "prefix",
    "main goes on",
    "acquired true",
    "main resumed",
  ]);
});
