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

/**
 * The sites, as the `Error` captured at creation until first read: V8
 * captures the frames when the error is made but formats them (and Deno
 * maps them to the TypeScript source) only when `stack` is read, which
 * costs far more: a program that never reports never pays it.
 */
const sites = new WeakMap<object, Error | string>();

/** The folders of the module's own code, whose frames a site leaves out. */
const INTERNAL = ["loop/", "tasks/", "sync/", "streams/", "runners/", "gevent/"]
  .map((dir) => new URL(`../${dir}`, import.meta.url).href);

/** Frames kept in a site, after the internal ones. */
const DEPTH = 10;

/** The stack here, captured but not formatted yet (see `sites`). */
export function captureSite(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = DEPTH + 20;
  const site = new Error();
  Error.stackTraceLimit = limit;
  return site;
}

/** A captured site as text, the module's own frames left out. */
export function formatSite(site: Error): string {
  const frames = (site.stack ?? "").split("\n").slice(1).filter((frame) =>
    !INTERNAL.some((dir) => frame.includes(dir))
  );
  return frames.slice(0, DEPTH).join("\n");
}

/** Record where `object` is being created (call in its constructor). */
export function recordCreationSite(object: object): void {
  sites.set(object, captureSite());
}

/** Where `object` was created, if it was in debug mode. */
export function creationSite(object: object): string | undefined {
  const site = sites.get(object);
  if (site === undefined || typeof site === "string") return site;
  const text = formatSite(site);
  sites.set(object, text);
  return text;
}

/**
 * The site of `object` as recorded, still unformatted if never read, for a
 * report made after `object` is gone (pass it to `siteText` then).
 */
export function recordedSite(object: object): Error | string | undefined {
  return sites.get(object);
}

/** A recorded site (`recordedSite`) as text. */
export function siteText(site: Error | string | undefined): string | undefined {
  return site === undefined || typeof site === "string"
    ? site
    : formatSite(site);
}
