/**
 * `Task`: runs a coroutine on the loop. The awaits of an `async` coroutine
 * reach it through `[kAwait]` (see `_waiter.ts`); a generator coroutine is
 * driven by the task's `Trampoline` (`_trampoline.ts`). `createTask()`,
 * `currentTask()` and `allTasks()` have files of their own.
 *
 * @module
 */
import { adoptHolder } from "../loop/_adoption.ts";
import {
  beginStep,
  endStep,
  stepIsSynchronous,
  stepping as steppingTask,
  suspending,
} from "../loop/_step.ts";
import { installTaskFactories, taskResumers } from "../loop/_hooks.ts";
import { context, Holder } from "../loop/_async_context.ts";
import { nextTaskNumber } from "./_task_names.ts";
import { describe } from "../exceptions/describe.ts";
import {
  active as entryHolders,
  adoptEntry,
  Adoption,
} from "../loop/_entry_holders.ts";
import type { AbstractEventLoop } from "../loop/events.ts";
import { getEventLoop } from "../loop/policy.ts";
import { Coroutine, LazyCoroutine } from "./coroutine.ts";
import { CancelledError } from "../exceptions/asyncio.ts";
import { cancelledError } from "./_cancelled_error.ts";
import { RuntimeError } from "../exceptions/builtins.ts";
import {
  Future,
  isFuture,
  kAddCallback,
  kCancelWith,
  kSetException,
  schedule,
} from "./future.ts";
import { type Await, kAwait } from "./_waiter.ts";
import { AwaitedPromise, kAsCoroutine } from "../loop/_awaited_promise.ts";
import { awaitAny, befriendTask, Trampoline } from "./_trampoline.ts";
import { isThenable } from "./_awaitable.ts";
import {
  isTaskCoroutine,
  type TaskCoroutine,
  type TaskOptions,
} from "./task_coroutine.ts";
import {
  addPending,
  kNextPending,
  kPrevPending,
  removePending,
} from "./_pending_tasks.ts";
import { agesKept, kCreatedAt, kWaitsOn } from "./_introspection.ts";

export type { TaskCoroutine, TaskOptions } from "./task_coroutine.ts";

/** How an adopted coroutine ended before its task's first step. */
class EarlyEnd {
  constructor(
    readonly value: unknown,
    readonly error: unknown,
    readonly failed: boolean,
  ) {}
}

/**
 * The parts of a task that few tasks use: the message of a cancellation
 * request, the `signal`'s controller, the waits beside `#waiter`, and the
 * creation time (kept in debug mode or once ages are kept). Made on first
 * use: a task that only waits (a sleeping one) holds one `null` field for
 * them, and 100,000 sleeping tasks are a heap that every GC walks.
 */
class TaskExtras {
  cancelRequestMessage: string | null = null;
  controller: AbortController | null = null;
  /** See `Task.#extras`. */
  otherWaiters: Set<Future<unknown>> | null = null;
  createdAt = NaN;
}

/**
 * A coroutine wrapped in a Future, running on the event loop, as
 * `asyncio.Task`. It drives both `async` functions (adopting the coroutine:
 * every later wait of it belongs to the task) and generator coroutines.
 * `cancel()` throws `CancelledError` into the coroutine where it waits.
 *
 * Invariant (the state machine, as CPython's `Task.__step`): a task is
 * pending until its coroutine returns (→ result), throws `CancelledError`
 * (→ cancelled) or throws anything else (→ exception). While pending it waits
 * on a Future (`#waiter`; more than one when its coroutines wait at once, as
 * with `Promise.all`, see `#extras`); `cancel()` cancels them, or, when
 * there is none, sets `#mustCancel` so that the next wait or step raises
 * `CancelledError` instead.
 *
 * @example Creating and awaiting a task
 * ```ts
 * import { createTask, run, sleep } from "@asyncio/deno";
 * async function work(n: number) {
 *   await sleep(0.01);
 *   return n * 2;
 * }
 * await run(async () => {
 *   const task = createTask(work(21), { name: "worker" });
 *   console.log(task.getName(), await task); // worker 42
 * });
 * ```
 */
