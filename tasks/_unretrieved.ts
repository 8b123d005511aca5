/**
 * "Future exception was never retrieved": the report asyncio makes from
 * `Future.__del__` when a future's exception was never looked at. Here it is
 * made when the future is garbage-collected (a `FinalizationRegistry`), or,
 * for those still alive, when their loop closes. A pending report holds what
 * it needs (the exception, a description), never the future itself, so a
 * server whose tasks fail unawaited keeps no memory for them.
 *
 * @module
 */
import { recordedSite, siteText } from "../loop/_creation_site.ts";
import { closeHooks } from "../loop/_hooks.ts";
import type { AbstractEventLoop } from "../loop/events.ts";

/** What a failed future needs reported if nobody retrieves its exception. */
export class Unretrieved {
  constructor(
    readonly loop: AbstractEventLoop,
    readonly exception: unknown,
    /** `"Future"` or `"Task"`. */
    readonly kind: string,
    /** The future, while it lives. */
    readonly future: WeakRef<object>,
    /** Its repr at the time it failed, for when it is gone. */
    readonly description: string,
    /** Where it was created, in debug mode (`siteText` formats it). */
    readonly site: Error | string | undefined,
  ) {}
}

/** The reports not made yet, per loop. */
const pending = new Map<object, Set<Unretrieved>>();

const registry = new FinalizationRegistry<Unretrieved>((report) => {
  if (pending.get(report.loop)?.delete(report) === true) {
    send(report, report.description);
  }
});

/** Start tracking the failed `future`: reported unless `retrieved` first. */
export function failed(
  future: object,
  loop: AbstractEventLoop,
  exception: unknown,
  kind: string,
): Unretrieved {
  const report = new Unretrieved(
    loop,
    exception,
    kind,
    new WeakRef(future),
    String(future),
    recordedSite(future),
  );
  let reports = pending.get(loop);
  if (reports === undefined) pending.set(loop, reports = new Set());
  reports.add(report);
  registry.register(future, report, report);
  return report;
}

/** The exception was retrieved: no report. */
export function retrieved(report: Unretrieved): void {
  registry.unregister(report);
  pending.get(report.loop)?.delete(report);
}

function send(report: Unretrieved, future: unknown): void {
  const key = report.kind === "Task" ? "task" : "future";
  const sourceTraceback = siteText(report.site);
  report.loop.callExceptionHandler({
    message: `${report.kind} exception was never retrieved`,
    exception: report.exception,
    [key]: future,
    future,
    ...(sourceTraceback === undefined ? {} : { sourceTraceback }),
  });
}

closeHooks.push((loop) => {
  const reports = pending.get(loop);
  if (reports === undefined) return;
  pending.delete(loop);
  for (const report of reports) {
    registry.unregister(report);
    send(report, report.future.deref() ?? report.description);
  }
});
