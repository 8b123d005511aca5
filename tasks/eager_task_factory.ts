/**
 * `eagerTaskFactory` and `createEagerTaskFactory()` (Python 3.12).
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";
import type {
  AbstractEventLoop,
  CreateTaskOptions,
  TaskFactory,
} from "../loop/events.ts";
import { Task, type TaskCoroutine, type TaskOptions } from "./task.ts";

/** A Task class (or subclass) that accepts `eagerStart`. */
export type TaskConstructor = new (
  coro: TaskCoroutine<unknown>,
  options: TaskOptions,
) => Task<unknown>;

/**
 * Create a task factory for eager execution, as
 * `asyncio.create_eager_task_factory`: the tasks it makes (of the class
 * `customTaskConstructor`, given `eagerStart: true`) run their coroutine at
 * once, when created, until its first real suspension; a coroutine that
 * finishes without suspending never reaches the loop. Install it with
 * `loop.setTaskFactory()`.
 *
 * For a generator coroutine the first step runs inside `createTask()`, so a
 * task that never suspends is done when `createTask()` returns. An `async`
 * function has already run up to its first `await` when it is called (JS
 * starts it eagerly); the eager task then goes on through awaits of done
 * futures without waiting for the loop, but its end is seen by the task one
 * microtask later, after `createTask()` has returned.
 *
 * @param customTaskConstructor `Task` or a subclass.
 * @returns A task factory for `loop.setTaskFactory()`.
 *
 * @example A factory for a Task subclass
 * ```ts
 * import { createEagerTaskFactory, getRunningLoop, run, Task } from "@asyncio/deno";
 * class LoggingTask<T> extends Task<T> {}
 * await run(async () => {
 *   getRunningLoop().setTaskFactory(createEagerTaskFactory(LoggingTask));
 *   const t = getRunningLoop().createTask((async () => 1)());
 *   console.log(t instanceof LoggingTask, await t); // true 1
 * });
 * ```
 */
export function createEagerTaskFactory(
  customTaskConstructor: TaskConstructor,
): TaskFactory {
  if (typeof customTaskConstructor !== "function") {
    throw new TypeError(
      `createEagerTaskFactory: customTaskConstructor must be a Task class, got ${
        describe(customTaskConstructor)
      }`,
    );
  }
  return function eagerFactory(
    loop: AbstractEventLoop,
    coro: unknown,
    options: CreateTaskOptions = {},
  ): Task<unknown> {
    return new customTaskConstructor(coro as TaskCoroutine<unknown>, {
      loop,
      name: options?.name ?? null,
      eagerStart: true,
    });
  };
}

/**
 * A task factory for eager execution (Python 3.12's
 * `asyncio.eager_task_factory`): install it with `loop.setTaskFactory()` and
 * every new task runs its coroutine at once, until its first real
 * suspension. See `createEagerTaskFactory()`.
 *
 * @example Tasks that finish without reaching the loop
 * ```ts
 * import { coroutine, createTask, eagerTaskFactory, getRunningLoop, run } from "@asyncio/deno";
 * const quick = coroutine(function* () {
 *   return "done at once";
 * });
 * await run(async () => {
 *   getRunningLoop().setTaskFactory(eagerTaskFactory);
 *   const t = createTask(quick());
 *   console.log(t.done(), t.result()); // true done at once
 * });
 * ```
 */
export const eagerTaskFactory: TaskFactory = createEagerTaskFactory(Task);
