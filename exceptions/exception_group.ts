/**
 * Python's `ExceptionGroup`, as an `AggregateError`: what `taskGroup`
 * raises, with `split`/`subgroup` for `except*`.
 *
 * @module
 */
import { ValueError } from "./builtins.ts";
import { describe } from "./describe.ts";

/**
 * What `ExceptionGroup.split` and `subgroup` select by: an exception class,
 * an array of them, or a predicate.
 */
export type ExceptionCondition =
  // deno-lint-ignore no-explicit-any
  | (abstract new (...args: any[]) => unknown)
  // deno-lint-ignore no-explicit-any
  | readonly (abstract new (...args: any[]) => unknown)[]
  | ((exc: unknown) => boolean);

function isErrorClass(value: unknown): boolean {
  return typeof value === "function" &&
    (value === Error || value.prototype instanceof Error);
}

/** `condition` as a predicate, or a `TypeError` naming what it got. */
function toPredicate(
  api: string,
  condition: unknown,
): (exc: unknown) => boolean {
  if (isErrorClass(condition)) {
    const cls = condition as new () => unknown;
    return (exc) => exc instanceof cls;
  }
  if (Array.isArray(condition) && condition.every(isErrorClass)) {
    const classes = condition as (new () => unknown)[];
    return (exc) => classes.some((cls) => exc instanceof cls);
  }
  if (typeof condition === "function") {
    return condition as (exc: unknown) => boolean;
  }
  throw new TypeError(
    `ExceptionGroup.${api}: expected an exception class, an array of them or a predicate, got ${
      condition === null ? "null" : typeof condition
    }`,
  );
}

/** Above 0 while making a group of thrown values (`uncheckedGroup`). */
let unchecked = 0;

/**
 * Internal: `new ExceptionGroup(message, exceptions)` of values code threw,
 * unchecked: a task of a task group may throw a string, and the group keeps
 * it as it is.
 */
export function uncheckedGroup(
  message: string,
  exceptions: Iterable<unknown>,
): ExceptionGroup {
  unchecked++;
  try {
    return new ExceptionGroup(message, exceptions);
  } finally {
    unchecked--;
  }
}

/**
 * A group of exceptions raised together, as Python's `ExceptionGroup`: what
 * `taskGroup` raises, holding every error of its tasks and body. It is an
 * `AggregateError`: `exceptions` (Python's name) and `errors` (JavaScript's)
 * hold the same exceptions, in order; `message` is Python's `message`, and
 * `toString()` prints Python's `str()` with the count of sub-exceptions.
 *
 * @example Grouping errors
 * ```ts
 * import { ExceptionGroup } from "@asyncio/deno";
 * const group = new ExceptionGroup("two failures", [
 *   new TypeError("a"),
 *   new RangeError("b"),
 * ]);
 * console.log(group.exceptions.length, group instanceof AggregateError); // 2 true
 * console.log(String(group)); // ExceptionGroup: two failures (2 sub-exceptions)
 * ```
 */
export class ExceptionGroup extends AggregateError {
  /** The exceptions of the group, in order (Python's `exceptions`). */
  readonly exceptions: readonly unknown[];

  /**
   * Make the group.
   *
   * @param message What the exceptions have in common.
   * @param exceptions A non-empty array (or iterable) of exceptions: each an
   * `Error`, or another object.
   * @throws {TypeError} If `message` is not a string, `exceptions` not
   * iterable, or one of them not an object (a string, a number, `null`,
   * `undefined`, a class), as Python's `ValueError` for one not an exception.
   * @throws {ValueError} If `exceptions` is empty, as in Python.
   */
  constructor(message: string, exceptions: Iterable<unknown>) {
    if (typeof message !== "string") {
      throw new TypeError(
        `ExceptionGroup: argument 1 must be str, not ${
          message === null ? "null" : typeof message
        }`,
      );
    }
    if (
      exceptions === null || typeof exceptions !== "object" ||
      typeof (exceptions as Iterable<unknown>)[Symbol.iterator] !== "function"
    ) {
      throw new TypeError("second argument (exceptions) must be a sequence");
    }
    const list = Object.freeze([...exceptions]);
    if (list.length === 0) {
      throw new ValueError(
        "second argument (exceptions) must be a non-empty sequence",
      );
    }
    for (let i = 0; unchecked === 0 && i < list.length; i++) {
      const exc = list[i];
      if (exc === null || typeof exc !== "object") {
        throw new TypeError(
          `ExceptionGroup: item ${i} of exceptions must be an Error (or another object), got ${
            describe(exc)
          }`,
        );
      }
    }
    super(list, message);
    this.name = "ExceptionGroup";
    this.exceptions = list;
  }

  /**
   * A group of the same message holding `exceptions`, as Python's
   * `derive()`: what `split` and `subgroup` make. Override it in a subclass
   * to keep the subclass.
   *
   * @param exceptions The exceptions of the new group.
   */
  derive(exceptions: Iterable<unknown>): ExceptionGroup {
    return new ExceptionGroup(this.message, exceptions);
  }

  /**
   * Split the group by `condition`, as Python's `split()` (the basis of
   * `except*`): `[match, rest]`, each a group keeping the nesting and the
   * message (and `cause`) of the original, or `null` when empty. If the
   * whole group matches, it is `match` itself.
   *
   * @example Handling the type errors of a task group
   * ```ts
   * import { ExceptionGroup } from "@asyncio/deno";
   * const eg = new ExceptionGroup("failed", [new TypeError("a"), new RangeError("b")]);
   * const [typeErrors, rest] = eg.split(TypeError);
   * console.log(typeErrors?.exceptions.length, String(rest)); // 1 ExceptionGroup: failed (1 sub-exception)
   * ```
   *
   * @param condition An exception class, an array of them, or a predicate
   * called with each exception and nested group.
   */
  split(
    condition: ExceptionCondition,
  ): [match: ExceptionGroup | null, rest: ExceptionGroup | null] {
    const matches = toPredicate("split", condition);
    if (matches(this)) return [this, null];
    const match: unknown[] = [];
    const rest: unknown[] = [];
    for (const exc of this.exceptions) {
      if (exc instanceof ExceptionGroup) {
        const [m, r] = exc.split(matches);
        if (m !== null) match.push(m);
        if (r !== null) rest.push(r);
      } else if (matches(exc)) match.push(exc);
      else rest.push(exc);
    }
    return [this.#derived(match), this.#derived(rest)];
  }

  /**
   * The group of the exceptions that match `condition`, as Python's
   * `subgroup()`: `split(condition)[0]`.
   *
   * @param condition An exception class, an array of them, or a predicate.
   */
  subgroup(condition: ExceptionCondition): ExceptionGroup | null {
    return this.split(condition)[0];
  }

  #derived(exceptions: unknown[]): ExceptionGroup | null {
    if (exceptions.length === 0) return null;
    // Its items were admitted once (thrown values, for a task group's).
    unchecked++;
    let group: ExceptionGroup;
    try {
      group = this.derive(exceptions);
    } finally {
      unchecked--;
    }
    if (this.cause !== undefined) group.cause = this.cause;
    return group;
  }

  /** `ExceptionGroup: message (N sub-exceptions)`, as Python's `str()`. */
  override toString(): string {
    const n = this.exceptions.length;
    return `${this.name}: ${this.message} (${n} sub-exception${
      n === 1 ? "" : "s"
    })`;
  }
}