export class Task<T = unknown> extends Future<T> {
  /** The name, or the `N` of `Task-N` until asked for (saves a string). */
  #name: string | number;
  #coro: unknown;
  /** What drives a generator coroutine; `null` for an `async` one. */
  #trampoline: Trampoline | null = null;
  #waiter: Future<unknown> | null = null;
  #mustCancel = false;
  #numCancelsRequested = 0;
  /**
   * The rarely used parts (`TaskExtras`), `null` until one is needed. Its
   * `otherWaiters`: futures awaited at the same time as `#waiter` by this
   * task's coroutines (`Promise.all` over several, or, without the promise
   * hooks, coroutines started together that share its holder). Cancelling
   * the task cancels them all.
   */
  #extras: TaskExtras | null = null;
  /** An adopted coroutine's first step has not run yet (see `#firstStep`). */
  #unstarted = false;
  /**
   * Its first resumptions, held until the first step's turn: one, or more
   * when its prefix waits on several things at once (`Promise.all`).
   */
  #firstWaiters: Await | Await[] | null = null;
  /** How it ended, if it did before its first step: held until its turn. */
  #earlyEnd: EarlyEnd | null = null;
  /** An eager task that has not suspended yet: done awaits go straight on. */
  #eager = false;
  /** @ignore Internal: its links in the pending list (`_pending_tasks.ts`). */
  [kPrevPending]: Task<unknown> | null = null;
  /** @ignore */
  [kNextPending]: Task<unknown> | null = null;
  /**
   * @ignore Internal: the loop time it was created at, when ages are kept
   * (`_introspection.ts`); `NaN` when not.
   */
  get [kCreatedAt](): number {
    return this.#extras === null ? NaN : this.#extras.createdAt;
  }

  /**
   * Schedule `coro` as a task. Prefer `createTask`.
   *
   * @param coro A coroutine (what an `async` function or a `coroutine()`
   * function returns) or another awaitable.
   * @param options The task's name and loop.
   */
  constructor(coro: TaskCoroutine<T>, options: TaskOptions = {}) {
    super({ loop: options?.loop ?? getEventLoop() });
    if (!isTaskCoroutine(coro)) {
      throw new TypeError(
        `createTask: expected a coroutine or awaitable, got ${describe(coro)}`,
      );
    }
    const name = options?.name ?? null;
    this.#name = name === null ? nextTaskNumber() : String(name);
    if (typeof coro === "function" && !isThenable(coro)) {
      coro = new LazyCoroutine(coro, coro.name || "<lambda>") as never;
    } else if (coro instanceof AwaitedPromise) {
      // A coroutine that is a native promise (`sleep()`'s): run its own.
      coro = coro[kAsCoroutine]() as never;
    }
    this.#coro = coro;
    const loop = this.getLoop();
    if (agesKept || loop.getDebug()) this.#extrasMade().createdAt = loop.time();
    const eager = options?.eagerStart === true;
    if (coro instanceof Promise) {
      // An async function's coroutine: it has already run up to its first
      // await, in the creator's context; adopt it.
      const adoption = entryHolders ? adoptEntry(this, coro) : Adoption.NoEntry;
      if (adoption === Adoption.RanBefore) {
        throw new RuntimeError(
          "createTask: the coroutine already waited before it was given to " +
            "createTask (JavaScript runs an async function at once, up to " +
            "its first await); pass it on in the step that called it, or " +
            "pass a function: createTask(() => work())",
        );
      }
      // Without the hooks, re-label the holder it captured (a promise with
      // no entry under the hooks is no coroutine of a holder: nothing to do).
      if (!entryHolders) adoptHolder(this);
      if (eager && adoption !== Adoption.Reused) {
        this.#eager = true;
      } else {
        this.#unstarted = true;
        schedule(loop, Task.#firstStep, this as Task<unknown>);
      }
      if (adoption === Adoption.Reused) {
        // As CPython's first `coro.send(None)` of a finished coroutine.
        this.#earlyEnd = new EarlyEnd(
          undefined,
          new RuntimeError("cannot reuse already awaited coroutine"),
          true,
        );
      } else {
        // Handlers of its own cost less than a holder for shared ones to find
        // the task in: that took two switches of the async context and their
        // hooks. Bound methods rather than arrows: two bound functions (96
        // bytes) are smaller than two closures and the context they share
        // (152), and every pending task keeps them.
        coro.then(this.#resolved.bind(this), this.#rejected.bind(this));
      }
    } else if (coro instanceof LazyCoroutine) {
      loop.callSoon(Task.#start, this as Task<unknown>);
    } else {
      this.#trampoline = new Trampoline(
        this as Task<unknown>,
        // Any other awaitable (a Future, `sleep(0)`, a thenable) is waited
        // for by a generator of its own.
        coro instanceof Coroutine ? coro[Symbol.iterator]() : awaitAny(coro),
      );
      if (!eager) this.#trampoline.stepSoon();
    }
    addPending(this as Task<unknown>);
    if (eager && this.#trampoline !== null) {
      this.#trampoline.step(undefined, undefined, false);
    }
  }

  /** `Task`, for reprs. */
  protected override get kind(): string {
    return "Task";
  }

  #extrasMade(): TaskExtras {
    return this.#extras ??= new TaskExtras();
  }

