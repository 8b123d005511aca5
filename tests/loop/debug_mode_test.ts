/**
 * Debug mode names the mistakes of a single-threaded program: each warning
 * is triggered on purpose here and matched by content (names, durations,
 * the creation site's file and line), and a clean program says nothing.
 */
import assert from "node:assert/strict";
import {
  coroutine,
  createTask,
  EventLoop,
  type ExceptionContext,
  getRunningLoop,
  Lock,
  logger,
  Queue,
  run,
  RuntimeError,
  sleep,
  type Task,
} from "../../mod.ts";

const FILE = "debug_mode_test.ts";

/** The line this is called from. */
function hereLine(): number {
  const frame = new Error().stack!.split("\n")[2];
  return Number(frame.match(/:(\d+):\d+\)?$/)![1]);
}

/** Hold the thread for `ms` milliseconds, as a blocking call would. */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* the loop is stalled */ }
}

/** Run `body` with `logger.warning` collecting into the array it gets. */
async function withWarnings(
  body: (warnings: string[]) => Promise<void>,
): Promise<void> {
  const warnings: string[] = [];
  const original = logger.warning;
  logger.warning = (message) => warnings.push(message);
  try {
    await body(warnings);
  } finally {
    logger.warning = original;
  }
}

const gc = (globalThis as { gc?: () => void }).gc;

/** Let the collector run and the finalizers it queues report. */
async function collect(): Promise<void> {
  assert.ok(gc, "run the tests with --v8-flags=--expose-gc");
  for (let i = 0; i < 3; i++) {
    await new Promise((done) => setTimeout(done, 0));
    gc();
  }
  await new Promise((done) => setTimeout(done, 0));
}

Deno.test("debug mode: a slow callback is logged with its name and how long it held the loop", async () => {
  await withWarnings(async (warnings) => {
    await run(() => {
      getRunningLoop().callSoon(function parseHugeFile() {
        block(150);
      });
      return sleep(0.01);
    }, { debug: true });
    assert.equal(warnings.length, 1, warnings.join("\n"));
    const match = warnings[0].match(
      /^Executing <Handle parseHugeFile\(\)> took (\d+\.\d{3}) seconds$/,
    );
    assert.ok(match, warnings[0]);
    const seconds = Number(match[1]);
    assert.ok(seconds >= 0.15 && seconds < 2, `${seconds} s`);
  });
});

Deno.test("debug mode: a slow task step names the task and its coroutine, and where the task was created", async () => {
  const crunch = coroutine(function* crunch() {
    block(120);
    yield* sleep(0);
  });
  let line = 0;
  await withWarnings(async (warnings) => {
    await run(async () => {
      const task = createTask(crunch(), { name: "cruncher" }), at = hereLine();
      line = at;
      await task;
    }, { debug: true });
    assert.equal(warnings.length, 1, warnings.join("\n"));
    const [first, header, site] = warnings[0].split("\n");
    const match = first.match(
      /^Executing <Task pending name='cruncher' coro=<crunch\(\)>> took (\d+\.\d{3}) seconds$/,
    );
    assert.ok(match, first);
    const seconds = Number(match[1]);
    assert.ok(seconds >= 0.12 && seconds < 2, `${seconds} s`);
    assert.equal(header, "Task created at (most recent call first):");
    assert.ok(site.includes(`${FILE}:${line}:`), site);
  });
});

Deno.test("without debug mode nothing is logged, however slow", async () => {
  await withWarnings(async (warnings) => {
    await run(() => {
      getRunningLoop().slowCallbackDuration = 0;
      getRunningLoop().callSoon(() => block(5));
      return sleep(0.01);
    });
    assert.deepEqual(warnings, []);
  });
});

Deno.test("debug mode: a generator coroutine made and never awaited is reported when collected, with where it was made", async () => {
  const fetchPage = coroutine(function* fetchPage() {
    yield* sleep(0);
  });
  let line = 0;
  await withWarnings(async (warnings) => {
    await run(async () => {
      fetchPage(), line = hereLine(); // the mistake: no await
      await fetchPage(); // awaited: not reported
      await createTask(fetchPage()); // started by a task: not reported
      await collect();
    }, { debug: true });
    assert.equal(warnings.length, 1, warnings.join("\n"));
    const [first, header, site] = warnings[0].split("\n");
    assert.equal(
      first,
      "RuntimeWarning: coroutine 'fetchPage' was never awaited",
    );
    assert.equal(header, "Coroutine created at (most recent call first):");
    assert.ok(site.includes(`${FILE}:${line}:`), site);
  });
});

