/**
 * Tasks made with `loop.create_task`, from the asyncio tutorials of the
 * `get_event_loop` era: three tasks sleep one second each, together.
 *
 * ```python
 * import asyncio
 *
 * async def test(i):
 *     print("Task", i, "started")
 *     await asyncio.sleep(1)
 *     print("Task", i, "done")
 *
 * loop = asyncio.get_event_loop()
 * tasks = [loop.create_task(test(i)) for i in range(3)]
 * for task in tasks:
 *     loop.run_until_complete(task)
 * loop.close()
 * ```
 *
 * It prints:
 *
 * ```text
 * Task 0 started
 * Task 1 started
 * Task 2 started
 * Task 0 done
 * Task 1 done
 * Task 2 done
 * ```
 *
 * Run it with `deno run examples/create_tasks.ts`.
 *
 * @module
 */
import { getEventLoop, type RunOptions, setEventLoop, sleep } from "../mod.ts";

async function test(i: number) {
  console.log("Task", i, "started");
  await sleep(1);
  console.log("Task", i, "done");
}

/**
 * Run the program. `options.loopFactory` makes the loop it runs on (a test
 * passes one on a `VirtualClock`); by default it is `getEventLoop()`'s.
 */
export async function main(options: RunOptions = {}): Promise<void> {
  if (options.loopFactory) setEventLoop(options.loopFactory());
  const loop = getEventLoop();
  const tasks = [0, 1, 2].map((i) => loop.createTask(test(i)));
  for (const task of tasks) {
    await loop.runUntilComplete(task);
  }
  loop.close();
}

if (import.meta.main) await main();
