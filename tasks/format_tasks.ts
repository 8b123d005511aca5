/**
 * `formatTasks()`: a table of a loop's tasks, for a look at a running
 * program (`loop.dumpTasks()` prints it, and `run(main, { dumpOnSignal:
 * true })` does on `SIGUSR1`), and the deadlocks among them. Not in
 * asyncio, whose nearest is 3.14's `python -m asyncio ps PID`.
 *
 * How it works: the rows are `allTasks(loop)` in creation order (or the
 * tasks given). What a task waits on is what it knows (`_introspection.ts`);
 * a deadlock is a cycle of pending tasks each waiting for the next, through
 * the edges `call_graph.ts` finds (a task it awaits, directly or through a
 * `gather()` or a `shield()`, and the tasks of its live task groups). Each
 * strongly connected set of tasks is one deadlock, printed as the shortest
 * cycle from its oldest task.
 *
 * @module
 */
import { checkOptions } from "../exceptions/checks.ts";
import { describe } from "../exceptions/describe.ts";
import { installTaskDump } from "../loop/_hooks.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getRunningLoop } from "../loop/policy.ts";
import { awaitedTasks, coroutineName } from "./call_graph.ts";
import { currentTask } from "./current_task.ts";
import type { Future } from "./future.ts";
import { gatheredChildren } from "./gather.ts";
import {
  awaitedThrough,
  kCreatedAt,
  keepAges,
  kWaitsOn,
} from "./_introspection.ts";
import { pendingTasksOf } from "./_pending_tasks.ts";
import { Task } from "./task.ts";

/** Options for `formatTasks()`. */
export interface FormatTasksOptions {
  /**
   * From now on, every task created (on any loop) keeps its creation time,
   * for the age column, as in debug mode; `dumpOnSignal` turns it on.
   *
   * @default {false}
   */
  keepAges?: boolean;
  /**
   * The tasks to list instead of the loop's pending ones (done tasks
   * included: their row tells how they ended).
   *
   * @default {null}
   */
  tasks?: Iterable<Task> | null;
}

function futureName(fut: object): string {
  if (fut instanceof Task) return fut.getName();
  const children = gatheredChildren(fut);
  if (children !== null) {
    return `gather(${children.map(futureName).join(", ")})`;
  }
  const inner = awaitedThrough(fut);
  if (inner !== undefined) return `shield(${futureName(inner)})`;
  return String(fut);
}

/**
 * How a done task ended, read from its repr: `exception()` would mark an
 * exception retrieved, and a dump must not silence its report.
 */
function outcome(task: Task): string {
  if (task.cancelled()) return "cancelled";
  const m = / ((?:result|exception)=.*)>$/s.exec(String(task));
  return m === null ? "finished" : m[1];
}

function waitsOn(task: Task, running: Task | null): string {
  if (task.done()) return outcome(task);
  if (task === running) return "(running)";
  const waits: Future<unknown>[] = task[kWaitsOn]();
  return waits.length === 0 ? "-" : waits.map(futureName).join(", ");
}

function state(task: Task): string {
  if (task.done()) return "done";
  return task.cancelling() > 0 ? "cancelling" : "pending";
}

