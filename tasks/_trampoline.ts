/**
 * The trampoline that drives a generator task: one per Task whose coroutine
 * is a generator (a `coroutine()` function's, or `awaitAny` around another
 * awaitable), made by the Task, as CPython's `Task.__step` drives a
 * coroutine with `send()` and `throw()`.
 *
 * How it works:
 * - A step (`step`) runs synchronously, in the task's name
 *   (`enterSyncStep`): it resumes the innermost generator with a value or an
 *   error, and goes on until the coroutine suspends or ends. A cancellation
 *   pending on the task is thrown in at the step's start.
 * - `yield* fut` runs `Future[Symbol.iterator]`, which yields the future
 *   itself while it is pending. A yielded pending Future of the task's loop
 *   suspends the task: the trampoline waits on it (`#future`, and the task's
 *   waiter, so that `cancel()` cancels it) and ends the step;
 *   `#wakeGenerator`, its done-callback, runs the next step with its
 *   outcome. A done Future resumes the generator at once, in the same step.
 * - `yield*` of another coroutine nests natively (JavaScript delegates);
 *   `yield coro` (a generator coroutine, or `sleep(0)`) delegates too: its
 *   iterator is pushed on `#stack`, the innermost is resumed, and its return
 *   value (or error) goes to the one below it when it ends. The coroutine
 *   ends when the outermost does: the task finishes with its outcome.
 * - A bare `yield` (what `yield* sleep(0)` yields) gives the loop one
 *   iteration (`#stepSoon`); a yielded thenable is wrapped in a Future of the
 *   loop (adopting an `async` function called in the step, so that the
 *   task's cancellation reaches its awaits); anything else, a Future of
 *   another loop, or the task itself, is thrown into the coroutine as a
 *   `RuntimeError` from the next iteration (`#throwSoon`), as CPython does.
 *
 * Invariants: `#stack` is never empty while the task is pending (the
 * coroutine's own iterator at the bottom); at most one wait is in progress
 * (`#future`), and a step runs only once the task is not done. The task's
 * state (its waiter, its pending cancellation, how it finishes) stays the
 * Task's: the trampoline reaches it only through the friend accessors the
 * Task grants (`befriendTask`).
 *
 * @module
 */
import { isThenable } from "./_awaitable.ts";
import { adoptHolder } from "../loop/_adoption.ts";
import { enterSyncStep, leaveSyncStep } from "../loop/_current_task.ts";
import { active as entryHolders, labelEntry } from "../loop/_entry_holders.ts";
import { CancelledError, InvalidStateError } from "../exceptions/asyncio.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import { Coroutine } from "./coroutine.ts";
import { Future, kAddCallback, repr, schedule } from "./future.ts";
import type { Task } from "./task.ts";
import { YieldOnce } from "./_waiter.ts";
import { AwaitedPromise } from "../loop/_awaited_promise.ts";
import { wrapFuture } from "./wrap_future.ts";

// deno-lint-ignore no-explicit-any
type AnyIterator = Iterator<unknown, unknown, any>;

/**
 * What a trampoline does to its task's private state: granted by `Task`
 * (`tasks/task.ts`), whose fields these are.
 */
export interface TaskFriend {
  /**
   * A step starts: the task waits on nothing now; its pending cancellation
   * is taken, if any (then `true`).
   */
  stepStarts(task: Task<unknown>): boolean;
  /** The `CancelledError` the task's cancellation raises. */
  cancelledError(task: Task<unknown>): CancelledError;
  /** The step waits on the pending `fut`: cancelling the task cancels it. */
  waitsOn(task: Task<unknown>, fut: Future<unknown>): void;
  /** A cancellation pending on the task cancels `fut`, which it waits on. */
  cancelPending(task: Task<unknown>, fut: Future<unknown>): void;
  /** The coroutine ended: settle the task. */
  finish(
    task: Task<unknown>,
    value: unknown,
    error: unknown,
    failed: boolean,
  ): void;
}

let friend: TaskFriend;

/** `Task` grants its trampolines these (once, from its `static {}` block). */
export function befriendTask(granted: TaskFriend): void {
  friend = granted;
}

/** Wait for any awaitable inside a generator task (for `createTask(fut)`). */
export function* awaitAny(
  awaitable: unknown,
): Generator<unknown, unknown, unknown> {
  return yield awaitable;
}

/** Drives a generator task's coroutine (see the module's header). */
export class Trampoline {
  readonly #task: Task<unknown>;
  /** The delegation stack: the innermost iterator last. */
  readonly #stack: AnyIterator[];
  /**
   * The future the step waits on (the task's waiter may be an inner one, of
   * an `async` function it waits on).
   */
  #future: Future<unknown> | null = null;

