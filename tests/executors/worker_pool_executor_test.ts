/**
 * WorkerPoolExecutor: jobs named by module URL and export name run on
 * Workers; results, errors (their class, message and stack), order,
 * the loop staying responsive, shutdown, and cancellation of queued and
 * running jobs. Every test ends with no Worker left (`--trace-leaks`).
 */
import assert from "node:assert/strict";
import {
  CancelledError,
  type Future,
  gather,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  ValueError,
  WorkerPoolExecutor,
} from "../../mod.ts";

const JOBS = new URL("./_jobs.ts", import.meta.url).href;

/** `body(executor)` inside `run()`, the executor shut down after it. */
function withPool<T>(
  maxWorkers: number,
  body: (executor: WorkerPoolExecutor) => Promise<T>,
): Promise<T> {
  const executor = new WorkerPoolExecutor({ maxWorkers });
  return run(async () => {
    try {
      return await body(executor);
    } finally {
      await executor.shutdown({ cancelFutures: true });
    }
  });
}

/** The error `fut` fails with. */
async function errorOf(fut: Future<unknown>): Promise<Error> {
  try {
    await fut;
  } catch (error) {
    return error as Error;
  }
  throw new Error("the job did not fail");
}

Deno.test("WorkerPoolExecutor: maxWorkers is checked (TypeError, ValueError) and defaults to the core count", () => {
  assert.throws(
    () => new WorkerPoolExecutor({ maxWorkers: 0 }),
    new ValueError(
      "WorkerPoolExecutor: options.maxWorkers must be greater than 0, got 0",
    ),
  );
  assert.throws(() => new WorkerPoolExecutor({ maxWorkers: -2 }), ValueError);
  assert.throws(
    () => new WorkerPoolExecutor({ maxWorkers: 1.5 }),
    new TypeError(
      "WorkerPoolExecutor: options.maxWorkers must be an integer, got number 1.5",
    ),
  );
  assert.throws(
    () => new WorkerPoolExecutor({ maxWorkers: "2" as never }),
    TypeError,
  );
  assert.throws(
    () => new WorkerPoolExecutor({ max_workers: 2 } as never),
    new TypeError('WorkerPoolExecutor: unknown option "max_workers"'),
  );
  assert.equal(
    new WorkerPoolExecutor().maxWorkers,
    navigator.hardwareConcurrency,
  );
  assert.equal(
    new WorkerPoolExecutor({ maxWorkers: null }).maxWorkers,
    navigator.hardwareConcurrency,
  );
  assert.equal(
    String(new WorkerPoolExecutor({ maxWorkers: 3 })),
    "<WorkerPoolExecutor max_workers=3 workers=0 queued=0>",
  );
});

Deno.test("WorkerPoolExecutor.submit(): results come back on a Future of the running loop; promises are awaited", async () => {
  const results = await withPool(2, async (executor) => {
    const fut = executor.submit<number>(JOBS, "add", 2, 3);
    assert.equal(fut.getLoop(), getRunningLoop());
    return [
      await fut,
      await executor.submit(new URL(JOBS), "fib", 20),
      await executor.submit(JOBS, "sleepMs", 10, { a: [1, "b"] }),
      await executor.submit(JOBS, "noop"),
    ];
  });
  assert.deepEqual(results, [5, 6765, { a: [1, "b"] }, null]);
});

Deno.test("WorkerPoolExecutor.submit(): bad arguments are a TypeError naming them", () => {
  const executor = new WorkerPoolExecutor({ maxWorkers: 1 });
  assert.throws(
    () => executor.submit("./_jobs.ts", "add"),
    new TypeError(
      'submit: moduleUrl must be an absolute URL (import.meta.resolve("./jobs.ts")), got string "./_jobs.ts"',
    ),
  );
  assert.throws(
    () => executor.submit(JOBS, 42 as never),
    new TypeError(
      "submit: exportName must be the name of an exported function, got number 42",
    ),
  );
  assert.equal(
    String(executor),
    "<WorkerPoolExecutor max_workers=1 workers=0 queued=0>",
  );
});

