/**
 * `Future`: a result that will be set later, waited for with `await` (its
 * `then()` starts a wait that reaches the awaiting task, `_waiter.ts`) and
 * with `yield*`; and the unchecked paths the rest of `tasks/` takes to
 * schedule on the loop and to fail a future.
 *
 * @module
 */
import { catchOf, finallyOf } from "./_promise_methods.ts";
import { describe } from "../exceptions/describe.ts";
import {
  type AbstractEventLoop,
  inspect,
  kSchedule,
  kScheduleLater,
  type TimerHandle,
} from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { recordCreationSite } from "../loop/_creation_site.ts";
import { failed, retrieved, type Unretrieved } from "./_unretrieved.ts";
import {
  type CancelledError,
  InvalidStateError,
} from "../exceptions/asyncio.ts";
import { cancelledError } from "./_cancelled_error.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import { awaitThen, kAddCallback, kCancelledError } from "./_waiter.ts";

/**
 * Anything this module returns that can be waited for: with `await` from an
 * `async` function and with `yield*` from a generator coroutine.
 */
export interface Awaitable<T> extends PromiseLike<T> {
  /** As `Promise.prototype.then` (`await` calls it, or awaits it natively). */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  /** Lets a generator coroutine wait with `yield*`. */
  [Symbol.iterator](): Generator<unknown, T, unknown>;
  /** As `Promise.prototype.catch` (it awaits, as `then` does). */
  catch<R = never>(
    // deno-lint-ignore no-explicit-any
    onRejected?: ((reason: any) => R | PromiseLike<R>) | null,
  ): Promise<T | R>;
  /** As `Promise.prototype.finally`. */
  finally(onFinally?: (() => void) | null): Promise<T>;
}

/** Options for `new Future()`. */
export interface FutureOptions {
  /**
   * The loop the future belongs to.
   *
   * @default {getEventLoop()}
   */
  loop?: AbstractEventLoop | null;
}

const PENDING = "PENDING", CANCELLED = "CANCELLED", FINISHED = "FINISHED";
type State = typeof PENDING | typeof CANCELLED | typeof FINISHED;

/** Internal: finish a future as cancelled by this exact error. */
export const kCancelWith: unique symbol = Symbol("cancelWith");
/** Internal: `setException` of any value code threw, unchecked. */
export const kSetException: unique symbol = Symbol("setException");
// Defined with the waiter, which calls them (`_waiter.ts`).
export { kAddCallback, kCancelledError };

type Scheduler = {
  [kSchedule]?: (fn: (arg: unknown) => unknown, arg: unknown) => void;
  [kScheduleLater]?: (
    delay: number,
    fn: (arg: unknown) => unknown,
    arg: unknown,
  ) => TimerHandle;
};

/** `loop.callSoon(fn, arg)`, by the loop's unchecked path when it has one. */
export function schedule<A>(
  loop: AbstractEventLoop,
  fn: (arg: A) => unknown,
  arg: A,
): void {
  const fast = (loop as Scheduler)[kSchedule];
  if (fast !== undefined) {
    fast.call(loop, fn as (arg: unknown) => unknown, arg);
  } else loop.callSoon(fn, arg);
}

/** `loop.callLater(delay, fn, arg)`, by the loop's unchecked path when it has one. */
export function scheduleLater<A>(
  loop: AbstractEventLoop,
  delay: number,
  fn: (arg: A) => unknown,
  arg: A,
): TimerHandle {
  const fast = (loop as Scheduler)[kScheduleLater];
  return fast !== undefined
    ? fast.call(loop, delay, fn as (arg: unknown) => unknown, arg)
    : loop.callLater(delay, fn, arg);
}

/**
 * `fut.setException(exception)` for a value some code threw or a promise
 * rejected with: JavaScript throws strings too, and a task fails with what
 * its coroutine threw. `null` and `undefined`, which a future cannot hold
 * as its exception, become a `RuntimeError`. Takes the future's unchecked
 * path when it has one (a custom loop's `createFuture` may make another
 * kind).
 */
export function failWith(
  fut: { setException(exception: unknown): void },
  exception: unknown,
): void {
  exception ??= new RuntimeError(`failed with ${exception}`);
  const fast = (fut as Unchecked)[kSetException];
  if (fast !== undefined) fast.call(fut, exception);
  else fut.setException(exception);
}

type Unchecked = { [kSetException]?: (exception: unknown) => void };

/**
 * A Future represents an eventual result of an asynchronous operation, as
 * `asyncio.Future`. Its done-callbacks are scheduled with `callSoon`, never
 * called inline. It is awaitable (`await fut`) and iterable (`yield* fut` in a
 * generator coroutine), as `Future.__await__`/`__iter__` are.
 *
 * @example Setting a result from a timer
 * ```ts
 * import { Future, getEventLoop } from "@asyncio/deno";
 * const loop = getEventLoop();
 * const fut = new Future<string>({ loop });
 * loop.callLater(0.01, () => fut.setResult("ready"));
 * console.log(await loop.runUntilComplete(fut)); // ready
 * loop.close();
 * ```
 */
