/**
 * Run one scenario over both kinds of coroutine (docs/contract.md, convention 13), with
 * every wait really made by the flavour's own operator: the body is a
 * generator function that `yield`s each awaitable (`const v = yield
 * q.get()`); the "async" flavour runs it in an `async` function that does
 * `await awaitable`, the "generator" flavour in a `coroutine()` that does
 * `yield* awaitable`. So both `then()` and `[Symbol.iterator]()` of what the
 * primitives return are exercised, fast paths included. A bare `yield` is
 * `sleep(0)`.
 *
 * @module
 */
import {
  type Coroutine,
  coroutine,
  type CoroutineGenerator,
  sleep,
} from "../../mod.ts";

import { asAsync, type Body, type Flavour, testEach } from "../tasks/_both.ts";

export {
  assertError,
  assertRejectsError,
  assertThrowsError,
  type Flavour,
  now,
  runVirtual,
} from "../tasks/_both.ts";

function asGenerator<A extends unknown[], T>(
  body: Body<A, T>,
): (...args: A) => Coroutine<T> {
  return coroutine(function* (...args: A): CoroutineGenerator<T> {
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
          ? yield* sleep(0)
          : yield* (step.value as Iterable<unknown>);
      } catch (e) {
        error = e;
        failed = true;
      }
    }
  });
}

/** The two flavours: `await` in `async` functions, `yield*` in generators. */
export const flavours: readonly Flavour[] = [
  { kind: "async", fn: asAsync },
  { kind: "generator", fn: asGenerator },
];

/** Register `name [async]` and `name [generator]`, each running `test`. */
export function testBoth(
  name: string,
  test: (flavour: Flavour) => Promise<void>,
): void {
  testEach(flavours, name, test);
}
