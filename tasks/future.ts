/**
 * `Future`: a result that will be set later, and the bridge that lets both
 * `await` and `yield*` wait for one.
 *
 * @module
 */
import {
  awaitingHolder,
  currentHolder,
  syncTask,
  taskOf,
} from "../loop/_current_task.ts";
import type { Holder, TaskLike } from "../loop/_async_context.ts";
import { holdWait, mustHold, stepping } from "../loop/_step.ts";
import { labelForWait } from "../loop/_entry_holders.ts";
import { madePromise, newPromise } from "../loop/_new_promise.ts";
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
import { CancelledError, InvalidStateError } from "../exceptions/asyncio.ts";
import { RuntimeError } from "../exceptions/builtins.ts";

/**
 * Anything this module returns that can be waited for: with `await` from an
 * `async` function and with `yield*` from a generator coroutine.
 */
export interface Awaitable<T> extends PromiseLike<T> {
  /** Lets a generator coroutine wait with `yield*`. */
  [Symbol.iterator](): Generator<unknown, T, unknown>;
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

/** Internal: add a done-callback `fn(arg)` without a closure. */
export const kAddCallback: unique symbol = Symbol("addCallback");
/** Internal: finish a future as cancelled by this exact error. */
export const kCancelWith: unique symbol = Symbol("cancelWith");
/** Internal: how a task takes over an await made in its context. */
export const kAwait: unique symbol = Symbol("await");

/** Internal: the `CancelledError` a cancelled future raises. */
export const kCancelledError: unique symbol = Symbol("cancelledError");
/** Internal: `setException` of any value code threw, unchecked. */
export const kSetException: unique symbol = Symbol("setException");

/** A task as the await bridge sees it. */
interface AwaitingTask extends TaskLike {
  [kAwait](waiter: Waiter): void;
}

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
 * One `then()` call on a Future (or on `sleep(0)`), waiting to be settled: a
 * record rather than closures, because every `await` makes one.
 */
export class Waiter {
  constructor(
    /** The future waited for, or `null` for a bare yield to the loop. */
    readonly fut: Future<unknown> | null,
    /** The value a bare yield resumes with. */
    readonly value: unknown,
    readonly onFulfilled: ((value: unknown) => unknown) | null | undefined,
    readonly onRejected: ((reason: unknown) => unknown) | null | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
    /** The task whose await this is, if any. */
    public task: AwaitingTask | null,
    /** The loop of the wait (a bare yield's is the current one). */
    readonly loop: AbstractEventLoop,
  ) {}

  /** Settle from the future's outcome (marks its exception retrieved). */
  settle(): void {
    const fut = this.fut;
    if (fut === null) return this.fulfil(this.value);
    if (fut.cancelled()) return this.fail(fut[kCancelledError]());
    const exception = fut.exception();
    if (exception !== null) this.fail(exception);
    else this.fulfil(fut.result());
  }

  /** Settle with a value. */
  fulfil(value: unknown): void {
    const onFulfilled = this.onFulfilled;
    if (typeof onFulfilled !== "function") return this.resolve(value);
    try {
      this.resolve(onFulfilled(value));
    } catch (error) {
      this.reject(error);
    }
  }

