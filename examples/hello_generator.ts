/**
 * Hello world with a legacy generator coroutine, as in the Python 3.4
 * asyncio tutorial:
 *
 * ```python
 * import asyncio
 *
 * @asyncio.coroutine
 * def hello():
 *     print("Hello world!")
 *     r = yield from asyncio.sleep(1, "done")
 *     print("Hello again!", r)
 *
 * loop = asyncio.get_event_loop()
 * loop.run_until_complete(hello())
 * loop.close()
 * ```
 *
 * (`@asyncio.coroutine` was removed in Python 3.11; the program runs on
 * Python 3.4 to 3.10.) It prints:
 *
 * ```text
 * Hello world!
 * Hello again! done
 * ```
 *
 * Run it with `deno run examples/hello_generator.ts`.
 *
 * @module
 */
import {
  coroutine,
  getEventLoop,
  type RunOptions,
  setEventLoop,
  sleep,
} from "../mod.ts";

const hello = coroutine(function* hello() {
  console.log("Hello world!");
  const r = yield* sleep(1, "done");
  console.log("Hello again!", r);
});

/**
 * Run the program. `options.loopFactory` makes the loop it runs on (a test
 * passes one on a `VirtualClock`); by default it is `getEventLoop()`'s.
 */
export async function main(options: RunOptions = {}): Promise<void> {
  if (options.loopFactory) setEventLoop(options.loopFactory());
  const loop = getEventLoop();
  await loop.runUntilComplete(hello());
  loop.close();
}

if (import.meta.main) await main();
