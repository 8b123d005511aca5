/**
 * Regression tests for "every coroutine is its own task, however it was
 * created" (docs/contract.md §3, docs/attribution.md; #15). JavaScript starts an
 * `async` function at its call, so coroutines created before their task
 * (`gather(a(), b())`, `coros.map((c) => createTask(c))`) ran their prefix in
 * the creator's context; each must still behave as its own task: the order
 * of hand-offs, `currentTask()`, `cancel()` and deadlines are CPython's.
 *
 * Each test is one shape, written as a porter writes it from Python, beside
 * its CPython 3.11 twin. The TypeScript program prints lines (Python's
 * `print`: strings as they are, lists as their `repr`); the test compares
 * them, task names normalised as `T1`, `T2`, … by first appearance, with the
 * lines hard-coded here, which are what the twin prints: when `python3` runs
 * here (`--allow-run=python3`) every twin is run too, in one process, and
 * must print exactly those lines.
 *
 * A program that does not finish within `HANG_MS` of real time fails its test
 * with "hang" (its loop is then stopped, so that the next test can run). The
 * helper `who()` (in both languages) names the current task, with " main"
 * when it is the main coroutine's task, and "None" outside any.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  asCompleted,
  Barrier,
  CancelledError,
  Condition,
  coroutine,
  createTask,
  currentTask,
  ensureFuture,
  Event,
  EventLoop,
  gather,
  getEventLoop,
  getRunningLoop,
  Lock,
  openConnection,
  Queue,
  run,
  Semaphore,
  setEventLoop,
  sleep,
  startServer,
  type StreamReader,
  type StreamWriter,
  type Task,
  taskGroup,
  timeout,
  TimeoutError,
  VirtualClock,
  wait,
  waitFor,
} from "../../mod.ts";
import { runVirtual } from "./_both.ts";
import { addTwin, normaliseTaskNames, twinLines } from "./_python_twin.ts";

// ---------------------------------------------------------------------------
// The harness: print, who(), the watchdog.

/** How long a program may run, in real milliseconds, before it "hangs". */
const HANG_MS = 3_000;
/** How long a hung program gets to end once its loop is being stopped. */
const STOP_MS = 1_000;

let printed: string[] = [];
/** The main coroutine's task, for `who()`; each program sets it. */
let mainTask: Task | null = null;

/** Python's `repr` of the values these programs print. */
function repr(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (Array.isArray(value)) return `[${value.map(repr).join(", ")}]`;
  return String(value);
}

/** Python's `str`. */
function str(value: unknown): string {
  return typeof value === "string" ? value : repr(value);
}

/** Python's `print`, into the running program's lines. */
function print(...values: unknown[]): void {
  printed.push(values.map(str).join(" "));
}

/** The current task's name, " main" if it is main's; "None" outside one. */
function who(): string {
  const task = currentTask();
  if (task === null) return "None";
  return task.getName() + (task === mainTask ? " main" : "");
}

const TIMED_OUT = Symbol("timed out");

/** `promise`, or `TIMED_OUT` after `ms` real milliseconds (timer cleared). */
async function within<T>(
  promise: Promise<T>,
  ms: number,
): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stop the loop that is running, if one is. */
function stopRunningLoop(): void {
  try {
    getRunningLoop().stop();
  } catch {
    // none is running (any more)
  }
}

/**
 * Run `program` and return the lines it printed: an error it raises, or an
 * unhandled rejection, becomes a line of its own. If it has not ended after
 * `HANG_MS`, fail with "hang", after stopping its loop at every iteration
 * (`run()` then gives up on its tasks, closes the loop and rejects).
 */
async function watched(program: () => Promise<void>): Promise<string[]> {
  printed = [];
  mainTask = null;
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    print(`unhandled rejection: ${Deno.inspect(event.reason)}`);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    const settled = program().then(
      () => null,
      (error: unknown) => ({ error }),
    );
    const outcome = await within(settled, HANG_MS);
    if (outcome === TIMED_OUT) {
      const before = JSON.stringify(normaliseTaskNames(printed));
      const stopper = setInterval(stopRunningLoop, 10);
      let ended: unknown;
      try {
        ended = await within(settled, STOP_MS);
      } finally {
        clearInterval(stopper);
      }
      assert.fail(
        `hang: after ${HANG_MS / 1000} s the program had printed ${before}` +
          (ended === TIMED_OUT ? " (and its loop would not stop)" : ""),
      );
    }
    if (outcome !== null) print(`raised ${Deno.inspect(outcome.error)}`);
    // Let a late unhandled rejection be reported while we listen.
    await new Promise((resolve) => setTimeout(resolve, 0));
    return normaliseTaskNames(printed);
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
}

/** One shape: a TypeScript program, its CPython twin, and what both print. */
interface Shape {
  /** The test's name. */
  name: string;
  /** The CPython 3.11 twin (after `PRELUDE`). */
  python: string;
  /** What the twin prints, task names normalised. */
  expected: string[];
  /** The TypeScript program. */
  program: () => Promise<void>;
}

/** The twins' shared start: `who()`, as the TypeScript one. */
const PRELUDE = `import asyncio

main_task = None

def who():
    task = asyncio.current_task()
    if task is None:
        return "None"
    return task.get_name() + (" main" if task is main_task else "")
`;

