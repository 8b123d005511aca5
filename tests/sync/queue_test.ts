/**
 * Queue tests. The CPython references ran on 3.11 with 3.13's shutdown-aware
 * `Queue.__init__`, `put`, `put_nowait`, `get`, `get_nowait`, `shutdown` and
 * `_format` (Lib/asyncio/queues.py) patched in, since 3.11 has no
 * `shutdown`.
 */
import assert from "node:assert/strict";
import {
  CancelledError,
  coroutine,
  createTask,
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  sleep,
  ValueError,
} from "../../mod.ts";
import {
  assertRejectsError,
  assertThrowsError,
  now,
  runVirtual,
  testBoth,
} from "./_both.ts";

// for cls in (asyncio.Queue, asyncio.LifoQueue, asyncio.PriorityQueue):
//     q = cls()
//     for x in (3, 1, 4, 1, 5): q.put_nowait(x)
//     print(str(q), [q.get_nowait() for _ in range(5)])
// # <Queue maxsize=0 _queue=[3, 1, 4, 1, 5] tasks=5> [3, 1, 4, 1, 5]
// # <LifoQueue maxsize=0 _queue=[3, 1, 4, 1, 5] tasks=5> [5, 1, 4, 1, 3]
// # <PriorityQueue maxsize=0 _queue=[1, 1, 4, 3, 5] tasks=5> [1, 1, 3, 4, 5]
// q = asyncio.PriorityQueue()
// for x in [(2, "b"), (1, "z"), (1, "a"), (3, "c")]: q.put_nowait(x)
// print([q.get_nowait() for _ in range(4)])
// # [(1, 'a'), (1, 'z'), (2, 'b'), (3, 'c')]
Deno.test("Queue, LifoQueue and PriorityQueue each get in their order", () => {
  const results: Record<string, [string, number[]]> = {};
  for (const cls of [Queue, LifoQueue, PriorityQueue]) {
    const q = new cls<number>();
    for (const x of [3, 1, 4, 1, 5]) q.putNowait(x);
    const shown = String(q);
    results[cls.name] = [shown, [1, 2, 3, 4, 5].map(() => q.getNowait())];
  }
  assert.deepEqual(results, {
    Queue: ["<Queue maxsize=0 _queue=[3, 1, 4, 1, 5] tasks=5>", [
      3,
      1,
      4,
      1,
      5,
    ]],
    LifoQueue: [
      "<LifoQueue maxsize=0 _queue=[3, 1, 4, 1, 5] tasks=5>",
      [5, 1, 4, 1, 3],
    ],
    PriorityQueue: [
      "<PriorityQueue maxsize=0 _queue=[1, 1, 4, 3, 5] tasks=5>",
      [1, 1, 3, 4, 5],
    ],
  });
  const pq = new PriorityQueue<[number, string]>();
  for (const x of [[2, "b"], [1, "z"], [1, "a"], [3, "c"]] as const) {
    pq.putNowait([...x]);
  }
  assert.deepEqual([1, 2, 3, 4].map(() => pq.getNowait()), [
    [1, "a"],
    [1, "z"],
    [2, "b"],
    [3, "c"],
  ]);
});

// q = asyncio.PriorityQueue(); q.put_nowait({}); q.put_nowait({})
// # TypeError("'<' not supported between instances of 'dict' and 'dict'")
Deno.test("PriorityQueue orders by options.compare, and raises TypeError on unorderable items", () => {
  const pq = new PriorityQueue<{ p: number }>(0, {
    compare: (a, b) => a.p - b.p,
  });
  for (const p of [5, 2, 8, 1]) pq.putNowait({ p });
  assert.deepEqual([1, 2, 3, 4].map(() => pq.getNowait().p), [1, 2, 5, 8]);
  const bad = new PriorityQueue();
  bad.putNowait({});
  assertThrowsError(
    () => bad.putNowait({}),
    TypeError,
    "'<' not supported between instances of 'Object' and 'Object'",
  );
  assertThrowsError(
    () => new PriorityQueue(0, { compare: 1 as never }),
    TypeError,
    "PriorityQueue: options.compare must be a function, got number 1",
  );
});

