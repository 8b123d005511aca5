/**
 * `asyncio.wait` over five tasks, from the asyncio tutorials of the
 * `get_event_loop` era (`loop.run_until_complete(asyncio.wait([test(i) for i
 * in range(5)]))`). Since Python 3.11, `wait()` takes tasks, not coroutines,
 * so the program wraps each one, as this port does:
 *
 * ```python
 * import asyncio
 *
 * async def test(i):
 *     print("Test", i, "started")
 *     await asyncio.sleep(1)
 *     print("Test", i, "done")
 *     return i * i
 *
 * async def main():
 *     loop = asyncio.get_running_loop()
 *     start = loop.time()
 *     done, pending = await asyncio.wait([asyncio.create_task(test(i)) for i in range(5)])
 *     print("done:", sorted(t.result() for t in done), "pending:", len(pending))
 *     print(f"finished in {loop.time() - start:.1f} s")
 *
 * asyncio.run(main())
 * ```
 *
 * Python 3.11 prints (the results come from a set, hence `sorted`):
 *
 * ```text
 * Test 0 started
 * Test 1 started
 * Test 2 started
 * Test 3 started
 * Test 4 started
 * Test 0 done
 * Test 1 done
 * Test 2 done
 * Test 3 done
 * Test 4 done
 * done: [0, 1, 4, 9, 16] pending: 0
 * finished in 1.0 s
 * ```
 *
 * Run it with `deno run examples/wait_tests.ts`.
 *
 * @module
 */
import {
  createTask,
  getRunningLoop,
  run,
  type RunOptions,
  sleep,
  wait,
} from "../mod.ts";

async function test(i: number) {
  console.log("Test", i, "started");
  await sleep(1);
  console.log("Test", i, "done");
  return i * i;
}

async function waitTests() {
  const loop = getRunningLoop();
  const start = loop.time();
  const [done, pending] = await wait(
    [0, 1, 2, 3, 4].map((i) => createTask(test(i))),
  );
  const results = [...done].map((t) => t.result()).sort((a, b) => a - b);
  console.log(`done: [${results.join(", ")}] pending: ${pending.size}`);
  console.log(`finished in ${(loop.time() - start).toFixed(1)} s`);
}

/**
 * Run the program. `options.loopFactory` makes the loop it runs on (a test
 * passes one on a `VirtualClock`).
 */
export async function main(options: RunOptions = {}): Promise<void> {
  await run(waitTests, options);
}

if (import.meta.main) await main();
