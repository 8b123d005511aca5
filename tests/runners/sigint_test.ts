/**
 * Ctrl-C during `run()`, in a child process, against what CPython 3.11's
 * `asyncio.run` does with the same program: the first SIGINT cancels the
 * main task (its `finally` and the leftover tasks' run), `run()` raises
 * `KeyboardInterrupt`, which ends the process with status 130 when nobody
 * catches it (Python dies by the signal: status -2 to its parent); a second
 * SIGINT breaks out of main's cleanup, a third out of the shutdown (#16).
 */
import assert from "node:assert/strict";
import { Child } from "../_child.ts";

/** Run `scenario`; SIGINT it once `ready`, then at each of `then`'s lines. */
async function interrupt(scenario: string, then: RegExp[] = []) {
  const child = new Child("runners/_sigint_child.ts", [], [scenario]);
  await child.waitFor(/^ready$/);
  child.kill("SIGINT");
  for (const line of then) {
    await child.waitFor(line);
    child.kill("SIGINT");
  }
  return await child.ended();
}

Deno.test("the first Ctrl-C cancels main: finally blocks run, then KeyboardInterrupt ends the process with status 130", async () => {
  const { status, stdout, stderr } = await interrupt("raises");
  assert.deepEqual(stdout, [
    "ready",
    "main's finally ran",
    "worker cleaned up",
  ]);
  assert.equal(status.code, 130);
  assert.equal(status.signal, null);
  assert.match(stderr, /^KeyboardInterrupt\n {4}at run /);
  assert.match(stderr, /\[cause\]: \[?CancelledError/);
});

// loop.add_signal_handler(signal.SIGINT, cb) in main: cb runs, main goes on
Deno.test("a program's own loop.addSignalHandler('SIGINT') takes Ctrl-C: main is not cancelled, as in CPython", async () => {
  const { status, stdout } = await interrupt("own-handler", [
    /^handler ran: 1$/,
  ]);
  assert.deepEqual(stdout, [
    "ready",
    "handler ran: 1",
    "handler ran: 2",
    "run() returned: main ended by its own handler",
  ]);
  assert.equal(status.code, 0);
});

Deno.test("a main that catches the cancellation returns, and run() returns its result (exit 0)", async () => {
  const { status, stdout } = await interrupt("returns");
  assert.deepEqual(stdout, [
    "ready",
    "main's finally ran",
    "worker cleaned up",
    "run() returned: main caught the cancellation",
  ]);
  assert.equal(status.code, 0);
});

Deno.test("KeyboardInterrupt from run() can be caught; the program goes on and exits 0", async () => {
  const { status, stdout } = await interrupt("catches");
  assert.deepEqual(stdout, [
    "ready",
    "main's finally ran",
    "worker cleaned up",
    "run() raised KeyboardInterrupt",
  ]);
  assert.equal(status.code, 0);
});

Deno.test("a second Ctrl-C during main's slow cleanup stops the loop: every task is cancelled, then KeyboardInterrupt (status 130)", async () => {
  const { status, stdout, stderr } = await interrupt("slow-finally", [
    /^finally waits$/,
  ]);
  assert.deepEqual(stdout, [
    "ready",
    "main's finally ran",
    "finally waits",
    "worker cleaned up",
  ]);
  assert.equal(status.code, 130);
  assert.equal(status.signal, null);
  assert.match(stderr, /^KeyboardInterrupt\n/);
});

Deno.test("a third Ctrl-C, during a shutdown that hangs, ends the process at once, by SIGINT", async () => {
  const { status, stdout } = await interrupt("stubborn", [
    /^finally waits$/,
    /^worker waits$/,
  ]);
  assert.deepEqual(stdout, [
    "ready",
    "main's finally ran",
    "finally waits",
    "worker waits",
  ]);
  assert.equal(status.signal, "SIGINT");
  assert.equal(status.code, 130);
});