/** Register the test of `shape` (and its twin). */
function shapeTest(shape: Shape): void {
  const twin = addTwin(PRELUDE + shape.python);
  Deno.test(shape.name, async () => {
    const cpython = await twinLines(twin);
    if (cpython !== null) {
      assert.deepEqual(
        cpython,
        shape.expected,
        `the CPython twin printed ${JSON.stringify(cpython)}`,
      );
    }
    assert.deepEqual(await watched(shape.program), shape.expected);
  });
}

// ---------------------------------------------------------------------------
// 1, 2: gather() over sleep(0), and its control.

/** `w` of shapes 1 and 2: logs `name i` and awaits `sleep(0)`, `n` times. */
async function pqr(name: string, n: number): Promise<string> {
  for (let i = 0; i < n; i++) {
    print(`${name} ${i}`);
    await sleep(0);
  }
  return name;
}

const PY_PQR = `
async def w(name, n):
    for i in range(n):
        print(f"{name} {i}")
        await asyncio.sleep(0)
    return name
`;

const PQR_LINES = ["P 0", "Q 0", "R 0", "P 1", "Q 1", "Q 2", "['P', 'Q', 'R']"];

shapeTest({
  name:
    "gather() of coroutines created together over sleep(0): each is its own task, in CPython's order (#15)",
  python: PY_PQR + `
async def main():
    await asyncio.sleep(0)
    print(await asyncio.gather(w("P", 2), w("Q", 3), w("R", 1)))

asyncio.run(main())
`,
  expected: PQR_LINES,
  program: () =>
    run(async () => {
      await sleep(0);
      print(await gather(pqr("P", 2), pqr("Q", 3), pqr("R", 1)));
    }),
});

shapeTest({
  name:
    "createTask() of each coroutine as it is made, then gather(): CPython's order (control, #15)",
  python: PY_PQR + `
async def main():
    await asyncio.sleep(0)
    tp = asyncio.create_task(w("P", 2))
    tq = asyncio.create_task(w("Q", 3))
    tr = asyncio.create_task(w("R", 1))
    print(await asyncio.gather(tp, tq, tr))

asyncio.run(main())
`,
  expected: PQR_LINES,
  program: () =>
    run(async () => {
      await sleep(0);
      const tp = createTask(pqr("P", 2));
      const tq = createTask(pqr("Q", 3));
      const tr = createTask(pqr("R", 1));
      print(await gather(tp, tq, tr));
    }),
});

shapeTest({
  name:
    "gather() of coroutines created together in the eager main of run(main()): CPython's order (#15)",
  python: PY_PQR + `
async def main():
    print(await asyncio.gather(w("P", 2), w("Q", 3), w("R", 1)))

asyncio.run(main())
`,
  expected: PQR_LINES,
  program: async () => {
    async function main() {
      print(await gather(pqr("P", 2), pqr("Q", 3), pqr("R", 1)));
    }
    await run(main());
  },
});

// ---------------------------------------------------------------------------
// 3: gather() over the synchronisation primitives.

shapeTest({
  name:
    "gather() of coroutines created together over one Lock: each holds it in turn (#15)",
  python: `
lock = asyncio.Lock()

async def w(name):
    for i in range(2):
        await lock.acquire()
        try:
            print(f"{name} holds the lock {i} {who()}")
            await asyncio.sleep(0)
        finally:
            lock.release()
    return name

async def main():
    print(await asyncio.gather(w("A"), w("B")))

asyncio.run(main())
`,
  expected: [
    "A holds the lock 0 T1",
    "B holds the lock 0 T2",
    "A holds the lock 1 T1",
    "B holds the lock 1 T2",
    "['A', 'B']",
  ],
  program: async () => {
    const lock = new Lock();
    async function w(name: string) {
      for (let i = 0; i < 2; i++) {
        await lock.acquire();
        try {
          print(`${name} holds the lock ${i} ${who()}`);
          await sleep(0);
        } finally {
          lock.release();
        }
      }
      return name;
    }
    await run(async () => print(await gather(w("A"), w("B"))));
  },
});

shapeTest({
  name:
    "gather() of coroutines created together over one Semaphore(1): each holds it in turn (#15)",
  python: `
sem = asyncio.Semaphore(1)

async def w(name):
    for i in range(2):
        await sem.acquire()
        try:
            print(f"{name} holds the semaphore {i} {who()}")
            await asyncio.sleep(0)
        finally:
            sem.release()
    return name

async def main():
    print(await asyncio.gather(w("A"), w("B")))

asyncio.run(main())
`,
  expected: [
    "A holds the semaphore 0 T1",
    "B holds the semaphore 0 T2",
    "A holds the semaphore 1 T1",
    "B holds the semaphore 1 T2",
    "['A', 'B']",
  ],
  program: async () => {
    const sem = new Semaphore(1);
    async function w(name: string) {
      for (let i = 0; i < 2; i++) {
        await sem.acquire();
        try {
          print(`${name} holds the semaphore ${i} ${who()}`);
          await sleep(0);
        } finally {
          sem.release();
        }
      }
      return name;
    }
    await run(async () => print(await gather(w("A"), w("B"))));
  },
});