  /** The message of the latest cancellation request, if any. */
  #cancelRequestMessage(): string | null {
    return this.#extras === null ? null : this.#extras.cancelRequestMessage;
  }

  /** Return the name of the task. */
  getName(): string {
    return this.#nameString();
  }

  #nameString(): string {
    const name = this.#name;
    return typeof name === "string" ? name : (this.#name = `Task-${name}`);
  }

  /** Set the name of the task. */
  setName(value: unknown): void {
    this.#name = String(value);
  }

  /** Return the coroutine object wrapped by the task. */
  getCoro(): unknown {
    return this.#coro;
  }

  /**
   * An `AbortSignal` aborted when the task is cancelled: pass it to `fetch`
   * and Deno APIs so they stop early too.
   */
  get signal(): AbortSignal {
    const extras = this.#extrasMade();
    if (extras.controller === null) {
      extras.controller = new AbortController();
      if (this.#numCancelsRequested > 0) this.#abort();
    }
    return extras.controller.signal;
  }

  /** Tasks do not support `setResult`: throws `RuntimeError`. */
  override setResult(_result: T): void {
    throw new RuntimeError("Task does not support set_result operation");
  }

  /** Tasks do not support `setException`: throws `RuntimeError`. */
  override setException(_exception: unknown): void {
    throw new RuntimeError("Task does not support set_exception operation");
  }

  /**
   * Request that this task cancel itself: `CancelledError` is thrown into the
   * coroutine at its next wait. Return `false` if the task is already done.
   */
  override cancel(msg: string | null = null): boolean {
    if (this.done()) return false;
    if (msg !== null && typeof msg !== "string") {
      throw new TypeError(`cancel: msg must be a string, got ${describe(msg)}`);
    }
    this.#numCancelsRequested++;
    // Extras only for a message: `null`, the default, needs none (cancelling
    // 100,000 tasks would make as many).
    const extras = msg === null ? this.#extras : this.#extrasMade();
    if (extras !== null) {
      extras.cancelRequestMessage = msg;
      if (extras.controller !== null) this.#abort();
    }
    // Oldest wait first; leave #waiter: it may be a task that ignores the
    // cancellation.
    let cancelled = false;
    const others = extras === null ? null : extras.otherWaiters;
    if (others !== null) {
      extras!.otherWaiters = null;
      for (const fut of others) cancelled = fut.cancel(msg) || cancelled;
    }
    if (this.#waiter !== null) {
      cancelled = this.#waiter.cancel(msg) || cancelled;
    }
    if (!cancelled) this.#mustCancel = true;
    return true;
  }

  /** Return the number of pending cancellation requests. */
  cancelling(): number {
    return this.#numCancelsRequested;
  }

  /** Decrement the count of cancellation requests; return the new count. */
  uncancel(): number {
    if (this.#numCancelsRequested > 0) {
      this.#numCancelsRequested--;
      if (this.#numCancelsRequested === 0) this.#mustCancel = false;
    }
    return this.#numCancelsRequested;
  }

  #abort(): void {
    const controller = this.#extras!.controller!;
    if (!controller.signal.aborted) {
      controller.abort(new CancelledError(this.#cancelRequestMessage()));
    }
  }

  #makeCancelledError(): CancelledError {
    return cancelledError(
      this.#cancelRequestMessage(),
      this.getLoop().getDebug(),
    );
  }

  /**
   * An adopted coroutine ended. JavaScript ran it eagerly, but in asyncio it
   * would not have started before the task's first step: until then the task
   * stays pending (so `await createTask(quick())` yields to the loop).
   */
  #ended(value: unknown, error: unknown, failed: boolean): void {
    // Its loop was closed under it (it waited on a plain promise): asyncio
    // would never run it again, and a throw here would kill Deno.
    if (this.getLoop().isClosed()) return;
    if (this.#unstarted) this.#earlyEnd = new EarlyEnd(value, error, failed);
    else this.#finish(value, error, failed);
  }

  /** `#ended` of a coroutine that returned (bound as its `then` handler). */
  #resolved(value: unknown): void {
    this.#ended(value, undefined, false);
  }

  /** `#ended` of a coroutine that threw (bound as its `then` handler). */
  #rejected(error: unknown): void {
    this.#ended(undefined, error, true);
  }

  /** The coroutine ended: settle the task (CPython's end of `__step`). */
  #finish(value: unknown, error: unknown, failed: boolean): void {
    if (this.done()) return;
    removePending(this as Task<unknown>);
    if (!failed) {
      if (this.#mustCancel) {
        // Cancelled right before the coroutine returned.
        this.#mustCancel = false;
        super.cancel(this.#cancelRequestMessage());
      } else {
        super.setResult(value as T);
      }
    } else if (error instanceof CancelledError) {
      this[kCancelWith](error);
    } else {
      // Any value: `throw "x"` fails the task with "x"; `throw undefined`
      // is legal JS too, and a task still needs an exception.
      this[kSetException](
        error ?? new RuntimeError(`coroutine threw ${error}`),
      );
    }
    endStep(this);
  }

  /**
   * Internal: an `await` made in this task's context (`then()` of a Future,
   * or `sleep(0)`). Invariant: if the task's step is in progress and the
   * future is already done, the step goes on; otherwise the task waits, and a
   * step in progress ends here (the coroutine is suspended).
   */
  /** @ignore */
  [kAwait](waiter: Await): void {
    const fut = waiter.fut;
    const stepping = steppingTask === this;
    if (fut === this) {
      waiter.fail(new RuntimeError(`Task cannot await on itself: ${this}`));
      return;
    }
    if (fut !== null && fut.getLoop() !== this.getLoop()) {
      waiter.fail(
        new RuntimeError(
          `Task ${this} got Future ${fut} attached to a different loop`,
        ),
      );
      return;
    }
    if (
      // As `await done_fut` in CPython: no suspension, so a pending
      // cancellation waits for the next real one.
      fut !== null && fut.done() && (stepping || this.#eager)
    ) {
      waiter.settle();
      return;
    }
    this.#eager = false;
    if (stepping) suspending();
    // Before the first step, asyncio would not have run the coroutine: its
    // waits start then (a sleep's timer, too), in the order of first steps.
    if (this.#unstarted) this.#holdFirst(waiter);
    else if (fut === null || fut.done()) {
      schedule(this.getLoop(), Task.#wakeAwait, waiter);
    } else this.#waitOn(fut, waiter);
    if (stepping) endStep(this);
  }

  /** Wait on a pending future: cancelling the task cancels it. */
  #waitOn(fut: Future<unknown>, waiter: Await): void {
    const previous = this.#waiter;
    if (
      previous !== null && previous !== fut && !previous.done() &&
      previous !== this.#trampoline?.future
    ) {
      (this.#extrasMade().otherWaiters ??= new Set()).add(previous);
    }
    this.#waiter = fut;
    fut[kAddCallback](Task.#wakeAwait, waiter);
    this.#cancelPending(fut);
  }

  /**
   * @ignore Internal: the futures the task waits on now, for the call graph
   * and the task dump (`_introspection.ts`): none while it runs.
   */
  [kWaitsOn](): Future<unknown>[] {
    const waits: Future<unknown>[] = [];
    const add = (fut: Future<unknown> | null) => {
      if (fut !== null && !fut.done() && !waits.includes(fut)) waits.push(fut);
    };
    add(this.#waiter);
    this.#extras?.otherWaiters?.forEach(add);
    const held = this.#firstWaiters;
    if (held !== null) {
      for (const w of Array.isArray(held) ? held : [held]) add(w.fut);
    }
    return waits;
  }

  /** A cancellation requested while no wait could take it cancels `fut`. */
  #cancelPending(fut: Future<unknown>): void {
    if (this.#mustCancel && fut.cancel(this.#cancelRequestMessage())) {
      this.#mustCancel = false;
    }
  }

  /**
   * The slot of an adopted coroutine's first step in the ready queue, taken
   * when the task was created, as CPython schedules `__step`: the waits its
   * prefix made start here (those already over resume), in creation order.
   */
  static #firstStep(task: Task<unknown>): void {
    task.#unstarted = false;
    const end = task.#earlyEnd;
    if (end !== null) {
      task.#earlyEnd = null;
      // Cancelled before its first step: asyncio would never have run it.
      if (task.#mustCancel) {
        task.#mustCancel = false;
        return task.#finish(undefined, task.#makeCancelledError(), true);
      }
      return task.#finish(end.value, end.error, end.failed);
    }
    const held = task.#firstWaiters;
    if (held === null) return;
    task.#firstWaiters = null;
    if (!Array.isArray(held)) return task.#wakeFirst(held);
    for (const waiter of held) task.#wakeFirst(waiter);
  }

  #holdFirst(waiter: Await): void {
    const held = this.#firstWaiters;
    if (held === null) this.#firstWaiters = waiter;
    else if (Array.isArray(held)) held.push(waiter);
    else this.#firstWaiters = [held, waiter];
  }

  /** Start, or resume, a wait held for the first step. */
  #wakeFirst(waiter: Await): void {
    const fut = waiter.fut;
    // A bare yield (`sleep(0)`) made before the first step would have
    // suspended that step: it resumes one iteration later, as there.
    if (fut === null) schedule(this.getLoop(), Task.#wakeAwait, waiter);
    else if (fut.done()) Task.#wakeAwait(waiter);
    else this.#waitOn(fut, waiter);
  }

  /** Resume an `async` task whose awaited future is done: a new step. */
  static #wakeAwait(waiter: Await): void {
    const task = waiter.task as Task<unknown>;
    if (task.#waiter === waiter.fut) task.#waiter = null;
    else if (task.#extras !== null && task.#extras.otherWaiters !== null) {
      const others = task.#extras.otherWaiters;
      others.delete(waiter.fut!);
      if (others.size === 0) task.#extras.otherWaiters = null;
    }
    if (task.done()) return waiter.settle();
    beginStep(task);
    if (task.#mustCancel) {
      task.#mustCancel = false;
      // As CPython's `__wakeup`: the outcome is retrieved first, so a
      // failed future replaced by the cancellation is not "never retrieved".
      const fut = waiter.fut;
      if (fut !== null && !fut.cancelled()) fut.exception();
      waiter.fail(task.#makeCancelledError());
    } else {
      waiter.settle();
    }
  }

  /** First step of `run(main)`: call `main` in the task's own context. */
  static #start(task: Task<unknown>): void {
    const lazy = task.#coro as LazyCoroutine;
    if (task.#mustCancel) {
      task.#mustCancel = false;
      return task.#finish(undefined, task.#makeCancelledError(), true);
    }
    beginStep(task);
    let coro: unknown;
    try {
      coro = context.run(new Holder(task), lazy.start, undefined);
    } catch (error) {
      return task.#finish(undefined, error, true);
    }
    task.#coro = coro;
    if (coro instanceof Coroutine) {
      stepIsSynchronous();
      const trampoline = new Trampoline(task, coro[Symbol.iterator]());
      task.#trampoline = trampoline;
      trampoline.step(undefined, undefined, false);
    } else if (isThenable(coro)) {
      coro.then(
        (value) => task.#finish(value, undefined, false),
        (error: unknown) => task.#finish(undefined, error, true),
      );
    } else {
      task.#finish(coro, undefined, false);
    }
  }

  static {
    // These only settle the promise a suspended coroutine awaits: the loop
    // may run them from the end of another task's step (see `#advance`).
    taskResumers.add(Task.#wakeAwait);
    taskResumers.add(Task.#firstStep);
    // Friend accessors: `_trampoline.ts` reaches these private fields here.
    befriendTask({
      stepStarts(task) {
        const mustCancel = task.#mustCancel;
        if (mustCancel) task.#mustCancel = false;
        task.#waiter = null;
        return mustCancel;
      },
      cancelledError: (task) => task.#makeCancelledError(),
      waitsOn(task, fut) {
        task.#waiter = fut;
      },
      cancelPending: (task, fut) => task.#cancelPending(fut),
      finish: (task, value, error, failed) =>
        task.#finish(value, error, failed),
    });
  }

  /** What CPython's repr shows after the class name. */
  protected override describeState(): string {
    const state = super.describeState();
    const [word, ...rest] = state.split(" ");
    const coro = this.#coro;
    const coroName = coro instanceof Coroutine || coro instanceof LazyCoroutine
      ? ` coro=<${coro.name}()>`
      : "";
    return [`${word} name='${this.#nameString()}'${coroName}`, ...rest].join(
      " ",
    );
  }
}

installTaskFactories({
  future: (loop) => new Future({ loop: loop as AbstractEventLoop }),
  task: (loop, coro, name) =>
    new Task(coro as TaskCoroutine<unknown>, {
      loop: loop as AbstractEventLoop,
      name,
    }),
  isFuture: isFuture as (value: unknown) => value is never,
});
