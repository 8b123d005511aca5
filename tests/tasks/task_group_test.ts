import assert from "node:assert/strict";
import {
  CancelledError,
  createTask,
  currentTask,
  ExceptionGroup,
  RuntimeError,
  sleep,
  type Task,
  TaskGroup,
  taskGroup,
  ValueError,
} from "../../mod.ts";
import {
  assertError,
  assertRejectsError,
  assertThrowsError,
  now,
  runVirtual,
  testBoth,
  worker,
} from "./_both.ts";

// async with asyncio.TaskGroup() as tg:
//     a = tg.create_task(w("a", 2)); b = tg.create_task(w("b", 1), name="bee")
//     log.append(f"body end {t()} {tg!r}")
// log.append(f"after {t()} {a.result()} {b.get_name()}")
// -> ['body end 0 <TaskGroup tasks=2 entered>', 'b done 1', 'a done 2', 'after 2 a bee']
testBoth(
  "taskGroup() waits for every task before it returns the body's result",
  async ({ fn, kind }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    const main = fn(function* () {
      let a: Task<string> | null = null, b: Task<string> | null = null;
      const body = (tg: TaskGroup) => {
        a = tg.createTask(w("a", 2));
        b = tg.createTask(w("b", 1), { name: "bee" });
        log.push(`body end ${now()} ${tg}`);
        return "r";
      };
      const r = kind === "generator"
        ? yield* taskGroup(function* (tg) {
          yield* sleep(0);
          return body(tg);
        })
        : yield taskGroup(async (tg) => {
          await sleep(0);
          return body(tg);
        });
      log.push(`after ${now()} ${a!.result()} ${b!.getName()} ${r}`);
    });
    await runVirtual(main);
    assert.deepEqual(log, [
      "body end 0 <TaskGroup tasks=2 entered>",
      "b done 1",
      "a done 2",
      "after 2 a bee r",
    ]);
  },
);

// try:
//     async with asyncio.TaskGroup() as tg:
//         tg.create_task(w("c", 1, True)); tg.create_task(w("d", 5)); tg.create_task(w("e", 1, True))
//         try: await asyncio.sleep(10)
//         except asyncio.CancelledError: log.append(f"body cancelled {t()}"); raise
// except ExceptionGroup as eg:
//     log.append(f"EG {eg.message!r} {[repr(e) for e in eg.exceptions]} {t()} {current_task().cancelling()}")
// -> ['d cancelled 1', 'body cancelled 1',
//     "EG 'unhandled errors in a TaskGroup' [\"ValueError('c')\", \"ValueError('e')\"] 1 0"]
testBoth(
  "taskGroup(): the first failure cancels the siblings and the body; ExceptionGroup holds every error",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    const main = fn(function* () {
      try {
        yield taskGroup(function* (tg) {
          tg.createTask(w("c", 1, true));
          tg.createTask(w("d", 5));
          tg.createTask(w("e", 1, true));
          try {
            yield* sleep(10);
          } catch (e) {
            if (e instanceof CancelledError) {
              log.push(`body cancelled ${now()}`);
            }
            throw e;
          }
        });
      } catch (e) {
        assert.ok(e instanceof ExceptionGroup);
        assert.ok(e instanceof AggregateError);
        assert.equal(e.message, "unhandled errors in a TaskGroup");
        assert.deepEqual(e.exceptions, e.errors);
        log.push(
          `EG ${e.exceptions.map((x) => (x as Error).message)} ${now()} ${
            currentTask()!.cancelling()
          } ${e}`,
        );
      }
    });
    await runVirtual(main);
    assert.deepEqual(log, [
      "d cancelled 1",
      "body cancelled 1",
      "EG c,e 1 0 ExceptionGroup: unhandled errors in a TaskGroup (2 sub-exceptions)",
    ]);
  },
);

