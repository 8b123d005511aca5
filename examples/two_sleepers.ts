/**
 * Two tasks sleep 2 s and 1 s concurrently: the program ends after about
 * 2 seconds, not 3.
 *
 * ```python
 * import asyncio
 *
 * async def sleeper(name, delay):
 *     print(f"{name} sleeping {delay} s")
 *     await asyncio.sleep(delay)
 *     print(f"{name} woke up")
 *
 * async def sleepers():
 *     loop = asyncio.get_running_loop()
 *     start = loop.time()
 *     t1 = asyncio.create_task(sleeper("A", 2))
 *     t2 = asyncio.create_task(sleeper("B", 1))
 *     await t1
 *     await t2
 *     print(f"finished in {loop.time() - start:.1f} s")
 *
 * asyncio.run(sleepers())
 * ```
 *
 * It prints:
 *
 * ```text
 * A sleeping 2 s
 * B sleeping 1 s
 * B woke up
 * A woke up
 * finished in 2.0 s
 * ```
 *
 * Run it with `deno run examples/two_sleepers.ts`.
 *
 * @module
 */
import {
  createTask,
  getRunningLoop,
  run,
  type RunOptions,
  sleep,
} from "../mod.ts";

async function sleeper(name: string, delay: number) {
  console.log(`${name} sleeping ${delay} s`);
  await sleep(delay);
  console.log(`${name} woke up`);
}

async function sleepers() {
  const loop = getRunningLoop();
  const start = loop.time();
  const t1 = createTask(sleeper("A", 2));
  const t2 = createTask(sleeper("B", 1));
  await t1;
  await t2;
  console.log(`finished in ${(loop.time() - start).toFixed(1)} s`);
}

/**
 * Run the program. `options.loopFactory` makes the loop it runs on (a test
 * passes one on a `VirtualClock`). `sleepers` is passed uncalled, so that it
 * starts inside the running loop, where `getRunningLoop()` works.
 */
export async function main(options: RunOptions = {}): Promise<void> {
  await run(sleepers, options);
}

if (import.meta.main) await main();