shapeTest({
  name:
    "gather() of coroutines created together over one Event set by a third: all wake (#15)",
  python: `
event = asyncio.Event()

async def waiter(name):
    print(f"{name} waits")
    await event.wait()
    print(f"{name} woke {who()}")
    return name

async def setter():
    await asyncio.sleep(0)
    print(f"set {who()}")
    event.set()
    return "setter"

async def main():
    print(await asyncio.gather(waiter("A"), waiter("B"), setter()))

asyncio.run(main())
`,
  expected: [
    "A waits",
    "B waits",
    "set T1",
    "A woke T2",
    "B woke T3",
    "['A', 'B', 'setter']",
  ],
  program: async () => {
    const event = new Event();
    async function waiter(name: string) {
      print(`${name} waits`);
      await event.wait();
      print(`${name} woke ${who()}`);
      return name;
    }
    async function setter() {
      await sleep(0);
      print(`set ${who()}`);
      event.set();
      return "setter";
    }
    await run(async () =>
      print(await gather(waiter("A"), waiter("B"), setter()))
    );
  },
});

shapeTest({
  name:
    "gather() of coroutines created together over one Condition: notifyAll() wakes each (#15)",
  python: `
cond = asyncio.Condition()

async def waiter(name):
    async with cond:
        print(f"{name} waits {who()}")
        await cond.wait()
        print(f"{name} notified {who()}")
    return name

async def notifier():
    await asyncio.sleep(0)
    async with cond:
        print(f"notify_all {who()}")
        cond.notify_all()
    return "notifier"

async def main():
    print(await asyncio.gather(waiter("A"), waiter("B"), notifier()))

asyncio.run(main())
`,
  expected: [
    "A waits T1",
    "B waits T2",
    "notify_all T3",
    "A notified T1",
    "B notified T2",
    "['A', 'B', 'notifier']",
  ],
  program: async () => {
    const cond = new Condition();
    async function waiter(name: string) {
      await cond.acquire();
      try {
        print(`${name} waits ${who()}`);
        await cond.wait();
        print(`${name} notified ${who()}`);
      } finally {
        cond.release();
      }
      return name;
    }
    async function notifier() {
      await sleep(0);
      await cond.acquire();
      try {
        print(`notify_all ${who()}`);
        cond.notifyAll();
      } finally {
        cond.release();
      }
      return "notifier";
    }
    await run(async () =>
      print(await gather(waiter("A"), waiter("B"), notifier()))
    );
  },
});

shapeTest({
  name:
    "gather() of a Queue producer and consumer created together: every item passes, in CPython's order (#15)",
  python: `
q = asyncio.Queue(1)

async def producer():
    for i in range(3):
        await q.put(i)
        print(f"put {i} {who()}")
    await q.put(None)
    print(f"put None {who()}")
    return "producer"

async def consumer():
    while True:
        item = await q.get()
        print(f"got {item} {who()}")
        if item is None:
            return "consumer"

async def main():
    print(await asyncio.gather(producer(), consumer()))

asyncio.run(main())
`,
  expected: [
    "put 0 T1",
    "got 0 T2",
    "put 1 T1",
    "got 1 T2",
    "put 2 T1",
    "got 2 T2",
    "put None T1",
    "got None T2",
    "['producer', 'consumer']",
  ],
  program: async () => {
    const q = new Queue<number | null>(1);
    async function producer() {
      for (let i = 0; i < 3; i++) {
        await q.put(i);
        print(`put ${i} ${who()}`);
      }
      await q.put(null);
      print(`put None ${who()}`);
      return "producer";
    }
    async function consumer() {
      for (;;) {
        const item = await q.get();
        print(`got ${str(item)} ${who()}`);
        if (item === null) return "consumer";
      }
    }
    await run(async () => print(await gather(producer(), consumer())));
  },
});

shapeTest({
  name:
    "gather() of two coroutines created together at one Barrier(2): both pass (#15)",
  python: `
barrier = asyncio.Barrier(2)

async def w(name):
    print(f"{name} arrives")
    index = await barrier.wait()
    print(f"{name} passes {index} {who()}")
    return name

async def main():
    print(await asyncio.gather(w("A"), w("B")))

asyncio.run(main())
`,
  expected: [
    "A arrives",
    "B arrives",
    "B passes 1 T1",
    "A passes 0 T2",
    "['A', 'B']",
  ],
  program: async () => {
    const barrier = new Barrier(2);
    async function w(name: string) {
      print(`${name} arrives`);
      const index = await barrier.wait();
      print(`${name} passes ${index} ${who()}`);
      return name;
    }
    await run(async () => print(await gather(w("A"), w("B"))));
  },
});

// ---------------------------------------------------------------------------
// 4: currentTask().

/** `w` of most shapes: `n` times, await `sleep(0)`, then print who it is. */
async function steps(name: string, n: number): Promise<string> {
  for (let i = 0; i < n; i++) {
    await sleep(0);
    print(`${name} ${i} ${who()}`);
  }
  return name;
}

const PY_STEPS = `
async def w(name, n):
    for i in range(n):
        await asyncio.sleep(0)
        print(f"{name} {i} {who()}")
    return name
`;

