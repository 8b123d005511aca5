/**
 * Two greenlets sleep 3 s and 4 s, joined with `joinall`: the program ends
 * after about 4 seconds, not 7, as gevent's.
 *
 * ```python
 * import time
 * import gevent
 *
 * def sleeper(name, seconds):
 *     print(f"{name} sleeping {seconds} s")
 *     gevent.sleep(seconds)
 *     print(f"{name} woke up")
 *
 * start = time.time()
 * gevent.joinall([gevent.spawn(sleeper, "A", 3), gevent.spawn(sleeper, "B", 4)])
 * print(f"Elapsed: {round(time.time() - start)} s, not 7")
 * ```
 *
 * It prints:
 *
 * ```text
 * A sleeping 3 s
 * B sleeping 4 s
 * A woke up
 * B woke up
 * Elapsed: 4 s, not 7
 * ```
 *
 * The port measures with the loop's clock (`loop.time()`), where the
 * original reads `time.time()`, so that a test can run it on a virtual one.
 * Run it with `deno run examples/gevent_sleepers.ts`.
 *
 * @module
 */
import {
  getRunningLoop,
  joinall,
  run,
  type RunOptions,
  sleep,
  spawn,
} from "../mod.ts";

async function sleeper(name: string, seconds: number) {
  console.log(`${name} sleeping ${seconds} s`);
  await sleep(seconds);
  console.log(`${name} woke up`);
}

async function sleepers() {
  const loop = getRunningLoop();
  const start = loop.time();
  await joinall([spawn(sleeper, "A", 3), spawn(sleeper, "B", 4)]);
  console.log(`Elapsed: ${Math.round(loop.time() - start)} s, not 7`);
}

/**
 * Run the program. `options.loopFactory` makes the loop it runs on (a test
 * passes one on a `VirtualClock`).
 */
export async function main(options: RunOptions = {}): Promise<void> {
  await run(sleepers, options);
}

if (import.meta.main) await main();
