/**
 * "coroutine 'work' was never awaited", in debug mode: a generator
 * coroutine made while a debug-mode loop runs is watched by a
 * `FinalizationRegistry` until something starts it (a task, `yield*` or
 * `await`); collected unstarted, it is reported through `logger.warning`
 * with where it was made, as CPython's `RuntimeWarning` with
 * "Coroutine created at".
 *
 * Only generator coroutines can be watched: calling an `async` function
 * runs it at once, up to its first `await`, and returns a native Promise,
 * which neither the module nor JavaScript can watch for a missing `await`
 * (Deno itself reports one that rejects unobserved).
 *
 * Invariant: nothing is watched, and a coroutine costs one `runningLoop()`
 * check, unless a loop in debug mode is running.
 *
 * @module
 */
import { captureSite, formatSite } from "../loop/_creation_site.ts";
import { logger } from "../loop/log.ts";
import { runningLoop } from "../loop/_running_loop.ts";

/** What a report needs once the coroutine is gone. */
interface Watched {
  name: string;
  site: Error;
}

const registry = new FinalizationRegistry<Watched>(({ name, site }) => {
  watching--;
  const frames = formatSite(site);
  logger.warning(
    `RuntimeWarning: coroutine '${name}' was never awaited` +
      (frames
        ? `\nCoroutine created at (most recent call first):\n${frames}`
        : ""),
  );
});

let watching = 0;

/** Watch the coroutine `coro` (named `name`) if a debug-mode loop runs. */
export function watchNeverAwaited(coro: object, name: string): void {
  if (!runningLoop()?.getDebug()) return;
  registry.register(coro, { name, site: captureSite() }, coro);
  watching++;
}

/** `coro` starts: it is awaited, whatever happens next. */
export function started(coro: object): void {
  if (watching !== 0 && registry.unregister(coro)) watching--;
}
