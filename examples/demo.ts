/**
 * `deno task demo`: run the tutorial programs one after another, each under a
 * heading. It needs no permissions and takes about 10 seconds of real time.
 *
 * @module
 */
import type { RunOptions } from "../mod.ts";
import { main as createTasks } from "./create_tasks.ts";
import { main as helloAsync } from "./hello_async.ts";
import { main as helloGenerator } from "./hello_generator.ts";
import { main as producerConsumerSend } from "./producer_consumer_send.ts";
import { main as threeTasks } from "./three_tasks.ts";
import { main as twoSleepers } from "./two_sleepers.ts";

/** The programs, in tutorial order, with what each shows. */
export const programs: ReadonlyArray<
  readonly [string, string, (options?: RunOptions) => Promise<void>]
> = [
  [
    "producer_consumer_send.ts",
    "generators before asyncio: the producer sends items into a consumer",
    producerConsumerSend,
  ],
  [
    "hello_generator.ts",
    "a legacy generator coroutine on getEventLoop()",
    helloGenerator,
  ],
  ["hello_async.ts", "an async function under run()", helloAsync],
  [
    "create_tasks.ts",
    "three tasks from loop.createTask, one second together",
    createTasks,
  ],
  [
    "two_sleepers.ts",
    "tasks of 2 s and 1 s finish together in about 2 s",
    twoSleepers,
  ],
  [
    "three_tasks.ts",
    "tasks of 2, 3 and 5 s finish in about 5 s, not 10",
    threeTasks,
  ],
];

/** Run every program in turn, each under its heading. */
export async function main(options: RunOptions = {}): Promise<void> {
  let first = true;
  for (const [file, what, program] of programs) {
    if (!first) console.log();
    first = false;
    console.log(`=== ${file}: ${what} ===`);
    await program(options);
  }
}

if (import.meta.main) await main();
