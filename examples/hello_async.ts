/**
 * Hello world with an `async` coroutine and `asyncio.run`:
 *
 * ```python
 * import asyncio
 *
 * async def hello():
 *     print("Hello world!")
 *     r = await asyncio.sleep(1, "done")
 *     print("Hello again!", r)
 *
 * asyncio.run(hello())
 * ```
 *
 * It prints:
 *
 * ```text
 * Hello world!
 * Hello again! done
 * ```
 *
 * Run it with `deno run examples/hello_async.ts`.
 *
 * @module
 */
import { run, type RunOptions, setEventLoop, sleep } from "../mod.ts";

async function hello() {
  console.log("Hello world!");
  const r = await sleep(1, "done");
  console.log("Hello again!", r);
}

/**
 * Run the program. `options.loopFactory` makes the loop it runs on (a test
 * passes one on a `VirtualClock`). It is set as the current loop before
 * `hello()` is called, because JavaScript runs `hello()` up to its first
 * `await` at once, and the `sleep` there binds to the current loop.
 */
export async function main(options: RunOptions = {}): Promise<void> {
  if (options.loopFactory) setEventLoop(options.loopFactory());
  await run(hello());
}

if (import.meta.main) await main();