  /**
   * @param task The task it drives, which owns it.
   * @param iterator The coroutine's iterator.
   */
  constructor(task: Task<unknown>, iterator: AnyIterator) {
    this.#task = task;
    this.#stack = [iterator];
  }

  /** The task it drives (debug mode names it in a slow step's warning). */
  get task(): Task<unknown> {
    return this.#task;
  }

  /** The future the step waits on, if it waits. */
  get future(): Future<unknown> | null {
    return this.#future;
  }

  /** Run the first step at the loop's next iteration. */
  stepSoon(): void {
    schedule(this.#task.getLoop(), Trampoline.#stepSoon, this);
  }

  static #stepSoon(trampoline: Trampoline): void {
    trampoline.step(undefined, undefined, false);
  }

  static #throwSoon(trampoline: Trampoline, error: unknown): void {
    trampoline.step(undefined, error, true);
  }

  /** Resume a generator task whose awaited future is done. */
  static #wakeGenerator(trampoline: Trampoline): void {
    const fut = trampoline.#future!;
    trampoline.#future = null;
    let value: unknown;
    try {
      value = fut.result();
    } catch (error) {
      return trampoline.step(undefined, error, true);
    }
    trampoline.step(value, undefined, false);
  }

  /** One step of a generator task: run it to its next yield. */
  step(value: unknown, error: unknown, failed: boolean): void {
    const task = this.#task;
    if (task.done()) {
      throw new InvalidStateError(`_step(): already done: ${task}`);
    }
    if (friend.stepStarts(task)) {
      if (!(error instanceof CancelledError)) {
        error = friend.cancelledError(task);
      }
      failed = true;
    }
    const outer = enterSyncStep(task);
    try {
      this.#drive(value, error, failed);
    } finally {
      leaveSyncStep(outer);
    }
  }

  #drive(value: unknown, error: unknown, failed: boolean): void {
    const task = this.#task;
    const stack = this.#stack;
    const loop = task.getLoop();
    for (;;) {
      const iterator = stack[stack.length - 1];
      let step: IteratorResult<unknown, unknown>;
      try {
        if (!failed) step = iterator.next(value);
        else if (iterator.throw) step = iterator.throw(error);
        else throw error;
      } catch (e) {
        stack.pop();
        if (stack.length === 0) return friend.finish(task, undefined, e, true);
        error = e;
        failed = true;
        continue;
      }
      failed = false;
      value = undefined;
      if (step.done) {
        stack.pop();
        if (stack.length === 0) {
          return friend.finish(task, step.value, undefined, false);
        }
        value = step.value;
        continue;
      }
      let yielded = step.value;
      if (yielded === undefined) {
        // A bare yield relinquishes control for one loop iteration.
        schedule(loop, Trampoline.#stepSoon, this);
        return;
      }
      if (
        yielded instanceof Coroutine || yielded instanceof YieldOnce ||
        yielded instanceof AwaitedPromise
      ) {
        // `yield coro` delegates as `yield* coro` does.
        stack.push(yielded[Symbol.iterator]());
        continue;
      }
      if (!(yielded instanceof Future) && isThenable(yielded)) {
        // Most likely an async function called in this step: its awaits
        // captured the loop's holder; adopt it, so cancellation reaches them.
        if (yielded instanceof Promise) {
          if (entryHolders) labelEntry(task, yielded);
          else adoptHolder(task);
        }
        try {
          yielded = wrapFuture(yielded, { loop });
        } catch (e) {
          // A thenable whose `then()` throws: the wait fails with its error,
          // as an `await` of it would.
          error = e;
          failed = true;
          continue;
        }
      }
      if (!(yielded instanceof Future)) {
        const bad = new RuntimeError(`Task got bad yield: ${repr(yielded)}`);
        loop.callSoon(Trampoline.#throwSoon, this, bad);
        return;
      }
      if (yielded.getLoop() !== loop) {
        const bad = new RuntimeError(
          `Task ${task} got Future ${yielded} attached to a different loop`,
        );
        loop.callSoon(Trampoline.#throwSoon, this, bad);
        return;
      }
      if (yielded === task) {
        const bad = new RuntimeError(`Task cannot await on itself: ${task}`);
        loop.callSoon(Trampoline.#throwSoon, this, bad);
        return;
      }
      if (yielded.done()) {
        // `yield fut` of a done future: resume with its outcome at once.
        try {
          value = yielded.result();
        } catch (e) {
          error = e;
          failed = true;
        }
        continue;
      }
      friend.waitsOn(task, yielded);
      this.#future = yielded;
      yielded[kAddCallback](Trampoline.#wakeGenerator, this);
      friend.cancelPending(task, yielded);
      return;
    }
  }
}