/** The deadlocks among `tasks`: one cycle per strongly connected set. */
function deadlocks(tasks: Task[]): Task[][] {
  const listed = new Set(tasks.filter((t) => !t.done()));
  const edges = new Map<Task, Task[]>();
  for (const task of listed) {
    edges.set(task, awaitedTasks(task).filter((t) => listed.has(t)));
  }
  // Tarjan's strongly connected components.
  const index = new Map<Task, number>(), low = new Map<Task, number>();
  const stack: Task[] = [], onStack = new Set<Task>();
  const components: Task[][] = [];
  let next = 0;
  const visit = (task: Task) => {
    index.set(task, next);
    low.set(task, next++);
    stack.push(task);
    onStack.add(task);
    for (const to of edges.get(task)!) {
      if (!index.has(to)) {
        visit(to);
        low.set(task, Math.min(low.get(task)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(task, Math.min(low.get(task)!, index.get(to)!));
      }
    }
    if (low.get(task) === index.get(task)) {
      const component: Task[] = [];
      let t: Task;
      do {
        t = stack.pop()!;
        onStack.delete(t);
        component.push(t);
      } while (t !== task);
      if (component.length > 1) components.push(component);
    }
  };
  for (const task of listed) if (!index.has(task)) visit(task);
  const order = [...listed];
  return components.map((component) => {
    const members = new Set(component);
    const start = order.find((t) => members.has(t))!;
    // The shortest way back to `start`, breadth first, inside the set.
    const from = new Map<Task, Task>();
    const queue = [start];
    while (queue.length > 0) {
      const task = queue.shift()!;
      for (const to of edges.get(task)!) {
        if (!members.has(to) || from.has(to)) continue;
        from.set(to, task);
        if (to === start) {
          const cycle: Task[] = [];
          for (let t = task; t !== start; t = from.get(t)!) cycle.unshift(t);
          return [start, ...cycle, start];
        }
        queue.push(to);
      }
    }
    return [start, start]; // unreachable: the set is strongly connected
  }).sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
}

/**
 * Return a table of the loop's pending tasks (the running loop's by
 * default), oldest first: each one's name, state (`pending`, `cancelling`
 * once a cancellation is requested, `done`), age in seconds of loop time
 * (known for the tasks created in debug mode or once `keepAges: true` was
 * passed, else `-`: a clock read per task would cost a tenth of its
 * creation), coroutine and what it waits on (a task by name, a `gather(…)` by its
 * children, a future by its repr; `(running)` for the current task, `-`
 * when it waits on a plain promise or nothing known; for a done task, how
 * it ended). A line follows for each deadlock, a cycle of tasks waiting for
 * each other: `deadlock: Task-3 -> Task-4 -> Task-3`.
 *
 * A coroutine is named when known: a `coroutine()` generator, a function
 * given to `createTask` or `run`, or, in debug mode, the outermost `async`
 * function of the task's latest await; else `-` (the coroutine of
 * `createTask(work())` is a Promise, which does not know its function).
 *
 * @param loop The loop; by default the running one.
 * @param options `tasks`: the tasks to list instead.
 * @throws {RuntimeError} If no loop is given and none is running.
 * @throws {TypeError} If `loop` is not an event loop, or for a bad option.
 *
 * @example A table of the tasks
 * ```ts
 * import { createTask, formatTasks, run, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   createTask(sleep(1), { name: "sleeper" });
 *   await sleep(0);
 *   console.log(formatTasks().split("\n").length); // 4
 * });
 * ```
 */
export function formatTasks(
  loop: AbstractEventLoop | null = null,
  options?: FormatTasksOptions,
): string {
  if (loop !== null && typeof loop?.callSoon !== "function") {
    throw new TypeError(
      `formatTasks: loop must be an event loop or null, got ${describe(loop)}`,
    );
  }
  const { tasks = null, keepAges: keep = false } = checkOptions(
    "formatTasks",
    options,
    ["tasks", "keepAges"],
  );
  if (typeof keep !== "boolean") {
    throw new TypeError(
      `formatTasks: options.keepAges must be a boolean, got ${describe(keep)}`,
    );
  }
  if (keep) keepAges();
  if (
    tasks !== null &&
    typeof (tasks as Iterable<Task>)?.[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `formatTasks: options.tasks must be an iterable of tasks or null, got ${
        describe(tasks)
      }`,
    );
  }
  const on = loop ?? getRunningLoop();
  const listed = tasks === null ? [...pendingTasksOf(on)] : [...tasks];
  for (const task of listed) {
    if (!(task instanceof Task)) {
      throw new TypeError(
        `formatTasks: options.tasks must hold tasks, got ${describe(task)}`,
      );
    }
  }
  const running = currentTask(on);
  const now = on.time();
  const rows = listed.map((task) => [
    task.getName(),
    state(task),
    Number.isNaN(task[kCreatedAt]) ? "-" : (now - task[kCreatedAt]).toFixed(3),
    coroutineName(task) ?? "-",
    waitsOn(task, running),
  ]);
  const header = ["name", "state", "age (s)", "coroutine", "waits on"];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i].length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) =>
      i === cells.length - 1
        ? c
        : i === 2
        ? c.padStart(widths[i])
        : c.padEnd(widths[i])
    ).join("  ");
  const lines = [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
  ];
  for (const cycle of deadlocks(listed)) {
    lines.push(`deadlock: ${cycle.map((t) => t.getName()).join(" -> ")}`);
  }
  return lines.join("\n");
}

installTaskDump((loop) => formatTasks(loop as AbstractEventLoop));