shapeTest({
  name:
    "currentTask() in coroutines gathered together is each one's own task at every wait, also after a sibling ended (#15)",
  python: PY_STEPS + `
async def main():
    global main_task
    main_task = asyncio.current_task()
    print(f"main {who()}")
    await asyncio.sleep(0)
    print(await asyncio.gather(w("A", 1), w("B", 2), w("C", 3)))
    print(f"main {who()}")

asyncio.run(main())
`,
  expected: [
    "main T1 main",
    "A 0 T2",
    "B 0 T3",
    "C 0 T4",
    "B 1 T3",
    "C 1 T4",
    "C 2 T4",
    "['A', 'B', 'C']",
    "main T1 main",
  ],
  program: async () => {
    async function main() {
      mainTask = currentTask();
      print(`main ${who()}`);
      await sleep(0);
      print(await gather(steps("A", 1), steps("B", 2), steps("C", 3)));
      print(`main ${who()}`);
    }
    await run(main);
  },
});

// ---------------------------------------------------------------------------
// 5, 6: cancellation.

/** `w(i)` of the cancellation shapes: three steps; says when cancelled. */
async function cancellable(i: number): Promise<number> {
  try {
    for (let k = 0; k < 3; k++) {
      await sleep(0);
      print(`${i} step ${k} ${who()}`);
    }
    return i;
  } catch (e) {
    if (e instanceof CancelledError) print(`${i} cancelled ${who()}`);
    throw e;
  }
}

const PY_CANCELLABLE = `
async def w(i):
    try:
        for k in range(3):
            await asyncio.sleep(0)
            print(f"{i} step {k} {who()}")
        return i
    except asyncio.CancelledError:
        print(f"{i} cancelled {who()}")
        raise

def outcomes(results):
    return [type(r).__name__ if isinstance(r, BaseException) else r for r in results]

def handler(loop, context):
    print(f"exception handler: {context['message']}")
`;

/** Python's `outcomes`: an error as its class name. */
function outcomes(results: unknown[]): unknown[] {
  return results.map((r) => r instanceof Error ? r.name : r);
}

/** Coroutines created together, then a task each, then `cancel(victim)`. */
function cancelOneOf(count: number, victim: number) {
  return async () => {
    async function main() {
      mainTask = currentTask();
      getRunningLoop().setExceptionHandler((_loop, context) =>
        print(`exception handler: ${context.message}`)
      );
      const coros = Array.from({ length: count }, (_, i) => cancellable(i));
      const tasks = coros.map((c, i) => createTask(c, { name: `t${i}` }));
      await sleep(0);
      tasks[victim].cancel();
      print(outcomes(await gather(...tasks, { returnExceptions: true })));
    }
    await run(main);
  };
}

function pyCancelOneOf(count: number, victim: number): string {
  return PY_CANCELLABLE + `
async def main():
    global main_task
    main_task = asyncio.current_task()
    asyncio.get_running_loop().set_exception_handler(handler)
    coros = [w(i) for i in range(${count})]
    tasks = [asyncio.create_task(c, name=f"t{i}") for i, c in enumerate(coros)]
    await asyncio.sleep(0)
    tasks[${victim}].cancel()
    print(outcomes(await asyncio.gather(*tasks, return_exceptions=True)))

asyncio.run(main())
`;
}

shapeTest({
  name:
    "cancel() of the middle one of three tasks made from coroutines created together cancels only it, at its wait (#15)",
  python: pyCancelOneOf(3, 1),
  expected: [
    "0 step 0 t0",
    "1 cancelled t1",
    "2 step 0 t2",
    "0 step 1 t0",
    "2 step 1 t2",
    "0 step 2 t0",
    "2 step 2 t2",
    "[0, 'CancelledError', 2]",
  ],
  program: cancelOneOf(3, 1),
});

shapeTest({
  name:
    "cancel() of the first of three tasks made from coroutines created together cancels only it (#15)",
  python: pyCancelOneOf(3, 0),
  expected: [
    "0 cancelled t0",
    "1 step 0 t1",
    "2 step 0 t2",
    "1 step 1 t1",
    "2 step 1 t2",
    "1 step 2 t1",
    "2 step 2 t2",
    "['CancelledError', 1, 2]",
  ],
  program: cancelOneOf(3, 0),
});

shapeTest({
  name:
    "cancel() of one of two tasks made from coroutines created together: no uncaught CancelledError (#15)",
  python: pyCancelOneOf(2, 0),
  expected: [
    "0 cancelled t0",
    "1 step 0 t1",
    "1 step 1 t1",
    "1 step 2 t1",
    "['CancelledError', 1]",
  ],
  program: cancelOneOf(2, 0),
});

shapeTest({
  name:
    "createTask() in reverse order of coroutines created together: cancel() hits the right one, currentTask() names it (#15)",
  python: `
async def w(name):
    for k in range(2):
        await asyncio.sleep(0)
        print(f"{name} {k} {who()}")
    return name

async def main():
    a = w("a")
    b = w("b")
    tb = asyncio.create_task(b, name="tb")
    ta = asyncio.create_task(a, name="ta")
    tb.cancel()
    results = await asyncio.gather(ta, tb, return_exceptions=True)
    print([type(r).__name__ if isinstance(r, BaseException) else r for r in results])

asyncio.run(main())
`,
  expected: ["a 0 ta", "a 1 ta", "['a', 'CancelledError']"],
  program: async () => {
    async function w(name: string) {
      for (let k = 0; k < 2; k++) {
        await sleep(0);
        print(`${name} ${k} ${who()}`);
      }
      return name;
    }
    async function main() {
      const a = w("a"), b = w("b");
      const tb = createTask(b, { name: "tb" });
      const ta = createTask(a, { name: "ta" });
      tb.cancel();
      print(outcomes(await gather(ta, tb, { returnExceptions: true })));
    }
    await run(main);
  },
});

