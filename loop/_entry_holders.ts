/**
 * Every coroutine its own holder (docs/attribution.md): how the awaits of `async`
 * coroutines created before their task (`gather(a(), b())`) are told apart.
 *
 * JavaScript runs `a()` up to its first `await` at once, and every await
 * captures the async context current when it starts. V8's promise hooks
 * (measured on Deno 2.9.6, see `docs/attribution.md`) let the module give
 * each call its own holder:
 *
 * - `init` of a promise made without a parent fires before an `async`
 *   function's body runs (its outer promise is one such). It gets an
 *   *entry*: a holder whose `up` is the frame it was called from and whose
 *   label (`task`) is empty, so it inherits the caller's task. The body, its
 *   awaits and their continuations run in it. `createTask(a)` labels the
 *   entry of `a`'s promise: every later await of `a`, and of what `a`'s
 *   prefix called, is the new task's.
 * - The entry stays current after the body returns to its caller (no hook
 *   fires then): the caller *leaks* into it. Three events keep that leak
 *   harmless. A parented `init` whose parent is an entry's promise (the body
 *   awaiting a thenable, or anyone awaiting or chaining the promise) means
 *   the body is not running for the rest of this job: the entry is *closed*
 *   in it (`before` numbers the jobs). `resolve` of the promise means the
 *   body is over for good: *settled*. The caller's real frame is found by
 *   skipping closed and settled entries (`frameOf`); a caller that awaits or
 *   adopts the promise is put back in its real frame, so its continuation
 *   captures that, not the leaked entry.
 * - A plain-promise `await` fires nothing that tells it from a `.then()`
 *   call, so a body that suspends there looks open. Such an event is a
 *   *suspect point*; entries its frame makes after it are kept (`late`), and
 *   go back to the caller if the frame's promise is then used while it still
 *   looks open (it had suspended), or stay if the frame shows it went on.
 * - A parented `init` whose parent is an `AwaitedPromise` (`sleep()`'s) is
 *   reported to it with the frame running now (`kAwaited`). With no mark of
 *   its own `then()` (`chaining`), it is an `await`: that frame suspends,
 *   and is closed as a thenable's await closes it.
 * - The module's own promises (`newPromise`, and the Deno reads and writes
 *   its transports start, `startOwnIo`) get no entry, nor do promises made
 *   under another library's context that holds no holder. Where no context
 *   is current at all (after `await import(…)`), entries hang on
 *   `rootHolder`.
 *
 * Where the hooks are missing, `active` is false and `createTask` falls
 * back to re-labelling the holder the coroutine captured (`_adoption.ts`).
 *
 * @module
 */
import {
  AwaitedPromise,
  chaining,
  kAwaited,
  sealStarts,
} from "./_awaited_promise.ts";
import {
  contextWith,
  denoCore,
  type DenoCoreContext,
  denoPromiseHooks,
  Holder,
  kHolder,
} from "./_async_context.ts";

/** A promise as the hooks see it: possibly carrying its entry. */
type Tagged = Promise<unknown> & { [kEntry]?: Holder };

const kEntry: unique symbol = Symbol("asyncio.entry");

/** Entries in a chain before a new one is hung on its labelled ancestor. */
const MAX_DEPTH = 32;

/** The promise job running now, numbered by the `before` hook. */
let job = 0;

/**
 * Set while the module makes a promise of its own, or has Deno make some
 * (a transport's read or write, and its `then`): the hooks skip their
 * `init`s (no entry, no suspect point), and nothing else runs meanwhile.
 */
export const ownPromise = { making: false };

/**
 * The holder of code outside any task: current from the module's load on,
 * and the caller of the coroutines made where no context is current.
 */
export const rootHolder: Holder = new Holder(null);

/** Numbers the task steps (`beginStep` in `_step.ts` counts them). */
export const steps = { serial: 0 };

/**
 * Whether a wait made in `holder` cannot be attributed yet: it passes an
 * entry nobody has adopted or awaited, made in the step in progress, which
 * that step may still hand to `createTask` (`await taskGroup(…)` runs its
 * body a job after the coroutines created before it made their first waits).
 */
export function unclaimedInStep(holder: Holder): boolean {
  for (let h = holder; h.task === null && h.up !== null; h = h.up) {
    if (!h.claimed && h.createdInStep === steps.serial) return true;
  }
  return false;
}

/** The walk from an entry to the frame that is really running. */
export function frameOf(holder: Holder): Holder {
  while (
    holder.up !== null && (holder.settled || holder.closedIn === job)
  ) holder = holder.up;
  return holder;
}

