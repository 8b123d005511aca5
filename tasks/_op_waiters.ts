/**
 * How `await op` waits (`Op.then`, `_op.ts`) when the method has to wait on
 * a loop Future: as the awaiting task, the way a Future's `await` does
 * (`_waiter.ts`), with no `async` frame of ours between the future and the
 * await. The waiters here are `Waiter`s that, once the task wakes them, go
 * on with the method instead of settling the await.
 *
 * How it works:
 * - `Op.then` makes an `OpWaiter` (the method's generator yielded a loop
 *   Future) or a `QuickWaiter` (a `QuickOp`'s one wait started) and queues
 *   it: all queued waiters register together a microtask later
 *   (`queueRegister`), as an `await` calls `then()` a job later, so that a
 *   coroutine's prefix that `createTask` adopts meanwhile waits as the new
 *   task. A wait made through an entry nobody has adopted yet is held until
 *   the stepping task suspends (`holdWait`, `loop/_step.ts`).
 * - `register` finds the task from the await's holder (`labelForWait`) and
 *   hands the waiter to its `[kAwait]` (`tasks/task.ts`): the task waits on
 *   the future, and cancelling the task cancels it.
 * - The task's wake-up settles the waiter in a new step of the task. An
 *   `OpWaiter` then resumes the generator in the task's name
 *   (`enterSyncStep`) and, at its next loop Future, waits again with a new
 *   `OpWaiter`; a `QuickWaiter` finishes the method (`finishWait`). The
 *   await itself is settled only when the method returns or throws.
 * - With no task to wait as, or when the generator yields anything but a
 *   loop Future, the method goes on the general way: `finish`, an `async`
 *   driver that awaits each yield in the await's own async context.
 *
 * Invariants: every wait of the method is the awaiting task's, made in its
 * step; the awaiter's callbacks run once, when the method ends; and one
 * registration that throws (not expected) is reported on its own without
 * holding up the others.
 *
 * @module
 */
import { enterSyncStep, leaveSyncStep } from "../loop/_current_task.ts";
import { context, type Holder } from "../loop/_async_context.ts";
import { holdWait } from "../loop/_step.ts";
import { labelForWait } from "../loop/_entry_holders.ts";
import type { CoroutineGenerator } from "./coroutine.ts";
import { Future } from "./future.ts";
import type { QuickOp } from "./_op.ts";
import { type AwaitingTask, kAwait, Waiter } from "./_waiter.ts";

/** An awaiter's callback, as `then()` receives it. */
export type Callback = ((value: unknown) => unknown) | null | undefined;

/**
 * The waits `Op.then` started, registered together a microtask later: the
 * first `queued` slots (the array keeps its capacity from round to round).
 */
const toRegister: Array<OpAwait | null> = [];
let queued = 0;

/**
 * Register an await a microtask later, as an `await` would be: a `.then()`
 * called in the synchronous prefix of a coroutine that `createTask` then
 * adopts must wait as the new task (its holder is re-labelled).
 */
export function queueRegister(waiter: OpAwait): void {
  toRegister[queued++] = waiter;
  if (queued === 1) queueMicrotask(registerWaiters);
}

