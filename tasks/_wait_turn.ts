/**
 * Waiting one's turn: an awaitable that does work when awaited (a lock's
 * `acquire()`, a queue's `put()`, `waitFor`, `timeout`, a generator
 * coroutine) must do it in its task's step, as asyncio would. JavaScript
 * runs an `async` coroutine's prefix at call time, so its first `await` can
 * come before its task's first step, in its creator's step.
 *
 * How it works: `mustWaitTurn()` tells such an `await` apart (its holder is
 * one the stepping task must hold, `mustHold`, or its task is not the one
 * stepping); the awaitable then first awaits `waitTurn()`, a done Future,
 * whose `then()` the task settles at its own step (its `[kAwait]`,
 * `tasks/task.ts`, holds it for the first step, or wakes it from the ready
 * queue), and does its work after.
 *
 * Invariant: the work of an awaitable that waits its turn runs in its task's
 * step, never in another task's.
 *
 * @module
 */
import { awaitingHolder, taskOf } from "../loop/_current_task.ts";
import type { Holder } from "../loop/_async_context.ts";
import { mustHold, stepping } from "../loop/_step.ts";
import { getEventLoop } from "../loop/policy.ts";
import { Future } from "./future.ts";

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
