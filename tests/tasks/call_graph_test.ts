/**
 * `captureCallGraph()` / `formatCallGraph()` / `printCallGraph()` against
 * CPython 3.14's `asyncio.graph` output shape, `formatTasks()` (rows,
 * states, deadlocks), `loop.dumpTasks()` and `run(main, { dumpOnSignal })`
 * (#20). The signal comes from a `python3` child (`os.kill` of this
 * process), as in `tests/loop/signal_handlers_test.ts`.
 *
 * Needs `--allow-read=.` (the test reads its own lines to find the line
 * numbers the graph must name) and `--allow-run=python3`.
 */
import assert from "node:assert/strict";
import {
  allTasks,
  captureCallGraph,
  coroutine,
  createTask,
  currentTask,
  EventLoop,
  formatCallGraph,
  formatTasks,
  gather,
  getRunningLoop,
  printCallGraph,
  run,
  Runner,
  RuntimeError,
  shield,
  sleep,
  type Task,
  taskGroup,
  VirtualClock,
} from "../../mod.ts";

const FILE = decodeURIComponent(new URL(import.meta.url).pathname);
const SOURCE = Deno.readTextFileSync(new URL(import.meta.url)).split("\n");

/** The line number of the line holding `marker` (a comment in this file). */
function lineOf(marker: string): number {
  const i = SOURCE.findIndex((line) =>
    line.includes(marker) && !line.includes("lineOf(")
  );
  assert.ok(i >= 0, `no line marked ${marker}`);
  return i + 1;
}

/**
 * Ids are numbers made up here: normalised, as CPython's addresses; so is
 * the number of the main task (one counter for the whole test file).
 */
function normalise(text: string): string[] {
  return text.replaceAll(FILE, "test.ts").replace(/id=0x[0-9a-f]+/g, "id=0x…")
    .replace(/Task-\d+/g, "Task-N").split("\n");
}

/** Capture what `console.log` prints while `fn` runs. */
async function captureLog(
  fn: () => Promise<unknown>,
  printed: string[] = [],
): Promise<string[]> {
  const log = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(" "));
  try {
    await fn();
  } finally {
    console.log = log;
  }
  return printed;
}

// The three levels, as the Python program:
//
// async def leaf():
//     asyncio.print_call_graph()
// async def child():
//     await asyncio.create_task(leaf(), name='leaf')
// async def other():
//     await asyncio.sleep(0.1)
// async def main():
//     await asyncio.gather(asyncio.create_task(child(), name='child'), other())
//
// CPython 3.14 prints (graph.py: four spaces a level, '* Task(name=…,
// id=…)', '  + Call stack:', '  |   File …, line N, in async name()',
// '  + Awaited by:'):
//
// * Task(name='leaf', id=0x…)
//   + Call stack:
//   |   File 'test.py', line 2, in async leaf()
//   + Awaited by:
//     * Task(name='child', id=0x…)
//       + Call stack:
//       |   File 'test.py', line 4, in async child()
//       + Awaited by:
//         * Task(name='Task-1', id=0x…)
//           + Call stack:
//           |   File 'test.py', line 8, in async main()

async function leaf(): Promise<string> {
  await sleep(0);
  return formatCallGraph(); // @leaf
}

async function child(): Promise<string> {
  return await createTask(leaf(), { name: "leaf" }); // @child
}

async function other(): Promise<void> {
  await sleep(0.1);
}

async function main(): Promise<string> {
  const [graph] = await gather( // @main
    createTask(child(), { name: "child" }),
    other(),
  );
  return graph;
}

Deno.test("formatCallGraph(): three levels in debug mode print as CPython 3.14's graph, line by line (#20)", async () => {
  const graph = await run(main, { debug: true, clock: "virtual" });
  assert.deepEqual(normalise(graph), [
    "* Task(name='leaf', id=0x…)",
    "  + Call stack:",
    `  |   File 'test.ts', line ${lineOf("// @leaf")}, in async leaf()`,
    "  + Awaited by:",
    "    * Task(name='child', id=0x…)",
    "      + Call stack:",
    `      |   File 'test.ts', line ${lineOf("// @child")}, in async child()`,
    "      + Awaited by:",
    "        * Task(name='Task-N', id=0x…)",
    "          + Call stack:",
    `          |   File 'test.ts', line ${lineOf("// @main")}, in async main()`,
  ]);
});

