/**
 * A seeded differential fuzzer against CPython: the program model, its
 * fast-check generator, the two emitters (Python asyncio and TypeScript over
 * this module) and the runners that print both traces.
 *
 * One {@link Program} describes 2–5 coroutines, each a list of steps
 * (`sleep(0)`, short sleeps, `async with lock`, queue put/get, event
 * wait/set/clear, `waitFor`, `timeout`, a print of the current task), how
 * `main` turns them into tasks (the {@link Creation} shapes, including the
 * eager ones a porter writes: `await gather(w0(), w1())`,
 * `const coros = [w0(), w1()]; coros.map((c) => createTask(c))`), a few
 * `task.cancel()`s that `main` issues at virtual times, and how `main`
 * collects the outcomes. {@link emitPython} and {@link emitTypeScript} write
 * the same description as a Python 3.11 coroutine and as a TypeScript module;
 * each run prints one line per step (`c2 s3 sleep(0) task=T3 t=40`), with the
 * tasks named `T1, T2, …` in order of first appearance and the time in
 * virtual milliseconds, so that the traces compare line by line.
 *
 * Where CPython leaves an order open, or the module ports a later CPython,
 * the Python side is normalised (only there, so that what is compared stays
 * the module's behaviour):
 * - timers due at the same time run in the order they were scheduled (the
 *   module's timer heap is FIFO, CPython's `heapq` is not);
 * - a timer is due when its deadline is `<=` the virtual time (CPython: within
 *   the clock resolution, which merges deadlines a rounding error apart);
 * - `wait_for` and `gather` are CPython 3.12's, which the module ports (3.11's
 *   `wait_for` runs the awaitable in a task of its own, 3.11's `gather` counts
 *   a child that is done already one loop iteration later);
 * - a task group cancels its tasks in creation order (CPython's iterates a
 *   set, in hash order, which changes from run to run).
 *
 * Every coroutine begins with an `await` that it logs nothing before, outside
 * its `try` (see {@link Coro}); {@link GenerateOptions.firstAwait} restricts
 * what that `await` may be.
 *
 * @module
 */
import fc from "fast-check";
import { EventLoop, run, VirtualClock } from "../../mod.ts";

/** One step of a coroutine; times are in hundredths of a second. */
export type Step =
  | { op: "sleep0" }
  | { op: "sleep"; k: number }
  | { op: "lock"; k: number }
  | { op: "put"; deadline: number }
  | { op: "get"; deadline: number }
  | { op: "getNowait" }
  | { op: "set" }
  | { op: "clear" }
  | { op: "eventWait"; deadline: number }
  | { op: "waitFor"; d: number; t: number }
  | { op: "timeout"; d: number; t: number }
  | { op: "name" };

/**
 * One coroutine: its steps, then a return (or a `ValueError`). The first step
 * begins with an `await` (no `set`, `clear`, `getNowait` or `name`) and runs
 * outside the coroutine's `try`: a JavaScript `async` function runs up to its
 * first `await` when it is called, before its task exists (the README's one
 * thing the module cannot hide), so nothing is logged and no `try` is entered
 * before that `await`, as a porter would write it.
 */
export interface Coro {
  /** The steps, in order; the first one begins with an `await`. */
  steps: Step[];
  /** Whether it ends by raising `ValueError` instead of returning. */
  fail: boolean;
}

/**
 * How `main` turns the coroutines into tasks (shapes a–e):
 * - `"gather"` (a): `gather(c0(), c1(), …)`, the coroutines called as
 *   arguments;
 * - `"map"` (b): `const coros = [c0(), c1(), …]`, then a task for each, in
 *   call order (`coros.map((c) => createTask(c))`) or in the order `order`;
 * - `"oneByOne"` (c): `tasks[i] = createTask(ci())`, one statement each, in
 *   the order `order`;
 * - `"taskGroupBefore"` / `"taskGroupInside"` (e): a task group whose body
 *   wraps coroutines created before it, or calls them inside
 *   `tg.createTask(ci())`.
 *
 * Shape (d), `wait([...])`, is the collection mode `"wait"` of `"map"` and
 * `"oneByOne"`.
 */
export type Creation =
  | "gather"
  | "map"
  | "oneByOne"
  | "taskGroupBefore"
  | "taskGroupInside";

/** Every creation shape. */
export const CREATIONS: readonly Creation[] = [
  "gather",
  "map",
  "oneByOne",
  "taskGroupBefore",
  "taskGroupInside",
];

/**
 * How `main` waits for tasks it holds (`"map"` and `"oneByOne"`):
 * `gather(...tasks, { returnExceptions: true })`, `wait(tasks)`, or an
 * `await` of each in turn.
 */
export type Collect = "gather" | "wait" | "each";

/** `main` sleeps `delay` hundredths, then cancels the task of `target`. */
export interface Cancel {
  /** Hundredths of a second after the previous cancel (or the start). */
  delay: number;
  /** The coroutine whose task is cancelled. */
  target: number;
}

/** One program: what both emitters write. */
export interface Program {
  /** The seed it was generated from (`--seed=N --runs=1` makes it again). */
  seed: number;
  /** How the coroutines become tasks. */
  creation: Creation;
  /** How `main` waits for the tasks, where it holds them. */
  collect: Collect;
  /** The order tasks are created in: a permutation of the coroutines. */
  order: number[];
  /** The shared queue's `maxsize` (0: unbounded). */
  maxsize: number;
  /** The coroutines `c0`, `c1`, … */
  coros: Coro[];
  /** The cancellations `main` issues, in order. */
  cancels: Cancel[];
}

/** Options of the generator. */
export interface GenerateOptions {
  /**
   * The creation shapes to draw from (e.g. `["oneByOne"]`, shape c only).
   *
   * @default CREATIONS
   */
  shapes?: readonly Creation[];
  /**
   * What a coroutine's first step may be: `"any"` step that begins with an
   * `await`, or one of the listed ops. The operand of the first `await` runs
   * when the coroutine is called, before its task exists; `await sleep(0)`
   * has no effect but yielding, so with `["sleep0"]` every shape's calls are
   * as lazy as CPython's, and only the module's scheduling and task
   * attribution are compared.
   *
   * @default "any"
   */
  firstAwait?: "any" | readonly AwaitingOp[];
}

