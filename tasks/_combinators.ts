/**
 * Argument checks and small helpers shared by the task combinators
 * (`gather`, `wait`, `waitFor`, `asCompleted`, `shield`, `timeout`,
 * `taskGroup`).
 *
 * @module
 */
import { adoptTogether } from "../loop/_adoption.ts";
import { describe } from "../exceptions/describe.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { Coroutine } from "./coroutine.ts";
import { ensureFuture } from "./ensure_future.ts";
import { Future } from "./future.ts";

/** Return `true` if `value` can be waited for: a Future, a coroutine or a thenable. */
export function isAwaitable(value: unknown): value is PromiseLike<unknown> {
  return value instanceof Future || value instanceof Coroutine ||
    (value !== null &&
      (typeof value === "object" || typeof value === "function") &&
      typeof (value as PromiseLike<unknown>).then === "function");
}

/**
 * What a combinator takes: an awaitable, or a function that makes the
 * coroutine at its task's first step (the lazy form, `gather(() => w(1))`).
 */
export function isTaskable(value: unknown): boolean {
  return typeof value === "function" || isAwaitable(value);
}

/**
 * The awaitables of `wait()` or `asCompleted()` as a set of Futures of the
 * current loop: every item is checked before any is wrapped (a bad call
 * starts nothing), and the coroutines, all started before the call, are
 * adopted together.
 */
export function toFutureSet<T>(
  api: string,
  items: Iterable<unknown>,
): Set<Future<T>> {
  for (const item of items) {
    if (!isTaskable(item)) {
      throw new TypeError(
        `${api}: aws must hold Futures, Tasks or coroutines, got ${
          describe(item)
        }`,
      );
    }
  }
  const loop = getEventLoop();
  const futures = new Set<Future<T>>();
  adoptTogether(() => {
    for (const item of items) futures.add(toFuture<T>(api, item, loop));
  });
  return futures;
}

/**
 * `ensureFuture` with the combinator's name in the error: a Future as it
 * is, a coroutine or thenable wrapped in a Task of `loop`.
 */
export function toFuture<T>(
  api: string,
  value: unknown,
  loop: AbstractEventLoop | null,
): Future<T> {
  if (!isTaskable(value)) {
    throw new TypeError(
      `${api}: expected a Future, a coroutine or an awaitable, got ${
        describe(value)
      }`,
    );
  }
  if (!isAwaitable(value)) {
    return (loop ?? getEventLoop()).createTask(
      value as () => PromiseLike<T>,
    ) as Future<T>;
  }
  return ensureFuture(value as PromiseLike<T>, { loop }) as Future<T>;
}

/** A done-callback: set `waiter`'s result unless it is done already. */
export function releaseWaiter(waiter: Future<unknown>): void {
  if (!waiter.done()) waiter.setResult(undefined);
}

/** Whether `value` is a generator object (what a `function*` returns). */
function isGenerator(value: unknown): value is Generator {
  return value !== null && typeof value === "object" &&
    typeof (value as Generator).next === "function" &&
    typeof (value as Generator).throw === "function" &&
    typeof (value as Generator)[Symbol.iterator] === "function";
}

/**
 * Wait, inside a generator coroutine, for what a body returned: delegate to
 * a generator or generator coroutine, wait for a Future, a Promise or any
 * thenable, and take any other value as it is. Driven by a Task or inline by
 * an `async` awaiter, so every wait belongs to the task running it.
 */
export function* awaitResult(
  value: unknown,
): Generator<unknown, unknown, unknown> {
  if (value instanceof Coroutine || isGenerator(value)) {
    return yield* value as Iterable<unknown> as Generator<
      unknown,
      unknown,
      unknown
    >;
  }
  if (isAwaitable(value)) return yield value;
  return value;
}

/**
 * Run a user body (of `timeout`, `taskGroup`) and wait for what it returns.
 * The body runs in the task that drives the combinator: inline in an `async`
 * awaiter (whose `driveInline` gives it a holder of its own, so a
 * `createTask()` in the body adopts only the body's coroutines), or in a
 * generator task's step (which adopts a Promise the body returns).
 */
export function runBody<A>(
  body: (arg: A) => unknown,
  arg: A,
): Generator<unknown, unknown, unknown> {
  return awaitResult(body(arg));
}