Deno.test("without debug mode a coroutine never awaited is not watched", async () => {
  const fetchPage = coroutine(function* fetchPage() {
    yield* sleep(0);
  });
  await withWarnings(async (warnings) => {
    await run(async () => {
      fetchPage();
      await collect();
    });
    assert.deepEqual(warnings, []);
  });
});

Deno.test("debug mode: a task still pending when its loop closes is reported with where it was created", () => {
  const loop = new EventLoop();
  loop.setDebug(true);
  const reports: ExceptionContext[] = [];
  loop.setExceptionHandler((_, context) => reports.push(context));
  const task = loop.createTask(loop.createFuture()), line = hereLine();
  loop.close();
  assert.equal(reports.length, 1);
  assert.equal(reports[0].message, "Task was destroyed but it is pending!");
  assert.equal(reports[0].task, task as Task);
  const site = String(reports[0].sourceTraceback);
  assert.ok(site.includes(`${FILE}:${line}:`), site);
});

Deno.test("debug mode: a Lock released by a task other than the one that acquired it is logged; by its holder, not", async () => {
  await withWarnings(async (warnings) => {
    await run(async () => {
      const lock = new Lock();
      await lock.acquire();
      lock.release(); // its holder: fine
      await createTask(async () => {
        await lock.acquire();
      }, { name: "taker" });
      lock.release(); // main releases what "taker" acquired
    }, { debug: true });
    assert.equal(warnings.length, 1, warnings.join("\n"));
    assert.match(
      warnings[0],
      /^<Lock \[locked\]> released by <Task pending name='Task-\d+'[^>]*>, not by <Task finished name='taker'[^>]*>, which acquired it$/,
    );
  });
});

Deno.test("a Future of another loop awaited by a task fails it with asyncio's RuntimeError", async () => {
  const other = new EventLoop();
  const foreign = other.createFuture<number>();
  await assert.rejects(
    run(async () => await foreign),
    (error: Error) => {
      assert.ok(error instanceof RuntimeError);
      assert.match(
        error.message,
        /^Task <Task pending name='Task-\d+'[^>]*> got Future <Future pending> attached to a different loop$/,
      );
      return true;
    },
  );
  other.close();
});

Deno.test("debug mode: a clean program of tasks, locks, queues and sleeps says nothing", async () => {
  const reports: ExceptionContext[] = [];
  await withWarnings(async (warnings) => {
    await run(async () => {
      getRunningLoop().setExceptionHandler((_, c) => reports.push(c));
      const lock = new Lock();
      const worker = coroutine(function* worker(i: number) {
        yield* lock.acquire();
        try {
          yield* sleep(0.001 * i);
        } finally {
          lock.release();
        }
        return i;
      });
      const tasks = [1, 2, 3].map((i) => createTask(worker(i)));
      const queue = new Queue<number>(1);
      const consumer = createTask(async () => {
        let sum = 0;
        for (let i = 0; i < 3; i++) sum += await queue.get();
        return sum;
      });
      for (const task of tasks) await queue.put(await task);
      assert.equal(await consumer, 6);
      await collect();
    }, { debug: true });
    assert.deepEqual(warnings, []);
  });
  assert.deepEqual(reports, []);
});

Deno.test("ASYNCIO_DEBUG=1 turns debug mode on, read only when --allow-env grants it", async () => {
  const child = new URL("./_debug_env_child.ts", import.meta.url).pathname;
  const debugOf = async (permissions: string[]) => {
    const { stdout, success } = await new Deno.Command("deno", {
      args: ["run", "--quiet", "--no-prompt", ...permissions, child],
      env: { ASYNCIO_DEBUG: "1" },
      stdout: "piped",
      stderr: "inherit",
    }).output();
    assert.ok(success);
    return new TextDecoder().decode(stdout).trim();
  };
  assert.equal(await debugOf(["--allow-env=ASYNCIO_DEBUG"]), "true");
  assert.equal(await debugOf([]), "false"); // and no prompt
});
