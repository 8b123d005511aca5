/** `Pool` (gevent/pool.ts), on the virtual clock. */
import assert from "node:assert/strict";
import { Pool, sleep, ValueError } from "../../mod.ts";
import {
  assertRejectsError,
  assertThrowsError,
  now,
  runVirtual,
} from "../tasks/_both.ts";

/** A worker that counts how many run at once. */
function tracker() {
  const state = { inFlight: 0, max: 0 };
  const work = async (seconds: number) => {
    state.inFlight++;
    state.max = Math.max(state.max, state.inFlight);
    await sleep(seconds);
    state.inFlight--;
    return seconds;
  };
  return { state, work };
}

Deno.test("Pool(size) runs at most size greenlets at once; join() waits for them all", async () => {
  await runVirtual(async () => {
    const pool = new Pool(3);
    const { state, work } = tracker();
    assert.equal(pool.size, 3);
    assert.equal(pool.freeCount(), 3);
    const gs = [];
    for (let i = 0; i < 10; i++) {
      await pool.waitAvailable();
      gs.push(pool.spawn(work, 1));
    }
    // 10 one-second jobs, 3 at a time: the 10th started at time 3.
    assert.equal(now(), 3);
    assert.equal(await pool.join(), true);
    assert.equal(now(), 4);
    assert.equal(state.max, 3);
    assert.equal(pool.freeCount(), 3);
    assert.equal(pool.length, 0);
    assert.ok(gs.every((g) => g.value === 1));
  });
});

Deno.test("Pool.spawn() without waitAvailable() returns at once; the greenlets wait for a slot", async () => {
  await runVirtual(async () => {
    const pool = new Pool(2);
    const { state, work } = tracker();
    const gs = [1, 1, 1, 1, 1].map((s) => pool.spawn(work, s));
    assert.equal(now(), 0);
    assert.equal(pool.freeCount(), 0);
    assert.equal(pool.full(), true);
    assert.equal(await pool.join(1.5), false);
    assert.equal(now(), 1.5);
    assert.equal(await pool.join(), true);
    assert.equal(now(), 3);
    assert.equal(state.max, 2);
    assert.deepEqual(gs.map((g) => g.value), [1, 1, 1, 1, 1]);
  });
});

Deno.test("Pool.map() returns the results in the order of the items", async () => {
  await runVirtual(async () => {
    const pool = new Pool(2);
    const { state, work } = tracker();
    assert.deepEqual(await pool.map(work, [3, 1, 2, 1]), [3, 1, 2, 1]);
    // [3, 1] start at 0; 2 at 1; 1 at 3: all done at 4.
    assert.equal(now(), 4);
    assert.equal(state.max, 2);
    assert.deepEqual(await pool.map(work, []), []);
  });
});

Deno.test("Pool.map() raises the first error, when it happens", async () => {
  await runVirtual(async () => {
    const pool = new Pool(4);
    const fail = async (n: number) => {
      await sleep(n);
      if (n === 2) throw new ValueError(`bad ${n}`);
      return n;
    };
    await assertRejectsError(pool.map(fail, [5, 2, 1]), ValueError, "bad 2");
    assert.equal(now(), 2);
    await pool.join();
  });
});

Deno.test("Pool.imapUnordered() yields the results in completion order", async () => {
  await runVirtual(async () => {
    const pool = new Pool(3);
    const { state, work } = tracker();
    const seen: [number, number][] = [];
    for await (const s of pool.imapUnordered(work, [3, 1, 2, 0.5, 4])) {
      seen.push([s, now()]);
    }
    // 3, 1, 2 start at 0; 0.5 at 1 (ends 1.5); 4 at 1.5 (ends 5.5).
    assert.deepEqual(seen, [[1, 1], [0.5, 1.5], [2, 2], [3, 3], [4, 5.5]]);
    assert.equal(state.max, 3);
  });
});

Deno.test("Pool.imapUnordered() stopped early stops spawning", async () => {
  await runVirtual(async () => {
    const pool = new Pool(2);
    const started: number[] = [];
    const work = async (n: number) => {
      started.push(n);
      await sleep(1);
      return n;
    };
    for await (const n of pool.imapUnordered(work, [1, 2, 3, 4, 5])) {
      assert.equal(n, 1);
      break;
    }
    await pool.join();
    assert.ok(started.length < 5, `started ${started}`);
  });
});

Deno.test("Pool() without a size has no limit", async () => {
  await runVirtual(async () => {
    const pool = new Pool();
    const { state, work } = tracker();
    assert.equal(pool.size, null);
    assert.equal(pool.freeCount(), Infinity);
    assert.deepEqual(await pool.map(work, [1, 1, 1, 1]), [1, 1, 1, 1]);
    assert.equal(state.max, 4);
    assert.equal(now(), 1);
  });
});

Deno.test("Pool of bad input raises TypeError or ValueError naming the argument and the value", async () => {
  assertThrowsError(
    () => new Pool(0),
    ValueError,
    "Pool: size must be at least 1, got 0",
  );
  assertThrowsError(
    () => new Pool(1.5),
    TypeError,
    "Pool: size must be an integer or null, got number 1.5",
  );
  assertThrowsError(
    () => new Pool("2" as never),
    TypeError,
    'Pool: size must be an integer or null, got string "2"',
  );
  await runVirtual(async () => {
    const pool = new Pool(2);
    assertThrowsError(
      () => pool.spawn("f" as never),
      TypeError,
      'Pool.spawn: fn must be a function, got string "f"',
    );
    await assertRejectsError(
      pool.map(null as never, [1]),
      TypeError,
      "Pool.map: fn must be a function, got null",
    );
    await assertRejectsError(
      pool.map((x: number) => x, 5 as never),
      TypeError,
      "Pool.map: iterable must be an iterable, got number 5",
    );
    assertThrowsError(
      () => pool.imapUnordered((x: number) => x, {} as never),
      TypeError,
      "Pool.imapUnordered: iterable must be an iterable, got object",
    );
    await assertRejectsError(
      pool.join(-"x" as never),
      TypeError,
      "Pool.join: timeout must be a number of seconds or null, got number NaN",
    );
    // The pool still works.
    assert.deepEqual(await pool.map((x: number) => x + 1, [1, 2]), [2, 3]);
  });
});