// q = asyncio.Queue(2)
// async def producer():
//     for i in range(5): await q.put(i); log.append(f"put {i}")
// async def consumer():
//     while True:
//         x = await q.get(); log.append(f"got {x}")
//         await asyncio.sleep(0.1); q.task_done()
// c = asyncio.create_task(consumer()); await producer(); log.append(str(q))
// await q.join(); log.append("joined"); c.cancel()
// # ['put 0', 'put 1', 'got 0', 'put 2', 'got 1', 'put 3', 'got 2', 'put 4',
// #  '<Queue maxsize=2 _queue=[3, 4] tasks=3>', 'got 3', 'got 4', 'joined']
testBoth(
  "Queue producer/consumer with join() and taskDone() runs in CPython's order",
  async ({ fn }) => {
    const q = new Queue<number>(2);
    const log: string[] = [];
    const producer = fn(function* () {
      for (let i = 0; i < 5; i++) {
        yield q.put(i);
        log.push(`put ${i}`);
      }
    });
    const consumer = fn(function* () {
      for (;;) {
        const x = yield q.get();
        log.push(`got ${x}`);
        yield sleep(0.1);
        q.taskDone();
      }
    });
    const main = fn(function* () {
      const c = createTask(consumer());
      yield producer();
      log.push(String(q));
      yield q.join();
      log.push("joined");
      c.cancel();
      assert.equal(now(), 0.5);
    });
    await runVirtual(main);
    assert.deepEqual(log, [
      "put 0",
      "put 1",
      "got 0",
      "put 2",
      "got 1",
      "put 3",
      "got 2",
      "put 4",
      "<Queue maxsize=2 _queue=[3, 4] tasks=3>",
      "got 3",
      "got 4",
      "joined",
    ]);
  },
);

// for i in range(6): q.put_nowait(i)
// async def worker(n):
//     while True:
//         x = await q.get(); log.append(f"{n}:{x}")
//         await asyncio.sleep(0.1 * (x % 3 + 1)); q.task_done()
// ws = [asyncio.create_task(worker(n)) for n in range(3)]
// await q.join(); for w in ws: w.cancel()
// # ['0:0', '1:1', '2:2', '0:3', '1:4', '0:5']
testBoth("Queue feeds a pool of workers until join()", async ({ fn }) => {
  const q = new Queue<number>();
  const log: string[] = [];
  const worker = fn(function* (n: number) {
    for (;;) {
      const x: number = yield q.get();
      log.push(`${n}:${x}`);
      yield sleep(0.1 * (x % 3 + 1));
      q.taskDone();
    }
  });
  await runVirtual(async () => {
    for (let i = 0; i < 6; i++) q.putNowait(i);
    const ws = [0, 1, 2].map((n) => createTask(worker(n)));
    await q.join();
    for (const w of ws) w.cancel();
    for (const w of ws) await assertRejectsError(w, CancelledError, "");
  });
  assert.deepEqual(log, ["0:0", "1:1", "2:2", "0:3", "1:4", "0:5"]);
});

// async def g(n):
//     try: x = await q.get(); log.append(f"{n} got {x}")
//     except asyncio.CancelledError: log.append(f"{n} cancelled"); raise
// ts = [asyncio.create_task(g(n)) for n in "abcd"]; await asyncio.sleep(0)
// ts[1].cancel(); await asyncio.sleep(0)
// q.put_nowait(1); q.put_nowait(2)    # wake a, then c
// ts[0].cancel()                      # a woken but cancelled: passes it on
// await asyncio.gather(*ts[:3], return_exceptions=True); print(log, str(q))
// # ['b cancelled', 'a cancelled', 'c got 1', 'd got 2'] <Queue maxsize=0 tasks=2>
testBoth(
  "Queue.get() cancelled in the middle or after its wake-up loses no item",
  async ({ fn }) => {
    const q = new Queue<number>();
    const log: string[] = [];
    const g = fn(function* (n: string) {
      try {
        const x = yield q.get();
        log.push(`${n} got ${x}`);
      } catch (e) {
        log.push(`${n} cancelled`);
        throw e;
      }
    });
    await runVirtual(async () => {
      const ts = ["a", "b", "c", "d"].map((n) => createTask(g(n)));
      await sleep(0);
      ts[1].cancel();
      await sleep(0);
      assert.equal(String(q), "<Queue maxsize=0 _getters[3]>");
      q.putNowait(1);
      q.putNowait(2);
      ts[0].cancel();
      for (const t of ts.slice(0, 2)) {
        await assertRejectsError(t, CancelledError, "");
      }
      await ts[2];
      await ts[3];
      assert.equal(String(q), "<Queue maxsize=0 tasks=2>");
    });
    assert.deepEqual(log, ["b cancelled", "a cancelled", "c got 1", "d got 2"]);
  },
);

