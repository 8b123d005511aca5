import assert from "node:assert/strict";
import {
  CancelledError,
  Coroutine,
  coroutine,
  createTask,
  currentTask,
  type Future,
  getRunningLoop,
  isCoroutine,
  isCoroutineFunction,
  RuntimeError,
  sleep,
  ValueError,
} from "../../mod.ts";
import {
  assertError,
  assertRejectsError,
  assertThrowsError,
  now,
  runVirtual,
} from "./_both.ts";

Deno.test("coroutine() with anything but a generator function throws TypeError", () => {
  assertThrowsError(
    // deno-lint-ignore no-explicit-any
    () => coroutine((() => 1) as any),
    TypeError,
    "coroutine: expected a generator function (function*), got a function",
  );
  assertThrowsError(
    // deno-lint-ignore no-explicit-any require-await
    () => coroutine((async () => 1) as any),
    TypeError,
    "coroutine: expected a generator function (function*), got an async function",
  );
  assertThrowsError(
    // deno-lint-ignore no-explicit-any
    () => coroutine(42 as any),
    TypeError,
    "coroutine: expected a generator function, got number 42",
  );
});

// @types.coroutine
// def g(): yield
// def plain(): pass
// def pg(): yield
// async def a(): pass
// print(asyncio.iscoroutine(g()), asyncio.iscoroutine(a()), asyncio.iscoroutine(1),
//       asyncio.iscoroutine(plain))
// print(asyncio.iscoroutinefunction(a), asyncio.iscoroutinefunction(plain),
//       asyncio.iscoroutinefunction(pg), asyncio.iscoroutinefunction(1))
// -> True True False False
// -> True False False False
// (`coroutine()` is `@asyncio.coroutine`, which marked its function so that
// iscoroutinefunction() returned True up to Python 3.10)
Deno.test("isCoroutine() and isCoroutineFunction() truth table", () => {
  const g = coroutine(function* g() {
    yield;
  });
  function* pg() {
    yield;
  }
  const a = async () => {};
  async function named() {}
  const plain = () => {};
  const promise = a();
  const genObj = g();
  assert.ok(genObj instanceof Coroutine);
  assert.deepEqual(
    [genObj, promise, 1, plain, pg(), null, {}].map(isCoroutine),
    [true, true, false, false, false, false, false],
  );
  assert.deepEqual(
    [g, a, named, plain, pg, 1, null, genObj].map(isCoroutineFunction),
    [true, true, true, false, false, false, false, false],
  );
  assert.equal(g.name, "g");
  return promise;
});

// @types.coroutine
// def sub(x):
//     yield from asyncio.sleep(1)
//     return x * 2
// @types.coroutine
// def top(fut):
//     a = yield from fut
//     b = yield from asyncio.sleep(1, "s")
//     c = yield from sub(5)
//     return (a, b, c)
// fut = loop.create_future(); loop.call_later(1, fut.set_result, "f")
// print(await asyncio.create_task(top(fut)), loop.time() - t0)
// -> ('f', 's', 10) 3.0
Deno.test("coroutine(): yield* delegates to a Future, to sleep() and to another generator coroutine", async () => {
  const sub = coroutine(function* (x: number) {
    yield* sleep(1);
    return x * 2;
  });
  const top = coroutine(
    function* (fut: Future<string>) {
      const a: string = yield* fut;
      const b: string = yield* sleep(1, "s");
      const c: number = yield* sub(5);
      return [a, b, c];
    },
  );
  const out = await runVirtual(async () => {
    const loop = getRunningLoop();
    const fut = loop.createFuture<string>();
    loop.callLater(1, (v: string) => fut.setResult(v), "f");
    return [await createTask(top(fut)), now()];
  });
  assert.deepEqual(out, [["f", "s", 10], 3]);
});