// ---------------------------------------------------------------------------
// 7: timeouts.

shapeTest({
  name:
    "waitFor() in coroutines gathered together: each slow one gets its own TimeoutError, the quick one none (#15)",
  python: `
async def slow(name):
    try:
        await asyncio.wait_for(asyncio.sleep(10), 0.1)
        return "no timeout"
    except TimeoutError:
        print(f"{name}: TimeoutError {who()}")
        return name

async def quick(name):
    result = await asyncio.wait_for(asyncio.sleep(0.01, name), 0.1)
    print(f"{name}: done {who()}")
    return result

async def main():
    print(await asyncio.gather(slow("a"), slow("b"), quick("c")))

asyncio.run(main())
`,
  expected: [
    "c: done T1",
    "a: TimeoutError T2",
    "b: TimeoutError T3",
    "['a', 'b', 'c']",
  ],
  program: async () => {
    async function slow(name: string) {
      try {
        await waitFor(sleep(10), 0.1);
        return "no timeout";
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        print(`${name}: TimeoutError ${who()}`);
        return name;
      }
    }
    async function quick(name: string) {
      const result = await waitFor(sleep(0.01, name), 0.1);
      print(`${name}: done ${who()}`);
      return result;
    }
    await runVirtual(async () =>
      print(await gather(slow("a"), slow("b"), quick("c")))
    );
  },
});

shapeTest({
  name:
    "timeout() in coroutines gathered together: each slow one gets its own TimeoutError, the quick one none (#15)",
  python: `
async def slow(name):
    try:
        async with asyncio.timeout(0.1):
            await asyncio.sleep(10)
        return "no timeout"
    except TimeoutError:
        print(f"{name}: TimeoutError {who()}")
        return name

async def quick(name):
    async with asyncio.timeout(0.1):
        await asyncio.sleep(0.01)
    print(f"{name}: done {who()}")
    return name

async def main():
    print(await asyncio.gather(slow("a"), slow("b"), quick("c")))

asyncio.run(main())
`,
  expected: [
    "c: done T1",
    "a: TimeoutError T2",
    "b: TimeoutError T3",
    "['a', 'b', 'c']",
  ],
  program: async () => {
    async function slow(name: string) {
      try {
        await timeout(0.1, async () => {
          await sleep(10);
        });
        return "no timeout";
      } catch (e) {
        if (!(e instanceof TimeoutError)) throw e;
        print(`${name}: TimeoutError ${who()}`);
        return name;
      }
    }
    async function quick(name: string) {
      await timeout(0.1, async () => {
        await sleep(0.01);
      });
      print(`${name}: done ${who()}`);
      return name;
    }
    await runVirtual(async () =>
      print(await gather(slow("a"), slow("b"), quick("c")))
    );
  },
});

// ---------------------------------------------------------------------------
// 8: the other ways of making tasks of coroutines created together.

shapeTest({
  name:
    "wait() of coroutines created together: each is its own task, in CPython's order (#15)",
  // 3.11 forbids coroutines in wait(); this is what wait() did with them
  // until then (ensure_future each, in order), which the port keeps.
  python: PY_STEPS + `
async def main():
    global main_task
    main_task = asyncio.current_task()
    done, pending = await asyncio.wait(
        [asyncio.ensure_future(c) for c in [w("A", 2), w("B", 1)]])
    print(sorted(t.result() for t in done), len(pending), who())

asyncio.run(main())
`,
  expected: ["A 0 T1", "B 0 T2", "A 1 T1", "['A', 'B'] 0 T3 main"],
  program: async () => {
    async function main() {
      mainTask = currentTask();
      const [done, pending] = await wait([steps("A", 2), steps("B", 1)]);
      print([...done].map((t) => t.result()).sort(), pending.size, who());
    }
    await run(main);
  },
});

shapeTest({
  name:
    "asCompleted() of coroutines created together: each is its own task, done in deadline order (#15)",
  python: `
async def w(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} woke {who()}")
    return name

async def main():
    global main_task
    main_task = asyncio.current_task()
    print(f"main {who()}")
    for f in asyncio.as_completed([w("a", 0.02), w("b", 0.01)]):
        print(await f)

asyncio.run(main())
`,
  expected: ["main T1 main", "b woke T2", "b", "a woke T3", "a"],
  program: async () => {
    async function w(name: string, delay: number) {
      await sleep(delay);
      print(`${name} woke ${who()}`);
      return name;
    }
    await runVirtual(async () => {
      mainTask = currentTask();
      print(`main ${who()}`);
      for (const f of asCompleted([w("a", 0.02), w("b", 0.01)])) {
        print(await f);
      }
    });
  },
});

