/**
 * `asCompleted()`: awaitables in the order they complete.
 *
 * @module
 */
import type { Taskable } from "./gather.ts";
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop, TimerHandle } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { checkOptions, checkSecondsOrNull } from "../exceptions/checks.ts";
import { isAwaitable, toFutureSet } from "./_combinators.ts";
import { type Coroutine, coroutine } from "./coroutine.ts";
import { TimeoutError } from "../exceptions/os_errors.ts";
import { Future } from "./future.ts";

/** Options for `asCompleted()`. */
export interface AsCompletedOptions {
  /**
   * Seconds after which the awaitables not yet taken raise `TimeoutError`
   * (`null`: no limit).
   *
   * @default {null}
   */
  timeout?: number | null;
}

/**
 * What `asCompleted()` returns, as CPython 3.13's `_AsCompletedIterator`:
 * iterate it with `for … of` to get one awaitable per input, each giving the
 * next result in completion order (or raising its error), or with
 * `for await … of` to get the input Futures and Tasks themselves, in
 * completion order (coroutines as the Tasks they were wrapped in).
 *
 * @example Results in completion order
 * ```ts
 * import { asCompleted, run, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   for (const next of asCompleted([sleep(0.02, "slow"), sleep(0.01, "fast")])) {
 *     console.log(await next); // fast, then slow
 *   }
 * });
 * ```
 */
export class AsCompletedIterator<T>
  implements Iterable<Coroutine<T>>, AsyncIterable<Future<T>> {
  #todo: Set<Future<T>>;
  #todoLeft: number;
  #timeoutHandle: TimerHandle | null = null;
  #loop: AbstractEventLoop;
  /** Done futures not yet taken; `null` is the timeout's sentinel. */
  #done: Array<Future<T> | null> = [];
  #doneHead = 0;
  #getters: Future<undefined>[] = [];
  #gettersHead = 0;

  /** Made by `asCompleted()`. */
  constructor(todo: Set<Future<T>>, timeout: number | null) {
    this.#loop = getEventLoop();
    this.#todo = todo;
    this.#todoLeft = todo.size;
    for (const f of todo) f.addDoneCallback(this.#handleCompletion);
    if (todo.size > 0 && timeout !== null && timeout !== Infinity) {
      this.#timeoutHandle = this.#loop.callLater(timeout, this.#handleTimeout);
    }
  }

  /** One awaitable per input: each gives the next result to complete. */
  *[Symbol.iterator](): Generator<Coroutine<T>, void, unknown> {
    while (this.#todoLeft > 0) {
      this.#todoLeft--;
      yield this.#waitForOne(true) as Coroutine<T>;
    }
  }

  /** Iterate with `for await`: the input Futures, in completion order. */
  [Symbol.asyncIterator](): AsyncIterator<Future<T>> {
    return this;
  }

  /** The next Future to complete, for `for await`. */
  async next(): Promise<IteratorResult<Future<T>, undefined>> {
    if (this.#todoLeft === 0) return { done: true, value: undefined };
    this.#todoLeft--;
    // Awaited from the iterating task's context: its wait is that task's.
    // Boxed: a Future as the result of an await would be unwrapped.
    const box = await this.#waitForOne(false) as [Future<T>];
    return { done: false, value: box[0] };
  }

  #handleTimeout = (): void => {
    for (const f of this.#todo) {
      f.removeDoneCallback(this.#handleCompletion);
      this.#put(null); // The sentinel for #waitForOne().
    }
    this.#todo.clear();
  };

  #handleCompletion = (f: Future<T>): void => {
    if (this.#todo.size === 0) return; // #handleTimeout() was here first.
    this.#todo.delete(f);
    this.#put(f);
    if (this.#todo.size === 0) this.#timeoutHandle?.cancel();
  };

  /** `Queue.put_nowait`: store, and wake the first getter still waiting. */
  #put(f: Future<T> | null): void {
    this.#done.push(f);
    this.#wakeNext();
  }

  #wakeNext(): void {
    const getters = this.#getters;
    while (this.#gettersHead < getters.length) {
      const getter = getters[this.#gettersHead++];
      if (!getter.done()) {
        getter.setResult(undefined);
        break;
      }
    }
    if (this.#gettersHead === getters.length) {
      getters.length = 0;
      this.#gettersHead = 0;
    }
  }

  /** Wait for the next done Future (or the timeout), as `Queue.get()`. */
  #waitForOne = coroutine(function* (
    this: AsCompletedIterator<T>,
    resolve: boolean,
  ): Generator<unknown, T | [Future<T>], unknown> {
    while (this.#doneHead === this.#done.length) {
      const getter = this.#loop.createFuture<undefined>();
      this.#getters.push(getter);
      try {
        yield* getter;
      } catch (error) {
        getter.cancel();
        // Woken but cancelled: pass the wake-up on to the next getter.
        if (this.#doneHead < this.#done.length && !getter.cancelled()) {
          this.#wakeNext();
        }
        throw error;
      }
    }
    const f = this.#done[this.#doneHead];
    this.#done[this.#doneHead++] = null;
    if (this.#doneHead === this.#done.length) {
      this.#done.length = 0;
      this.#doneHead = 0;
    }
    if (f === null) throw new TimeoutError();
    return resolve ? f.result() : [f];
  });
}