export class Future<T = unknown> implements Awaitable<T> {
  #state: State = PENDING;
  // Once cancelled, a future has neither result nor exception: these two
  // hold the cancel message and the `CancelledError` (when made) instead,
  // two fields less for every future (a sleeping task holds two).
  /** The result; once cancelled, the cancel message. */
  #result: unknown = undefined;
  /** The exception or `null`; once cancelled, its `CancelledError` or `null`. */
  #exception: unknown = null;
  #loop: AbstractEventLoop;
  /**
   * The done-callbacks: the first one's function and argument, then the
   * others as flat pairs (most futures get exactly one: no array for it).
   */
  #callback: ((arg: unknown) => unknown) | null = null;
  #callbackArg: unknown = undefined;
  #callbacks: unknown[] | null = null;
  /** The report made if nobody retrieves the exception (`_unretrieved.ts`). */
  #unretrieved: Unretrieved | null = null;

  /**
   * Make a pending Future.
   *
   * @param options The loop the future belongs to.
   */
  constructor(options: FutureOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw new TypeError(
        `Future: options must be an object, got ${describe(options)}`,
      );
    }
    const loop = options.loop ?? getEventLoop();
    if (typeof loop?.callSoon !== "function") {
      throw new TypeError(
        `Future: options.loop must be an event loop, got ${describe(loop)}`,
      );
    }
    this.#loop = loop;
    if (loop.getDebug()) recordCreationSite(this);
  }

  /** The word this class prints as: `Future`, `Task`. */
  protected get kind(): string {
    return "Future";
  }

  /** Return the event loop the Future is bound to. */
  getLoop(): AbstractEventLoop {
    return this.#loop;
  }

  /** Return `true` if the Future is done (has a result, an exception, or was cancelled). */
  done(): boolean {
    return this.#state !== PENDING;
  }

  /** Return `true` if the Future was cancelled. */
  cancelled(): boolean {
    return this.#state === CANCELLED;
  }

  /**
   * Return the result of the Future. Throws `CancelledError` if it was
   * cancelled, its exception if it has one, and `InvalidStateError` if it is
   * not done.
   */
  result(): T {
    if (this.#state === CANCELLED) throw this[kCancelledError]();
    if (this.#state !== FINISHED) {
      throw new InvalidStateError("Result is not set.");
    }
    this.#retrieved();
    if (this.#exception !== null) throw this.#exception;
    return this.#result as T;
  }

  /**
   * Return the exception set on the Future, or `null`. Throws
   * `CancelledError` if it was cancelled, `InvalidStateError` if not done.
   */
  exception(): unknown {
    if (this.#state === CANCELLED) throw this[kCancelledError]();
    if (this.#state !== FINISHED) {
      throw new InvalidStateError("Exception is not set.");
    }
    this.#retrieved();
    return this.#exception;
  }

  /** Mark the Future done and set its result. */
  setResult(result: T): void {
    if (this.#state !== PENDING) {
      throw new InvalidStateError(`${this.#state}: ${this}`);
    }
    this.#result = result;
    this.#state = FINISHED;
    this.#scheduleCallbacks();
  }

  /**
   * Mark the Future done and set an exception. A class is instantiated, as
   * in asyncio.
   *
   * @param exception An `Error`, or another object (a `DOMException`, an
   * error of another realm), or a class to instantiate.
   * @throws {InvalidStateError} If the Future is done.
   * @throws {TypeError} If `exception` is not an object (a string, a number,
   * `null`, `undefined`), as asyncio raises for one not a `BaseException`;
   * the Future stays pending.
   */
  setException(exception: unknown): void {
    if (this.#state !== PENDING) {
      throw new InvalidStateError(`${this.#state}: ${this}`);
    }
    if (typeof exception === "function") {
      exception = new (exception as new () => unknown)();
    }
    if (exception === null || typeof exception !== "object") {
      throw new TypeError(
        `setException: exception must be an Error (or another object), got ${
          describe(exception)
        }`,
      );
    }
    this.#fail(exception);
  }

  /** Internal: `setException` of any value but `null`/`undefined` (`failWith`). */
  [kSetException](exception: unknown): void {
    if (this.#state !== PENDING) {
      throw new InvalidStateError(`${this.#state}: ${this}`);
    }
    this.#fail(exception);
  }

  #fail(exception: unknown): void {
    this.#exception = exception;
    this.#state = FINISHED;
    this.#unretrieved = failed(this, this.#loop, exception, this.kind);
    this.#scheduleCallbacks();
  }

  /**
   * Cancel the Future and schedule its callbacks. Return `false` if it is
   * already done.
   */
  cancel(msg: string | null = null): boolean {
    return this.#cancel(msg);
  }

  #cancel(msg: string | null): boolean {
    if (this.#state !== PENDING) return false;
    if (msg !== null && typeof msg !== "string") {
      throw new TypeError(`cancel: msg must be a string, got ${describe(msg)}`);
    }
    this.#state = CANCELLED;
    this.#result = msg;
    this.#scheduleCallbacks();
    return true;
  }

  /**
   * Add a callback to be run when the Future is done; it receives the Future
   * and is scheduled with `callSoon`.
   */
  addDoneCallback(fn: (fut: this) => unknown): void {
    if (typeof fn !== "function") {
      throw new TypeError(
        `addDoneCallback: fn must be a function, got ${describe(fn)}`,
      );
    }
    this[kAddCallback](fn as (fut: unknown) => unknown, this);
  }

  /** Remove every instance of a callback; return how many were removed. */
  removeDoneCallback(fn: (fut: this) => unknown): number {
    if (this.#callback === null) return 0;
    const all = [this.#callback, this.#callbackArg, ...(this.#callbacks ?? [])];
    let kept = 0, removed = 0;
    for (let i = 0; i < all.length; i += 2) {
      if (all[i] === fn && all[i + 1] === this) {
        removed++;
        continue;
      }
      all[kept++] = all[i];
      all[kept++] = all[i + 1];
    }
    all.length = kept;
    this.#callback = kept === 0 ? null : all[0] as (arg: unknown) => unknown;
    this.#callbackArg = kept === 0 ? undefined : all[1];
    this.#callbacks = kept > 2 ? all.slice(2) : null;
    return removed;
  }

  /** Internal: add `fn(arg)` as a done-callback, without a closure. */
  [kAddCallback]<A>(fn: (arg: A) => unknown, arg: A): void {
    if (this.#state !== PENDING) schedule(this.#loop, fn, arg);
    else if (this.#callback === null) {
      this.#callback = fn as (arg: unknown) => unknown;
      this.#callbackArg = arg;
    } // A literal for the first pair: `[].push` would reserve 17 slots.
    else if (this.#callbacks === null) this.#callbacks = [fn, arg];
    else this.#callbacks.push(fn, arg);
  }

  /** Internal: finish as cancelled by `error` (a task whose coroutine raised it). */
  [kCancelWith](error: CancelledError): boolean {
    if (!this.#cancel(error.message || null)) return false;
    this.#exception = error;
    return true;
  }

  /** The `CancelledError` that `result()` throws once cancelled. */
  [kCancelledError](): CancelledError {
    const debug = this.#loop.getDebug();
    // `gather()` asks a future that was not cancelled too: a fresh one.
    if (this.#state !== CANCELLED) return cancelledError(null, debug);
    return (this.#exception ??= cancelledError(
      this.#result as string | null,
      debug,
    )) as CancelledError;
  }

  /** Wait for the Future from an `async` function: `await fut`. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return awaitThen(
      this as Future<unknown>,
      undefined,
      this.#loop,
      onFulfilled as ((value: unknown) => unknown) | null | undefined,
      onRejected,
    );
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

  /** Wait for the Future from a generator coroutine: `yield* fut`. */
  *[Symbol.iterator](): Generator<unknown, T, unknown> {
    if (!this.done()) yield this;
    if (!this.done()) {
      throw new RuntimeError("await wasn't used with future");
    }
    return this.result();
  }

  #retrieved(): void {
    const report = this.#unretrieved;
    if (report !== null) {
      this.#unretrieved = null;
      retrieved(report);
    }
  }

  #scheduleCallbacks(): void {
    const first = this.#callback;
    if (first === null) return;
    const arg = this.#callbackArg;
    const callbacks = this.#callbacks;
    this.#callback = this.#callbackArg = this.#callbacks = null;
    const loop = this.#loop;
    schedule(loop, first, arg);
    if (callbacks === null) return;
    for (let i = 0; i < callbacks.length; i += 2) {
      schedule(
        loop,
        callbacks[i] as (arg: unknown) => unknown,
        callbacks[i + 1],
      );
    }
  }

  /** What CPython's repr shows after the class name. */
  protected describeState(): string {
    if (this.#state === CANCELLED) return "cancelled";
    if (this.#state === PENDING) return "pending";
    if (this.#exception !== null) {
      return `finished exception=${reprError(this.#exception)}`;
    }
    return `finished result=${repr(this.#result)}`;
  }

  /** `<Future pending>`, `<Future finished result=42>`, as in CPython. */
  toString(): string {
    return `<${this.kind} ${this.describeState()}>`;
  }

  /** Print like CPython's repr. */
  [inspect](): string {
    return this.toString();
  }
}

/** A value as CPython's repr would show it. */
export function repr(value: unknown): string {
  if (typeof value === "string") return `'${value}'`;
  if (value === null || value === undefined) return "None";
  if (value instanceof Error) return reprError(value);
  if (typeof value === "object") {
    return String((value as { toString(): string }).toString?.() ?? value);
  }
  return String(value);
}

function reprError(error: unknown): string {
  if (error instanceof Error) return `${error.name}('${error.message}')`;
  return repr(error);
}

/**
 * Return `true` if `value` is a Future (a Task included), as
 * `asyncio.isfuture`.
 *
 * @example Telling futures apart
 * ```ts
 * import { getEventLoop, isFuture } from "@asyncio/deno";
 * const loop = getEventLoop();
 * console.log(isFuture(loop.createFuture()), isFuture(Promise.resolve())); // true false
 * loop.close();
 * ```
 */
export function isFuture(value: unknown): value is Future<unknown> {
  return value instanceof Future;
}
