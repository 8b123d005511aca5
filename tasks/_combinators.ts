/**
 * Argument checks and small helpers shared by the task combinators
 * (`gather`, `wait`, `waitFor`, `asCompleted`, `shield`, `timeout`,
 * `taskGroup`).
 *
 * @module
 */
import {
  context,
  currentTaskLike,
  describe,
  Holder,
} from "../loop/_runtime.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
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
 * Check an options object: `undefined` means none; anything but a plain
 * object, or a key not in `allowed`, is a `TypeError` naming it.
 */
export function checkOptions<O extends object>(
  api: string,
  options: O | undefined,
  allowed: readonly string[],
): Partial<O> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || isAwaitable(options)) {
    throw new TypeError(
      `${api}: options must be an object, got ${describe(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${api}: unknown option "${key}"`);
    }
  }
  return options;
}

/** Check a timeout or deadline: a number of seconds (not NaN) or `null`. */
export function checkTimeout(
  api: string,
  arg: string,
  value: unknown,
): number | null {
  if (value === null) return null;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(
      `${api}: ${arg} must be a number of seconds or null, got ${
        describe(value)
      }`,
    );
  }
  return value;
}

/** Check that `value` is a function (a callback body). */
export function checkBody(api: string, value: unknown): void {
  if (typeof value !== "function") {
    throw new TypeError(
      `${api}: body must be a function, got ${describe(value)}`,
    );
  }
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
  if (!isAwaitable(value)) {
    throw new TypeError(
      `${api}: expected a Future, a coroutine or an awaitable, got ${
        describe(value)
      }`,
    );
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
 * Run a user body (of `timeout`, `taskGroup`) and wait for what it returns,
 * with every synchronous part of it in an async context of its own,
 * labelled with the task running now.
 *
 * Why: when an `async` caller awaits the combinator, the body runs inside the
 * caller's await (a `then()` job), in the caller's holder; a
 * `createTask(work())` in the body would re-label that holder, and with it
 * the caller's own continuation, to the new task (DESIGN.md §3). In a holder
 * of its own, only the body's coroutines are adopted. `context.run()`
 * restores the caller's context after each part; a generator body is
 * stepped part by part, each step in the holder the previous one left.
 */
export function* runBody<A>(
  body: (arg: A) => unknown,
  arg: A,
): Generator<unknown, unknown, unknown> {
  let holder = new Holder(currentTaskLike());
  let generator: Iterator<unknown, unknown, unknown> | null = null;
  const value = context.run(holder, () => {
    const value = body(arg);
    if (value instanceof Coroutine || isGenerator(value)) {
      generator = (value as Iterable<unknown>)[Symbol.iterator]() as Iterator<
        unknown,
        unknown,
        unknown
      >;
    }
    holder = context.getStore()!;
    return value;
  });
  if (generator === null) return isAwaitable(value) ? yield value : value;
  const gen: Iterator<unknown, unknown, unknown> = generator;
  let sent: unknown = undefined, error: unknown = undefined, failed = false;
  for (;;) {
    const step = context.run(holder, () => {
      const step = failed ? gen.throw!(error) : gen.next(sent);
      holder = context.getStore()!;
      return step;
    });
    if (step.done) return step.value;
    try {
      sent = yield step.value;
      failed = false;
    } catch (e) {
      error = e;
      failed = true;
    }
  }
}