// q = asyncio.Queue(1); q.put_nowait("x")
// async def p(n):
//     try: await q.put(n); log.append(f"{n} put")
//     except asyncio.CancelledError: log.append(f"{n} cancelled"); raise
// ts = [asyncio.create_task(p(n)) for n in "abc"]; await asyncio.sleep(0)
// log.append(q.get_nowait())   # wakes a
// ts[0].cancel()               # a cancelled after its wake-up
// await asyncio.gather(*ts[:2], return_exceptions=True); log.append(str(q))
// log.append(q.get_nowait()); await ts[2]
// # ['x', 'a cancelled', 'b put',
// #  "<Queue maxsize=1 _queue=['b'] _putters[1] tasks=2>", 'b', 'c put']
// # <Queue maxsize=1 _queue=['c'] tasks=3>
testBoth(
  "Queue.put() cancelled after its wake-up passes the free slot to the next putter",
  async ({ fn }) => {
    const q = new Queue<string>(1);
    const log: string[] = [];
    const p = fn(function* (n: string) {
      try {
        yield q.put(n);
        log.push(`${n} put`);
      } catch (e) {
        log.push(`${n} cancelled`);
        throw e;
      }
    });
    await runVirtual(async () => {
      q.putNowait("x");
      const ts = ["a", "b", "c"].map((n) => createTask(p(n)));
      await sleep(0);
      log.push(q.getNowait());
      ts[0].cancel();
      await assertRejectsError(ts[0], CancelledError, "");
      await ts[1];
      log.push(String(q));
      log.push(q.getNowait());
      await ts[2];
      assert.equal(String(q), "<Queue maxsize=1 _queue=['c'] tasks=3>");
    });
    assert.deepEqual(log, [
      "x",
      "a cancelled",
      "b put",
      "<Queue maxsize=1 _queue=['b'] _putters[1] tasks=2>",
      "b",
      "c put",
    ]);
  },
);

// q = asyncio.Queue(1)
// gs = [asyncio.create_task(g(n)) for n in "ab"]; await asyncio.sleep(0)
// q.put_nowait("x")
// ps = [asyncio.create_task(p(n)) for n in ("P1", "P2", "P3")]
// await asyncio.sleep(0); log.append(str(q))
// q.shutdown(); log.append(str(q)); await asyncio.gather(*gs, *ps)
// q.put_nowait(1)  # QueueShutDown
// # ['a got x', 'P1 put', "<Queue maxsize=1 _queue=['P1'] _putters[2] tasks=2>",
// #  "<Queue maxsize=1 _queue=['P1'] tasks=2 shutdown>", 'b got P1',
// #  'P2 shutdown', 'P3 shutdown', 'put_nowait shutdown']
testBoth(
  "Queue.shutdown() wakes blocked producers with QueueShutDown and lets consumers drain",
  async ({ fn }) => {
    const q = new Queue<string>(1);
    const log: string[] = [];
    const g = fn(function* (n: string) {
      try {
        log.push(`${n} got ${yield q.get()}`);
      } catch (e) {
        if (!(e instanceof QueueShutDown)) throw e;
        log.push(`${n} shutdown`);
      }
    });
    const p = fn(function* (n: string) {
      try {
        yield q.put(n);
        log.push(`${n} put`);
      } catch (e) {
        if (!(e instanceof QueueShutDown)) throw e;
        log.push(`${n} shutdown`);
      }
    });
    await runVirtual(async () => {
      const gs = ["a", "b"].map((n) => createTask(g(n)));
      await sleep(0);
      q.putNowait("x");
      const ps = ["P1", "P2", "P3"].map((n) => createTask(p(n)));
      await sleep(0);
      log.push(String(q));
      q.shutdown();
      log.push(String(q));
      for (const t of [...gs, ...ps]) await t;
      try {
        q.putNowait("1");
      } catch (e) {
        assert.ok(e instanceof QueueShutDown);
        log.push("put_nowait shutdown");
      }
    });
    assert.deepEqual(log, [
      "a got x",
      "P1 put",
      "<Queue maxsize=1 _queue=['P1'] _putters[2] tasks=2>",
      "<Queue maxsize=1 _queue=['P1'] tasks=2 shutdown>",
      "b got P1",
      "P2 shutdown",
      "P3 shutdown",
      "put_nowait shutdown",
    ]);
  },
);

// for i in range(3): q.put_nowait(i)
// q.get_nowait(); q.task_done()
// t = asyncio.create_task(j())      # await q.join(); log "joined"
// await asyncio.sleep(0); log.append(str(q))
// q.shutdown(immediate=True); log.append(str(q)); await t
// await q.get()    # QueueShutDown
// q.task_done()    # ValueError('task_done() called too many times')
// # ['<Queue maxsize=0 _queue=[1, 2] tasks=2>', '<Queue maxsize=0 shutdown>',
// #  'joined', 'get shutdown', "ValueError('task_done() called too many times')"]
testBoth(
  "Queue.shutdown(true) drops the items, releases join() and makes get() raise",
  async ({ fn }) => {
    const q = new Queue<number>();
    const log: string[] = [];
    const j = fn(function* () {
      yield q.join();
      log.push("joined");
    });
    const main = fn(function* () {
      for (let i = 0; i < 3; i++) q.putNowait(i);
      q.getNowait();
      q.taskDone();
      const t = createTask(j());
      yield;
      log.push(String(q));
      q.shutdown(true);
      log.push(String(q));
      yield t;
      try {
        yield q.get();
      } catch (e) {
        assert.ok(e instanceof QueueShutDown);
        log.push("get shutdown");
      }
      assertThrowsError(
        () => q.taskDone(),
        ValueError,
        "task_done() called too many times",
      );
    });
    await runVirtual(main);
    assert.deepEqual(log, [
      "<Queue maxsize=0 _queue=[1, 2] tasks=2>",
      "<Queue maxsize=0 shutdown>",
      "joined",
      "get shutdown",
    ]);
  },
);