Deno.test("formatCallGraph(): without debug mode a suspended task's call stack is unknown; the awaiters still are", async () => {
  const graph = await run(main, { clock: "virtual" });
  assert.deepEqual(normalise(graph), [
    "* Task(name='leaf', id=0x…)",
    "  + Call stack:",
    `  |   File 'test.ts', line ${lineOf("// @leaf")}, in async leaf()`,
    "  + Awaited by:",
    "    * Task(name='child', id=0x…)",
    "      + Awaited by:",
    "        * Task(name='Task-N', id=0x…)",
  ]);
});

Deno.test("captureCallGraph(): the data, limit, depth, a generator coroutine's name, and a task group's parent", async () => {
  await run(async function outer() {
    let inner: Task | null = null;
    const waiting = coroutine(function* worker() {
      yield* sleep(1);
    });
    await taskGroup(async (tg) => {
      inner = tg.createTask(waiting(), { name: "worker" });
      await sleep(0);
      const graph = captureCallGraph(inner)!;
      assert.equal(graph.future, inner);
      assert.deepEqual(graph.callStack, [{
        name: "worker",
        kind: "generator",
        fileName: null,
        lineNumber: null,
        columnNumber: null,
      }]);
      assert.deepEqual(graph.awaitedBy.map((g) => g.future), [
        getRunningLoop() && [...graph.awaitedBy][0].future,
      ]);
      assert.equal(graph.awaitedBy[0].future, currentTask());
      assert.equal(captureCallGraph(inner, { limit: 0 })!.callStack.length, 0);
      const own = captureCallGraph()!;
      assert.equal(own.callStack[0].fileName, FILE);
      assert.equal(own.callStack[0].kind, "async");
      // depth: 2 skips the innermost frame (this arrow function).
      const skipped = captureCallGraph(null, { depth: 2 })!;
      assert.equal(skipped.callStack.length, own.callStack.length - 1);
      // limit: -1 keeps the innermost entry, 1 the outermost.
      const innermost = captureCallGraph(null, { limit: -1 }); // @limit
      assert.equal(innermost!.callStack.length, 1);
      assert.equal(innermost!.callStack[0].lineNumber, lineOf("// @limit"));
      const outermost = captureCallGraph(null, { limit: 1 })!.callStack;
      assert.deepEqual(outermost, own.callStack.slice(-1));
      inner!.cancel();
    });
  });
});

Deno.test("captureCallGraph(): no task, bad input", async () => {
  assert.throws(
    () => captureCallGraph(),
    (e) =>
      e instanceof RuntimeError &&
      e.message.startsWith("capture_call_graph() is called outside"),
  );
  assert.throws(() => captureCallGraph(42 as never), TypeError);
  await run(async () => {
    assert.throws(() => formatCallGraph(null, { depth: -1 }), RangeError);
    assert.throws(() => formatCallGraph(null, { limit: 1.5 }), TypeError);
    assert.throws(() => formatCallGraph(null, { file: 1 } as never), TypeError);
    // A callback of the loop runs in no task.
    const loop = getRunningLoop();
    const fut = loop.createFuture<string | null>();
    loop.callSoon(() => fut.setResult(formatCallGraph() || null));
    assert.equal(await fut, null);
  });
});

Deno.test("printCallGraph(): prints what formatCallGraph() returns; a plain future prints as Future(id=…)", async () => {
  const printed = await captureLog(() =>
    run(async () => {
      const fut = getRunningLoop().createFuture();
      const waiter = createTask(async () => await fut, { name: "waiter" });
      await sleep(0);
      printCallGraph(fut);
      fut.setResult(null);
      await waiter;
    })
  );
  assert.deepEqual(normalise(printed.join("\n")), [
    "* Future(id=0x…)",
    "  + Awaited by:",
    "    * Task(name='waiter', id=0x…)",
  ]);
});

/** The rows of a `formatTasks()` table, cells split on runs of spaces. */
function rows(table: string): string[][] {
  return table.split("\n").map((line) => line.trim().split(/ {2,}/));
}