const hundredths = (min: number, max: number) => fc.integer({ min, max });

/** The ops of the steps that begin with an `await` (a coroutine's first). */
export const AWAITING_OPS = [
  "sleep0",
  "sleep",
  "lock",
  "put",
  "get",
  "eventWait",
  "waitFor",
  "timeout",
] as const;

/** An op of {@link AWAITING_OPS}. */
export type AwaitingOp = typeof AWAITING_OPS[number];

/** The steps of `ops`, all beginning with an `await`. */
function awaitingStepArb(
  ops: readonly AwaitingOp[] = AWAITING_OPS,
): fc.Arbitrary<Step> {
  const arbs: Record<AwaitingOp, fc.Arbitrary<Step>> = {
    sleep0: fc.constant({ op: "sleep0" as const }),
    sleep: fc.record({
      op: fc.constant("sleep" as const),
      k: hundredths(1, 5),
    }),
    lock: fc.record({ op: fc.constant("lock" as const), k: hundredths(0, 3) }),
    put: fc.record({
      op: fc.constant("put" as const),
      deadline: hundredths(1, 5),
    }),
    get: fc.record({
      op: fc.constant("get" as const),
      deadline: hundredths(1, 5),
    }),
    eventWait: fc.record({
      op: fc.constant("eventWait" as const),
      deadline: hundredths(1, 5),
    }),
    waitFor: fc.record({
      op: fc.constant("waitFor" as const),
      d: hundredths(0, 5),
      t: hundredths(0, 5),
    }),
    timeout: fc.record({
      op: fc.constant("timeout" as const),
      d: hundredths(0, 5),
      t: hundredths(0, 5),
    }),
  };
  if (ops.length === 0) throw new Error("awaitingStepArb: no ops");
  return fc.oneof(...ops.map((op) => arbs[op]));
}

/** Any step. */
function stepArb(): fc.Arbitrary<Step> {
  return fc.oneof(
    { arbitrary: awaitingStepArb(), weight: 8 },
    { arbitrary: fc.constant({ op: "getNowait" as const }), weight: 1 },
    { arbitrary: fc.constant({ op: "set" as const }), weight: 1 },
    { arbitrary: fc.constant({ op: "clear" as const }), weight: 1 },
    { arbitrary: fc.constant({ op: "name" as const }), weight: 1 },
  );
}

function coroArb(options: GenerateOptions): fc.Arbitrary<Coro> {
  return fc.record({
    steps: fc.tuple(
      awaitingStepArb(
        options.firstAwait === undefined || options.firstAwait === "any"
          ? AWAITING_OPS
          : options.firstAwait,
      ),
      fc.array(stepArb(), { maxLength: 5 }),
    ).map(([first, rest]) => [first, ...rest]),
    fail: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
  });
}

/** The arbitrary of programs (its `seed` field is left 0). */
export function programArb(
  options: GenerateOptions = {},
): fc.Arbitrary<Program> {
  const shapes = options.shapes ?? CREATIONS;
  if (shapes.length === 0) throw new Error("programArb: no shapes");
  return fc.integer({ min: 2, max: 5 }).chain((n) => {
    const indices = Array.from({ length: n }, (_, i) => i);
    return fc.record({
      seed: fc.constant(0),
      creation: fc.constantFrom(...shapes),
      collect: fc.constantFrom<Collect>("gather", "wait", "each"),
      order: fc.oneof(
        fc.constant(indices),
        fc.shuffledSubarray(indices, { minLength: n, maxLength: n }),
      ),
      maxsize: fc.integer({ min: 0, max: 2 }),
      coros: fc.array(coroArb(options), { minLength: n, maxLength: n }),
      cancels: fc.array(
        fc.record({ delay: hundredths(0, 4), target: fc.nat(n - 1) }),
        { maxLength: 3 },
      ),
    });
  });
}

/** Program `seed`: the same seed always makes the same program. */
export function generateProgram(
  seed: number,
  options: GenerateOptions = {},
): Program {
  const [program] = fc.sample(programArb(options), { seed, numRuns: 1 });
  // The gather shape creates in argument order; the others honour `order`.
  const order = program.creation === "gather"
    ? program.coros.map((_, i) => i)
    : program.order;
  return { ...program, seed, order };
}

/** Programs `seed`, `seed + 1`, … (`runs` of them). */
export function generatePrograms(
  seed: number,
  runs: number,
  options: GenerateOptions = {},
): Program[] {
  return Array.from(
    { length: runs },
    (_, k) => generateProgram(seed + k, options),
  );
}

// ---------------------------------------------------------------------------
// Emitting

/** Hundredths of a second as a literal both languages read the same. */
function secs(k: number): string {
  return k === 0 ? "0" : String(k / 100);
}

/** Lines of code at an indentation. */
class Code {
  readonly lines: string[] = [];
  #indent = "";

