/**
 * Legacy generator-based coroutines, as `@asyncio.coroutine`: lazy, driven
 * by a Task, waiting with `yield*`.
 *
 * @module
 */
import { catchOf, finallyOf } from "./_promise_methods.ts";
import { describe } from "../exceptions/describe.ts";
import { enterFreshHolder } from "../loop/_adoption.ts";
import { active as entryHolders } from "../loop/_entry_holders.ts";
import { kCoroutineFunction } from "../loop/_hooks.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import { Future, repr } from "./future.ts";
import { YieldOnce } from "./_waiter.ts";
import { mustWaitTurn, waitTurn } from "./_wait_turn.ts";
import { started, watchNeverAwaited } from "./_never_awaited.ts";

/** The generator a generator coroutine function returns. */
// deno-lint-ignore no-explicit-any
export type CoroutineGenerator<T> = Generator<unknown, T, any>;

/**
 * A generator coroutine object, made by calling a function wrapped with
 * `coroutine()`. Nothing runs until a Task drives it, `yield*` delegates to
 * it, or an `async` function awaits it.
 *
 * @example Awaiting a generator coroutine from an async function
 * ```ts
 * import { coroutine, run, sleep } from "@asyncio/deno";
 * const answer = coroutine(function* () {
 *   yield* sleep(0.01);
 *   return 42;
 * });
 * console.log(await run(async () => await answer())); // 42
 * ```
 */
export class Coroutine<T = unknown> implements PromiseLike<T> {
  #generator: CoroutineGenerator<T> | null;
  #name: string;
  #started = false;

  /**
   * Made by a `coroutine()` function.
   *
   * @param generator The generator to drive; `null` in a subclass that
   * makes it when it is first needed (see `generator()`).
   * @param name The function's name, for reprs.
   */
  constructor(generator: CoroutineGenerator<T> | null, name: string) {
    this.#generator = generator;
    this.#name = name;
  }

  /** The coroutine function's name. */
  get name(): string {
    return this.#name;
  }

  /** Delegate to the coroutine from another one: `yield* other()`. */
  [Symbol.iterator](): CoroutineGenerator<T> {
    this.claim();
    return this.generator();
  }

  /**
   * Mark the coroutine as started: it runs once.
   *
   * @throws {RuntimeError} If it has already been awaited.
   */
  protected claim(): void {
    if (this.#started) {
      throw new RuntimeError("cannot reuse already awaited coroutine");
    }
    this.#started = true;
    started(this);
  }

  /**
   * Claim the coroutine for a `then()`: `null`, or, when it was awaited
   * already, the rejected promise that `then()` returns.
   */
  protected claimForThen<R1, R2>(
    onFulfilled: ((value: T) => R1 | PromiseLike<R1>) | null | undefined,
    onRejected: ((reason: unknown) => R2 | PromiseLike<R2>) | null | undefined,
  ): Promise<R1 | R2> | null {
    try {
      this.claim();
      return null;
    } catch (error) {
      return Promise.reject(error).then(onFulfilled, onRejected);
    }
  }

  /**
   * The generator to drive: the one given to the constructor. A subclass
   * that gave `null` makes it here.
   */
  protected generator(): CoroutineGenerator<T> {
    if (this.#generator === null) {
      throw new TypeError(`${this}: no generator to drive`);
    }
    return this.#generator;
  }

  /** Run the coroutine inside the awaiting `async` function: `await coro`. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const generator = this[Symbol.iterator]();
    if (mustWaitTurn()) {
      // Awaited from a coroutine whose task has not had its first step (or
      // not been created) yet: it starts at that step, as it would in asyncio.
      return waitTurn().then(() => driveInline(generator)).then(
        onFulfilled,
        onRejected,
      );
    }
    return driveInline(generator).then(onFulfilled, onRejected);
  }

  /** As `Promise.prototype.catch` (it awaits, as `then` does). */
  catch<R = never>(
    // `any`, as Promise's own `catch` types it: `(e: Error) => …` is allowed.
    // deno-lint-ignore no-explicit-any
    onRejected?: ((reason: any) => R | PromiseLike<R>) | null,
  ): Promise<T | R> {
    return catchOf(this, onRejected);
  }

  /** As `Promise.prototype.finally`: `onFinally` runs either way. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return finallyOf(this, onFinally);
  }

  /** `<coroutine name()>`. */
  toString(): string {
    return `<coroutine ${this.#name}()>`;
  }
}