// try:
//     async with asyncio.TaskGroup() as tg:
//         tg.create_task(w("f", 1)); await asyncio.sleep(0.5); raise KeyError("body")
// except ExceptionGroup as eg: log.append(f"EG body {[repr(e) for e in eg.exceptions]} {t()}")
// -> ['f cancelled 0.5', 'EG body ["KeyError(\'body\')"] 0.5']
testBoth(
  "taskGroup(): a body error cancels the tasks and is included in the ExceptionGroup",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    await runVirtual(async () => {
      try {
        await taskGroup(async (tg) => {
          tg.createTask(w("f", 1));
          await sleep(0.5);
          throw new RangeError("body");
        });
      } catch (e) {
        assert.ok(e instanceof ExceptionGroup);
        assert.equal(e.exceptions.length, 1);
        assertError(e.exceptions[0], RangeError, "body");
        log.push(`EG body ${now()}`);
      }
    });
    assert.deepEqual(log, ["f cancelled 0.5", "EG body 0.5"]);
  },
);

// async def outer_body():
//     async with asyncio.TaskGroup() as tg:
//         tg.create_task(w("i", 5)); await asyncio.sleep(10)
// tk = create_task(outer_body()); await asyncio.sleep(1); tk.cancel()
// try: await tk
// except asyncio.CancelledError: log.append(f"outer CancelledError {t()}")
// (and the same with a body that ends at once: the group is waiting on exit)
// -> ['i cancelled 1', 'outer CancelledError 1', 'j cancelled 2', 'outer2 CancelledError 2']
testBoth(
  "taskGroup(): an outside cancellation cancels the tasks and propagates as CancelledError",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    const outerBody = fn(function* () {
      yield taskGroup(function* (tg) {
        tg.createTask(w("i", 5));
        yield* sleep(10);
      });
    });
    const outerBody2 = fn(function* () {
      yield taskGroup((tg) => {
        tg.createTask(w("j", 5));
      });
    });
    await runVirtual(async () => {
      let tk = createTask(outerBody());
      await sleep(1);
      tk.cancel();
      await assertRejectsError(tk, CancelledError, "");
      log.push(`outer CancelledError ${now()}`);
      tk = createTask(outerBody2());
      await sleep(1);
      tk.cancel();
      await assertRejectsError(tk, CancelledError, "");
      log.push(`outer2 CancelledError ${now()}`);
    });
    assert.deepEqual(log, [
      "i cancelled 1",
      "outer CancelledError 1",
      "j cancelled 2",
      "outer2 CancelledError 2",
    ]);
  },
);

// try:
//     async with asyncio.TaskGroup() as tg1:
//         tg1.create_task(w("k", 3))
//         async with asyncio.TaskGroup() as tg2:
//             tg2.create_task(w("l", 1, True)); await asyncio.sleep(5)
// except ExceptionGroup as eg:
//     log.append(f"nested {[type(e).__name__ for e in eg.exceptions]} {[[repr(x) for x in e.exceptions] for e in eg.exceptions]} {t()}")
// -> ['k cancelled 1', 'nested [\'ExceptionGroup\'] [["ValueError(\'l\')"]] 1']
testBoth(
  "taskGroup(): nested groups compose; the outer group holds the inner ExceptionGroup",
  async ({ fn }) => {
    const log: string[] = [];
    const w = worker(fn, log);
    const main = fn(function* () {
      try {
        yield taskGroup(function* (tg1) {
          tg1.createTask(w("k", 3));
          yield* taskGroup(function* (tg2) {
            tg2.createTask(w("l", 1, true));
            yield* sleep(5);
          });
        });
      } catch (e) {
        assert.ok(e instanceof ExceptionGroup);
        const inner = e.exceptions[0];
        assert.ok(inner instanceof ExceptionGroup);
        assertError(inner.exceptions[0], ValueError, "l");
        log.push(`nested ${e.exceptions.length} ${now()}`);
      }
    });
    await runVirtual(main);
    assert.deepEqual(log, ["k cancelled 1", "nested 1 1"]);
  },
);