shapeTest({
  name:
    "ensureFuture() of each of a list of coroutines created together: each is its own task (#15)",
  python: PY_STEPS + `
async def main():
    global main_task
    main_task = asyncio.current_task()
    tasks = [asyncio.ensure_future(c) for c in [w("A", 2), w("B", 1)]]
    print(await asyncio.gather(*tasks), who())

asyncio.run(main())
`,
  expected: ["A 0 T1", "B 0 T2", "A 1 T1", "['A', 'B'] T3 main"],
  program: async () => {
    async function main() {
      mainTask = currentTask();
      const tasks = [steps("A", 2), steps("B", 1)].map((c) => ensureFuture(c));
      print(await gather(...tasks), who());
    }
    await run(main);
  },
});

shapeTest({
  name:
    "taskGroup() createTask() of coroutines created before its body: each is its own task (#15)",
  python: PY_STEPS + `
async def main():
    global main_task
    main_task = asyncio.current_task()
    coros = [w("A", 2), w("B", 1)]
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(c) for c in coros]
    print([t.result() for t in tasks], who())

asyncio.run(main())
`,
  expected: ["A 0 T1", "B 0 T2", "A 1 T1", "['A', 'B'] T3 main"],
  program: async () => {
    async function main() {
      mainTask = currentTask();
      const coros = [steps("A", 2), steps("B", 1)];
      const tasks = await taskGroup((tg) => coros.map((c) => tg.createTask(c)));
      print(tasks.map((t) => t.result()), who());
    }
    await run(main);
  },
});

shapeTest({
  name:
    "loop.runUntilComplete(wait([test(i) for i in range(5)])), the tutorial's: each is its own task (#15)",
  // The tutorial, with sleep(0.01) for sleep(1) and who() added. 3.11
  // forbids coroutines in wait(): the tasks are made as wait() made them.
  python: `
async def test(i):
    print("test_1", i)
    await asyncio.sleep(0.01)
    print("test_2", i, who())

loop = asyncio.get_event_loop()
tasks = [loop.create_task(test(i)) for i in range(5)]
loop.run_until_complete(asyncio.wait(tasks))
loop.close()
`,
  expected: [
    "test_1 0",
    "test_1 1",
    "test_1 2",
    "test_1 3",
    "test_1 4",
    "test_2 0 T1",
    "test_2 1 T2",
    "test_2 2 T3",
    "test_2 3 T4",
    "test_2 4 T5",
  ],
  program: async () => {
    async function test(i: number) {
      print("test_1", i);
      await sleep(0.01);
      print("test_2", i, who());
    }
    setEventLoop(new EventLoop({ clock: new VirtualClock() }));
    const loop = getEventLoop();
    try {
      const tasks = [0, 1, 2, 3, 4].map((i) => test(i));
      await loop.runUntilComplete(wait(tasks));
    } finally {
      loop.close();
      setEventLoop(null);
    }
  },
});

// ---------------------------------------------------------------------------
// 9: nesting, and what a prefix may await first.

/** `leaf` of the nested shapes: as `steps`. */
const leaf = steps;

shapeTest({
  name:
    "gather() inside coroutines gathered together: every coroutine is its own task (#15)",
  python: PY_STEPS + `
async def branch(name):
    return await asyncio.gather(w(name + "1", 2), w(name + "2", 1))

async def main():
    global main_task
    main_task = asyncio.current_task()
    print(f"main {who()}")
    print(await asyncio.gather(branch("A"), branch("B")))

asyncio.run(main())
`,
  expected: [
    "main T1 main",
    "A1 0 T2",
    "A2 0 T3",
    "B1 0 T4",
    "B2 0 T5",
    "A1 1 T2",
    "B1 1 T4",
    "[['A1', 'A2'], ['B1', 'B2']]",
  ],
  program: async () => {
    async function branch(name: string) {
      return await gather(leaf(`${name}1`, 2), leaf(`${name}2`, 1));
    }
    async function main() {
      mainTask = currentTask();
      print(`main ${who()}`);
      print(await gather(branch("A"), branch("B")));
    }
    await run(main);
  },
});

shapeTest({
  name:
    "taskGroup() inside each of coroutines gathered together: every coroutine is its own task (#15)",
  python: PY_STEPS + `
async def branch(name):
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(w(name + "1", 2)), tg.create_task(w(name + "2", 1))]
    print(f"{name} group done {who()}")
    return [t.result() for t in tasks]

async def main():
    global main_task
    main_task = asyncio.current_task()
    print(f"main {who()}")
    print(await asyncio.gather(branch("A"), branch("B")))

asyncio.run(main())
`,
  expected: [
    "main T1 main",
    "A1 0 T2",
    "A2 0 T3",
    "B1 0 T4",
    "B2 0 T5",
    "A1 1 T2",
    "B1 1 T4",
    "A group done T6",
    "B group done T7",
    "[['A1', 'A2'], ['B1', 'B2']]",
  ],
  program: async () => {
    async function branch(name: string) {
      const tasks = await taskGroup((tg) => [
        tg.createTask(leaf(`${name}1`, 2)),
        tg.createTask(leaf(`${name}2`, 1)),
      ]);
      print(`${name} group done ${who()}`);
      return tasks.map((t) => t.result());
    }
    async function main() {
      mainTask = currentTask();
      print(`main ${who()}`);
      print(await gather(branch("A"), branch("B")));
    }
    await run(main);
  },
});

