/**
 * "exception was never retrieved" is reported when the failed future is
 * garbage-collected, while its loop runs, as CPython reports it from
 * `__del__`; what is still alive is reported when the loop closes (#16).
 * Needs `--v8-flags=--expose-gc` (the test task passes it).
 */
import assert from "node:assert/strict";
import {
  createTask,
  type ExceptionContext,
  getRunningLoop,
  run,
  sleep,
  ValueError,
} from "../../mod.ts";

const gc = (globalThis as { gc?: () => void }).gc;

/** A macrotask later. */
function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Collect garbage, then let the finalizers run. First a macrotask: what a
 * job made a WeakRef to stays alive until the job is over.
 */
async function collect(): Promise<void> {
  assert.ok(gc, "run the tests with --v8-flags=--expose-gc");
  await macrotask();
  gc();
  await macrotask();
}

Deno.test("a failed future nobody retrieves is reported once it is collected, while the loop runs (#16)", async () => {
  const reports: ExceptionContext[] = [];
  let duringRun = 0;
  await run(async () => {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_loop, context) => {
      reports.push(context);
    });
    (() => {
      loop.createFuture().setException(new ValueError("lost"));
    })();
    await collect();
    duringRun = reports.length;
  });
  assert.equal(duringRun, 1);
  assert.equal(reports.length, 1);
  assert.equal(reports[0].message, "Future exception was never retrieved");
  assert.ok(reports[0].exception instanceof ValueError);
  assert.equal(
    reports[0].future,
    "<Future finished exception=ValueError('lost')>",
  );
});

Deno.test("failed tasks nobody awaits keep no memory, and each is reported once (#16)", async () => {
  const COUNT = 20_000;
  let reported = 0;
  let heapGrowth = 0;
  await run(async () => {
    getRunningLoop().setExceptionHandler((_loop, context) => {
      if (context.message === "Task exception was never retrieved") reported++;
    });
    await collect();
    const before = Deno.memoryUsage().heapUsed;
    for (let i = 0; i < COUNT; i++) {
      createTask((async () => {
        await sleep(0);
        throw new ValueError(`task ${i}`);
      })());
    }
    await sleep(0);
    await sleep(0);
    await collect(); // the tasks, and their reports are made
    await collect(); // the reports
    heapGrowth = Deno.memoryUsage().heapUsed - before;
  });
  assert.equal(reported, COUNT);
  // Held until close, they took ~600 B each; collected, a few KiB in all.
  assert.ok(heapGrowth < 4 * 1024 * 1024, `heap grew by ${heapGrowth} B`);
});

Deno.test("a failed future still alive when its loop closes is reported then, with itself in the context (#16)", async () => {
  const reports: ExceptionContext[] = [];
  let kept: unknown = null;
  await run(async () => {
    const loop = getRunningLoop();
    loop.setExceptionHandler((_loop, context) => {
      reports.push(context);
    });
    const fut = loop.createFuture();
    fut.setException(new ValueError("kept"));
    kept = fut;
    await collect();
    assert.equal(reports.length, 0);
  });
  assert.equal(reports.length, 1);
  assert.equal(reports[0].future, kept);
});

/** Make a task that fails unawaited, from a named function of this file. */
function spawnDoomed(): void {
  createTask(
    (async () => {
      await sleep(0);
      throw new ValueError("doomed");
    })(),
    { name: "doomed" },
  );
}

// CPython, asyncio.run(main(), debug=True), a task failing unawaited:
//   Task exception was never retrieved
//   future: <Task finished name='doomed' ... exception=ValueError('doomed')
//     created at t.py:7>
//   source_traceback: Object created at (most recent call last): ...
Deno.test("in debug mode, a never-retrieved report says where the task was created; not otherwise (#16)", async () => {
  for (const debug of [true, false]) {
    const reports: ExceptionContext[] = [];
    await run(async () => {
      getRunningLoop().setExceptionHandler((_loop, context) => {
        reports.push(context);
      });
      spawnDoomed();
      await sleep(0);
      await sleep(0);
      await collect();
    }, { debug });
    assert.equal(reports.length, 1);
    assert.equal(reports[0].message, "Task exception was never retrieved");
    const site = reports[0].sourceTraceback;
    if (!debug) {
      assert.equal(site, undefined);
      assert.ok(!("sourceTraceback" in reports[0]));
      continue;
    }
    assert.ok(typeof site === "string");
    const first = site.split("\n")[0];
    assert.match(first, /at spawnDoomed .*unretrieved_test\.ts:\d+:\d+/);
    for (const dir of ["loop", "tasks"]) {
      const internal = new URL(`../../${dir}/`, import.meta.url).href;
      assert.ok(!site.includes(internal), site);
    }
  }
});

Deno.test("the default handler prints the creation site after the context (#16)", async () => {
  const logged: string[] = [];
  const error = console.error;
  console.error = (...args: unknown[]) => logged.push(args.join(" "));
  try {
    await run(async () => {
      spawnDoomed();
      await sleep(0);
      await sleep(0);
      await collect();
    }, { debug: true });
  } finally {
    console.error = error;
  }
  const report = logged.find((text) =>
    text.startsWith("Task exception was never retrieved")
  );
  assert.ok(report !== undefined, logged.join("\n---\n"));
  const lines = report.split("\n");
  assert.match(lines[1], /^future: .*doomed/);
  assert.equal(lines[3], "Object created at (most recent call first):");
  assert.match(lines[4], /at spawnDoomed /);
  assert.ok(lines.some((line) => line.startsWith("ValueError: doomed")));
});