/**
 * Run the awaitables concurrently and take them in the order they complete,
 * as `asyncio.as_completed` (3.13). `for (const aw of asCompleted(aws))`
 * gives one awaitable per input, each resolving to the next result (or
 * raising the next error); `for await (const task of asCompleted(aws))`
 * gives the input Futures and Tasks themselves (coroutines wrapped in
 * Tasks), done, in completion order. After `timeout` seconds, the ones not
 * yet completed raise `TimeoutError`; nothing is cancelled.
 *
 * @param aws An iterable of Futures, Tasks, coroutines or Promises;
 * duplicates count once.
 * @param options The `timeout`, in seconds.
 * @returns An iterator for `for … of` and `for await … of`.
 *
 * @example Results in completion order
 * ```ts
 * import { asCompleted, run, sleep } from "@asyncio/deno";
 * await run(async () => {
 *   const aws = [sleep(0.03, "slow"), sleep(0.01, "fast")];
 *   for (const next of asCompleted(aws)) console.log(await next); // fast, slow
 * });
 * ```
 *
 * TypeScript types a `for await` variable as the awaited type of what the
 * iterator gives (`Awaited<Future<T>>` is `T`), though JavaScript does not
 * await it: cast it back to the Future or Task, as in the example.
 *
 * @example Finished tasks with for await (3.13)
 * ```ts
 * import { asCompleted, createTask, run, sleep, type Task } from "@asyncio/deno";
 * await run(async () => {
 *   const tasks = [createTask(sleep(0.02, 2)), createTask(sleep(0.01, 1))];
 *   for await (const done of asCompleted(tasks)) {
 *     const task = done as unknown as Task<number>;
 *     console.log(task === tasks[1], task.result()); // true 1, then false 2
 *   }
 * });
 * ```
 */
export function asCompleted<T>(
  aws: Iterable<Future<T> | Taskable<T>>,
  options?: AsCompletedOptions,
): AsCompletedIterator<T> {
  if (aws instanceof Future || isAwaitable(aws)) {
    throw new TypeError(`expect an iterable of futures, not ${describe(aws)}`);
  }
  if (
    aws === null || typeof aws !== "object" ||
    typeof (aws as Iterable<unknown>)[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `asCompleted: aws must be an iterable of futures, got ${describe(aws)}`,
    );
  }
  const opts = checkOptions("asCompleted", options, ["timeout"]);
  const timeout = checkSecondsOrNull(
    "asCompleted",
    "options.timeout",
    opts.timeout ?? null,
  );
  const todo = toFutureSet<T>("asCompleted", new Set(aws));
  return new AsCompletedIterator(todo, timeout);
}
