/**
 * `addSignalHandler` / `removeSignalHandler` as asyncio's, and
 * `callSoonThreadsafe` from outside the loop's callbacks. The signals come
 * from a `python3` child (`os.kill` of this process), as the gate grants.
 */
import assert from "node:assert/strict";
import {
  currentTask,
  EventLoop,
  getRunningLoop,
  run,
  RuntimeError,
  sleep,
  ValueError,
} from "../../mod.ts";

/** Send `sig` to this process from a child, and wait for the child. */
async function signalMe(sig: string): Promise<void> {
  const { code } = await new Deno.Command("python3", {
    args: ["-c", `import os, signal; os.kill(${Deno.pid}, signal.${sig})`],
  }).output();
  assert.equal(code, 0);
}

Deno.test("addSignalHandler(): the callback runs as a loop callback, once per signal, with its args", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const calls: unknown[] = [];
    loop.addSignalHandler(
      "SIGUSR1",
      (what: string, n: number) => {
        calls.push([what, n, currentTask()]);
      },
      "usr1",
      1,
    );
    for (let i = 1; i <= 3; i++) {
      await signalMe("SIGUSR1");
      while (calls.length < i) await sleep(0.01);
    }
    assert.deepEqual(calls.slice(), [
      ["usr1", 1, null],
      ["usr1", 1, null],
      ["usr1", 1, null],
    ]);
    // By Linux number, replacing the previous handler.
    loop.addSignalHandler(10, () => {
      calls.push("replaced");
    });
    await signalMe("SIGUSR1");
    while (calls.length < 4) await sleep(0.01);
    assert.equal(calls[3], "replaced");
    assert.equal(loop.removeSignalHandler("SIGUSR1"), true);
    assert.equal(loop.removeSignalHandler(10), false);
  });
});

Deno.test("removeSignalHandler() and close(): the handler no longer runs", async () => {
  const calls: string[] = [];
  await run(async () => {
    const loop = getRunningLoop();
    loop.addSignalHandler("SIGWINCH", () => calls.push("removed"));
    assert.equal(loop.removeSignalHandler("SIGWINCH"), true);
    // SIGWINCH is ignored by default: nothing happens once it is removed.
    await signalMe("SIGWINCH");
    await sleep(0.05);
    loop.addSignalHandler("SIGWINCH", () => calls.push("closed"));
  });
  await signalMe("SIGWINCH"); // run() closed the loop, which removed it
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(calls, []);
});

Deno.test("addSignalHandler(): asyncio's errors", () => {
  const loop = new EventLoop();
  assert.throws(
    () => loop.addSignalHandler(999, () => {}),
    (e: unknown) =>
      e instanceof ValueError &&
      e.message ===
        "addSignalHandler: sig must be a known signal, got number 999",
  );
  assert.throws(
    () => loop.addSignalHandler({} as never, () => {}),
    /addSignalHandler: sig must be a signal name or number, got object/,
  );
  assert.throws(
    () => loop.addSignalHandler("SIGKILL", () => {}),
    (e: unknown) =>
      e instanceof RuntimeError && e.message === "sig 9 cannot be caught",
  );
  assert.throws(
    () => loop.addSignalHandler("SIGUSR2", async () => {}),
    /coroutines cannot be used with addSignalHandler\(\)/,
  );
  assert.throws(
    () => loop.addSignalHandler("SIGUSR2", 5 as never),
    TypeError,
  );
  assert.throws(() => loop.removeSignalHandler("SIGNOPE" as never), ValueError);
  loop.close();
  assert.throws(
    () => loop.addSignalHandler("SIGUSR2", () => {}),
    /Event loop is closed/,
  );
});

Deno.test("callSoonThreadsafe() from a Deno timer wakes the sleeping loop; callbacks run in order", async () => {
  const loop = new EventLoop();
  const seen: number[] = [];
  const started = performance.now();
  setTimeout(() => {
    for (let i = 0; i < 1000; i++) {
      loop.callSoonThreadsafe((n) => seen.push(n), i);
    }
    loop.callSoonThreadsafe(() => loop.stop());
  }, 20);
  // A far timer: without the wake-up the loop would sleep until it.
  const far = loop.callLater(30, () => {});
  await loop.runForever();
  far.cancel();
  loop.close();
  assert.deepEqual(seen, Array.from({ length: 1000 }, (_, i) => i));
  assert.ok(performance.now() - started < 5000);
});
