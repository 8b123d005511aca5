/**
 * Runs each tutorial program of `examples/` on a `VirtualClock` and checks
 * what it prints, line for line, against what the Python original prints.
 */
import assert from "node:assert/strict";
import { EventLoop, type RunOptions, VirtualClock } from "../mod.ts";
import { main as createTasks } from "../examples/create_tasks.ts";
import { main as demo, programs } from "../examples/demo.ts";
import { main as helloAsync } from "../examples/hello_async.ts";
import { main as helloGenerator } from "../examples/hello_generator.ts";
import { main as producerConsumerSend } from "../examples/producer_consumer_send.ts";
import { main as threeTasks } from "../examples/three_tasks.ts";
import { main as twoSleepers } from "../examples/two_sleepers.ts";

type Program = (options?: RunOptions) => Promise<void>;

/**
 * Run `program` on loops over one virtual clock, with `console.log` stubbed;
 * return the printed lines and the clock's time at the end.
 */
async function capture(
  program: Program,
): Promise<{ lines: string[]; time: number }> {
  const clock = new VirtualClock();
  const loopFactory = () => new EventLoop({ clock });
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(
      args.map((a) => typeof a === "string" ? a : Deno.inspect(a)).join(" "),
    );
  };
  try {
    await program({ loopFactory });
  } finally {
    console.log = original;
  }
  return { lines, time: clock.now() };
}

const HELLO = ["Hello world!", "Hello again! done"];

const PRODUCER_CONSUMER = [1, 2, 3, 4, 5].flatMap((n) => [
  `[PRODUCER] Producing ${n}...`,
  `[CONSUMER] Consuming ${n}...`,
  "[PRODUCER] Consumer return: 200 OK",
]);

const CREATE_TASKS = [
  "Task 0 started",
  "Task 1 started",
  "Task 2 started",
  "Task 0 done",
  "Task 1 done",
  "Task 2 done",
];

const TWO_SLEEPERS = [
  "A sleeping 2 s",
  "B sleeping 1 s",
  "B woke up",
  "A woke up",
  "finished in 2.0 s",
];

const THREE_TASKS = [
  "Task A started, sleeping 2 s",
  "Task B started, sleeping 3 s",
  "Task C started, sleeping 5 s",
  "Task A finished",
  "Task B finished",
  "Task C finished",
  "All done in 5.0 s, not 10",
];

Deno.test("examples/hello_generator.ts prints CPython's output after 1 s", async () => {
  const { lines, time } = await capture(helloGenerator);
  assert.deepEqual(lines, HELLO);
  assert.equal(time, 1);
});

Deno.test("examples/hello_async.ts prints CPython's output after 1 s", async () => {
  const { lines, time } = await capture(helloAsync);
  assert.deepEqual(lines, HELLO);
  assert.equal(time, 1);
});

Deno.test("examples/create_tasks.ts runs three 1 s tasks in 1 s", async () => {
  const { lines, time } = await capture(createTasks);
  assert.deepEqual(lines, CREATE_TASKS);
  assert.equal(time, 1);
});

Deno.test("examples/producer_consumer_send.ts sends items into a primed generator", async () => {
  const { lines, time } = await capture(producerConsumerSend);
  assert.deepEqual(lines, PRODUCER_CONSUMER);
  assert.equal(time, 0);
});

Deno.test("examples/two_sleepers.ts finishes 2 s and 1 s sleeps at time 2", async () => {
  const { lines, time } = await capture(twoSleepers);
  assert.deepEqual(lines, TWO_SLEEPERS);
  assert.equal(time, 2);
});

Deno.test("examples/three_tasks.ts finishes 2, 3 and 5 s tasks at time 5, not 10", async () => {
  const { lines, time } = await capture(threeTasks);
  assert.deepEqual(lines, THREE_TASKS);
  assert.equal(time, 5);
});

Deno.test("examples/demo.ts runs every program under its heading", async () => {
  const { lines, time } = await capture(demo);
  const outputs = [
    PRODUCER_CONSUMER,
    HELLO,
    HELLO,
    CREATE_TASKS,
    TWO_SLEEPERS,
    THREE_TASKS,
  ];
  assert.equal(programs.length, outputs.length);
  const expected = programs.flatMap(([file, what], i) => [
    ...(i === 0 ? [] : [""]),
    `=== ${file}: ${what} ===`,
    ...outputs[i],
  ]);
  assert.deepEqual(lines, expected);
  // One clock for all: 1 + 1 + 1 + 2 + 5 virtual seconds.
  assert.equal(time, 10);
});
