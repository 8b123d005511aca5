/**
 * The async context the module tracks tasks with: which `Holder` the code
 * running now captured. An `await` captures the context current when it
 * starts and restores it in its continuation, and in the `then` of a
 * thenable it awaits (docs/contract.md §3).
 *
 * Deno keeps that context as one value (V8's continuation-preserved embedder
 * data), and `AsyncLocalStorage` stores its entries in an object kept there.
 * `AsyncLocalStorage.enterWith` copies that object and records the entry in a
 * WeakMap: about 1.3 µs on Deno 2.9.6, paid once per `createTask`. Setting
 * the value directly costs about 20 ns. So when Deno exposes its
 * `getAsyncContext`/`setAsyncContext` pair, and it behaves as checked below,
 * a `Holder` is itself the context value, and is copied into an
 * `AsyncLocalStorage` object only when another library entered one. Otherwise
 * the module falls back to `AsyncLocalStorage`.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What the loop and a Future need to know of a task, without importing it
 * (`tasks/` depends on `loop/`, never the reverse).
 */
export interface TaskLike {
  done(): boolean;
}

/** The key under which a context value refers to its holder. */
export const kHolder: unique symbol = Symbol("asyncio.holder");

/**
 * The mutable store that an `async` coroutine's awaits capture: the task it
 * is labelled with, or, for an *entry* (the holder a coroutine's own call
 * made, see `_entry_holders.ts`), the frame it was called from, whose label
 * it inherits until `createTask` labels it (docs/contract.md §3).
 */
export class Holder {
  // The state is kept in private fields behind accessors: another library's
  // AsyncLocalStorage copies the own enumerable properties of the context
  // value into each of its maps, and only `[kHolder]` must travel.
  /** Itself: found the same way in a holder and in a copy made by ALS. */
  readonly [kHolder]: Holder;
  #task: TaskLike | null;
  #up: Holder | null = null;
  #closedIn: number = -1;
  #settled: boolean = false;
  #createdIn: number = -1;
  #createdInStep: number = -1;
  #depth: number = 0;
  #suspectIn: number = -1;
  #late: Holder[] | null = null;
  #claimed: boolean = false;
  #waited: boolean = false;

  constructor(task: TaskLike | null) {
    this.#task = task;
    this[kHolder] = this;
  }

  /** The task it is labelled with, if any. */
  get task(): TaskLike | null {
    return this.#task;
  }
  set task(task: TaskLike | null) {
    this.#task = task;
  }

  /** An entry's caller: where its label comes from. `null`: a plain holder. */
  get up(): Holder | null {
    return this.#up;
  }
  set up(value: Holder | null) {
    this.#up = value;
  }

  /** The job in which the entry's body stopped running (see `frameOf`). */
  get closedIn(): number {
    return this.#closedIn;
  }
  set closedIn(value: number) {
    this.#closedIn = value;
  }

  /** The entry's promise has settled: its body never runs again. */
  get settled(): boolean {
    return this.#settled;
  }
  set settled(value: boolean) {
    this.#settled = value;
  }

  /** The job the entry was made in. */
  get createdIn(): number {
    return this.#createdIn;
  }
  set createdIn(value: number) {
    this.#createdIn = value;
  }

  /** The task step the entry was made in (`steps.serial`). */
  get createdInStep(): number {
    return this.#createdInStep;
  }
  set createdInStep(value: number) {
    this.#createdInStep = value;
  }

  /** Entries between this one and the nearest plain or labelled holder. */
  get depth(): number {
    return this.#depth;
  }
  set depth(value: number) {
    this.#depth = value;
  }

  /**
   * The job of the entry's first *suspect point* since it last surely ran: a
   * parented `init` in its frame, where its body may have suspended (an
   * `await` of a plain promise) or gone on (a `.then()` call).
   */
  get suspectIn(): number {
    return this.#suspectIn;
  }
  set suspectIn(value: number) {
    this.#suspectIn = value;
  }

  /**
   * The entries made in its frame after that point: its children if its body
   * went on, its caller's if it had suspended (see `_entry_holders.ts`).
   */
  get late(): Holder[] | null {
    return this.#late;
  }
  set late(value: Holder[] | null) {
    this.#late = value;
  }

  /** Someone awaited, or `createTask` adopted, the entry's promise. */
  get claimed(): boolean {
    return this.#claimed;
  }
  set claimed(value: boolean) {
    this.#claimed = value;
  }

  /** A wait of the module was attributed through this entry. */
  get waited(): boolean {
    return this.#waited;
  }
  set waited(value: boolean) {
    this.#waited = value;
  }
}

/** Read and replace the async context. */
export interface AsyncContext {
  /** The holder the code running now captured, if any. */
  current(): Holder | undefined;
  /** Make `holder` current until the end of the running job. */
  enter(holder: Holder): void;
  /** Call `fn(arg)` with `holder` current, then restore the context. */
  run<A, R>(holder: Holder, fn: (arg: A) => R, arg: A): R;
}