Deno.test("WorkerPoolExecutor: errors keep their class, message and stack", async () => {
  const errors = await withPool(2, async (executor) => {
    const one = (kind: string) =>
      errorOf(executor.submit(JOBS, "fails", kind, `a ${kind}`));
    return {
      value: await one("ValueError"),
      runtime: await one("RuntimeError"),
      range: await one("RangeError"),
      mine: await one("MyError"),
      thrown: await one("string"),
      later: await errorOf(executor.submit(JOBS, "failsLater", 5, "late")),
    };
  });
  assert.ok(errors.value instanceof ValueError);
  assert.equal(errors.value.message, "a ValueError");
  assert.match(
    errors.value.stack!,
    /^ValueError: a ValueError\n.*at fails .*_jobs\.ts/s,
  );
  assert.ok(errors.runtime instanceof RuntimeError);
  assert.ok(errors.range instanceof RangeError);
  assert.equal(errors.range.message, "a RangeError");
  assert.equal(errors.mine.constructor, Error);
  assert.equal(errors.mine.name, "MyError");
  assert.equal(errors.mine.message, "a MyError");
  assert.equal(errors.thrown.message, "a string");
  assert.ok(errors.later instanceof ValueError);
  assert.equal(errors.later.message, "late");
});

Deno.test("WorkerPoolExecutor: what cannot be called or cloned fails the job with a TypeError naming the export", async () => {
  const errors = await withPool(1, async (executor) => ({
    missing: await errorOf(executor.submit(JOBS, "noSuchExport")),
    notFunction: await errorOf(executor.submit(JOBS, "notAFunction")),
    result: await errorOf(executor.submit(JOBS, "returnsFunction")),
    args: await errorOf(executor.submit(JOBS, "add", () => 1, 2)),
    module: await errorOf(
      executor.submit(new URL("./_no_such_module.ts", JOBS), "add"),
    ),
    after: await executor.submit(JOBS, "add", 1, 1), // the Worker still works
  }));
  assert.ok(errors.missing instanceof TypeError);
  assert.equal(
    errors.missing.message,
    `${JOBS} exports no function named "noSuchExport"`,
  );
  assert.ok(errors.notFunction instanceof TypeError);
  assert.ok(errors.result instanceof TypeError);
  assert.match(
    errors.result.message,
    /^returnsFunction\(\) of .*_jobs\.ts returned a value that cannot be cloned to the parent: /,
  );
  assert.ok(errors.args instanceof TypeError);
  assert.match(
    errors.args.message,
    /^add\(\) of .*_jobs\.ts: its arguments cannot be cloned to a Worker: /,
  );
  assert.ok(errors.module instanceof Error);
  assert.match(errors.module.message, /_no_such_module\.ts/);
  assert.equal(errors.after, 2);
});

Deno.test("WorkerPoolExecutor: 16 jobs of unequal length give their results in submission order, on at most maxWorkers Workers", async () => {
  const [results, most] = await withPool(4, async (executor) => {
    const futures = Array.from(
      { length: 16 },
      (_, i) => executor.submit<number>(JOBS, "sleepMs", (16 - i) * 3, i),
    );
    const most = String(executor);
    return [await gather(...futures), most];
  });
  assert.deepEqual(results, Array.from({ length: 16 }, (_, i) => i));
  assert.equal(most, "<WorkerPoolExecutor max_workers=4 workers=4 queued=12>");
});

Deno.test("WorkerPoolExecutor: a CPU-bound job runs on a Worker while the loop keeps ticking on time", async () => {
  const { lateness, turns } = await withPool(1, async (executor) => {
    const job = executor.submit<number>(JOBS, "busyMs", 400);
    const lateness: number[] = [];
    const start = performance.now();
    for (let i = 1; !job.done(); i++) {
      const due = start + i * 20;
      await sleep(Math.max(0, due - performance.now()) / 1000);
      lateness.push(performance.now() - due);
    }
    return { lateness, turns: await job };
  });
  assert.ok(turns > 0);
  assert.ok(lateness.length >= 10, `only ${lateness.length} ticks`);
  const worst = Math.max(...lateness);
  assert.ok(worst < 50, `a tick was ${worst.toFixed(1)} ms late`);
});

Deno.test("WorkerPoolExecutor.shutdown(): submit then raises RuntimeError; the queued and running jobs still finish; wait waits for them", async () => {
  await run(async () => {
    const executor = new WorkerPoolExecutor({ maxWorkers: 1 });
    const first = executor.submit(JOBS, "sleepMs", 30, "first");
    const second = executor.submit(JOBS, "add", 1, 1);
    await executor.shutdown();
    assert.ok(first.done() && second.done());
    assert.equal(first.result(), "first");
    assert.equal(second.result(), 2);
    assert.match(String(executor), /workers=0 queued=0 shutdown>$/);
    assert.throws(
      () => executor.submit(JOBS, "add", 1, 2),
      new RuntimeError("cannot schedule new futures after shutdown"),
    );
    await executor.shutdown(); // again: nothing to do
  });
});