  /** Settle with an error. */
  fail(reason: unknown): void {
    const onRejected = this.onRejected;
    if (typeof onRejected !== "function") return this.reject(reason);
    try {
      this.resolve(onRejected(reason));
    } catch (error) {
      this.reject(error);
    }
  }
}

function settleWaiter(waiter: Waiter): void {
  waiter.settle();
}

/** Start an await of `fut` (or a bare yield) made by `then()`. */
function awaitThen(
  fut: Future<unknown> | null,
  value: unknown,
  loop: AbstractEventLoop,
  onFulfilled: ((value: unknown) => unknown) | null | undefined,
  onRejected: ((reason: unknown) => unknown) | null | undefined,
): Promise<never> {
  const promise = newPromise<never>();
  const waiter = new Waiter(
    fut,
    value,
    onFulfilled,
    onRejected,
    madePromise.resolve,
    madePromise.reject,
    null,
    loop,
  );
  if (syncTask !== null) {
    startWait(waiter, syncTask as AwaitingTask);
    return promise;
  }
  const holder = currentHolder();
  if (!holdWait(holder, startHeldWait, waiter)) {
    startWait(waiter, waitingTask(holder));
  }
  return promise;
}

/** The task a wait made in `holder` belongs to, if it is running. */
function waitingTask(holder: Holder | undefined): AwaitingTask | null {
  const task = holder === undefined ? null : labelForWait(holder);
  return task === null || task.done() ? null : task as AwaitingTask;
}

function startHeldWait(waiter: Waiter, holder: Holder): void {
  startWait(waiter, waitingTask(holder));
}

/** Wait as `task`, or, outside a task, as a plain callback. */
function startWait(waiter: Waiter, task: AwaitingTask | null): void {
  const fut = waiter.fut;
  if (task !== null && typeof task[kAwait] === "function") {
    waiter.task = task;
    task[kAwait](waiter);
  } else if (fut === null) {
    waiter.loop.callSoon(settleWaiter, waiter);
  } else if (fut.done()) {
    waiter.settle();
  } else {
    fut[kAddCallback](settleWaiter, waiter);
  }
}

/**
 * Whether an `await` made now comes from a coroutine that is running ahead
 * of its task: JavaScript ran its prefix at call time, and its first await's
 * `then()` runs in its creator's step, before its task's first step (or
 * before `createTask` adopted it, see `mustHold`). An awaitable that does
 * work when awaited (a lock, a deadline, a coroutine) must then first wait
 * its turn (`waitTurn`), so that the work happens in the task's step.
 */
export function mustWaitTurn(
  holder: Holder | undefined = awaitingHolder(),
): boolean {
  if (holder === undefined) return false;
  if (mustHold(holder)) return true;
  const task = taskOf(holder);
  return task !== null && task !== stepping;
}

/**
 * The turn of the task an `await` made now belongs to: a done Future's
 * `then()`, which that task settles at its own step.
 */
export function waitTurn(): Promise<undefined> {
  const turn = new Future<undefined>({ loop: getEventLoop() });
  turn.setResult(undefined);
  return turn.then();
}

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
  #result: T | undefined = undefined;
  #exception: unknown = null;
  #loop: AbstractEventLoop;
  /**
   * The done-callbacks: the first one's function and argument, then the
   * others as flat pairs (most futures get exactly one: no array for it).
   */
  #callback: ((arg: unknown) => unknown) | null = null;
  #callbackArg: unknown = undefined;
  #callbacks: unknown[] | null = null;
  #cancelMessage: string | null = null;
  #cancelledExc: CancelledError | null = null;
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
    this.#cancelMessage = msg;
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
    this.#cancelledExc = error;
    return true;
  }

  /** The `CancelledError` that `result()` throws once cancelled. */
  [kCancelledError](): CancelledError {
    return this.#cancelledExc ??= new CancelledError(this.#cancelMessage);
  }

  /** The message given to `cancel(msg)`, if any. */
  protected get cancelMessage(): string | null {
    return this.#cancelMessage;
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

/**
 * What `sleep(0)` returns: a bare yield to the loop for one iteration, as
 * CPython's `__sleep0`, then the given value.
 */
export class YieldOnce<T> implements Awaitable<T> {
  /** @param value What the wait resumes with. */
  constructor(readonly value: T) {}

  /** Yield once from an `async` function: `await sleep(0)`. */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return awaitThen(
      null,
      this.value,
      getEventLoop(),
      onFulfilled as ((value: unknown) => unknown) | null | undefined,
      onRejected,
    );
  }

  /** Yield once from a generator coroutine: `yield* sleep(0)`. */
  *[Symbol.iterator](): Generator<undefined, T, unknown> {
    yield undefined;
    return this.value;
  }
}