Deno.test("formatTasks(): a row per task, pending, cancelling and done, with age in loop time and what each waits on", async () => {
  await run(async function main() {
    const sleeper = createTask(sleep(10), { name: "sleeper" });
    const done = createTask(sleep(0.5, 42), { name: "done" });
    const failed = createTask(
      async function failing() {
        await sleep(0);
        throw new Error("boom");
      }(),
      { name: "failed" },
    );
    const gathering = createTask(
      async function gatherer() {
        await gather(sleeper, shield(createTask(sleep(5), { name: "inner" })));
      }(),
      { name: "gathering" },
    );
    await sleep(1.5);
    sleeper.cancel();
    const main = currentTask()!.getName();
    const table = formatTasks(null, { tasks: [...allTasks(), done, failed] });
    const [header, separator, ...body] = rows(table);
    assert.deepEqual(header, [
      "name",
      "state",
      "age (s)",
      "coroutine",
      "waits on",
    ]);
    assert.ok(separator.every((cell) => /^-+$/.test(cell)));
    assert.deepEqual(body, [
      [main, "pending", "1.500", "main", "(running)"],
      // Its sleep's future is cancelled: the task wakes with the error next.
      ["sleeper", "cancelling", "1.500", "sleep", "-"],
      // Made first: calling gatherer() runs it up to its first await.
      ["inner", "pending", "1.500", "sleep", "<Future pending>"],
      [
        "gathering",
        "pending",
        "1.500",
        "gatherer",
        "gather(sleeper, shield(inner))",
      ],
      ["done", "done", "1.500", "sleep", "result=42"],
      ["failed", "done", "1.500", "failing", "exception=Error('boom')"],
    ]);
    // The dump did not retrieve the failed task's exception.
    await assert.rejects(async () => await failed, /boom/);
    gathering.cancel();
    await sleep(0);
  }, { debug: true, clock: "virtual" });
});

// Runs before any test that turns ages on for good (`dumpOnSignal`).
Deno.test("formatTasks(): without debug mode, ages are kept once asked for (keepAges), names are not", async () => {
  await run(async function main() {
    const before = createTask(sleep(10), { name: "before" });
    formatTasks(null, { keepAges: true });
    const after = createTask(
      async function later() {
        await sleep(10);
      }(),
      { name: "after" },
    );
    await sleep(2);
    const [, , , first, second] = rows(formatTasks());
    assert.deepEqual(first, [
      "before",
      "pending",
      "-",
      "sleep",
      "<Future pending>",
    ]);
    assert.deepEqual(second, [
      "after",
      "pending",
      "2.000",
      "-",
      "<Future pending>",
    ]);
    assert.throws(() => formatTasks(null, { keepAges: 1 } as never), TypeError);
    before.cancel();
    after.cancel();
  }, { clock: "virtual" });
});

Deno.test("formatTasks(): two tasks awaiting each other are one deadlock", async () => {
  const loop = new EventLoop({ clock: new VirtualClock() });
  const reports: string[] = [];
  loop.setExceptionHandler((_loop, context) => {
    reports.push(context.message);
  });
  const tasks: Task[] = [];
  const table = await loop.runUntilComplete(loop.createTask(async () => {
    tasks.push(
      createTask(async () => {
        await sleep(0);
        await tasks[1];
      }, { name: "A" }),
      createTask(async () => {
        await sleep(0);
        await tasks[0];
      }, { name: "B" }),
    );
    await sleep(1);
    return formatTasks();
  }));
  const lines = table.split("\n");
  assert.deepEqual(lines.filter((l) => l.startsWith("deadlock")), [
    "deadlock: A -> B -> A",
  ]);
  assert.deepEqual(rows(lines.slice(3).join("\n")), [
    ["A", "pending", "1.000", "-", "B"],
    ["B", "pending", "1.000", "-", "A"],
    ["deadlock: A -> B -> A"],
  ]);
  // Cancelling either would recurse (each cancels its waiter, the other
  // task, as CPython's Task.cancel): the loop is closed under them.
  loop.close();
  assert.deepEqual(reports, [
    "Task was destroyed but it is pending!",
    "Task was destroyed but it is pending!",
  ]);
});

Deno.test("formatTasks(): in debug mode, a sleep awaited through nested coroutines names the outermost", async () => {
  await run(async function main() {
    async function inner() {
      await sleep(3);
    }
    async function outer() {
      await inner();
    }
    async function later() {
      await sleep(0.5);
      await inner();
    }
    // One sleeps from its prefix (main made it), one from a later step.
    const t1 = createTask(outer(), { name: "prefix" });
    const t2 = createTask(later(), { name: "resumed" });
    await sleep(1);
    const byName = new Map(
      rows(formatTasks()).slice(2).map((row) => [row[0], row[3]]),
    );
    assert.equal(byName.get("prefix"), "outer");
    assert.equal(byName.get("resumed"), "later");
    t1.cancel();
    t2.cancel();
  }, { debug: true, clock: "virtual" });
});