Deno.test("WorkerPoolExecutor.shutdown({ wait: false }): returns at once; the Worker ends after its job", async () => {
  await run(async () => {
    const executor = new WorkerPoolExecutor({ maxWorkers: 1 });
    const fut = executor.submit(JOBS, "sleepMs", 30, "done");
    await executor.shutdown({ wait: false });
    assert.equal(fut.done(), false);
    assert.equal(await fut, "done");
    assert.match(String(executor), /workers=0 queued=0 shutdown>$/);
  });
});

Deno.test("WorkerPoolExecutor.shutdown({ cancelFutures: true }): the queued jobs are cancelled and never run", async () => {
  await run(async () => {
    const executor = new WorkerPoolExecutor({ maxWorkers: 1 });
    const running = executor.submit(JOBS, "sleepMs", 30, "ran");
    const queued = [1, 2, 3].map(() => executor.submit(JOBS, "bump"));
    const waited = executor.shutdown({ cancelFutures: true });
    assert.ok(queued.every((f) => f.cancelled()));
    await waited;
    assert.equal(running.result(), "ran");
    assert.throws(
      () => executor.shutdown({ wait: "yes" as never }),
      new TypeError(
        'shutdown: options.wait must be a boolean, got string "yes"',
      ),
    );
  });
});

Deno.test("WorkerPoolExecutor: cancelling a queued job's Future removes it from the queue: it never runs", async () => {
  const [counted, cancelled, after] = await withPool(1, async (executor) => {
    const running = executor.submit(JOBS, "sleepMs", 50, "first");
    const queued = executor.submit(JOBS, "bump");
    assert.ok(queued.cancel());
    await sleep(0); // its done-callback unqueues it
    assert.match(String(executor), /workers=1 queued=0>$/);
    await running;
    return [
      await executor.submit(JOBS, "count"), // the same Worker: its count
      queued.cancelled(),
      await executor.submit(JOBS, "bump"),
    ];
  });
  assert.deepEqual([counted, cancelled, after], [0, true, 1]);
});

Deno.test("WorkerPoolExecutor: cancelling a running job terminates its Worker; a fresh one runs the next jobs", async () => {
  const [cancelled, counted, sum] = await withPool(1, async (executor) => {
    assert.equal(await executor.submit(JOBS, "bump"), 1);
    const stuck = executor.submit(JOBS, "forever");
    const next = executor.submit(JOBS, "count"); // queued behind it
    stuck.cancel();
    const error = await errorOf(stuck);
    return [
      error instanceof CancelledError,
      await next, // 0: a fresh Worker, not the one that counted 1
      await executor.submit(JOBS, "add", 2, 3),
    ];
  });
  assert.deepEqual([cancelled, counted, sum], [true, 0, 5]);
});

Deno.test("WorkerPoolExecutor: closing the loop terminates its Workers and drops its jobs; the pool still works in the next loop", async () => {
  const executor = new WorkerPoolExecutor({ maxWorkers: 2 });
  let stuck: Future<unknown> | null = null;
  await run(async () => {
    stuck = executor.submit(JOBS, "forever");
    executor.submit(JOBS, "forever");
    executor.submit(JOBS, "add", 1, 2); // queued
    await sleep(0.01);
  });
  assert.equal(stuck!.done(), false);
  assert.equal(
    String(executor),
    "<WorkerPoolExecutor max_workers=2 workers=0 queued=0>",
  );
  assert.equal(await run(() => executor.submit(JOBS, "add", 1, 2)), 3);
  // run() closed the loop: its idle Worker is gone too.
  assert.equal(
    String(executor),
    "<WorkerPoolExecutor max_workers=2 workers=0 queued=0>",
  );
  await executor.shutdown();
});

Deno.test("WorkerPoolExecutor: an uncaught error on a Worker fails its job with that error; a fresh Worker runs the next", async () => {
  const [error, counted, sum] = await withPool(1, async (executor) => {
    await executor.submit(JOBS, "bump");
    const error = await errorOf(executor.submit(JOBS, "crashes", "kaboom"));
    return [
      error,
      await executor.submit(JOBS, "count"), // 0: not the Worker that counted
      await executor.submit(JOBS, "add", 2, 2),
    ];
  });
  assert.equal((error as Error).constructor, Error);
  assert.equal((error as Error).message, "kaboom");
  assert.deepEqual([counted, sum], [0, 4]);
});