// async def foo():
//     try:
//         async with asyncio.TaskGroup() as g:
//             g.create_task(crash_soon()); await asyncio.sleep(10)
//     except Exception: pass
//     await asyncio.sleep(1); print("after", t(), current_task().cancelling())
// -> after 2 0
Deno.test("taskGroup(): after a handled failure the parent task is not left cancelled", async () => {
  await runVirtual(async () => {
    try {
      await taskGroup(async (g) => {
        g.createTask((async () => {
          await sleep(1);
          throw new ValueError("crash");
        })());
        await sleep(10);
      });
    } catch (e) {
      assert.ok(e instanceof ExceptionGroup);
    }
    await sleep(1);
    assert.deepEqual([now(), currentTask()!.cancelling()], [2, 0]);
  });
});

// tgx = asyncio.TaskGroup(); tgx.create_task(w("x",1))  -> TaskGroup <TaskGroup> has not been entered
// async with tgx: pass; tgx.create_task(...)            -> TaskGroup <TaskGroup entered> is finished
// async with tgx: pass                                  -> TaskGroup <TaskGroup entered> has already been entered
// (after a failed group) tg.create_task(...)            -> TaskGroup <TaskGroup cancelling> is finished
// (in the body, while it aborts) tg.create_task(...)    -> TaskGroup <TaskGroup errors=1 cancelling> is shutting down
Deno.test("TaskGroup.createTask() and run() raise CPython's RuntimeErrors out of place", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    const tgx = new TaskGroup();
    assertThrowsError(
      () => tgx.createTask(sleep(1)),
      RuntimeError,
      "TaskGroup <TaskGroup> has not been entered",
    );
    await tgx.run(() => {});
    assertThrowsError(
      () => tgx.createTask(sleep(1)),
      RuntimeError,
      "TaskGroup <TaskGroup entered> is finished",
    );
    await assertRejectsError(
      tgx.run(() => {}),
      RuntimeError,
      "TaskGroup <TaskGroup entered> has already been entered",
    );
    let tg: TaskGroup | null = null;
    try {
      await taskGroup(async (g) => {
        tg = g;
        g.createTask(
          sleep(1).then(() => {
            throw new ValueError("n");
          }),
        );
        try {
          await sleep(2);
        } catch (e) {
          assertThrowsError(
            () => g.createTask(sleep(1)),
            RuntimeError,
            "TaskGroup <TaskGroup errors=1 cancelling> is shutting down",
          );
          log.push("shutting down");
          throw e;
        }
      });
    } catch (e) {
      assert.ok(e instanceof ExceptionGroup);
    }
    assertThrowsError(
      () => tg!.createTask(sleep(1)),
      RuntimeError,
      "TaskGroup <TaskGroup cancelling> is finished",
    );
  });
  assert.deepEqual(log, ["shutting down"]);
});

Deno.test("taskGroup() and TaskGroup reject bad arguments with TypeError", async () => {
  assertThrowsError(
    () => taskGroup(undefined as never),
    TypeError,
    "taskGroup: body must be a function, got undefined",
  );
  assertThrowsError(
    () => new TaskGroup().run("x" as never),
    TypeError,
    'TaskGroup.run: body must be a function, got string "x"',
  );
  await runVirtual(async () => {
    await taskGroup((tg) => {
      assertThrowsError(
        () => tg.createTask(sleep(1), { nme: "x" } as never),
        TypeError,
        'TaskGroup.createTask: unknown option "nme"',
      );
      assertThrowsError(
        () => tg.createTask(5 as never),
        TypeError,
        "createTask: expected a coroutine or awaitable, got number 5",
      );
      tg.createTask(sleep(1));
    });
    assert.equal(now(), 1);
  });
});

