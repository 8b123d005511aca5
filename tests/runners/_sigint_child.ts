/**
 * Programs that a test interrupts with SIGINT (`tests/runners/sigint_test.ts`),
 * one per scenario named by the first argument. Each prints `ready` once
 * the main task waits.
 *
 * @module
 */
import {
  CancelledError,
  createTask,
  getRunningLoop,
  run,
  sleep,
} from "../../mod.ts";

const scenario = Deno.args[0];

async function cleansUp(): Promise<void> {
  try {
    await sleep(60);
  } finally {
    if (scenario === "stubborn") {
      console.log("worker waits");
      await sleep(60);
    }
    console.log("worker cleaned up");
  }
}

async function main(): Promise<string> {
  const worker = createTask(cleansUp());
  await sleep(0);
  try {
    console.log("ready");
    await sleep(60);
    return "slept";
  } catch (error) {
    if (scenario === "returns" && error instanceof CancelledError) {
      return "main caught the cancellation";
    }
    throw error;
  } finally {
    console.log("main's finally ran");
    if (scenario === "slow-finally" || scenario === "stubborn") {
      console.log("finally waits");
      await sleep(60);
    }
    void worker;
  }
}

/** The program handles SIGINT itself: its handler alone runs, twice. */
async function ownHandler(): Promise<string> {
  const loop = getRunningLoop();
  const interrupted = loop.createFuture<void>();
  let count = 0;
  loop.addSignalHandler("SIGINT", () => {
    console.log(`handler ran: ${++count}`);
    if (count === 2) interrupted.setResult();
  });
  console.log("ready");
  await interrupted;
  loop.removeSignalHandler("SIGINT");
  return "main ended by its own handler";
}

if (scenario === "own-handler") {
  console.log(`run() returned: ${await run(ownHandler)}`);
} else if (scenario === "catches") {
  try {
    await run(main());
  } catch (error) {
    console.log(`run() raised ${(error as Error).name}`);
  }
} else {
  console.log(`run() returned: ${await run(main())}`);
}
