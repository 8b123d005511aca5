/**
 * What the primitives share: the already-settled awaitable of their fast
 * paths, the loop binding of CPython's `_LoopBoundMixin`, the body runner of
 * the `async with` callback form, and argument checks.
 *
 * @module
 */
import { currentTaskLike, describe, runtime } from "../loop/_runtime.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { Coroutine, type CoroutineGenerator } from "../tasks/coroutine.ts";
import { RuntimeError } from "../tasks/exceptions.ts";
import { type Awaitable, Future } from "../tasks/future.ts";
import type { Deque } from "./_deque.ts";

/**
 * What every method that may wait returns: a lazy coroutine, as the `async
 * def` methods of asyncio return. Nothing happens until it is awaited (or
 * given to `createTask`), and then the method's generator runs in the
 * awaiting task: `yield* op` delegates to it; `await op` runs it at once and,
 * when it finishes without waiting (a free lock, a non-full queue, a set
 * event), resumes within the same task step, so programs interleave in
 * CPython's order.
 *
 * Invariant: `await op` runs the generator in the awaiting task's step. When
 * the awaiting task is not the one stepping (the synchronous prefix of an
 * `async` coroutine, which JavaScript runs before its task's first step), it
 * first awaits a done Future, which the task settles at its own turn. A done
 * Future is not awaited in the step itself: a task that awaits one while a
 * cancellation is pending raises `CancelledError` there, which would lose the
 * lock or item the fast path took; CPython raises it at the next real
 * suspension instead.
 */
export class Op<T> extends Coroutine<T> {
  /** `await op`: run the method in the awaiting task. */
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    let generator: CoroutineGenerator<T>;
    try {
      generator = this[Symbol.iterator]();
    } catch (error) {
      return Promise.reject(error).then(onFulfilled, onRejected);
    }
    const task = currentTaskLike();
    if (task !== null && task !== runtime.stepping) {
      const turn = getEventLoop().createFuture<undefined>();
      turn.setResult(undefined);
      // A native reaction, not the Future's callback: it runs in the async
      // context captured here, the task's, so the generator's waits are its.
      return turn.then().then(() => start(generator)).then(
        onFulfilled,
        onRejected,
      );
    }
    return start(generator).then(onFulfilled, onRejected);
  }
}

/** Run a method's generator: settled at once unless it has to wait. */
function start<T>(generator: CoroutineGenerator<T>): Promise<T> {
  let step: IteratorResult<unknown, T>;
  try {
    step = generator.next();
  } catch (error) {
    return Promise.reject(error);
  }
  if (step.done) return Promise.resolve(step.value);
  return finish(generator, step.value);
}

/** Go on with a generator that waits: each wait is the awaiting task's. */
async function finish<T>(
  generator: CoroutineGenerator<T>,
  yielded: unknown,
): Promise<T> {
  for (;;) {
    let step: IteratorResult<unknown, T>;
    try {
      const value = await (yielded as PromiseLike<unknown>);
      step = generator.next(value);
    } catch (error) {
      step = generator.throw(error);
    }
    if (step.done) return step.value;
    yielded = step.value;
  }
}

/**
 * The loop `owner` is bound to, binding it at first use as CPython's
 * `_LoopBoundMixin._get_loop`: the running loop, else the current one.
 */
export function bindLoop(
  owner: object,
  bound: AbstractEventLoop | null,
): AbstractEventLoop {
  const loop = getEventLoop();
  if (bound !== null && bound !== loop) {
    throw new RuntimeError(`${owner} is bound to a different event loop`);
  }
  return loop;
}

/**
 * The body of `run()`, the callback form of `async with`: it receives the
 * context object (the lock, semaphore or condition; a barrier's index) and
 * may be an `async` function, a generator coroutine function, or a plain
 * function.
 */
export type RunBody<A, T> = (
  arg: A,
) => T | PromiseLike<T> | Coroutine<T> | Generator<unknown, T, unknown>;

/** Wait for whatever `body(arg)` returns, in the waiting task. */
function* callBody<A, T>(
  body: RunBody<A, T>,
  arg: A,
): CoroutineGenerator<T> {
  const result = body(arg);
  if (result instanceof Coroutine || result instanceof Future) {
    return yield* result as Iterable<unknown, T>;
  }
  if (
    result !== null && typeof result === "object" &&
    typeof (result as PromiseLike<T>).then === "function"
  ) {
    return (yield result) as T;
  }
  if (
    result !== null && typeof result === "object" &&
    typeof (result as Generator).next === "function" &&
    typeof (result as Generator)[Symbol.iterator] === "function"
  ) {
    return yield* result as Generator<unknown, T, unknown>;
  }
  return result as T;
}

/** Something with `acquire()`/`release()`: what `async with` enters. */
interface Acquirable {
  acquire(): Awaitable<unknown>;
  release(): void;
}

/** `async with cm: return body(cm)`, as a generator. */
function* runHolding<C extends Acquirable, T>(
  cm: C,
  body: RunBody<C, T>,
): CoroutineGenerator<T> {
  yield* cm.acquire();
  try {
    return yield* callBody(body, cm);
  } finally {
    cm.release();
  }
}

/** The coroutine of `cm.run(body)`, checking `body` first. */
export function runHoldingCoroutine<C extends Acquirable, T>(
  api: string,
  cm: C,
  body: RunBody<C, T>,
): Coroutine<T> {
  checkFunction(api, "body", body);
  return new Op(runHolding(cm, body), api);
}

/** `body(arg)` waited for, as a generator (Barrier's `async with`). */
export { callBody };

/** Throw a `TypeError` unless `value` is a function. */
export function checkFunction(api: string, arg: string, value: unknown): void {
  if (typeof value !== "function") {
    throw new TypeError(
      `${api}: ${arg} must be a function, got ${describe(value)}`,
    );
  }
}

/** Throw a `TypeError` unless `value` is an integer; return it. */
export function checkInteger(api: string, arg: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(
      `${api}: ${arg} must be an integer, got ${describe(value)}`,
    );
  }
  return value;
}

/** `, waiters:N` when there are waiters, as CPython's reprs. */
export function waitersSuffix(count: number): string {
  return count > 0 ? `, waiters:${count}` : "";
}

/** Whether every waiter was cancelled (or there are none). */
export function allCancelled(waiters: Deque<Future<unknown>> | null): boolean {
  if (waiters === null) return true;
  for (let i = 0; i < waiters.length; i++) {
    if (!waiters.at(i).cancelled()) return false;
  }
  return true;
}
