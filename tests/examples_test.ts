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
import { main as geventSleepers } from "../examples/gevent_sleepers.ts";
import { main as geventSpawn } from "../examples/gevent_spawn.ts";
import { main as upperEcho } from "../examples/upper_echo.ts";
import { main as waitTests } from "../examples/wait_tests.ts";
import { main as yieldSwitchingCost } from "../examples/yield_switching_cost.ts";

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

// python3 examples' wait_tests.py (its source is in examples/wait_tests.ts)
const WAIT_TESTS = [
  "Test 0 started",
  "Test 1 started",
  "Test 2 started",
  "Test 3 started",
  "Test 4 started",
  "Test 0 done",
  "Test 1 done",
  "Test 2 done",
  "Test 3 done",
  "Test 4 done",
  "done: [0, 1, 4, 9, 16] pending: 0",
  "finished in 1.0 s",
];

// gevent's tutorial output (gevent is not installed here; from its docs),
// with None/True/False spelled as the port prints them: null/true/false.
const GEVENT_SPAWN = [
  "Running in foo",
  "Explicit context to bar",
  "Explicit context switch to foo again",
  "Implicit context switch back to bar",
  "You win!",
  "null",
  "true",
  "true",
  "true",
  "false",
  "You fail at failing.",
];

const GEVENT_SLEEPERS = [
  "A sleeping 3 s",
  "B sleeping 4 s",
  "A woke up",
  "B woke up",
  "Elapsed: 4 s, not 7",
];

Deno.test("examples/wait_tests.ts prints CPython 3.11's output for wait() over five tasks, in 1 s", async () => {
  const { lines, time } = await capture(waitTests);
  assert.deepEqual(lines, WAIT_TESTS);
  assert.equal(time, 1);
});

Deno.test("examples/gevent_spawn.ts switches foo and bar at sleep(0) and prints the greenlets' state as gevent", async () => {
  const { lines, time } = await capture(geventSpawn);
  assert.deepEqual(lines, GEVENT_SPAWN);
  assert.equal(time, 0);
});

Deno.test("examples/gevent_sleepers.ts joins 3 s and 4 s sleepers at time 4, not 7", async () => {
  const { lines, time } = await capture(geventSleepers);
  assert.deepEqual(lines, GEVENT_SLEEPERS);
  assert.equal(time, 4);
});

Deno.test("examples/yield_switching_cost.ts prints two timed lines with the same iterations and sum", async () => {
  const n = 100_000;
  const { lines } = await capture((options) =>
    yieldSwitchingCost({ ...options, iterations: n })
  );
  const sum = String(n * (n - 1) / 2);
  assert.equal(lines.length, 2);
  const serial = /^serial: (\d+) iterations, sum (\d+), \d+\.\d\d s$/
    .exec(lines[0]);
  const switching =
    /^two tasks switching with yield: (\d+) iterations, sum (\d+), \d+\.\d\d s$/
      .exec(lines[1]);
  assert.ok(serial, lines[0]);
  assert.ok(switching, lines[1]);
  assert.deepEqual(serial.slice(1), [String(n), sum]);
  assert.deepEqual(switching.slice(1), [String(n), sum]);
});

Deno.test("examples/upper_echo.ts serves 500 real TCP clients on 127.0.0.1, as CPython's", async () => {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  };
  try {
    await upperEcho({ clients: 500 });
  } finally {
    console.log = original;
  }
  assert.deepEqual(lines, ["500 clients served, 0 wrong replies"]);
});

Deno.test("examples/multicore_echo.ts: two loops on one port (reusePort), both receive connections", async () => {
  // Its own process: `reusePort` needs `--unstable-net`, which the gate's
  // own tests do without.
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: [
      "run",
      "--quiet",
      "--unstable-net",
      "--allow-net=127.0.0.1",
      "--allow-read=.",
      "examples/multicore_echo.ts",
      "2",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const match = /^200 clients served by 2 loops on port \d+: (\d+) \+ (\d+)\n$/
    .exec(out);
  assert.ok(match, out);
  const [a, b] = [Number(match[1]), Number(match[2])];
  assert.equal(a + b, 200);
  assert.ok(a > 0 && b > 0, `one loop served nothing: ${out}`);
});
