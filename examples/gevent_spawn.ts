/**
 * gevent's tutorial ("gevent For the Working Python Developer"), its first
 * programs, with the gevent-style helpers: two greenlets that switch at
 * `gevent.sleep(0)`, then the state of a greenlet that won and of one that
 * failed.
 *
 * ```python
 * import gevent
 *
 * def foo():
 *     print('Running in foo')
 *     gevent.sleep(0)
 *     print('Explicit context switch to foo again')
 *
 * def bar():
 *     print('Explicit context to bar')
 *     gevent.sleep(0)
 *     print('Implicit context switch back to bar')
 *
 * gevent.joinall([
 *     gevent.spawn(foo),
 *     gevent.spawn(bar),
 * ])
 *
 * def win():
 *     return 'You win!'
 *
 * def fail():
 *     raise Exception('You fail at failing.')
 *
 * winner = gevent.spawn(win)
 * loser = gevent.spawn(fail)
 *
 * # Exceptions raised in the Greenlet, stay inside the Greenlet.
 * try:
 *     gevent.joinall([winner, loser])
 * except Exception as e:
 *     print('This will never be reached')
 *
 * print(winner.value) # 'You win!'
 * print(loser.value)  # None
 * print(winner.ready()) # True
 * print(loser.ready())  # True
 * print(winner.successful()) # True
 * print(loser.successful())  # False
 * print(loser.exception)
 * ```
 *
 * gevent prints the lines below, with `None`, `True` and `False` where the
 * port prints `null`, `true` and `false` (and a traceback of `fail` on
 * stderr, which the port does not print: it reads `loser.exception`):
 *
 * ```text
 * Running in foo
 * Explicit context to bar
 * Explicit context switch to foo again
 * Implicit context switch back to bar
 * You win!
 * null
 * true
 * true
 * true
 * false
 * You fail at failing.
 * ```
 *
 * Run it with `deno run examples/gevent_spawn.ts`.
 *
 * @module
 */
import { joinall, run, type RunOptions, sleep, spawn } from "../mod.ts";

async function foo() {
  console.log("Running in foo");
  await sleep(0);
  console.log("Explicit context switch to foo again");
}

async function bar() {
  console.log("Explicit context to bar");
  await sleep(0);
  console.log("Implicit context switch back to bar");
}

function win() {
  return "You win!";
}

function fail(): never {
  throw new Error("You fail at failing.");
}

async function tutorial() {
  await joinall([spawn(foo), spawn(bar)]);

  const winner = spawn(win);
  const loser = spawn(fail);
  // Exceptions raised in the greenlet stay inside the greenlet.
  try {
    await joinall([winner, loser]);
  } catch {
    console.log("This will never be reached");
  }
  console.log(winner.value);
  console.log(loser.value);
  console.log(winner.ready());
  console.log(loser.ready());
  console.log(winner.successful());
  console.log(loser.successful());
  console.log((loser.exception as Error).message);
}

/**
 * Run the program. `options.loopFactory` makes the loop it runs on (a test
 * passes one on a `VirtualClock`).
 */
export async function main(options: RunOptions = {}): Promise<void> {
  await run(tutorial, options);
}

if (import.meta.main) await main();
