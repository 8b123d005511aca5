/**
 * `taskGroup()` and `TaskGroup`: structured concurrency, as asyncio's
 * taskgroups.py (3.12).
 *
 * How it works (CPython's `TaskGroup`, step for step): the body runs inline
 * in the parent task (the functions return a generator `Coroutine`, driven by
 * the awaiting task). The first child that fails cancels its siblings and the
 * parent task, which throws `CancelledError` where the body waits; on exit
 * the group waits for every child, removes its own cancellation request with
 * `uncancel()` (so an outside cancellation still propagates) and raises an
 * `ExceptionGroup` of every error but cancellations, a body error included.
 *
 * @module
 */
import type { AbstractEventLoop } from "../loop/events.ts";
import { inspect } from "../loop/events.ts";
import { getRunningLoop } from "../loop/policy.ts";
import { checkFunction, checkOptions } from "../exceptions/checks.ts";
import { runBody } from "./_combinators.ts";
import {
  type Coroutine,
  coroutine,
  type CoroutineGenerator,
} from "./coroutine.ts";
import { CancelledError } from "../exceptions/asyncio.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import { uncheckedGroup } from "../exceptions/exception_group.ts";
import type { Future } from "./future.ts";
import type { Task, TaskCoroutine } from "./task.ts";
import { currentTask } from "./current_task.ts";
import { addChildren, removeChildren } from "./_introspection.ts";

/** Options for `TaskGroup.createTask()`. */
export interface TaskGroupCreateTaskOptions {
  /**
   * The task's name.
   *
   * @default {"Task-N"}
   */
  name?: string | null;
}

/** A body for `taskGroup()` and `TaskGroup.run()`. */
export type TaskGroupBody<T> = (
  tg: TaskGroup,
) => T | PromiseLike<T> | CoroutineGenerator<T>;

/**
 * An asynchronous context manager holding a group of tasks, as
 * `asyncio.TaskGroup`: `new TaskGroup().run(body)` is `taskGroup(body)`.
 * Tasks are added with `createTask()`; when the body ends, the group waits
 * for all of them. The first task that fails with an exception other than
 * `CancelledError` cancels the rest of the group and the body, and the group
 * raises an `ExceptionGroup`.
 *
 * @example Running a group with the class
 * ```ts
 * import { run, sleep, TaskGroup } from "@asyncio/deno";
 * await run(async () => {
 *   const group = new TaskGroup();
 *   const results = await group.run(async (tg) => {
 *     const a = tg.createTask(sleep(0.01, "a"));
 *     const b = tg.createTask(sleep(0.02, "b"));
 *     return [a, b];
 *   });
 *   console.log(results.map((t) => t.result())); // [ "a", "b" ]
 * });
 * ```
 */
export class TaskGroup {
  #entered = false;
  #exiting = false;
  #aborting = false;
  #loop: AbstractEventLoop | null = null;
  #parentTask: Task | null = null;
  #parentCancelRequested = false;
  #tasks = new Set<Task<unknown>>();
  #errors: unknown[] = [];
  #onCompletedFut: Future<boolean> | null = null;

  /**
   * Run `body(this)` inside the group, as `async with TaskGroup() as tg:`,
   * and return its result once every task of the group is done.
   *
   * @param body What creates the tasks (and may wait itself).
   * @returns The body's result, awaitable with `await` and `yield*`.
   * @throws {ExceptionGroup} Holding every error of the tasks and the body.
   */
  run<T>(body: TaskGroupBody<T>): Coroutine<T> {
    checkFunction("TaskGroup.run", "body", body);
    return TaskGroup.#run(this, body as TaskGroupBody<unknown>) as Coroutine<
      T
    >;
  }

  /**
   * Create a new task in this group and return it, as `createTask`. Throws
   * `RuntimeError` before the group is entered, after it has finished, and
   * while it shuts down after a failure.
   *
   * @param coro A coroutine of either kind, or another awaitable.
   * @param options The task's name.
   */
  createTask<T>(
    coro: TaskCoroutine<T>,
    options?: TaskGroupCreateTaskOptions,
  ): Task<T> {
    const { name = null } = checkOptions("TaskGroup.createTask", options, [
      "name",
    ]);
    if (!this.#entered) {
      throw new RuntimeError(`TaskGroup ${this} has not been entered`);
    }
    if (this.#exiting && this.#tasks.size === 0) {
      throw new RuntimeError(`TaskGroup ${this} is finished`);
    }
    if (this.#aborting) {
      throw new RuntimeError(`TaskGroup ${this} is shutting down`);
    }
    const task = this.#loop!.createTask(coro, { name }) as Task<T>;
    // An eager task may be done already: no callback needed.
    if (task.done()) {
      this.#onTaskDone(task as Task<unknown>);
    } else {
      this.#tasks.add(task as Task<unknown>);
      task.addDoneCallback(this.#onTaskDone);
    }
    return task;
  }

  #enter(): void {
    if (this.#entered) {
      throw new RuntimeError(`TaskGroup ${this} has already been entered`);
    }
    this.#loop ??= getRunningLoop();
    this.#parentTask = currentTask(this.#loop);
    if (this.#parentTask === null) {
      throw new RuntimeError(
        `TaskGroup ${this} cannot determine the parent task`,
      );
    }
    this.#entered = true;
    // The call graph's "awaited by" (`_introspection.ts`), until `#run` ends.
    addChildren(this.#parentTask, this.#tasks);
  }

  /** CPython's `__aexit__`: wait for every task, then raise what is due. */
  *#exit(error: unknown, failed: boolean): Generator<unknown, void, unknown> {
    this.#exiting = true;
    let propagateCancellationError: unknown = failed &&
        error instanceof CancelledError
      ? error
      : null;
    if (this.#parentCancelRequested) {
      // If this flag is set we *must* call uncancel().
      if (this.#parentTask!.uncancel() === 0) {
        // No pending cancellation left: don't propagate CancelledError.
        propagateCancellationError = null;
      }
    }
    // The parent is being cancelled, or the body raised: cancel the tasks.
    if (failed && !this.#aborting) this.#abort();
    // A loop: the wait can be cancelled again and again if the parent task
    // is cancelled repeatedly.
    while (this.#tasks.size > 0) {
      this.#onCompletedFut ??= this.#loop!.createFuture<boolean>();
      try {
        yield* this.#onCompletedFut;
      } catch (e) {
        if (!(e instanceof CancelledError)) throw e;
        if (!this.#aborting) {
          // The parent task is cancelled while the tasks still run.
          propagateCancellationError = e;
          this.#abort();
        }
      }
      this.#onCompletedFut = null;
    }
    // A CancelledError propagates, unless there are other errors: those
    // have priority.
    if (propagateCancellationError !== null && this.#errors.length === 0) {
      throw propagateCancellationError;
    }
    if (failed && !(error instanceof CancelledError)) this.#errors.push(error);
    if (this.#errors.length > 0) {
      const errors = this.#errors;
      this.#errors = [];
      // What the tasks threw, as it is: JavaScript may throw a string.
      throw uncheckedGroup("unhandled errors in a TaskGroup", errors);
    }
  }

  #abort(): void {
    this.#aborting = true;
    for (const t of this.#tasks) {
      if (!t.done()) t.cancel();
    }
  }