/** The twin of `await Promise.resolve()`: an await that does not yield. */
const PY_RESOLVED = `
async def resolved():
    return None
`;

shapeTest({
  name:
    "gather() of coroutines created together whose first await is a plain Promise: each is its own task (#15)",
  python: PY_RESOLVED + `
async def w(name, n):
    await resolved()
    for i in range(n):
        await asyncio.sleep(0)
        print(f"{name} {i} {who()}")
    return name

async def main():
    global main_task
    main_task = asyncio.current_task()
    print(await asyncio.gather(w("A", 2), w("B", 3), w("C", 1)), who())

asyncio.run(main())
`,
  expected: [
    "A 0 T1",
    "B 0 T2",
    "C 0 T3",
    "A 1 T1",
    "B 1 T2",
    "B 2 T2",
    "['A', 'B', 'C'] T4 main",
  ],
  program: async () => {
    async function w(name: string, n: number) {
      await Promise.resolve();
      for (let i = 0; i < n; i++) {
        await sleep(0);
        print(`${name} ${i} ${who()}`);
      }
      return name;
    }
    async function main() {
      mainTask = currentTask();
      print(await gather(w("A", 2), w("B", 3), w("C", 1)), who());
    }
    await run(main);
  },
});

shapeTest({
  name:
    "gather() of coroutines created together that await a plain Promise between sleep(0)s: each is its own task (#15)",
  python: PY_RESOLVED + `
async def w(name, n):
    for i in range(n):
        await asyncio.sleep(0)
        await resolved()
        print(f"{name} {i} {who()}")
    return name

async def main():
    global main_task
    main_task = asyncio.current_task()
    print(await asyncio.gather(w("A", 2), w("B", 3), w("C", 1)), who())

asyncio.run(main())
`,
  expected: [
    "A 0 T1",
    "B 0 T2",
    "C 0 T3",
    "A 1 T1",
    "B 1 T2",
    "B 2 T2",
    "['A', 'B', 'C'] T4 main",
  ],
  program: async () => {
    async function w(name: string, n: number) {
      for (let i = 0; i < n; i++) {
        await sleep(0);
        await Promise.resolve();
        print(`${name} ${i} ${who()}`);
      }
      return name;
    }
    async function main() {
      mainTask = currentTask();
      print(await gather(w("A", 2), w("B", 3), w("C", 1)), who());
    }
    await run(main);
  },
});

shapeTest({
  name:
    "gather() of coroutines created together that await Promise.all([leaf()]) first: the leaf belongs to its caller's task (#15)",
  // Promise.all([leaf()]) of one coroutine waits as \`await leaf()\` does: in
  // the caller's task.
  python: `
async def leaf(name):
    await asyncio.sleep(0)
    print(f"{name} leaf {who()}")
    return name

async def w(name):
    [r] = [await leaf(name.lower())]
    await asyncio.sleep(0)
    print(f"{name} after {who()}")
    return r

async def main():
    global main_task
    main_task = asyncio.current_task()
    print(f"main {who()}")
    print(await asyncio.gather(w("A"), w("B")))

asyncio.run(main())
`,
  expected: [
    "main T1 main",
    "a leaf T2",
    "b leaf T3",
    "A after T2",
    "B after T3",
    "['a', 'b']",
  ],
  program: async () => {
    async function leafOf(name: string) {
      await sleep(0);
      print(`${name} leaf ${who()}`);
      return name;
    }
    async function w(name: string) {
      const [r] = await Promise.all([leafOf(name.toLowerCase())]);
      await sleep(0);
      print(`${name} after ${who()}`);
      return r;
    }
    async function main() {
      mainTask = currentTask();
      print(`main ${who()}`);
      print(await gather(w("A"), w("B")));
    }
    await run(main);
  },
});

shapeTest({
  name:
    "gather() of coroutines created together whose first await is await helper(): each is its own task (#15)",
  python: `
async def helper(name):
    await asyncio.sleep(0)
    return name.lower()

async def w(name, n):
    low = await helper(name)
    for i in range(n):
        print(f"{name} {low} {i} {who()}")
        await asyncio.sleep(0)
    return low

async def main():
    global main_task
    main_task = asyncio.current_task()
    print(f"main {who()}")
    print(await asyncio.gather(w("A", 2), w("B", 3), w("C", 1)))

asyncio.run(main())
`,
  expected: [
    "main T1 main",
    "A a 0 T2",
    "B b 0 T3",
    "C c 0 T4",
    "A a 1 T2",
    "B b 1 T3",
    "B b 2 T3",
    "['a', 'b', 'c']",
  ],
  program: async () => {
    async function helper(name: string) {
      await sleep(0);
      return name.toLowerCase();
    }
    async function w(name: string, n: number) {
      const low = await helper(name);
      for (let i = 0; i < n; i++) {
        print(`${name} ${low} ${i} ${who()}`);
        await sleep(0);
      }
      return low;
    }
    async function main() {
      mainTask = currentTask();
      print(`main ${who()}`);
      print(await gather(w("A", 2), w("B", 3), w("C", 1)));
    }
    await run(main);
  },
});