function registerWaiters(): void {
  // One registering may start another (a callback awaiting an op): it
  // joins this round, in order.
  for (let i = 0; i < queued; i++) {
    const waiter = toRegister[i]!;
    toRegister[i] = null;
    try {
      waiter.register();
    } catch (error) {
      // Not expected; report it without holding up the others.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
  queued = 0;
}

/** An `await op` that waits on a loop Future, as the task of the await. */
abstract class OpAwait extends Waiter {
  constructor(
    fut: Future<unknown>,
    onFulfilled: Callback,
    onRejected: Callback,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
    /** The async context of the await: whose task it is. */
    readonly holder: Holder | null,
  ) {
    super(
      fut,
      undefined,
      onFulfilled,
      onRejected,
      resolve,
      reject,
      null,
      fut.getLoop(),
    );
  }

  /** Start waiting, as the task the await belongs to (if any). */
  register(): void {
    if (!holdWait(this.holder, OpAwait.#registerHeld, this)) this.#register();
  }

  static #registerHeld(waiter: OpAwait): void {
    waiter.#register();
  }

  #register(): void {
    const task = this.holder === null ? null : labelForWait(this.holder);
    if (task == null || task.done() || !(kAwait in task)) {
      return this.finishElsewhere();
    }
    this.task = task as AwaitingTask;
    this.task[kAwait](this);
  }

  /** No task to wait as: go on with the method's generator the general way. */
  protected abstract finishElsewhere(): void;

  /**
   * Drive `generator`, which yielded `yielded`, with its awaits in the
   * await's own async context, as if they had been made there.
   */
  protected runElsewhere(
    generator: CoroutineGenerator<unknown>,
    yielded: unknown,
  ): void {
    const run = () =>
      finish(generator, yielded, this.onFulfilled, this.onRejected);
    this.resolve(
      this.holder === null ? run() : context.run(this.holder, run, undefined),
    );
  }
}

/**
 * An `await` of a `QuickOp` in its method's one wait (`wait()`): once the
 * Future is done, the method finishes in the task's step.
 */
export class QuickWaiter extends OpAwait {
  constructor(
    fut: Future<unknown>,
    readonly op: QuickOp<unknown, unknown, unknown>,
    onFulfilled: Callback,
    onRejected: Callback,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
    holder: Holder | null,
  ) {
    super(fut, onFulfilled, onRejected, resolve, reject, holder);
  }

  override fulfil(): void {
    this.#finish(false, undefined);
  }

  override fail(reason: unknown): void {
    this.#finish(true, reason);
  }

  #finish(failed: boolean, error: unknown): void {
    const outer = enterSyncStep(this.task);
    let outcome: unknown;
    try {
      outcome = this.op.finishWait(this.fut!, failed, error);
      failed = false;
    } catch (thrown) {
      error = thrown;
      failed = true;
    } finally {
      leaveSyncStep(outer);
    }
    if (failed) super.fail(error);
    else super.fulfil(outcome);
  }

  protected finishElsewhere(): void {
    const generator = this.op.resumeAfter(this.fut!);
    this.runElsewhere(generator, generator.next().value);
  }
}

/**
 * An `await op` whose method's generator waits on a loop Future: settling
 * it resumes the generator (in the task's step, as the task), and the await
 * only once the generator returns or throws.
 */
export class OpWaiter extends OpAwait {
  constructor(
    fut: Future<unknown>,
    readonly generator: CoroutineGenerator<unknown>,
    onFulfilled: Callback,
    onRejected: Callback,
    resolve: (value: unknown) => void,
    reject: (reason: unknown) => void,
    holder: Holder | null,
  ) {
    super(fut, onFulfilled, onRejected, resolve, reject, holder);
  }

  override fulfil(value: unknown): void {
    this.#resume(value, undefined, false);
  }

  override fail(reason: unknown): void {
    this.#resume(undefined, reason, true);
  }

  #resume(value: unknown, error: unknown, failed: boolean): void {
    const task = this.task!;
    const outer = enterSyncStep(task);
    let step: IteratorResult<unknown, unknown> | null = null;
    try {
      step = failed ? this.generator.throw(error) : this.generator.next(value);
    } catch (thrown) {
      error = thrown;
    } finally {
      leaveSyncStep(outer);
    }
    if (step === null) return super.fail(error);
    if (step.done) return super.fulfil(step.value);
    const yielded = step.value;
    if (!(yielded instanceof Future)) {
      return this.runElsewhere(this.generator, yielded);
    }
    // Wait again. Inside the wake-up callback the step ends there, and the
    // loop carries on (`inCallback`, `loop/_step.ts`).
    const waiter = new OpWaiter(
      yielded,
      this.generator,
      this.onFulfilled,
      this.onRejected,
      this.resolve,
      this.reject,
      this.holder,
    );
    waiter.task = task;
    task[kAwait](waiter);
  }

  protected finishElsewhere(): void {
    this.runElsewhere(this.generator, this.fut);
  }
}

/**
 * Go on with a generator that waits: each wait is the awaiting task's. The
 * await's callbacks are called here, not chained with `then()` (one promise
 * and one microtask fewer).
 */
export async function finish<T, R1 = T, R2 = never>(
  generator: CoroutineGenerator<T>,
  yielded: unknown,
  onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
  onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
): Promise<R1 | R2> {
  let result: T;
  try {
    for (;;) {
      let step: IteratorResult<unknown, T>;
      try {
        const value = await (yielded as PromiseLike<unknown>);
        step = generator.next(value);
      } catch (error) {
        step = generator.throw(error);
      }
      if (step.done) {
        result = step.value;
        break;
      }
      yielded = step.value;
    }
  } catch (error) {
    if (typeof onRejected !== "function") throw error;
    return onRejected(error);
  }
  return typeof onFulfilled === "function"
    ? onFulfilled(result)
    : result as unknown as R1;
}