/** The task a holder belongs to: its own label or its nearest caller's. */
export function labelOf(holder: Holder): Holder["task"] {
  for (let h: Holder | null = holder; h !== null; h = h.up) {
    if (h.task !== null) return h.task;
  }
  return null;
}

/**
 * `labelOf` for a wait about to be attributed: the unlabelled entries on the
 * way are marked, so that adopting one of them later is caught (its wait
 * already went to another task).
 */
export function labelForWait(holder: Holder): Holder["task"] {
  for (let h: Holder | null = holder; h !== null; h = h.up) {
    if (h.task !== null) return h.task;
    if (h.up !== null) h.waited = true;
  }
  return null;
}

/** The nearest holder up the chain that is labelled or plain. */
function anchorOf(holder: Holder): Holder {
  while (holder.task === null && holder.up !== null) holder = holder.up;
  return holder;
}

let core: DenoCoreContext | null = null;

/** The holder in a context value (a holder, or an ALS object with one). */
function holderIn(value: unknown): Holder | undefined {
  return (value as { [kHolder]?: Holder } | undefined | null)?.[kHolder];
}

/** The real frame of the code running now, as `currentHolder()` finds it. */
function awaitingFrame(): Holder | undefined {
  const holder = holderIn(core!.getAsyncContext());
  return holder === undefined ? undefined : frameOf(holder);
}

/**
 * Put the code running now back in its real frame, if it leaked; return
 * that frame.
 */
function restoreFrame(): Holder | undefined {
  const value = core!.getAsyncContext();
  const holder = holderIn(value);
  if (holder === undefined) return undefined;
  const frame = frameOf(holder);
  if (frame !== holder) core!.setAsyncContext(contextWith(value, frame));
  return frame;
}

/**
 * A parented `init` on the promise of an open entry, not yet told apart:
 * the entry's body awaiting a thenable (then the next `init` is the
 * throwaway whose parent is this wrapper) or someone else using the promise
 * after the body stopped at a suspect point.
 */
let pendingPromise: Tagged | null = null;
let pendingEntry: Holder | null = null;

/** Tell the pending `init` apart, now that the next event has come. */
function settlePending(wrapper: boolean): void {
  const entry = pendingEntry!;
  pendingEntry = pendingPromise = null;
  if (wrapper) suspendsHere(entry);
  else {
    stopped(entry);
    markSuspect();
  }
}

/**
 * The body running in `frame` awaits, and suspends, now: it is closed for
 * the rest of this job, and what its frame made since its last suspect
 * point were its own.
 */
function suspendsHere(frame: Holder): void {
  frame.closedIn = job;
  frame.suspectIn = -1;
  frame.late = null;
}

/**
 * The entry's body is not running: its promise is awaited, chained or
 * adopted. If it stopped at a suspect point of this job with nothing since
 * showing it went on, it suspended there, and the entries made in its frame
 * after that point are its caller's.
 */
function stopped(entry: Holder): void {
  entry.claimed = true;
  const late = entry.late;
  if (late !== null && !entry.settled && entry.suspectIn === job) {
    const up = entry.up!;
    for (const child of late) {
      child.up = up;
      child.depth = up.task === null && up.up !== null ? up.depth + 1 : 0;
    }
  }
  entry.late = null;
  entry.suspectIn = -1;
  entry.closedIn = job;
}

/** The frame running now may suspend here, or go on: a suspect point. */
function markSuspect(): void {
  const holder = holderIn(core!.getAsyncContext());
  if (holder !== undefined) suspect(frameOf(holder));
}

function suspect(frame: Holder | undefined): void {
  if (frame !== undefined && frame.up !== null && frame.suspectIn !== job) {
    frame.suspectIn = job;
    frame.late = null;
  }
}