// q.put_nowait(1); q.shutdown(); print(await q.get())  # 1
// await q.get()                                         # QueueShutDown
testBoth(
  "Queue.get() after shutdown() returns the queued items, then raises QueueShutDown",
  async ({ fn }) => {
    const q = new Queue<number>();
    const main = fn(function* () {
      q.putNowait(1);
      q.shutdown();
      assert.equal(yield q.get(), 1);
      try {
        yield q.get();
        assert.fail("not reached");
      } catch (e) {
        assert.ok(e instanceof QueueShutDown);
      }
      try {
        yield q.put(2);
        assert.fail("not reached");
      } catch (e) {
        assert.ok(e instanceof QueueShutDown);
      }
    });
    await runVirtual(main);
  },
);

Deno.test("Queue supports for await until shut down and empty", async () => {
  const q = new Queue<number>(1);
  const seen: number[] = [];
  await runVirtual(async () => {
    const consumer = createTask((async () => {
      for await (const item of q) seen.push(item);
      return "done";
    })());
    for (let i = 0; i < 3; i++) await q.put(i);
    q.shutdown();
    assert.equal(await consumer, "done");
  });
  assert.deepEqual(seen, [0, 1, 2]);
});

Deno.test("Queue for await is cancelled with its task", async () => {
  const q = new Queue<number>();
  await runVirtual(async () => {
    const consumer = createTask((async () => {
      for await (const _ of q) assert.fail("no item");
    })());
    await sleep(1);
    assert.equal(String(q), "<Queue maxsize=0 _getters[1]>");
    consumer.cancel();
    await assertRejectsError(consumer, CancelledError, "");
    assert.equal(String(q), "<Queue maxsize=0>");
  });
});

// q = asyncio.Queue(1); q.put_nowait(1); q.put_nowait(2)   # QueueFull()
// q.get_nowait(); q.get_nowait()                           # QueueEmpty()
// q.task_done(); q.task_done()  # ValueError('task_done() called too many times')
// print(str(asyncio.Queue()), str(q), q.maxsize, q.qsize(), q.empty(),
//       q.full(), asyncio.Queue(0).full())
// # <Queue maxsize=0> <Queue maxsize=1> 1 0 True False False
Deno.test("Queue nowait methods raise QueueFull, QueueEmpty and ValueError", () => {
  const q = new Queue<number>(1);
  q.putNowait(1);
  assert.equal(q.full(), true);
  assertThrowsError(() => q.putNowait(2), QueueFull, "");
  q.getNowait();
  assertThrowsError(() => q.getNowait(), QueueEmpty, "");
  q.taskDone();
  assertThrowsError(
    () => q.taskDone(),
    ValueError,
    "task_done() called too many times",
  );
  assert.equal(String(new Queue()), "<Queue maxsize=0>");
  assert.deepEqual(
    [Deno.inspect(q), q.maxsize, q.qsize(), q.empty(), q.full()],
    ["<Queue maxsize=1>", 1, 0, true, false],
  );
  assert.equal(new Queue(0).full(), false);
  const negative = new Queue(-1);
  for (let i = 0; i < 10; i++) negative.putNowait(i);
  assert.equal(negative.full(), false);
});

Deno.test("Queue() rejects a maxsize that is not an integer", () => {
  assertThrowsError(
    () => new Queue("2" as never),
    TypeError,
    'Queue: maxsize must be an integer, got string "2"',
  );
  assertThrowsError(
    () => new LifoQueue(1.5),
    TypeError,
    "LifoQueue: maxsize must be an integer, got number 1.5",
  );
  assertThrowsError(
    () => new PriorityQueue(null as never),
    TypeError,
    "PriorityQueue: maxsize must be an integer, got null",
  );
});

Deno.test("Queue.get() of a non-empty queue does not yield to the loop", async () => {
  const q = new Queue<number>();
  const log: string[] = [];
  // deno-lint-ignore require-yield
  const other = coroutine(function* () {
    log.push("other");
  });
  await runVirtual(async () => {
    createTask(other());
    q.putNowait(1);
    await q.put(2);
    log.push(`got ${await q.get()}`);
    log.push(`got ${await q.get()}`);
    await sleep(0);
    log.push("after sleep");
  });
  assert.deepEqual(log, ["got 1", "got 2", "other", "after sleep"]);
});
