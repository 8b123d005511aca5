/**
 * Three tasks of 2, 3 and 5 seconds run concurrently: the program ends after
 * about 5 seconds, not 10.
 *
 * ```python
 * import asyncio
 *
 * async def task(name, seconds):
 *     print(f"Task {name} started, sleeping {seconds} s")
 *     await asyncio.sleep(seconds)
 *     print(f"Task {name} finished")
 *
 * async def tasks():
 *     loop = asyncio.get_running_loop()
 *     start = loop.time()
 *     ts = [asyncio.create_task(task(name, seconds))
 *           for name, seconds in (("A", 2), ("B", 3), ("C", 5))]
 *     for t in ts:
 *         await t
 *     print(f"All done in {loop.time() - start:.1f} s, not 10")
 *
 * asyncio.run(tasks())
 * ```
 *
 * It prints:
 *
 * ```text
 * Task A started, sleeping 2 s
 * Task B started, sleeping 3 s
 * Task C started, sleeping 5 s
 * Task A finished
 * Task B finished
 * Task C finished
 * All done in 5.0 s, not 10
 * ```
 *
 * Run it with `deno run examples/three_tasks.ts`.
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

async function task(name: string, seconds: number) {
  console.log(`Task ${name} started, sleeping ${seconds} s`);
  await sleep(seconds);
  console.log(`Task ${name} finished`);
}

async function tasks() {
  const loop = getRunningLoop();
  const start = loop.time();
  const ts = ([["A", 2], ["B", 3], ["C", 5]] as const).map(
    ([name, seconds]) => createTask(task(name, seconds)),
  );
  for (const t of ts) {
    await t;
  }
  console.log(`All done in ${(loop.time() - start).toFixed(1)} s, not 10`);
}

/**
 * Run the program. `options.loopFactory` makes the loop it runs on (a test
 * passes one on a `VirtualClock`). `tasks` is passed uncalled, so that it
 * starts inside the running loop, where `getRunningLoop()` works.
 */
export async function main(options: RunOptions = {}): Promise<void> {
  await run(tasks, options);
}

if (import.meta.main) await main();