function onInit(promise: Tagged, parent: Tagged | undefined): void {
  if (pendingEntry !== null) {
    const wrapper = parent === pendingPromise;
    settlePending(wrapper);
    // The throwaway of the entry's own await: nothing more to learn.
    if (wrapper) return;
  }
  // An await of (or a chain to) a coroutine that is a native promise: it
  // learns whose it is here, even when the module chains it.
  if (parent instanceof AwaitedPromise) {
    const frame = awaitingFrame();
    parent[kAwaited](frame);
    if (!chaining.byThen && frame !== undefined && frame.up !== null) {
      // An `await` (no `then()` call), as sure as a thenable's wrapper.
      return suspendsHere(frame);
    }
  }
  // The module's own promise, or one Deno makes for it: nobody's await.
  if (ownPromise.making) return;
  if (parent === undefined) {
    const value = core!.getAsyncContext();
    let holder = holderIn(value);
    if (holder === undefined) {
      // Another library's context with no holder: none of the module's.
      if (value !== undefined) return;
      // No context at all (after `await import(…)`, in a Deno callback).
      holder = rootHolder;
    }
    let up = frameOf(holder);
    const entry = new Holder(null);
    if (up.suspectIn === job) (up.late ??= []).push(entry);
    if (up.up !== null && up.task === null && up.depth >= MAX_DEPTH) {
      // A long run of pending promises made in one frame (`new Promise` in
      // a loop) would chain each to the last: hang it on the chain's anchor.
      up = anchorOf(up);
    }
    entry.up = up;
    entry.depth = up.task === null && up.up !== null ? up.depth + 1 : 0;
    entry.createdIn = job;
    entry.createdInStep = steps.serial;
    promise[kEntry] = entry;
    core!.setAsyncContext(contextWith(value, entry));
    return;
  }
  const entry = parent[kEntry];
  if (entry === undefined) return markSuspect();
  if (entry.settled || entry.closedIn === job) {
    // Not its body (that has stopped): someone awaits or chains it, from
    // the frame that really runs, which may suspend here.
    entry.claimed = true;
    suspect(restoreFrame());
  } else {
    // Not running for the rest of this job, either way: its body awaits a
    // thenable now, or had stopped and its caller uses it (told by the next
    // event). The reactions made next capture the frame that runs now, not
    // an entry of a callee it leaked into: found before this one closes.
    restoreFrame();
    entry.closedIn = job;
    pendingPromise = promise;
    pendingEntry = entry;
    // An await of a thenable queues a job to call its `then()`.
    sealStarts();
  }
}

function onBefore(): void {
  if (pendingEntry !== null) settlePending(false);
  job++;
}

function onResolve(promise: Tagged): void {
  // A wrapper of a plain value resolves before its throwaway is made.
  if (pendingEntry !== null && promise !== pendingPromise) {
    settlePending(false);
  }
  const entry = promise[kEntry];
  if (entry !== undefined) entry.settled = true;
}

/** Settle what the hooks left pending: the module's own code runs now. */
export function settleHooks(): void {
  if (pendingEntry !== null) settlePending(false);
}

/** Whether the hooks are installed: every coroutine gets its own entry. */
export const active: boolean = install();

function install(): boolean {
  // Tests of the fallback path set this before the module loads.
  const wanted = (globalThis as Record<symbol, unknown>)[
    Symbol.for("asyncio.attribution")
  ];
  if (wanted === "relabel") return false;
  core = denoCore();
  const setPromiseHooks = core === null ? null : denoPromiseHooks();
  if (setPromiseHooks === null) return false;
  setPromiseHooks(onInit, onBefore, undefined, onResolve);
  return true;
}

/** What `adoptEntry` found. */
export const enum Adoption {
  /** No entry: a promise no `async` call made, or one made without hooks. */
  NoEntry,
  /** Labelled: the coroutine's waits are the task's from now on. */
  Adopted,
  /** Already awaited or adopted: a coroutine runs once. */
  Reused,
  /** It already waited, as its creator, before it was adopted. */
  RanBefore,
}

/**
 * Label the entry of `coro` (an `async` function's promise) with `task`,
 * and put the creator back in its real frame.
 */
export function adoptEntry(
  task: Holder["task"],
  coro: Promise<unknown>,
): Adoption {
  settleHooks();
  const entry = (coro as Tagged)[kEntry];
  if (entry === undefined) return Adoption.NoEntry;
  if (entry.claimed || entry.task !== null) return Adoption.Reused;
  if (entry.createdIn !== job && entry.waited) return Adoption.RanBefore;
  entry.task = task;
  // Its body is not running: whoever holds its promise is its caller.
  stopped(entry);
  restoreFrame();
  return Adoption.Adopted;
}

/**
 * Label the entry of `coro` with `task` if nobody labelled it: an `async`
 * function called inside a generator task's step and yielded to it.
 */
export function labelEntry(
  task: Holder["task"],
  coro: Promise<unknown>,
): void {
  const entry = (coro as Tagged)[kEntry];
  if (entry !== undefined && entry.task === null) entry.task = task;
}
