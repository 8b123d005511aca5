/**
 * In debug mode, which task holds a `Lock`: asyncio lets any code release
 * a lock, but a release by a task other than the one that acquired it is
 * almost always a bug (a lock handed across tasks, or released twice in
 * two places), so debug mode logs it. Off debug mode nothing is recorded.
 *
 * @module
 */
import { logger } from "../loop/log.ts";
import { runningLoop } from "../loop/_running_loop.ts";
import { currentTaskLike } from "../loop/_current_task.ts";

/** Code outside any task, as a holder. */
const NO_TASK = "code outside any task";

/** The holder to record for an acquire now: `null` unless in debug mode. */
export function holderIfDebug(): unknown {
  if (!runningLoop()?.getDebug()) return null;
  return currentTaskLike() ?? NO_TASK;
}

/** `lock` is released now; `holder` acquired it in debug mode. */
export function checkRelease(lock: object, holder: unknown): void {
  const releaser = currentTaskLike() ?? NO_TASK;
  if (releaser !== holder) {
    logger.warning(
      `${lock} released by ${releaser}, not by ${holder}, which acquired it`,
    );
  }
}