  #onTaskDone = (task: Task<unknown>): void => {
    this.#tasks.delete(task);
    if (this.#onCompletedFut !== null && this.#tasks.size === 0) {
      if (!this.#onCompletedFut.done()) this.#onCompletedFut.setResult(true);
    }
    if (task.cancelled()) return;
    const exc = task.exception();
    if (exc === null) return;
    this.#errors.push(exc);
    const parent = this.#parentTask!;
    if (parent.done()) {
      this.#loop!.callExceptionHandler({
        message:
          `Task ${task} has errored out but its parent task ${parent} is already completed`,
        exception: exc,
        task,
      });
      return;
    }
    if (!this.#aborting && !this.#parentCancelRequested) {
      // The parent is not being cancelled: cancel it to abort what the body
      // is waiting for, and mark it "not cancelled" again on exit.
      this.#abort();
      this.#parentCancelRequested = true;
      parent.cancel();
    }
  };

  /** The body of `taskGroup()` and `run()`: `async with` around `body`. */
  static #run = coroutine(function* _taskGroup(
    tg: TaskGroup,
    body: TaskGroupBody<unknown>,
  ) {
    tg.#enter();
    let result: unknown;
    try {
      try {
        result = yield* runBody(body, tg);
      } catch (error) {
        yield* tg.#exit(error, true);
        throw error;
      }
      yield* tg.#exit(undefined, false);
    } finally {
      removeChildren(tg.#parentTask!, tg.#tasks);
    }
    return result;
  });

  /** `<TaskGroup tasks=2 entered>`, as CPython's repr. */
  toString(): string {
    let info = "";
    if (this.#tasks.size > 0) info += ` tasks=${this.#tasks.size}`;
    if (this.#errors.length > 0) info += ` errors=${this.#errors.length}`;
    if (this.#aborting) info += " cancelling";
    else if (this.#entered) info += " entered";
    return `<TaskGroup${info}>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}

/**
 * Run `body` with a new task group, as `async with asyncio.TaskGroup() as
 * tg:`, and return the body's result once every task created with
 * `tg.createTask()` is done. On the first task failure (an error other than
 * `CancelledError`), the other tasks and the body are cancelled, and the
 * group raises an `ExceptionGroup` holding every such error, the body's
 * included. A cancellation of the caller from outside cancels the tasks and
 * propagates as `CancelledError`. Groups nest. Must run inside a task.
 *
 * @param body What creates the tasks: an `async` function, a generator
 * function (for generator coroutines) or a plain one; it gets the group.
 * @returns The body's result, awaitable with `await` and `yield*`.
 * @throws {ExceptionGroup} Holding every error of the tasks and the body.
 *
 * @example Two tasks, one group
 * ```ts
 * import { run, sleep, taskGroup } from "@asyncio/deno";
 * await run(async () => {
 *   await taskGroup(async (tg) => {
 *     tg.createTask(sleep(0.02).then(() => console.log("second")));
 *     tg.createTask(sleep(0.01).then(() => console.log("first")));
 *   });
 *   console.log("both done");
 * });
 * ```
 *
 * @example Catching the group's errors
 * ```ts
 * import { ExceptionGroup, run, sleep, taskGroup } from "@asyncio/deno";
 * async function fail(msg: string) {
 *   await sleep(0.01);
 *   throw new Error(msg);
 * }
 * await run(async () => {
 *   try {
 *     await taskGroup((tg) => {
 *       tg.createTask(fail("one"));
 *       tg.createTask(sleep(10));
 *     });
 *   } catch (e) {
 *     console.log(e instanceof ExceptionGroup, (e as ExceptionGroup).exceptions.length); // true 1
 *   }
 * });
 * ```
 */
export function taskGroup<T>(body: TaskGroupBody<T>): Coroutine<T> {
  checkFunction("taskGroup", "body", body);
  return new TaskGroup().run(body as TaskGroupBody<unknown>) as Coroutine<T>;
}