/** Deno's internal pair that `AsyncLocalStorage` is built on. */
export interface DenoCoreContext {
  getAsyncContext(): unknown;
  setAsyncContext(value: unknown): void;
}

/** Deno's own context functions, when present and as expected. */
export function denoCore(): DenoCoreContext | null {
  try {
    const deno = Deno as unknown as Record<symbol, unknown> & {
      internal?: symbol;
    };
    const key = deno.internal;
    const core = key === undefined
      ? undefined
      : (deno[key] as { core?: Partial<DenoCoreContext> } | undefined)?.core;
    if (
      typeof core?.getAsyncContext !== "function" ||
      typeof core.setAsyncContext !== "function"
    ) return null;
    const { getAsyncContext, setAsyncContext } = core as DenoCoreContext;
    // The contract relied on: the value set is the value read, and an
    // AsyncLocalStorage entry survives a copy of its object with a holder in.
    const saved = getAsyncContext();
    try {
      const probe = new AsyncLocalStorage<number>();
      probe.enterWith(1);
      const entries = getAsyncContext();
      if (entries === null || typeof entries !== "object") return null;
      const holder = new Holder(null);
      setAsyncContext({ __proto__: null, ...entries, [kHolder]: holder });
      if (probe.getStore() !== 1) return null;
      const copy = getAsyncContext() as Record<symbol, unknown>;
      if (copy[kHolder] !== holder) return null;
      setAsyncContext(holder);
      if (getAsyncContext() !== holder) return null;
    } finally {
      setAsyncContext(saved);
    }
    return { getAsyncContext, setAsyncContext };
  } catch {
    return null;
  }
}

/** V8's promise hooks, as Deno installs them: init, before, after, resolve. */
export type SetPromiseHooks = (
  init?: (promise: Promise<unknown>, parent?: Promise<unknown>) => void,
  before?: (promise: Promise<unknown>) => void,
  after?: (promise: Promise<unknown>) => void,
  resolve?: (promise: Promise<unknown>) => void,
) => void;

/** Deno's `setPromiseHooks`, when present (hooks it installs stay for good). */
export function denoPromiseHooks(): SetPromiseHooks | null {
  try {
    const deno = Deno as unknown as Record<symbol, unknown> & {
      internal?: symbol;
    };
    const key = deno.internal;
    const core = key === undefined
      ? undefined
      : (deno[key] as { core?: { setPromiseHooks?: unknown } } | undefined)
        ?.core;
    const set = core?.setPromiseHooks;
    return typeof set === "function" ? set as SetPromiseHooks : null;
  } catch {
    return null;
  }
}

/**
 * The context value that makes `holder` current in place of `value`: the
 * holder itself, or, where another library's AsyncLocalStorage entries are
 * kept, a copy of their map with the holder in it (an ordinary object: ALS
 * reads only its own keys).
 */
export function contextWith(value: unknown, holder: Holder): unknown {
  if (value === undefined || value === null || value instanceof Holder) {
    return holder;
  }
  return Object.getPrototypeOf(value) === null
    ? copyAlsMap(value as object, holder)
    : copyOwnMap(value as object, holder);
}

// Two copies of one line, on purpose: V8 spreads an object in ~20 ns, but a
// spread that has once met a null-prototype map (ALS makes them) takes
// ~700 ns for every object after. So ALS's maps have a spread of their own,
// and the module's copies of them, the ones copied per call, another.
function copyAlsMap(map: object, holder: Holder): object {
  return { ...map, [kHolder]: holder };
}

function copyOwnMap(map: object, holder: Holder): object {
  return { ...map, [kHolder]: holder };
}

/** The context value is a holder, or an ALS object with a holder in it. */
export function directContext(core: DenoCoreContext): AsyncContext {
  const { getAsyncContext, setAsyncContext } = core;
  const valueFor = (holder: Holder): unknown =>
    contextWith(getAsyncContext(), holder);
  return {
    current: () =>
      (getAsyncContext() as { [kHolder]?: Holder } | undefined)?.[kHolder],
    enter(holder) {
      setAsyncContext(valueFor(holder));
    },
    run(holder, fn, arg) {
      const saved = getAsyncContext();
      setAsyncContext(valueFor(holder));
      try {
        return fn(arg);
      } finally {
        setAsyncContext(saved);
      }
    },
  };
}

/** The documented way, for a Deno whose internals differ. */
export function asyncLocalStorageContext(): AsyncContext {
  const storage = new AsyncLocalStorage<Holder>();
  return {
    current: () => storage.getStore(),
    enter: (holder) => storage.enterWith(holder),
    run: (holder, fn, arg) => storage.run(holder, fn, arg),
  };
}

const core = denoCore();

/** The async context, by the fastest way that works on this Deno. */
export const context: AsyncContext = core === null
  ? asyncLocalStorageContext()
  : directContext(core);

/** Which way `context` works: for tests and benchmarks. */
export const contextKind: "deno-core" | "AsyncLocalStorage" = core === null
  ? "AsyncLocalStorage"
  : "deno-core";
