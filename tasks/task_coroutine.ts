/**
 * What a task can run (`TaskCoroutine`), how to check it, and the options
 * of `new Task()`.
 *
 * @module
 */
import type { AbstractEventLoop, CreateTaskOptions } from "../loop/events.ts";
import { Coroutine, LazyCoroutine } from "./coroutine.ts";
import { YieldOnce } from "./_waiter.ts";
import { isThenable } from "./_awaitable.ts";

/** Options for `new Task()`. */
export interface TaskOptions extends CreateTaskOptions {
  /**
   * The loop to run on.
   *
   * @default {getEventLoop()}
   */
  loop?: AbstractEventLoop | null;
  /**
   * Run the coroutine at once, until its first real suspension, instead of
   * at the loop's next iteration (what `eagerTaskFactory` uses).
   *
   * @default {false}
   */
  eagerStart?: boolean;
}

/**
 * What a task can run: a coroutine of either kind, any awaitable, or a
 * function that makes the coroutine at the task's first step (the lazy form:
 * nothing of it runs before, as in Python).
 */
export type TaskCoroutine<T> =
  | PromiseLike<T>
  | Coroutine<T>
  | Iterable<unknown>
  | (() => PromiseLike<T> | Coroutine<T>);

/** What a task can run: a coroutine of either kind or another awaitable. */
export function isTaskCoroutine(value: unknown): boolean {
  return value instanceof Promise || value instanceof LazyCoroutine ||
    typeof value === "function" ||
    value instanceof Coroutine || value instanceof YieldOnce ||
    isThenable(value) ||
    (value !== null && typeof value === "object" &&
      Symbol.iterator in value && !Array.isArray(value));
}