// ---------------------------------------------------------------------------
// 10: streams.

shapeTest({
  name:
    "gather() of 20 clients created together, each openConnection() to an echo server and readLine(): all finish (#15)",
  python: `
async def handle(reader, writer):
    line = await reader.readline()
    writer.write(line)
    await writer.drain()
    writer.close()
    await writer.wait_closed()

async def client(i, port):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"hello {i}\\n".encode())
    await writer.drain()
    line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return line.decode().strip()

async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        results = await asyncio.gather(*[client(i, port) for i in range(20)])
    print(len(results), results[0], results[19])
    print(results == [f"hello {i}" for i in range(20)])

asyncio.run(main())
`,
  expected: ["20 hello 0 hello 19", "True"],
  program: async () => {
    // The writers still open, closed if the program fails or hangs.
    const open = new Set<StreamWriter>();
    async function handle(reader: StreamReader, writer: StreamWriter) {
      open.add(writer);
      const line = await reader.readLine();
      writer.write(line);
      await writer.drain();
      writer.close();
      await writer.waitClosed();
      open.delete(writer);
    }
    async function client(i: number, port: number) {
      const [reader, writer] = await openConnection("127.0.0.1", port);
      open.add(writer);
      writer.write(new TextEncoder().encode(`hello ${i}\n`));
      await writer.drain();
      const line = await reader.readLine();
      writer.close();
      await writer.waitClosed();
      open.delete(writer);
      return new TextDecoder().decode(line).trim();
    }
    async function main() {
      const server = await startServer(handle, "127.0.0.1", 0);
      const port = (server.sockets[0].getsockname() as [string, number])[1];
      try {
        const results = await gather(
          ...Array.from({ length: 20 }, (_, i) => client(i, port)),
        );
        print(results.length, results[0], results[19]);
        print(
          results.join() ===
            Array.from({ length: 20 }, (_, i) => `hello ${i}`).join(),
        );
      } finally {
        server.close();
        await server.waitClosed();
      }
    }
    try {
      await run(main);
    } finally {
      for (const writer of open) writer.close();
    }
  },
});

// ---------------------------------------------------------------------------
// 11: generator coroutines beside async ones.

shapeTest({
  name:
    "gather() of a generator coroutine and async coroutines created together: each is its own task (#15)",
  // 3.11 has no generator coroutines (@asyncio.coroutine is gone): G is an
  // async def there; here it is a coroutine(function* …), lazy as in Python.
  python: PY_STEPS + `
async def main():
    global main_task
    main_task = asyncio.current_task()
    print(f"main {who()}")
    print(await asyncio.gather(w("A", 2), w("G", 3), w("B", 1)))

asyncio.run(main())
`,
  expected: [
    "main T1 main",
    "A 0 T2",
    "G 0 T3",
    "B 0 T4",
    "A 1 T2",
    "G 1 T3",
    "G 2 T3",
    "['A', 'G', 'B']",
  ],
  program: async () => {
    const g = coroutine(function* (name: string, n: number) {
      for (let i = 0; i < n; i++) {
        yield* sleep(0);
        print(`${name} ${i} ${who()}`);
      }
      return name;
    });
    async function main() {
      mainTask = currentTask();
      print(`main ${who()}`);
      print(await gather(steps("A", 2), g("G", 3), steps("B", 1)));
    }
    await run(main);
  },
});

// ---------------------------------------------------------------------------
// The sibling of an adopted coroutine whose first await is on a plain
// promise, or on an async helper: awaited by main, it stays main's.

shapeTest({
  name:
    "a = plainFirst(); b = w(); createTask(a); await b: b stays main's (#15)",
  python: `
async def resolved():
    pass

async def plain_first(name):
    await resolved()
    print(name, who())
    await asyncio.sleep(0)
    print(name, who())

async def helper():
    await asyncio.sleep(0)

async def helper_first(name):
    await helper()
    print(name, who())
    await asyncio.sleep(0)
    print(name, who())

async def w(name):
    await asyncio.sleep(0)
    print(name, who())
    await asyncio.sleep(0)
    print(name, who())

async def main():
    global main_task
    main_task = asyncio.current_task()
    for first in (plain_first, helper_first):
        a = first("a")
        b = w("b")
        ta = asyncio.create_task(a)
        await b
        await ta
        print("--")

asyncio.run(main())
`,
  expected: [
    "a T1",
    "b T2 main",
    "a T1",
    "b T2 main",
    "--",
    "b T2 main",
    "a T3",
    "b T2 main",
    "a T3",
    "--",
  ],
  program: () =>
    run(async () => {
      mainTask = currentTask();
      async function plainFirst(name: string) {
        await Promise.resolve();
        print(name, who());
        await sleep(0);
        print(name, who());
      }
      async function helper() {
        await sleep(0);
      }
      async function helperFirst(name: string) {
        await helper();
        print(name, who());
        await sleep(0);
        print(name, who());
      }
      async function w(name: string) {
        await sleep(0);
        print(name, who());
        await sleep(0);
        print(name, who());
      }
      for (const first of [plainFirst, helperFirst]) {
        const a = first("a");
        const b = w("b");
        const ta = createTask(a);
        await b;
        await ta;
        print("--");
      }
    }),
});