// No CPython counterpart: `yield promise` waits for a Promise (DESIGN §3).
Deno.test("coroutine(): yield of a Promise waits for it and resumes with its value", async () => {
  const log: string[] = [];
  const w = coroutine(function* () {
    const v = yield new Promise((r) => setTimeout(() => r("resolved"), 5));
    log.push(`got ${v}`);
    try {
      yield Promise.reject(new ValueError("rejected"));
    } catch (e) {
      assertError(e, ValueError, "rejected");
      log.push("caught rejected");
    }
    return v;
  });
  const v = await runVirtual(async () => await createTask(w()));
  assert.equal(v, "resolved");
  assert.deepEqual(log, ["got resolved", "caught rejected"]);
});

// Port semantics (DESIGN §3): a bare `yield otherCoro()` delegates as
// `yield* otherCoro()` does, as `yield coro` did in @asyncio.coroutine.
Deno.test("coroutine(): yield of another coroutine object delegates and returns its value", async () => {
  const sub = coroutine(function* (x: number) {
    yield* sleep(2);
    return x + 1;
  });
  const top = coroutine(function* () {
    const v = yield sub(41);
    return [v, now()];
  });
  assert.deepEqual(
    await runVirtual(async () => await createTask(top())),
    [42, 2],
  );
});

// @types.coroutine
// def bare(name):
//     for i in range(2):
//         yield
//         log.append(f"{name}{i}")
// await asyncio.gather(bare("a"), bare("b"))
// -> ['a0', 'b0', 'a1', 'b1']
Deno.test("coroutine(): a bare yield yields to the loop once", async () => {
  const log: string[] = [];
  const bare = coroutine(function* (name: string) {
    for (let i = 0; i < 2; i++) {
      yield;
      log.push(`${name}${i}`);
    }
  });
  await runVirtual(async () => {
    const a = createTask(bare("a"));
    const b = createTask(bare("b"));
    await a;
    await b;
    assert.equal(now(), 0);
  });
  assert.deepEqual(log, ["a0", "b0", "a1", "b1"]);
});

// @types.coroutine
// def bad():
//     try:
//         yield 42
//     except RuntimeError as e:
//         log.append(f"caught {type(e).__name__}: {e}")
//     return "ok"
// print(await bad(), log)
// -> ok ['caught RuntimeError: Task got bad yield: 42']
Deno.test("coroutine(): yield 42 throws RuntimeError 'Task got bad yield: 42' into the generator", async () => {
  const caught: unknown[] = [];
  const bad = coroutine(function* () {
    try {
      yield 42;
    } catch (e) {
      caught.push(e);
    }
    return "ok";
  });
  const uncaught = coroutine(function* () {
    yield "x";
  });
  await runVirtual(async () => {
    assert.equal(await createTask(bad()), "ok");
    await assertRejectsError(
      createTask(uncaught()),
      RuntimeError,
      "Task got bad yield: 'x'",
    );
  });
  assert.equal(caught.length, 1);
  assertError(caught[0], RuntimeError, "Task got bad yield: 42");
});

// @types.coroutine
// def gen():
//     yield from asyncio.sleep(1)
//     return "gen"
// async def main(): print(await gen(), loop.time() - t0)
// -> gen 1.0
Deno.test("coroutine(): a generator coroutine is awaitable from an async function", async () => {
  const gen = coroutine(function* () {
    const t = currentTask();
    yield* sleep(1);
    return [t, "gen"];
  });
  await runVirtual(async () => {
    const [t, v] = await gen();
    assert.equal(t, currentTask());
    assert.equal(v, "gen");
    assert.equal(now(), 1);
  });
});

// async def af(x):
//     await asyncio.sleep(1)
//     return x * 3
// @types.coroutine
// def gen():
//     v = yield from af(2).__await__()
//     return v
// print(await asyncio.create_task(gen()), loop.time() - t0)
// -> 6 1.0
Deno.test("coroutine(): an async function is awaited from a generator with yield asyncFn()", async () => {
  async function af(x: number) {
    await sleep(1);
    return x * 3;
  }
  const gen = coroutine(function* () {
    const v = yield af(2);
    return [v, now()];
  });
  assert.deepEqual(
    await runVirtual(async () => await createTask(gen())),
    [6, 1],
  );
});

