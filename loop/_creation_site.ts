/**
 * Where a future or task was created, in debug mode: asyncio's
 * `_source_traceback`. The reports about an object long after its creation
 * ("Task exception was never retrieved", "Task was destroyed but it is
 * pending!") carry it as `sourceTraceback` in their context, and the default
 * exception handler prints it.
 *
 * Invariants:
 * - Nothing is recorded unless the object's loop is in debug mode: the cost
 *   when debug is off is one `getDebug()` call per future.
 * - The sites live in a `WeakMap`, so a recorded object is still collected,
 *   and a report made after collection takes the site with it.
 * - A site is the stack with this module's own frames removed: it starts at
 *   the user's call that made the object, most recent call first (V8's
 *   order, where Python prints the most recent last).
 *
 * @module
 */

const sites = new WeakMap<object, string>();

/** The folders of the module's own code, whose frames a site leaves out. */
const INTERNAL = ["loop/", "tasks/", "sync/", "streams/", "runners/", "gevent/"]
  .map((dir) => new URL(`../${dir}`, import.meta.url).href);

/** Frames kept in a site, after the internal ones. */
const DEPTH = 10;

/** Record where `object` is being created (call in its constructor). */
export function recordCreationSite(object: object): void {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = DEPTH + 20;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  const frames = stack.split("\n").slice(1).filter((frame) =>
    !INTERNAL.some((dir) => frame.includes(dir))
  );
  sites.set(object, frames.slice(0, DEPTH).join("\n"));
}

/** Where `object` was created, if it was in debug mode. */
export function creationSite(object: object): string | undefined {
  return sites.get(object);
}
