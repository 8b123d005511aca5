/**
 * Jobs for the executor tests and bench, run on Workers by module URL and
 * export name. Module state (`counter`) is each Worker's own.
 */
import { RuntimeError, ValueError } from "../../exceptions/builtins.ts";

let counter = 0;

/** `a + b`. */
export function add(a: number, b: number): number {
  return a + b;
}

/** The `n`th Fibonacci number, the slow way (CPU-bound). */
export function fib(n: number): number {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

/** Throw an error of the class `kind` names, with `message`. */
export function fails(kind: string, message: string): never {
  if (kind === "ValueError") throw new ValueError(message);
  if (kind === "RuntimeError") throw new RuntimeError(message);
  if (kind === "RangeError") throw new RangeError(message);
  if (kind === "MyError") {
    class MyError extends Error {
      override name = "MyError";
    }
    throw new MyError(message);
  }
  throw message; // not an Error at all
}

/** Reject after `ms` milliseconds. */
export async function failsLater(ms: number, message: string): Promise<never> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  throw new ValueError(message);
}

/** `value`, after `ms` milliseconds (a returned promise is awaited). */
export function sleepMs<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

/** Spin the CPU for `ms` milliseconds; return how many turns it made. */
export function busyMs(ms: number): number {
  const end = performance.now() + ms;
  let turns = 0;
  while (performance.now() < end) turns++;
  return turns;
}

/** Never return (until the Worker is terminated). */
export function forever(): never {
  while (true) {
    // spin
  }
}

/** Count one more call on this Worker; return the count. */
export function bump(): number {
  return ++counter;
}

/** How many `bump()` calls this Worker has run. */
export function count(): number {
  return counter;
}

/** A value that structured clone refuses. */
export function returnsFunction(): () => number {
  return () => 42;
}

/** Nothing at all (a trivial round trip). */
export function noop(): null {
  return null;
}

/** Not a function. */
export const notAFunction = 42;

/** Crash the Worker with an uncaught error from a timer; never return. */
export function crashes(message: string): Promise<never> {
  setTimeout(() => {
    throw new Error(message);
  }, 1);
  return new Promise(() => {});
}