Deno.test("formatTasks(): in debug mode, the coroutine is named from its await", async () => {
  await run(async function main() {
    const t = createTask(
      async function napping() {
        await sleep(3);
      }(),
      { name: "napper" },
    );
    await sleep(1);
    const [, , first, second] = rows(formatTasks());
    assert.deepEqual(first, [
      currentTask()!.getName(),
      "pending",
      "1.000",
      "main",
      "(running)",
    ]);
    assert.deepEqual(second.slice(0, 4), [
      "napper",
      "pending",
      "1.000",
      "napping",
    ]);
    t.cancel();
  }, { debug: true, clock: "virtual" });
});

Deno.test("formatTasks(): bad input", async () => {
  assert.throws(() => formatTasks(), RuntimeError);
  assert.throws(() => formatTasks(42 as never), TypeError);
  await run(() => {
    assert.throws(() => formatTasks(null, { tasks: 1 } as never), TypeError);
    assert.throws(() => formatTasks(null, { tasks: [1] } as never), TypeError);
    assert.throws(() => formatTasks(null, { other: 1 } as never), TypeError);
  });
});

Deno.test("loop.dumpTasks(): prints formatTasks(loop)", async () => {
  let expected = "";
  const printed = await captureLog(() =>
    run(async () => {
      const t = createTask(sleep(2), { name: "sleeping" });
      await sleep(1);
      expected = formatTasks();
      getRunningLoop().dumpTasks();
      t.cancel();
    }, { clock: "virtual" })
  );
  assert.deepEqual(printed, [expected]);
  assert.match(expected, /sleeping +pending +1\.000/);
});

/** Send SIGUSR1 to this process from a child, and wait for the child. */
async function signalMe(): Promise<void> {
  const { code } = await new Deno.Command("python3", {
    args: ["-c", `import os, signal; os.kill(${Deno.pid}, signal.SIGUSR1)`],
  }).output();
  assert.equal(code, 0);
}

Deno.test("run(main, { dumpOnSignal: true }): SIGUSR1 prints the task table", async () => {
  const printed: string[] = [];
  await captureLog(() =>
    run(async () => {
      const t = createTask(sleep(60), { name: "long-sleeper" });
      await signalMe();
      // The handler is a loop callback: it runs once the loop gets there.
      while (printed.length === 0) await sleep(0.01);
      t.cancel();
    }, { dumpOnSignal: true }), printed);
  assert.equal(printed.length, 1);
  const [header, , main, sleeper] = rows(printed[0]);
  assert.deepEqual(header, [
    "name",
    "state",
    "age (s)",
    "coroutine",
    "waits on",
  ]);
  assert.match(main[0], /^Task-\d+$/);
  assert.deepEqual(sleeper.slice(0, 2), ["long-sleeper", "pending"]);
});

Deno.test("Runner({ dumpOnSignal }): installed on the loop only with the option, removed at close", async () => {
  for (const dumpOnSignal of [true, false, undefined]) {
    const calls: string[] = [];
    const factory = () => {
      const loop = new EventLoop();
      const add = loop.addSignalHandler.bind(loop);
      const remove = loop.removeSignalHandler.bind(loop);
      loop.addSignalHandler = ((sig: string, ...rest: never[]) => {
        calls.push(`add ${sig}`);
        return (add as (...a: unknown[]) => void)(sig, ...rest);
      }) as typeof loop.addSignalHandler;
      loop.removeSignalHandler = (sig) => {
        calls.push(`remove ${sig}`);
        return remove(sig);
      };
      return loop;
    };
    const runner = new Runner({
      loopFactory: factory,
      ...(dumpOnSignal === undefined ? {} : { dumpOnSignal }),
    });
    await runner.run(() => sleep(0));
    await runner.close();
    assert.deepEqual(
      calls,
      dumpOnSignal ? ["add SIGUSR1", "remove SIGUSR1"] : [],
      `dumpOnSignal: ${dumpOnSignal}`,
    );
  }
  assert.throws(() => new Runner({ dumpOnSignal: 1 as never }), TypeError);
});
