/**
 * The `N` of `Task-N`: one global counter, as CPython's. A coroutine's
 * prefix (JavaScript runs it before `run()` is called) may create tasks
 * before the task that `run()` makes for it: `Task-1` is kept for that one.
 *
 * @module
 */

let taskCounter = 0;
let reservedRootNumber = 0;

/** The `N` of the next `Task-N` name (a task makes the string only when asked). */
export function nextTaskNumber(): number {
  return ++taskCounter;
}

/** Keep the next number for the task `run()` is about to make. */
export function reserveRootTaskName(): void {
  if (reservedRootNumber === 0) reservedRootNumber = ++taskCounter;
}

/** The name kept by `reserveRootTaskName`, once, or a fresh one. */
export function takeRootTaskName(): string {
  const n = reservedRootNumber;
  reservedRootNumber = 0;
  return `Task-${n === 0 ? nextTaskNumber() : n}`;
}
