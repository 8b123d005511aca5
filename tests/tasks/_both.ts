/**
 * Write a scenario once and run it over both kinds of coroutine (docs/contract.md,
 * convention 13): the body is a generator function that waits with `yield*`; the
 * "generator" flavour wraps it with `coroutine()`, the "async" flavour runs
 * it inside an `async` function that `await`s every awaitable the body
 * yields (a bare yield becomes `await sleep(0)`), so each wait really is an
 * `await` of a Future from an async function.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  CancelledError,
  type Coroutine,
  coroutine,
  type CoroutineGenerator,
  EventLoop,
  getRunningLoop,
  run,
  sleep,
  ValueError,
  VirtualClock,
} from "../../mod.ts";

/** A scenario body: a generator function that waits with `yield*`. */
export type Body<A extends unknown[], T> = (
  ...args: A
) => CoroutineGenerator<T>;

/** One kind of coroutine a scenario runs over. */
export interface Flavour {
  /** `"async"` or `"generator"`. */
  kind: "async" | "generator";
  /** Make a coroutine function of this kind from a scenario body. */
  fn<A extends unknown[], T>(
    body: Body<A, T>,
  ): (...args: A) => Promise<T> | Coroutine<T>;
}

/** A scenario body as an `async` function that `await`s what it yields. */
export function asAsync<A extends unknown[], T>(
  body: Body<A, T>,
): (...args: A) => Promise<T> {
  return async function (...args: A): Promise<T> {
    const it = body(...args);
    let value: unknown = undefined;
    let error: unknown = undefined;
    let failed = false;
    for (;;) {
      const step = failed ? it.throw(error) : it.next(value);
      if (step.done) return step.value;
      failed = false;
      try {
        value = step.value === undefined
          ? await sleep(0)
          : await (step.value as PromiseLike<unknown>);
      } catch (e) {
        error = e;
        failed = true;
      }
    }
  };
}

/** The two flavours: `async` functions and `coroutine(function* …)`. */
export const flavours: readonly Flavour[] = [
  { kind: "async", fn: asAsync },
  { kind: "generator", fn: (body) => coroutine(body) },
];

/** Register `name [kind]` for each of `over`, each running `test`. */
export function testEach(
  over: readonly Flavour[],
  name: string,
  test: (flavour: Flavour) => Promise<void>,
): void {
  for (const flavour of over) {
    Deno.test(`${name} [${flavour.kind}]`, () => test(flavour));
  }
}

/** Register `name [async]` and `name [generator]`, each running `test`. */
export function testBoth(
  name: string,
  test: (flavour: Flavour) => Promise<void>,
): void {
  testEach(flavours, name, test);
}

/** `run(main)` on a fresh loop with a `VirtualClock` starting at 0. */
export function runVirtual<T>(main: () => unknown): Promise<T> {
  return run(main, {
    loopFactory: () => new EventLoop({ clock: new VirtualClock() }),
  }) as Promise<T>;
}

/** The running loop's time, in seconds. */
export function now(): number {
  return getRunningLoop().time();
}

/**
 * `w(log, name, delay, fail)` of the CPython snippets, in one flavour: sleeps
 * `delay`, then returns `name` (or raises `ValueError(name)`), logging
 * `"name done T"` or `"name cancelled T"`.
 */
export function worker(fn: Flavour["fn"], log: string[]) {
  return fn(function* (name: string, delay: number, fail = false) {
    try {
      yield* sleep(delay);
      if (fail) throw new ValueError(name);
      log.push(`${name} done ${now()}`);
      return name;
    } catch (e) {
      if (e instanceof CancelledError) log.push(`${name} cancelled ${now()}`);
      throw e;
    }
  });
}

/** Assert `error` is an instance of `cls`, named `cls.name`, with `message`. */
export function assertError(
  error: unknown,
  // deno-lint-ignore no-explicit-any
  cls: new (...args: any[]) => Error,
  message: string,
): void {
  assert.ok(
    error instanceof cls,
    `expected ${cls.name}, got ${Deno.inspect(error)}`,
  );
  assert.equal(error.name, cls.name);
  assert.equal(error.message, message);
}

/** Assert `fn()` throws `cls` with `message`. */
export function assertThrowsError(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  cls: new (...args: any[]) => Error,
  message: string,
): void {
  let thrown: unknown = undefined;
  let threw = false;
  try {
    fn();
  } catch (e) {
    thrown = e;
    threw = true;
  }
  assert.ok(threw, `expected ${cls.name} to be thrown`);
  assertError(thrown, cls, message);
}

/** Assert the awaitable rejects with `cls` and `message`. */
export async function assertRejectsError(
  awaitable: PromiseLike<unknown>,
  // deno-lint-ignore no-explicit-any
  cls: new (...args: any[]) => Error,
  message: string,
): Promise<void> {
  let thrown: unknown = undefined;
  let threw = false;
  try {
    await awaitable;
  } catch (e) {
    thrown = e;
    threw = true;
  }
  assert.ok(threw, `expected ${cls.name} to be raised`);
  assertError(thrown, cls, message);
}