  line(text: string): void {
    this.lines.push(text === "" ? "" : this.#indent + text);
  }

  /** Lines inside `fn` one level deeper (4 spaces in Python, 2 in TS). */
  nest(step: string, fn: () => void): void {
    const outer = this.#indent;
    this.#indent = outer + step;
    try {
      fn();
    } finally {
      this.#indent = outer;
    }
  }

  toString(): string {
    return this.lines.join("\n") + "\n";
  }
}

const isIdentity = (order: number[]) => order.every((x, i) => x === i);

/** Whether `main` holds the task objects from their creation on. */
function holdsTasks(p: Program): boolean {
  return p.creation !== "gather";
}

/** Whether `main` collects with `collect` (not a gather or task group). */
function collects(p: Program): boolean {
  return p.creation === "map" || p.creation === "oneByOne";
}

/**
 * The shared Python prelude: the virtual-time loop, CPython 3.12's
 * `wait_for` and `gather`, the ordered task group, the per-program helpers
 * and the driver.
 */
export const PYTHON_PRELUDE = `\
# Generated by tests/tasks/_differential.ts: random asyncio programs, each run
# on a fresh loop with a virtual clock, printing "=== k" then its trace.
import asyncio
import heapq
import math
import sys
import traceback
from asyncio import base_events, events


class _Timer(events.TimerHandle):
    # Timers due at the same time run in the order they were scheduled, as in
    # the module's timer heap (CPython's heapq breaks such ties arbitrarily).
    __slots__ = ("_seq",)

    def _key(self):
        return (self._when, self._seq)

    def __lt__(self, other):
        return self._key() < other._key()

    def __le__(self, other):
        return self._key() <= other._key()

    def __gt__(self, other):
        return self._key() > other._key()

    def __ge__(self, other):
        return self._key() >= other._key()


class _Selector:
    # As CPython's test_utils.TestLoop: waiting for I/O advances the virtual
    # time instead, to the earliest timer exactly (the module's VirtualClock
    # jumps there too).
    def __init__(self, loop):
        self._loop = loop

    def select(self, timeout):
        if timeout is None:
            raise RuntimeError("deadlock: nothing is ready and no timer is set")
        if timeout > 0:
            self._loop._now = self._loop._scheduled[0]._when
        return []

    def close(self):
        pass


class VirtualLoop(base_events.BaseEventLoop):
    def __init__(self):
        self._now = 0.0
        self._seq = 0
        super().__init__()
        self._selector = _Selector(self)

    # A timer is due when its deadline is <= the time, as in the module
    # (CPython's _run_once: < time + clock resolution; one ulp makes it <=).
    @property
    def _clock_resolution(self):
        return math.nextafter(self._now, math.inf) - self._now

    @_clock_resolution.setter
    def _clock_resolution(self, value):
        pass

    def time(self):
        return self._now

    def call_at(self, when, callback, *args, context=None):
        self._check_closed()
        self._seq += 1
        timer = _Timer(when, callback, args, self, context)
        timer._seq = self._seq
        heapq.heappush(self._scheduled, timer)
        timer._scheduled = True
        return timer

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass


def _release_waiter(waiter, *args):
    if not waiter.done():
        waiter.set_result(None)


async def _cancel_and_wait(fut):
    waiter = asyncio.get_running_loop().create_future()
    cb = lambda f: _release_waiter(waiter)
    fut.add_done_callback(cb)
    try:
        fut.cancel()
        await waiter
    finally:
        fut.remove_done_callback(cb)


async def wait_for(fut, timeout):
    # asyncio.wait_for of CPython 3.12, which the module ports (3.11's runs
    # the awaitable in a task of its own).
    if timeout is not None and timeout <= 0:
        fut = asyncio.ensure_future(fut)
        if fut.done():
            return fut.result()
        await _cancel_and_wait(fut)
        try:
            return fut.result()
        except asyncio.CancelledError as exc:
            raise TimeoutError from exc
    async with asyncio.timeout(timeout):
        return await fut


def gather(*coros_or_futures, return_exceptions=False):
    # asyncio.gather of CPython 3.12, which the module ports: a child done
    # already counts at once (3.11 waits for its done-callback to run).
    children = []
    nfuts = 0
    nfinished = 0
    outer = None

    def _done_callback(fut):
        nonlocal nfinished
        nfinished += 1
        if outer is None or outer.done():
            if not fut.cancelled():
                fut.exception()
            return
        if not return_exceptions:
            if fut.cancelled():
                outer.set_exception(fut._make_cancelled_error())
                return
            exc = fut.exception()
            if exc is not None:
                outer.set_exception(exc)
                return
        if nfinished == nfuts:
            results = []
            for child in children:
                if child.cancelled():
                    res = asyncio.CancelledError(
                        "" if child._cancel_message is None
                        else child._cancel_message)
                else:
                    res = child.exception()
                    if res is None:
                        res = child.result()
                results.append(res)
            if outer._cancel_requested:
                outer.set_exception(fut._make_cancelled_error())
            else:
                outer.set_result(results)

    arg_to_fut = {}
    done_futs = []
    loop = None
    for arg in coros_or_futures:
        if arg not in arg_to_fut:
            fut = asyncio.ensure_future(arg, loop=loop)
            if loop is None:
                loop = asyncio.futures._get_loop(fut)
            if fut is not arg:
                fut._log_destroy_pending = False
            nfuts += 1
            arg_to_fut[arg] = fut
            if fut.done():
                done_futs.append(fut)
            else:
                fut.add_done_callback(_done_callback)
        else:
            fut = arg_to_fut[arg]
        children.append(fut)
    outer = asyncio.tasks._GatheringFuture(children, loop=loop)
    for fut in done_futs:
        _done_callback(fut)
    return outer


class _OrderedSet:
    # The set of a task group's tasks, in creation order: CPython iterates a
    # set (in hash order) when it cancels them, the module a JavaScript Set.
    def __init__(self):
        self._items = {}

    def add(self, item):
        self._items[item] = None

    def discard(self, item):
        self._items.pop(item, None)

    def __iter__(self):
        return iter(list(self._items))

    def __len__(self):
        return len(self._items)


class TaskGroup(asyncio.TaskGroup):
    def __init__(self):
        super().__init__()
        self._tasks = _OrderedSet()


def _helpers():
    names = {}

    def nm(task=None):
        if task is None:
            task = asyncio.current_task()
        if task is None:
            return "none"
        if task not in names:
            names[task] = f"T{len(names) + 1}"
        return names[task]

    def ms():
        return round(asyncio.get_running_loop().time() * 1000)

    def cls(e):
        return type(e).__name__

    def outcome(t):
        if t is None:
            return "no task"
        if t.cancelled():
            return "cancelled"
        if t.exception() is not None:
            return cls(t.exception())
        return f"result {t.result()}"

    def fmt(r):
        return cls(r) if isinstance(r, BaseException) else f"result {r}"

    return nm, ms, cls, outcome, fmt


def _drive(k, prog):
    lines = []
    try:
        with asyncio.Runner(loop_factory=VirtualLoop) as runner:
            runner.run(prog(lines.append))
    except BaseException as e:
        if not isinstance(e, asyncio.CancelledError):
            traceback.print_exc()
        lines.append(f"!! run raised {type(e).__name__}")
    sys.stdout.write(f"=== {k}\\n" + "".join(line + "\\n" for line in lines))
`;

/** Python's and TypeScript's spelling of what a step emits. */
interface Lang {
  /** One level of indentation. */
  step: string;
  /** A log call of an f-string / template body (with `{…}` holes). */
  log(text: string): string;
  /** `{expr}` in Python, `${expr}` in TS. */
  hole(expr: string): string;
}

const PY: Lang = {
  step: "    ",
  log: (text) => `log(f"${text}")`,
  hole: (expr) => `{${expr}}`,
};

const TS: Lang = {
  step: "  ",
  log: (text) => `log(\`${text}\`);`,
  hole: (expr) => `\${${expr}}`,
};

/** The end of a log line: the task and the time. */
function at(lang: Lang): string {
  return `task=${lang.hole("nm()")} t=${lang.hole("ms()")}`;
}

/** Emit `try: body except X: handler` in `lang`. */
function tryExcept(
  code: Code,
  lang: Lang,
  exception: string,
  body: () => void,
  handler: () => void,
): void {
  if (lang === PY) {
    code.line("try:");
    code.nest(lang.step, body);
    code.line(`except ${exception}:`);
    code.nest(lang.step, handler);
  } else {
    code.line("try {");
    code.nest(lang.step, body);
    code.line("} catch (e) {");
    code.nest(lang.step, () => {
      code.line(`if (!(e instanceof ${exception})) throw e;`);
      handler();
    });
    code.line("}");
  }
}

function emitStep(
  code: Code,
  lang: Lang,
  p: Program,
  i: number,
  j: number,
  s: Step,
): void {
  const py = lang === PY;
  const label = `c${i} s${j}`;
  const log = (text: string) =>
    code.line(lang.log(`${label} ${text} ${at(lang)}`));
  const sleep = (k: number) =>
    code.line(
      py ? `await asyncio.sleep(${secs(k)})` : `await sleep(${secs(k)});`,
    );
  // One name in both: Python 3.11's asyncio.TimeoutError is the builtin.
  const timeoutError = "TimeoutError";
  switch (s.op) {
    case "sleep0":
      sleep(0);
      log("sleep(0)");
      return;
    case "sleep":
      sleep(s.k);
      log(`sleep(${secs(s.k)})`);
      return;
    case "lock":
      if (py) {
        code.line("async with lock:");
        code.nest(lang.step, () => {
          log("lock acquired");
          sleep(s.k);
        });
      } else {
        code.line("await lock.acquire();");
        code.line("try {");
        code.nest(lang.step, () => {
          log("lock acquired");
          sleep(s.k);
        });
        code.line("} finally {");
        code.nest(lang.step, () => code.line("lock.release();"));
        code.line("}");
      }
      log("lock released");
      return;
    case "put": {
      const item = `c${i}.${j}`;
      if (p.maxsize === 0) {
        code.line(py ? `await q.put("${item}")` : `await q.put("${item}");`);
        log(`put ${item}`);
        return;
      }
      tryExcept(code, lang, timeoutError, () => {
        code.line(
          py
            ? `await wait_for(q.put("${item}"), ${secs(s.deadline)})`
            : `await waitFor(q.put("${item}"), ${secs(s.deadline)});`,
        );
        log(`put ${item} ok`);
      }, () => log(`put ${item} TimeoutError`));
      return;
    }
    case "get":
      tryExcept(code, lang, timeoutError, () => {
        code.line(
          py
            ? `item = await wait_for(q.get(), ${secs(s.deadline)})`
            : `const item = await waitFor(q.get(), ${secs(s.deadline)});`,
        );
        log(`get ${lang.hole("item")}`);
      }, () => log("get TimeoutError"));
      return;
    case "getNowait":
      tryExcept(code, lang, py ? "asyncio.QueueEmpty" : "QueueEmpty", () => {
        code.line(py ? "item = q.get_nowait()" : "const item = q.getNowait();");
        log(`getNowait ${lang.hole("item")}`);
      }, () => log("getNowait QueueEmpty"));
      return;
    case "set":
      code.line(py ? "ev.set()" : "ev.set();");
      log("set");
      return;
    case "clear":
      code.line(py ? "ev.clear()" : "ev.clear();");
      log("clear");
      return;
    case "eventWait":
      tryExcept(code, lang, timeoutError, () => {
        code.line(
          py
            ? `await wait_for(ev.wait(), ${secs(s.deadline)})`
            : `await waitFor(ev.wait(), ${secs(s.deadline)});`,
        );
        log("eventWait ok");
      }, () => log("eventWait TimeoutError"));
      return;
    case "waitFor": {
      const what = `waitFor(sleep(${secs(s.d)}), ${secs(s.t)})`;
      tryExcept(code, lang, timeoutError, () => {
        code.line(
          py
            ? `await wait_for(asyncio.sleep(${secs(s.d)}), ${secs(s.t)})`
            : `await waitFor(sleep(${secs(s.d)}), ${secs(s.t)});`,
        );
        log(`${what} ok`);
      }, () => log(`${what} TimeoutError`));
      return;
    }
    case "timeout": {
      const what = `timeout(${secs(s.t)}) sleep(${secs(s.d)})`;
      tryExcept(code, lang, timeoutError, () => {
        if (py) {
          code.line(`async with asyncio.timeout(${secs(s.t)}):`);
          code.nest(lang.step, () => sleep(s.d));
        } else {
          code.line(`await timeout(${secs(s.t)}, async () => {`);
          code.nest(lang.step, () => sleep(s.d));
          code.line("});");
        }
        log(`${what} ok`);
      }, () => log(`${what} TimeoutError`));
      return;
    }
    case "name":
      log("name");
      return;
  }
}

function emitCoro(code: Code, lang: Lang, p: Program, i: number): void {
  const py = lang === PY;
  const c = p.coros[i];
  code.line(
    py ? `async def c${i}():` : `async function c${i}(): Promise<string> {`,
  );
  code.nest(lang.step, () => {
    // The first await, outside the try (see `Coro`).
    emitStep(code, lang, p, i, 0, c.steps[0]);
    if (p.creation === "gather") {
      code.line(
        py
          ? `running[${i}] = asyncio.current_task()`
          : `running[${i}] = currentTask();`,
      );
    }
    const body = () => {
      c.steps.forEach((s, j) => {
        if (j > 0) emitStep(code, lang, p, i, j, s);
      });
      if (c.fail) {
        code.line(lang.log(`c${i} raise ValueError ${at(lang)}`));
        code.line(
          py ? `raise ValueError("c${i}")` : `throw new ValueError("c${i}");`,
        );
      } else {
        code.line(lang.log(`c${i} return ${at(lang)}`));
        code.line(py ? `return "c${i}"` : `return "c${i}";`);
      }
    };
    if (py) {
      code.line("try:");
      code.nest(lang.step, body);
      code.line("except asyncio.CancelledError:");
      code.nest(lang.step, () => {
        code.line(lang.log(`c${i} cancelled ${at(lang)}`));
        code.line("raise");
      });
    } else {
      code.line("try {");
      code.nest(lang.step, body);
      code.line("} catch (e) {");
      code.nest(lang.step, () => {
        code.line(
          `if (e instanceof CancelledError) ${
            lang.log(`c${i} cancelled ${at(lang)}`)
          }`,
        );
        code.line("throw e;");
      });
      code.line("}");
    }
  });
  if (!py) code.line("}");
}

/** `main`'s cancellations: sleep, then cancel, logging what cancel() said. */
function emitCancels(code: Code, lang: Lang, p: Program): void {
  const py = lang === PY;
  for (const { delay, target } of p.cancels) {
    code.line(
      py
        ? `await asyncio.sleep(${secs(delay)})`
        : `await sleep(${secs(delay)});`,
    );
    const table = holdsTasks(p) ? "tasks" : "running";
    if (py) {
      code.line(`t = ${table}[${target}]`);
      code.line("if t is None:");
      code.nest(
        lang.step,
        () =>
          code.line(lang.log(`main cancel c${target} not started t={ms()}`)),
      );
      code.line("else:");
      code.nest(lang.step, () => {
        code.line(
          lang.log(
            `main cancel c${target} ({nm(t)}) -> {t.cancel()} t={ms()}`,
          ),
        );
      });
    } else {
      code.line("{");
      code.nest(lang.step, () => {
        code.line(`const t = ${table}[${target}];`);
        code.line("if (t === null || t === undefined) {");
        code.nest(
          lang.step,
          () =>
            code.line(
              lang.log(`main cancel c${target} not started t=\${ms()}`),
            ),
        );
        code.line("} else {");
        code.nest(lang.step, () => {
          code.line(
            lang.log(
              `main cancel c${target} (\${nm(t)}) -> \${t.cancel() ? "True" : "False"} t=\${ms()}`,
            ),
          );
        });
        code.line("}");
      });
      code.line("}");
    }
  }
}

/** Create task `i` (from `coros[i]` or a fresh call) and log its name. */
function emitCreate(
  code: Code,
  lang: Lang,
  i: number,
  source: string,
  create: string,
): void {
  const py = lang === PY;
  code.line(
    py
      ? `tasks[${i}] = ${create}(${source})`
      : `tasks[${i}] = ${create}(${source});`,
  );
  emitWatch(code, lang, i);
}

/** Log task `i`'s name now, and its outcome when it is done. */
function emitWatch(code: Code, lang: Lang, i: number): void {
  const py = lang === PY;
  code.line(lang.log(`main create c${i} -> ${lang.hole(`nm(tasks[${i}])`)}`));
  code.line(
    py
      ? `tasks[${i}].add_done_callback(lambda t: log(f"done c${i} {outcome(t)} t={ms()}"))`
      : `tasks[${i}].addDoneCallback((t) => log(\`done c${i} \${outcome(t)} t=\${ms()}\`));`,
  );
}

function emitOutcomes(code: Code, lang: Lang, p: Program): void {
  p.coros.forEach((_, i) => {
    code.line(
      lang.log(`main outcome c${i} ${lang.hole(`outcome(tasks[${i}])`)}`),
    );
  });
  code.line(
    lang.log(`main end qsize=${lang.hole("q.qsize()")} ${at(lang)}`),
  );
}

function emitMainBody(code: Code, lang: Lang, p: Program): void {
  const py = lang === PY;
  const n = p.coros.length;
  const calls = p.coros.map((_, i) => `c${i}()`).join(", ");
  code.line(lang.log(`main start ${at(lang)}`));
  if (p.creation === "gather") {
    code.line(
      py
        ? `g = gather(${calls}, return_exceptions=True)`
        : `const g = gather(${calls}, { returnExceptions: true });`,
    );
    emitCancels(code, lang, p);
    code.line(py ? "results = await g" : "const results = await g;");
    if (py) {
      code.line("for i, r in enumerate(results):");
      code.nest(lang.step, () => {
        code.line(lang.log(`main outcome c{i} {fmt(r)}`));
      });
    } else {
      code.line("results.forEach((r, i) => {");
      code.nest(lang.step, () => {
        code.line(lang.log("main outcome c${i} ${fmt(r)}"));
      });
      code.line("});");
    }
    code.line(
      lang.log(`main end qsize=${lang.hole("q.qsize()")} ${at(lang)}`),
    );
    return;
  }
  code.line(
    py ? `tasks = [None] * ${n}` : "const tasks: Task<string>[] = [];",
  );
  if (p.creation === "map" || p.creation === "taskGroupBefore") {
    code.line(py ? `coros = [${calls}]` : `const coros = [${calls}];`);
  }
  const createAll = (create: string) => {
    if (p.creation === "map" || p.creation === "taskGroupBefore") {
      if (isIdentity(p.order)) {
        code.line(
          py
            ? `tasks[:] = [${create}(c) for c in coros]`
            : `tasks.push(...coros.map((c) => ${create}(c)));`,
        );
        p.order.forEach((i) => emitWatch(code, lang, i));
      } else {
        for (const i of p.order) {
          emitCreate(code, lang, i, `coros[${i}]`, create);
        }
      }
    } else {
      for (const i of p.order) emitCreate(code, lang, i, `c${i}()`, create);
    }
  };
  if (collects(p)) {
    createAll(py ? "asyncio.create_task" : "createTask");
    emitCancels(code, lang, p);
    switch (p.collect) {
      case "gather":
        code.line(
          py
            ? "await gather(*tasks, return_exceptions=True)"
            : "await gather(...tasks, { returnExceptions: true });",
        );
        code.line(lang.log(`main gathered ${at(lang)}`));
        break;
      case "wait":
        code.line(
          py
            ? "done, pending = await asyncio.wait(tasks)"
            : "const [done, pending] = await wait(tasks);",
        );
        code.line(
          py
            ? lang.log(
              `main waited done={len(done)} pending={len(pending)} ${at(lang)}`,
            )
            : lang.log(
              `main waited done=\${done.size} pending=\${pending.size} ${
                at(lang)
              }`,
            ),
        );
        break;
      case "each":
        for (let i = 0; i < n; i++) {
          if (py) {
            code.line("try:");
            code.nest(lang.step, () => {
              code.line(`r = await tasks[${i}]`);
              code.line(lang.log(`main await c${i} result {r} ${at(lang)}`));
            });
            code.line("except BaseException as e:");
            code.nest(lang.step, () => {
              code.line(lang.log(`main await c${i} {cls(e)} ${at(lang)}`));
            });
          } else {
            code.line("try {");
            code.nest(lang.step, () => {
              code.line(`const r = await tasks[${i}];`);
              code.line(lang.log(`main await c${i} result \${r} ${at(lang)}`));
            });
            code.line("} catch (e) {");
            code.nest(lang.step, () => {
              code.line(lang.log(`main await c${i} \${cls(e)} ${at(lang)}`));
            });
            code.line("}");
          }
        }
        break;
    }
    emitOutcomes(code, lang, p);
    return;
  }
  // A task group: main creates the tasks and cancels inside its body.
  const groupBody = () => {
    createAll(py ? "tg.create_task" : "tg.createTask");
    emitCancels(code, lang, p);
  };
  if (py) {
    code.line("try:");
    code.nest(lang.step, () => {
      code.line("async with TaskGroup() as tg:");
      code.nest(lang.step, groupBody);
      code.line(lang.log(`main taskgroup ok ${at(lang)}`));
    });
    code.line("except BaseExceptionGroup as eg:");
    code.nest(lang.step, () => {
      code.line(
        lang.log(
          `main taskgroup ExceptionGroup [{', '.join(cls(x) for x in eg.exceptions)}] ${
            at(lang)
          }`,
        ),
      );
    });
  } else {
    code.line("try {");
    code.nest(lang.step, () => {
      code.line("await taskGroup(async (tg) => {");
      code.nest(lang.step, groupBody);
      code.line("});");
      code.line(lang.log(`main taskgroup ok ${at(lang)}`));
    });
    code.line("} catch (e) {");
    code.nest(lang.step, () => {
      code.line("if (!(e instanceof ExceptionGroup)) throw e;");
      code.line(
        lang.log(
          `main taskgroup ExceptionGroup [\${e.exceptions.map(cls).join(", ")}] ${
            at(lang)
          }`,
        ),
      );
    });
    code.line("}");
  }
  emitOutcomes(code, lang, p);
}

/** Program `k` as a Python coroutine function `prog_k(log)`. */
export function emitPython(p: Program, k: number): string {
  const code = new Code();
  code.line(`async def prog_${k}(log):`);
  code.nest(PY.step, () => {
    code.line(`# seed ${p.seed}: ${JSON.stringify(describe(p))}`);
    code.line("nm, ms, cls, outcome, fmt = _helpers()");
    code.line("lock = asyncio.Lock()");
    code.line(`q = asyncio.Queue(${p.maxsize})`);
    code.line("ev = asyncio.Event()");
    if (p.creation === "gather") {
      code.line(`running = [None] * ${p.coros.length}`);
    }
    code.line("");
    p.coros.forEach((_, i) => {
      emitCoro(code, PY, p, i);
      code.line("");
    });
    emitMainBody(code, PY, p);
  });
  return code.toString();
}

/** A Python file that runs `programs` in turn, printing `=== k` before each. */
export function emitPythonBatch(programs: readonly Program[]): string {
  const parts = [PYTHON_PRELUDE];
  programs.forEach((p, k) => parts.push("\n" + emitPython(p, k)));
  parts.push(
    `\nfor _k, _prog in enumerate([${
      programs.map((_, k) => `prog_${k}`).join(", ")
    }]):\n    _drive(_k, _prog)\n`,
  );
  return parts.join("");
}

/** One program as a standalone Python file (to read or rerun a failure). */
export function emitPythonStandalone(p: Program): string {
  return emitPythonBatch([p]);
}

/** The module's URL, which generated TypeScript programs import. */
export const MOD_URL = new URL("../../mod.ts", import.meta.url).href;

/** The import of the module that every TypeScript program starts with. */
function emitTsImports(code: Code, modUrl: string): void {
  code.line("import {");
  code.nest(TS.step, () => {
    for (
      const name of [
        "CancelledError",
        "createTask",
        "currentTask",
        "Event",
        "ExceptionGroup",
        "type Future",
        "gather",
        "getRunningLoop",
        "Lock",
        "Queue",
        "QueueEmpty",
        "sleep",
        "type Task",
        "taskGroup",
        "timeout",
        "TimeoutError",
        "ValueError",
        "wait",
        "waitFor",
      ]
    ) code.line(`${name},`);
  });
  code.line(`} from "${modUrl}";`);
}

/** Program `p` as `export async function <name>(log)`. */
function emitTsMain(code: Code, p: Program, name: string): void {
  code.line(`// seed ${p.seed}: ${JSON.stringify(describe(p))}`);
  code.line(
    `export async function ${name}(log: (line: string) => void): Promise<void> {`,
  );
  code.nest(TS.step, () => {
    code.line("const names = new Map<unknown, string>();");
    code.line("const nm = (task: unknown = currentTask()): string => {");
    code.nest(TS.step, () => {
      code.line('if (task === null) return "none";');
      code.line("let name = names.get(task);");
      code.line(
        "if (name === undefined) names.set(task, name = `T${names.size + 1}`);",
      );
      code.line("return name;");
    });
    code.line("};");
    code.line(
      "const ms = (): number => Math.round(getRunningLoop().time() * 1000);",
    );
    code.line(
      "const cls = (e: unknown): string => e instanceof Error ? e.name : String(e);",
    );
    code.line(
      "const outcome = (t: Future<unknown> | undefined): string =>",
    );
    code.nest(TS.step, () => {
      code.line('t === undefined ? "no task"');
      code.line(': t.cancelled() ? "cancelled"');
      code.nest(TS.step, () => {
        code.line(": t.exception() !== null ? cls(t.exception())");
        code.line(": `result ${t.result()}`;");
      });
    });
    code.line(
      "const fmt = (r: unknown): string => r instanceof Error ? cls(r) : `result ${r}`;",
    );
    code.line("void fmt;");
    code.line("const lock = new Lock();");
    code.line(`const q = new Queue<string>(${p.maxsize});`);
    code.line("const ev = new Event();");
    if (p.creation === "gather") {
      code.line(
        `const running: (Task<unknown> | null)[] = Array(${p.coros.length}).fill(null);`,
      );
    }
    code.line("");
    p.coros.forEach((_, i) => {
      emitCoro(code, TS, p, i);
      code.line("");
    });
    emitMainBody(code, TS, p);
  });
  code.line("}");
}

/**
 * The program as a TypeScript module exporting
 * `async function main(log: (line: string) => void)`, importing the module
 * from `modUrl`, written as a porter writes it from the README.
 */
export function emitTypeScript(p: Program, modUrl = MOD_URL): string {
  const code = new Code();
  emitTsImports(code, modUrl);
  code.line("");
  emitTsMain(code, p, "main");
  return code.toString();
}

/**
 * `programs` as one TypeScript module exporting `main_0`, `main_1`, … (Deno
 * takes longer over each dynamic import the more modules it has loaded, so a
 * batch is imported in chunks rather than program by program).
 */
export function emitTypeScriptBatch(
  programs: readonly Program[],
  modUrl = MOD_URL,
): string {
  const code = new Code();
  emitTsImports(code, modUrl);
  programs.forEach((p, k) => {
    code.line("");
    emitTsMain(code, p, `main_${k}`);
  });
  return code.toString();
}

/** A one-line summary of the program's shape, for the emitted comments. */
function describe(p: Program): Record<string, unknown> {
  return {
    creation: p.creation,
    collect: collects(p) ? p.collect : undefined,
    order: p.order,
    maxsize: p.maxsize,
    cancels: p.cancels,
  };
}

// ---------------------------------------------------------------------------
// Running

/** How a TypeScript program's run ended. */
export type Status = "ok" | "hang" | "unrecoverable";

/** What one TypeScript program printed, and how its run ended. */
export interface TsRun {
  /** The trace. */
  lines: string[];
  /** `"hang"`: the watchdog stopped it; `"unrecoverable"`: the loop too. */
  status: Status;
}

/** Options of {@link runTypeScript}. */
export interface RunTsOptions {
  /**
   * Real milliseconds a program may take at most.
   *
   * @default 2000
   */
  watchdogMs?: number;
  /**
   * Real milliseconds without a new line or a change of virtual time after
   * which a program counts as hung (a program takes a few ms of real time).
   *
   * @default 250
   */
  stallMs?: number;
}

/** A generated program's `main`. */
export type ProgramMain = (log: (line: string) => void) => Promise<void>;

/** Import generated TypeScript source (a `data:` URL: no file is written). */
export async function importTypeScript(
  source: string,
): Promise<Record<string, ProgramMain>> {
  return await import("data:application/typescript;base64," + btoa(source));
}

function delay(ms: number): [Promise<void>, () => void] {
  let id: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<void>((resolve) => {
    id = setTimeout(resolve, ms);
  });
  return [promise, () => clearTimeout(id)];
}

/** Run a generated TypeScript program's `main` on a virtual clock. */
export async function runTypeScript(
  main: ProgramMain,
  options: RunTsOptions = {},
): Promise<TsRun> {
  const { watchdogMs = 2000, stallMs = 250 } = options;
  const lines: string[] = [];
  // What CPython would never print, appended after the trace: errors that the
  // loop reports (unretrieved ones, when it closes) and promises of the
  // program's coroutines that nothing handled.
  const extra: string[] = [];
  const name = (e: unknown) => e instanceof Error ? e.name : String(e);
  const onUnhandled = (event: PromiseRejectionEvent) => {
    event.preventDefault();
    extra.push(`!! unhandled rejection ${name(event.reason)}`);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  let loop: EventLoop | null = null;
  let settled = false;
  const finished = run(() => main((line) => lines.push(line)), {
    loopFactory: () => {
      loop = new EventLoop({ clock: new VirtualClock() });
      loop.setExceptionHandler((_loop, context) => {
        extra.push(`!! exception handler: ${context.message}`);
      });
      return loop;
    },
  }).then(
    () => {},
    (e) => {
      lines.push(`!! run raised ${name(e)}`);
    },
  ).finally(() => settled = true);
  try {
    const { status } = await watch(finished, () => settled, () => loop, lines, {
      watchdogMs,
      stallMs,
    });
    // Let rejections that nothing handled be reported before the listener
    // goes.
    const [tick, clear] = delay(0);
    await tick;
    clear();
    if (status !== "ok") lines.push("!! hang");
    return { lines: [...lines, ...extra], status };
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
}

/**
 * Wait for `finished`, or stop the loop when the program stalls (no new line
 * and no change of virtual time for `stallMs`) or takes `watchdogMs`.
 */
async function watch(
  finished: Promise<void>,
  settled: () => boolean,
  loopOf: () => EventLoop | null,
  lines: readonly string[],
  { watchdogMs, stallMs }: Required<RunTsOptions>,
): Promise<{ status: Status }> {
  // The watchdog: poll for progress, give up on a stall or at the deadline.
  const started = performance.now();
  let lastProgress = started;
  let lastMark = "";
  let poll: ReturnType<typeof setInterval> | undefined;
  const watchdog = new Promise<"hang">((resolve) => {
    poll = setInterval(() => {
      const now = performance.now();
      const loop = loopOf();
      const mark = `${lines.length} ${
        loop === null || loop.isClosed() ? "closed" : loopTime(loop)
      }`;
      if (mark !== lastMark) {
        lastMark = mark;
        lastProgress = now;
      }
      if (now - lastProgress >= stallMs || now - started >= watchdogMs) {
        resolve("hang");
      }
    }, 25);
  });
  const outcome = await Promise.race([finished.then(() => "ok"), watchdog]);
  clearInterval(poll);
  if (outcome === "ok") return { status: "ok" };
  // A hang: stop the loop (run() stops it again for its clean-up), so that
  // the next program can run.
  for (let attempt = 0; attempt < 10 && !settled(); attempt++) {
    loopOf()?.stop();
    const [wait, clear] = delay(20);
    await Promise.race([finished, wait]);
    clear();
  }
  return { status: settled() ? "hang" : "unrecoverable" };
}

/** The loop's time, read outside it (a stopped loop still has a clock). */
function loopTime(loop: EventLoop): number {
  try {
    return loop.time();
  } catch {
    return NaN;
  }
}

/** The trace of each program of a batch run by CPython. */
export interface PythonBatch {
  /** `traces[k]`: what program `k` printed (`undefined`: never reached). */
  traces: (string[] | undefined)[];
  /** Python's stderr (tracebacks of errors in the emitted code). */
  stderr: string;
  /** Python's exit code. */
  code: number;
}

/** Run `programs` in one `python3` process. */
export async function runPython(
  programs: readonly Program[],
): Promise<PythonBatch> {
  const child = new Deno.Command("python3", {
    args: ["-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const source = new TextEncoder().encode(emitPythonBatch(programs));
  const output = child.output();
  await writer.write(source);
  await writer.close();
  const { stdout, stderr, code } = await output;
  const traces: (string[] | undefined)[] = programs.map(() => undefined);
  let current: string[] | undefined;
  for (const line of new TextDecoder().decode(stdout).split("\n")) {
    const m = /^=== (\d+)$/.exec(line);
    if (m !== null) {
      current = traces[Number(m[1])] = [];
    } else if (current !== undefined && line !== "") {
      current.push(line);
    }
  }
  return { traces, stderr: new TextDecoder().decode(stderr), code };
}

// ---------------------------------------------------------------------------
// Checking

/** The first line where `a` and `b` differ, or `null` if they are equal. */
export function firstDifference(
  a: readonly string[],
  b: readonly string[],
): { line: number; a: string | undefined; b: string | undefined } | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return { line: i + 1, a: a[i], b: b[i] };
  }
  return null;
}

/** Two traces side by side, the lines that differ marked `!!`. */
export function sideBySide(
  a: readonly string[],
  b: readonly string[],
): string {
  const width = Math.max(20, ...a.map((line) => line.length));
  const rows: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const mark = a[i] === b[i] ? "  " : "!!";
    rows.push(`${mark} ${(a[i] ?? "").padEnd(width)} | ${b[i] ?? ""}`);
  }
  return rows.join("\n");
}

/**
 * What holds of every run, with or without CPython to compare against: the
 * program finished, no run raised, each coroutine ended at most once and
 * each task exactly once (with the outcome its coroutine logged), each
 * coroutine ran in one task only (the one `main` created for it), its steps
 * logged in order, and virtual time never went back. Returns the problems.
 */
export function checkInvariants(
  p: Program,
  lines: readonly string[],
): string[] {
  const problems: string[] = [];
  const n = p.coros.length;
  let lastTime = -Infinity;
  const ends = new Map<number, string[]>();
  const dones = new Map<number, string[]>();
  const outcomes = new Map<number, string[]>();
  const created = new Map<number, string>();
  const tasksOf = new Map<number, Set<string>>();
  const lastStep = new Map<number, number>();
  let mainTask: string | undefined;
  const push = (m: Map<number, string[]>, i: number, s: string) =>
    m.set(i, [...(m.get(i) ?? []), s]);
  for (const line of lines) {
    if (line.startsWith("!!")) problems.push(`the run ended with "${line}"`);
    const t = /\bt=(\d+)$/.exec(line);
    if (t !== null && !line.startsWith("done ")) {
      const time = Number(t[1]);
      if (time < lastTime) problems.push(`time went back: "${line}"`);
      lastTime = Math.max(lastTime, time);
    }
    let m: RegExpExecArray | null;
    if ((m = /^main start task=(\S+)/.exec(line)) !== null) mainTask = m[1];
    if ((m = /^main create c(\d+) -> (\S+)$/.exec(line)) !== null) {
      created.set(Number(m[1]), m[2]);
    }
    if ((m = /^c(\d+) (return|raise ValueError|cancelled) /.exec(line))) {
      push(ends, Number(m[1]), m[2]);
    }
    if ((m = /^done c(\d+) (.*) t=\d+$/.exec(line)) !== null) {
      push(dones, Number(m[1]), m[2]);
    }
    if ((m = /^main outcome c(\d+) (.*)$/.exec(line)) !== null) {
      push(outcomes, Number(m[1]), m[2]);
    }
    if ((m = /^c(\d+) (?:s(\d+) .*)?.*task=(\S+) t=\d+$/.exec(line))) {
      const i = Number(m[1]);
      tasksOf.set(i, (tasksOf.get(i) ?? new Set()).add(m[3]));
      if (m[2] !== undefined) {
        const step = Number(m[2]);
        if (step < (lastStep.get(i) ?? -1)) {
          problems.push(`c${i}'s steps ran out of order: "${line}"`);
        }
        lastStep.set(i, step);
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const end = ends.get(i) ?? [];
    if (end.length > 1) problems.push(`c${i} ended ${end.length} times`);
    const out = outcomes.get(i) ?? [];
    if (out.length !== 1) {
      problems.push(`c${i}'s outcome was printed ${out.length} times`);
    }
    const expected = end[0] === "return"
      ? `result c${i}`
      : end[0] === "raise ValueError"
      ? "ValueError"
      : undefined;
    if (expected !== undefined && out[0] !== undefined && out[0] !== expected) {
      problems.push(`c${i} logged "${end[0]}" but its outcome is ${out[0]}`);
    }
    if (holdsTasks(p)) {
      const done = dones.get(i) ?? [];
      if (done.length !== 1) {
        problems.push(`c${i}'s task ended ${done.length} times`);
      } else if (out[0] !== undefined && done[0] !== out[0]) {
        problems.push(`c${i}'s task ended ${done[0]} but outcome ${out[0]}`);
      }
    }
    const ran = tasksOf.get(i) ?? new Set();
    if (ran.size > 1) {
      problems.push(`c${i} ran in several tasks: ${[...ran].join(", ")}`);
    }
    const [task] = ran;
    if (task !== undefined && task === mainTask) {
      problems.push(`c${i} ran in main's task ${task}`);
    }
    const mine = created.get(i);
    if (task !== undefined && mine !== undefined && task !== mine) {
      problems.push(`c${i} ran in ${task}, not in its task ${mine}`);
    }
  }
  return problems;
}