// async def sub(): return 5
// c = sub(); await c
// try: await c
// except RuntimeError as e: print(e)
// -> cannot reuse already awaited coroutine
Deno.test("coroutine(): reusing a coroutine object throws RuntimeError", async () => {
  const sub = coroutine(function* () {
    yield* sleep(0);
    return 5;
  });
  const reuse = coroutine(function* () {
    const c = sub();
    const first: number = yield* c;
    try {
      yield* c;
    } catch (e) {
      return [first, e];
    }
    return [first, null];
  });
  await runVirtual(async () => {
    const [first, e] = await createTask(reuse()) as [number, unknown];
    assert.equal(first, 5);
    assertError(e, RuntimeError, "cannot reuse already awaited coroutine");
    const c = sub();
    assert.equal(await c, 5);
    await assertRejectsError(
      c,
      RuntimeError,
      "cannot reuse already awaited coroutine",
    );
    const d = sub();
    assert.equal(await createTask(d), 5);
    assertThrowsError(
      () => createTask(d),
      RuntimeError,
      "cannot reuse already awaited coroutine",
    );
  });
});

// @types.coroutine
// def failing():
//     yield from asyncio.sleep(1)
//     raise ValueError("inner")
// @types.coroutine
// def catcher():
//     try:
//         yield from failing()
//     except ValueError as e:
//         return f"caught {e}"
// print(await asyncio.create_task(catcher()))
// -> caught inner
Deno.test("coroutine(): errors from a delegated coroutine or a failed task are catchable with try/catch", async () => {
  const failing = coroutine(function* () {
    yield* sleep(1);
    throw new ValueError("inner");
  });
  const catcher = coroutine(function* () {
    const out: string[] = [];
    try {
      yield* failing();
    } catch (e) {
      if (e instanceof ValueError) out.push(`caught ${e.message}`);
    }
    const t = createTask(failing());
    try {
      yield* t;
    } catch (e) {
      if (e instanceof ValueError) out.push(`caught task ${e.message}`);
    }
    return out;
  });
  assert.deepEqual(
    await runVirtual(async () => await createTask(catcher())),
    ["caught inner", "caught task inner"],
  );
});

// @types.coroutine
// def g2():
//     try: yield from asyncio.sleep(10)
//     finally: log.append("g2 finally")
// async def aw():
//     try: await g2()
//     except asyncio.CancelledError: log.append("aw cancelled"); raise
// t = asyncio.create_task(aw()); await asyncio.sleep(0); t.cancel()
// try: await t
// except asyncio.CancelledError: print(log, t.cancelled())
// -> ['g2 finally', 'aw cancelled'] True
Deno.test("coroutine(): cancelling an async task reaches the generator coroutine it awaits", async () => {
  const log: string[] = [];
  const g2 = coroutine(function* () {
    try {
      yield* sleep(10);
    } finally {
      log.push("g2 finally");
    }
  });
  async function aw() {
    try {
      await g2();
    } catch (e) {
      log.push(`aw ${(e as Error).name}`);
      throw e;
    }
  }
  await runVirtual(async () => {
    const t = createTask(aw());
    await sleep(0);
    t.cancel();
    await assertRejectsError(t, CancelledError, "");
    assert.equal(t.cancelled(), true);
    assert.equal(now(), 0);
  });
  assert.deepEqual(log, ["g2 finally", "aw CancelledError"]);
});

// A generator coroutine awaited from an async function that creates a task:
// the awaiting task stays the current task afterwards (the child is adopted
// from the generator's own context, not the awaiter's).
Deno.test("coroutine(): createTask inside a generator awaited from async code keeps the awaiter's task", async () => {
  const spawn = coroutine(function* () {
    const child = createTask((async () => {
      await sleep(0.01);
      return "child";
    })());
    yield* sleep(0.01);
    return child;
  });
  const seen = await runVirtual<[boolean, string, boolean]>(async () => {
    const me = currentTask();
    const child = await spawn();
    const sameAfter = currentTask() === me;
    const result = await child;
    await sleep(0.02);
    return [sameAfter, result, currentTask() === me];
  });
  assert.deepEqual(seen, [true, "child", true]);
});
