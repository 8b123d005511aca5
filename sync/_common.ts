/**
 * What the primitives share: the loop binding of CPython's
 * `_LoopBoundMixin`, the body runner of the `async with` callback form, and
 * repr helpers. (Their waiting methods return `Op`s, from `tasks/_op.ts`.)
 *
 * @module
 */
import type { AbstractEventLoop } from "../loop/events.ts";
import { checkFunction } from "../exceptions/checks.ts";
import { getEventLoop } from "../loop/policy.ts";
import { Op } from "../tasks/_op.ts";
import { awaitResult } from "../tasks/_combinators.ts";
import type { Coroutine, CoroutineGenerator } from "../tasks/coroutine.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import type { Awaitable, Future } from "../tasks/future.ts";
import type { Deque } from "./_deque.ts";

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
  return (yield* awaitResult(body(arg))) as T;
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
