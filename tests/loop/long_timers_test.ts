/**
 * Timers past Deno's limit (2^31 - 1 ms, about 24.9 days): Deno fires a
 * longer `setTimeout` after 1 ms, every time, so the loop must arm at most
 * the limit and arm again from there (#16).
 */
import assert from "node:assert/strict";
import { EventLoop } from "../../mod.ts";

const MAX_MS = 2 ** 31 - 1;

/** Run `loop` for `ms` of real time, recording the delays it arms. */
async function armedDuring(loop: EventLoop, ms: number): Promise<number[]> {
  const delays: number[] = [];
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: () => void, delay?: number) => {
    delays.push(delay ?? 0);
    return realSetTimeout(fn, delay);
  }) as typeof setTimeout;
  const stopper = realSetTimeout(() => loop.stop(), ms);
  try {
    await loop.runForever();
  } finally {
    globalThis.setTimeout = realSetTimeout;
    clearTimeout(stopper);
  }
  return delays;
}

for (const [what, delay] of [["30 days", 30 * 86400], ["Infinity", Infinity]]) {
  Deno.test(`callLater(${what}) arms Deno's timer for at most 2^31 - 1 ms, once, while the loop sleeps (#16)`, async () => {
    const loop = new EventLoop();
    let fired = false;
    const handle = loop.callLater(delay as number, () => {
      fired = true;
    });
    const delays = await armedDuring(loop, 60);
    handle.cancel();
    loop.close();
    assert.equal(fired, false);
    // One wake-up armed, at the limit: not one a millisecond.
    assert.deepEqual(delays, [MAX_MS]);
  });
}

Deno.test("a timer due before Deno's limit fires on time beside a 30-day one (#16)", async () => {
  const loop = new EventLoop();
  const log: string[] = [];
  const long = loop.callLater(30 * 86400, () => log.push("long"));
  loop.callLater(0.02, () => {
    log.push("short");
    loop.stop();
  });
  await loop.runForever();
  long.cancel();
  loop.close();
  assert.deepEqual(log, ["short"]);
});