/**
 * Drive a generator coroutine from an `async` function: its waits are the
 * awaiting task's, so cancellation reaches it.
 */
async function driveInline<T>(generator: CoroutineGenerator<T>): Promise<T> {
  // Without the promise hooks, this runs in the holder the awaiter's
  // continuation captured, and a `createTask(work())` in the generator would
  // re-label that one: run in a holder of our own, labelled the same. (With
  // them, this call's own entry is that holder already.)
  if (!entryHolders) enterFreshHolder();
  let value: unknown = undefined;
  let error: unknown = undefined;
  let failed = false;
  for (;;) {
    const step = failed ? generator.throw(error) : generator.next(value);
    if (step.done) return step.value;
    const yielded = step.value;
    failed = false;
    try {
      value = await asAwaitable(yielded);
    } catch (e) {
      error = e;
      failed = true;
    }
  }
}

function asAwaitable(yielded: unknown): PromiseLike<unknown> {
  if (yielded === undefined) return new YieldOnce(undefined);
  if (
    yielded instanceof Future || yielded instanceof Coroutine ||
    yielded instanceof YieldOnce ||
    typeof (yielded as PromiseLike<unknown>)?.then === "function"
  ) {
    return yielded as PromiseLike<unknown>;
  }
  return Promise.reject(
    new RuntimeError(`Task got bad yield: ${repr(yielded)}`),
  );
}

/**
 * Make a generator function a coroutine function, as the legacy
 * `@asyncio.coroutine` decorator. Inside, `yield* fut` waits for any
 * Future or Task, `yield* other()` delegates, `yield awaitable` waits for a
 * Promise, Future or coroutine, and a bare `yield` yields to the loop once.
 *
 * @example The tutorial's hello world
 * ```ts
 * import { coroutine, getEventLoop, sleep } from "@asyncio/deno";
 * const hello = coroutine(function* () {
 *   console.log("Hello world!");
 *   const r = yield* sleep(0.01, "done");
 *   console.log("Hello again!", r);
 * });
 * const loop = getEventLoop();
 * await loop.runUntilComplete(hello());
 * loop.close();
 * ```
 */
export function coroutine<A extends unknown[], T>(
  fn: (...args: A) => CoroutineGenerator<T>,
): (...args: A) => Coroutine<T> {
  if (typeof fn !== "function") {
    throw new TypeError(
      `coroutine: expected a generator function, got ${describe(fn)}`,
    );
  }
  if (fn.constructor?.name !== "GeneratorFunction") {
    throw new TypeError(
      `coroutine: expected a generator function (function*), got ${
        fn.constructor?.name === "AsyncFunction"
          ? "an async function"
          : "a function"
      }`,
    );
  }
  const name = fn.name || "<anonymous>";
  const wrapper = function (this: unknown, ...args: A): Coroutine<T> {
    const coro = new Coroutine(fn.apply(this, args), name);
    watchNeverAwaited(coro, name);
    return coro;
  };
  Object.defineProperty(wrapper, "name", { value: name });
  Object.defineProperty(wrapper, kCoroutineFunction, { value: true });
  return wrapper;
}

/**
 * Return `true` if `value` is a coroutine object: a generator coroutine, or a
 * Promise (what calling an `async` function returns).
 *
 * @example Telling coroutines apart
 * ```ts
 * import { coroutine, isCoroutine } from "@asyncio/deno";
 * const gen = coroutine(function* () {});
 * console.log(isCoroutine(gen()), isCoroutine((async () => {})()), isCoroutine(1));
 * ```
 */
export function isCoroutine(value: unknown): boolean {
  return value instanceof Coroutine || value instanceof Promise;
}

/**
 * Return `true` if `fn` is a coroutine function: an `async` function or one
 * made by `coroutine()`.
 *
 * @example Telling coroutine functions apart
 * ```ts
 * import { coroutine, isCoroutineFunction } from "@asyncio/deno";
 * console.log(isCoroutineFunction(async () => {})); // true
 * console.log(isCoroutineFunction(coroutine(function* () {}))); // true
 * console.log(isCoroutineFunction(() => {})); // false
 * ```
 */
export function isCoroutineFunction(fn: unknown): boolean {
  return typeof fn === "function" &&
    (fn.constructor?.name === "AsyncFunction" ||
      (fn as unknown as Record<symbol, unknown>)[kCoroutineFunction] === true);
}
/** `run(main)` with a function: the task calls it at its first step. */
export class LazyCoroutine {
  constructor(readonly start: () => unknown, readonly name: string) {}
}
