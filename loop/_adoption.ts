/**
 * Adoption, the fallback where V8's promise hooks are missing (see
 * `_entry_holders.ts` and `docs/attribution.md`): an `async` coroutine made
 * before its task captured the holder current at its call, so the task that
 * adopts it takes that holder over, and the code that made the coroutine
 * goes on in a fresh holder with the old label.
 *
 * @module
 */
import { context, Holder, type TaskLike } from "./_async_context.ts";
import { currentTaskLike } from "./_current_task.ts";

/** Inside `adoptTogether`: 1 before the first adoption, 2 after it. */
let sharedAdoption = 0;

/**
 * Give the code running now a fresh holder with the same label, and
 * re-label the one it had to `task`: the coroutine started last captured
 * that one, so its every later await belongs to `task`. Coroutines started
 * together share it (see `adoptTogether`).
 */
export function adoptHolder(task: TaskLike): void {
  if (sharedAdoption !== 0) {
    if (sharedAdoption === 2) return;
    sharedAdoption = 2;
  }
  const captured = context.current();
  context.enter(new Holder(captured?.task ?? null));
  if (captured !== undefined) captured.task = task;
}

/**
 * Make tasks of coroutines that were all started before one call
 * (`gather(a(), b())`'s arguments): they captured the same holder, so only the
 * first adoption splits it; the others would each pay an `enterWith` to split
 * a holder nobody captured.
 */
export function adoptTogether<T>(make: () => T): T {
  const outer = sharedAdoption;
  sharedAdoption = 1;
  try {
    return make();
  } finally {
    sharedAdoption = outer;
  }
}

/**
 * Run the code from here on in a holder of its own, labelled `task` (by
 * default, as the current one is), so that re-labelling it never reaches the
 * code that captured the current one.
 */
export function enterFreshHolder(
  task: TaskLike | null = currentTaskLike(),
): void {
  context.enter(new Holder(task));
}