// ExceptionGroup("m", [])  -> ValueError second argument (exceptions) must be a non-empty sequence
// ExceptionGroup(1, [e])   -> TypeError ... argument 1 must be str, not int
// ExceptionGroup("m", 1)   -> TypeError second argument (exceptions) must be a sequence
Deno.test("ExceptionGroup checks its arguments as Python does", () => {
  assertThrowsError(
    () => new ExceptionGroup("m", []),
    ValueError,
    "second argument (exceptions) must be a non-empty sequence",
  );
  assertThrowsError(
    () => new ExceptionGroup(1 as never, [new Error()]),
    TypeError,
    "ExceptionGroup: argument 1 must be str, not number",
  );
  assertThrowsError(
    () => new ExceptionGroup("m", 1 as never),
    TypeError,
    "second argument (exceptions) must be a sequence",
  );
  const e = new ExceptionGroup("m", new Set([new Error("a")]));
  assert.equal(e.name, "ExceptionGroup");
  assert.equal(String(e), "ExceptionGroup: m (1 sub-exception)");
  assert.ok(Object.isFrozen(e.exceptions));
});

/** Python's repr of a group, to compare with what CPython prints. */
function repr(exc: unknown): string {
  if (exc === null) return "None";
  if (exc instanceof ExceptionGroup) {
    return `ExceptionGroup('${exc.message}', [${
      exc.exceptions.map(repr).join(", ")
    }])`;
  }
  const e = exc as Error;
  return `${e.name}('${e.message}')`;
}

// eg = ExceptionGroup("outer", [TypeError("a"),
//     ExceptionGroup("inner", [ValueError("b"), TypeError("c")]), KeyError("d")])
// eg.split(TypeError) -> (ExceptionGroup('outer', [TypeError('a'),
//     ExceptionGroup('inner', [TypeError('c')])]),
//   ExceptionGroup('outer', [ExceptionGroup('inner', [ValueError('b')]), KeyError('d')]))
// eg.subgroup(lambda e: isinstance(e, ValueError))
//   -> ExceptionGroup('outer', [ExceptionGroup('inner', [ValueError('b')])])
// eg.subgroup(OSError) -> None; eg.subgroup(ExceptionGroup) is eg -> True
// eg.split((ValueError, KeyError)) -> the two halves above, swapped
// eg.split(Exception) -> (eg, None); eg.subgroup(lambda e: e is inner) keeps inner itself
Deno.test("ExceptionGroup.split()/subgroup() select as Python's, keeping the nesting", () => {
  class KeyError extends Error {
    override name = "KeyError";
  }
  const inner = new ExceptionGroup("inner", [
    new ValueError("b"),
    new TypeError("c"),
  ]);
  const cause = new Error("why");
  const eg = new ExceptionGroup("outer", [
    new TypeError("a"),
    inner,
    new KeyError("d"),
  ]);
  eg.cause = cause;
  const typeHalf =
    "ExceptionGroup('outer', [TypeError('a'), ExceptionGroup('inner', [TypeError('c')])])";
  const otherHalf =
    "ExceptionGroup('outer', [ExceptionGroup('inner', [ValueError('b')]), KeyError('d')])";

  const [match, rest] = eg.split(TypeError);
  assert.equal(repr(match), typeHalf);
  assert.equal(repr(rest), otherHalf);
  assert.equal(match!.cause, cause);
  assert.equal(match!.exceptions[0], eg.exceptions[0]); // the same objects
  assert.equal(
    repr(eg.subgroup((e) => e instanceof ValueError)),
    "ExceptionGroup('outer', [ExceptionGroup('inner', [ValueError('b')])])",
  );
  assert.equal(eg.subgroup(RangeError), null);
  assert.equal(eg.subgroup(ExceptionGroup), eg);
  const [m2, r2] = eg.split([ValueError, KeyError]);
  assert.equal(repr(m2), otherHalf);
  assert.equal(repr(r2), typeHalf);
  assert.deepEqual(eg.split(Error), [eg, null]);
  assert.equal(eg.subgroup((e) => e === inner)!.exceptions[0], inner);
  assertThrowsError(
    () => eg.split("TypeError" as never),
    TypeError,
    "ExceptionGroup.split: expected an exception class, an array of them or a predicate, got string",
  );
});
