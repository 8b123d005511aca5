/**
 * The virtual clock as a user's tool: `run(main, { clock: "virtual" })`,
 * `new Runner({ clock })`, `newEventLoop({ clock })`. The same scenarios
 * run on both clocks and log the same order; real I/O still works on it.
 */
import assert from "node:assert/strict";
import {
  gather,
  getRunningLoop,
  newEventLoop,
  openConnection,
  Queue,
  run,
  Runner,
  sleep,
  startServer,
  timeout,
  TimeoutError,
  waitFor,
} from "../../mod.ts";
import { ioInFlight } from "../../loop/_io_in_flight.ts";
import { dec, enc, portOf, shutdown } from "../streams/_helpers.ts";

Deno.test("run(main, { clock: 'virtual' }): an hour's sleep at once, a day of timers in well under a second", async () => {
  const started = performance.now();
  const times = await run(async () => {
    const loop = getRunningLoop();
    await sleep(3600);
    const afterHour = loop.time();
    for (let minute = 0; minute < 24 * 60 - 60; minute++) await sleep(60);
    return [afterHour, loop.time()];
  }, { clock: "virtual" });
  assert.deepEqual(times, [3600, 86400]);
  assert.ok(performance.now() - started < 1000);
});

/** Timers, `waitFor`, `timeout` and a queue's wait, at `unit` seconds. */
async function scenario(unit: number): Promise<string[]> {
  const log: string[] = [];
  const queue = new Queue<string>();
  const sleeper = async (name: string, n: number) => {
    await sleep(n * unit);
    log.push(`${name} woke`);
    if (name === "b") await queue.put("from b");
  };
  await gather(
    () => sleeper("a", 3),
    () => sleeper("b", 1),
    async () => {
      try {
        await waitFor(sleep(10 * unit), 2 * unit);
      } catch (e) {
        log.push(`waitFor ${e instanceof TimeoutError ? "timed out" : e}`);
      }
    },
    async () => {
      log.push(`got ${await waitFor(queue.get(), 5 * unit)}`);
      try {
        await timeout(unit, async () => {
          await queue.get();
        });
      } catch (e) {
        log.push(`timeout ${e instanceof TimeoutError ? "expired" : e}`);
      }
    },
  );
  return log;
}

Deno.test("the same scenario logs the same order on the virtual and the real clock", async () => {
  const virtual = await run(() => scenario(1), { clock: "virtual" });
  const real = await run(() => scenario(0.05));
  assert.deepEqual(virtual, [
    "b woke",
    "got from b",
    "waitFor timed out",
    "timeout expired",
    "a woke",
  ]);
  assert.deepEqual(real, virtual);
});

Deno.test("on the virtual clock real I/O still works: an echo arrives within a 5 s waitFor; a silent peer times out", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const server = await startServer(
      async (reader, writer) => {
        const line = await reader.readLine();
        if (dec(line) === "silence\n") await sleep(3600);
        writer.write(line);
        await writer.drain();
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    for (let i = 0; i < 20; i++) {
      const [reader, writer] = await openConnection(
        "127.0.0.1",
        portOf(server),
      );
      writer.write(enc(`echo ${i}\n`));
      assert.equal(dec(await waitFor(reader.readLine(), 5)), `echo ${i}\n`);
      writer.close();
      await writer.waitClosed();
    }
    assert.equal(loop.time(), 0); // the echoes took no virtual time
    const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
    writer.write(enc("silence\n"));
    await assert.rejects(
      async () => await waitFor(reader.readLine(), 5),
      TimeoutError,
    );
    assert.equal(loop.time(), 5);
    writer.close();
    await writer.waitClosed();
    server.closeClients();
    await shutdown(server);
  }, { clock: "virtual" });
  // Every awaited read, write and connect was counted out again, the read
  // that a close ended too: later virtual jumps wait for nothing.
  assert.equal(ioInFlight(), 0);
});

Deno.test("Runner and newEventLoop take the clock too; bad clocks are named", async () => {
  await using runner = new Runner({ clock: "virtual" });
  assert.equal(await runner.run(() => sleep(10, "x")), "x");
  assert.equal(runner.getLoop().time(), 10);
  const loop = newEventLoop({ clock: "virtual" });
  loop.callLater(100, () => loop.stop());
  await loop.runForever();
  assert.equal(loop.time(), 100);
  loop.close();
  assert.throws(
    () => new Runner({ clock: "virtual", loopFactory: () => newEventLoop() }),
    /Runner: pass options.loopFactory or options.clock, not both/,
  );
  assert.throws(
    () => new Runner({ clock: 5 as never }),
    /Runner: options.clock must be "virtual", "monotonic" or a Clock, got number 5/,
  );
});
