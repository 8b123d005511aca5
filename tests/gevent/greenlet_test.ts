/**
 * `spawn`, `Greenlet` and `joinall` (gevent/greenlet.ts), on the virtual
 * clock. Where gevent's own behaviour is the reference, the gevent program
 * is quoted beside the test with what it prints.
 */
import assert from "node:assert/strict";
import {
  CancelledError,
  coroutine,
  currentTask,
  Greenlet,
  joinall,
  sleep,
  spawn,
  Task,
  TimeoutError,
  ValueError,
} from "../../mod.ts";
import {
  assertRejectsError,
  assertThrowsError,
  now,
  runVirtual,
} from "../tasks/_both.ts";

Deno.test("spawn() is lazy: fn runs at the greenlet's first step, not before", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    const g = spawn((x: number) => {
      log.push(`ran ${x}`);
      return x;
    }, 1);
    log.push("spawned");
    assert.equal(g.ready(), false);
    await sleep(0);
    log.push("after sleep(0)");
    assert.equal(g.value, 1);
  });
  assert.deepEqual(log, ["spawned", "ran 1", "after sleep(0)"]);
});

Deno.test("spawn() runs async functions, coroutine(function*) and plain functions, currentTask() is the task", async () => {
  await runVirtual(async () => {
    let inside: unknown = null;
    const a = spawn(async (n: number) => {
      inside = currentTask();
      await sleep(1);
      return n * 2;
    }, 21);
    const b = spawn(
      coroutine(function* (s: string) {
        yield* sleep(2);
        return s.toUpperCase();
      }),
      "gen",
    );
    const c = spawn(() => "plain");
    assert.ok(a instanceof Greenlet);
    assert.ok(a.task instanceof Task);
    const values: [number, string, string] = [await a, await b, await c];
    assert.deepEqual(values, [42, "GEN", "plain"]);
    assert.equal(inside, a.task);
    assert.equal(now(), 2);
  });
});

Deno.test("Greenlet: value, exception, ready(), successful() as gevent's", async () => {
  // winner = gevent.spawn(win); loser = gevent.spawn(fail)
  // gevent.joinall([winner, loser])
  // winner.value, loser.value -> 'You win!' None
  // ready() -> True True; successful() -> True False; loser.exception -> You fail at failing.
  await runVirtual(async () => {
    const winner = spawn(() => "You win!");
    const loser = spawn(() => {
      throw new ValueError("You fail at failing.");
    });
    assert.deepEqual(
      [winner.value, winner.exception, winner.ready(), winner.successful()],
      [null, null, false, false],
    );
    const done = await joinall([winner, loser]);
    assert.deepEqual(done, [winner, loser]);
    assert.deepEqual([winner.value, loser.value], ["You win!", null]);
    assert.deepEqual([winner.ready(), loser.ready()], [true, true]);
    assert.deepEqual([winner.successful(), loser.successful()], [true, false]);
    assert.equal(winner.exception, null);
    assert.ok(loser.exception instanceof ValueError);
    assert.equal((loser.exception as Error).message, "You fail at failing.");
  });
});

Deno.test("Greenlet.join(timeout) waits at most timeout seconds on the virtual clock, raising nothing", async () => {
  await runVirtual(async () => {
    const g = spawn(async () => {
      await sleep(5);
      throw new ValueError("late");
    });
    assert.equal(await g.join(2), undefined);
    assert.equal(now(), 2);
    assert.equal(g.ready(), false);
    await g.join();
    assert.equal(now(), 5);
    assert.equal(g.ready(), true);
    await g.join(1); // done: returns at once
    assert.equal(now(), 5);
    assert.ok(g.exception instanceof ValueError);
  });
});

Deno.test("Greenlet.get() returns the value, raises the error, and TimeoutError past its timeout", async () => {
  await runVirtual(async () => {
    const ok = spawn(() => sleep(3, "v"));
    await assertRejectsError(
      ok.get({ block: false }),
      TimeoutError,
      "Greenlet.get: the greenlet is alive",
    );
    await assertRejectsError(
      ok.get({ timeout: 1 }),
      TimeoutError,
      "Greenlet.get: timed out after 1 s",
    );
    assert.equal(now(), 1);
    assert.equal(await ok.get(), "v");
    assert.equal(now(), 3);
    const bad = spawn(() => {
      throw new ValueError("boom");
    });
    await assertRejectsError(bad.get(), ValueError, "boom");
  });
});

Deno.test("Greenlet.kill() raises CancelledError inside, waits for the death; killed counts as successful", async () => {
  const log: string[] = [];
  await runVirtual(async () => {
    const g = spawn(async () => {
      try {
        await sleep(10);
      } catch (e) {
        log.push(`caught ${(e as Error).name} at ${now()}`);
        throw e;
      }
    });
    await sleep(1);
    await g.kill();
    assert.equal(now(), 1);
    assert.deepEqual(log, ["caught CancelledError at 1"]);
    // gevent: a killed greenlet is successful, with no exception.
    assert.deepEqual(
      [g.ready(), g.successful(), g.value, g.exception],
      [true, true, null, null],
    );
    assert.equal(await g.get(), null);
    await assertRejectsError(g, CancelledError, "");
    await g.kill(); // dead: nothing happens
  });
});

Deno.test("Greenlet.kill() before the first step: fn never runs", async () => {
  let ran = false;
  await runVirtual(async () => {
    const g = spawn(() => {
      ran = true;
    });
    await g.kill({ block: false });
    await g.join();
    assert.equal(g.successful(), true);
  });
  assert.equal(ran, false);
});

Deno.test("Greenlet.kill({ timeout }) gives up on a greenlet that refuses to die", async () => {
  await runVirtual(async () => {
    const g = spawn(async () => {
      try {
        await sleep(10);
      } catch {
        await sleep(5); // swallows the kill
      }
      return "survived";
    });
    await sleep(0);
    await g.kill({ timeout: 2 });
    assert.equal(now(), 2);
    assert.equal(g.ready(), false);
    await g.join();
    assert.equal(now(), 5);
    assert.equal(g.value, "survived");
  });
});

Deno.test("joinall() returns the greenlets done before its timeout, in the order they finished", async () => {
  await runVirtual(async () => {
    const a = spawn(() => sleep(3, "a"));
    const b = spawn(() => sleep(1, "b"));
    const c = spawn(() => sleep(9, "c"));
    const done = await joinall([a, b, c], { timeout: 4 });
    assert.deepEqual(done.map((g) => g.value), ["b", "a"]);
    assert.equal(now(), 4);
    assert.deepEqual(await joinall([]), []);
    assert.deepEqual((await joinall([c])).map((g) => g.value), ["c"]);
    assert.equal(now(), 9);
  });
});

Deno.test("joinall({ raiseError }) raises the first error as soon as it happens", async () => {
  await runVirtual(async () => {
    const slow = spawn(() => sleep(5, "slow"));
    const bad = spawn(async () => {
      await sleep(2);
      throw new ValueError("bad");
    });
    await assertRejectsError(
      joinall([slow, bad], { raiseError: true }),
      ValueError,
      "bad",
    );
    assert.equal(now(), 2);
    // Without raiseError, the failure is one of the greenlets done.
    const done = await joinall([slow, bad]);
    assert.deepEqual(done, [slow, bad]);
    assert.equal(now(), 5);
    // A killed greenlet is no error.
    const killed = spawn(() => sleep(1));
    await killed.kill();
    assert.deepEqual(await joinall([killed], { raiseError: true }), [killed]);
  });
});

Deno.test("spawn(), joinall(), join(), get() and kill() of bad input raise TypeError naming the argument", async () => {
  assertThrowsError(
    () => spawn(42 as never),
    TypeError,
    "spawn: fn must be a function, got number 42",
  );
  assertThrowsError(
    () => spawn(function* () {} as never),
    TypeError,
    "spawn: fn is a generator function; make it a coroutine function with coroutine(function* …), or pass an async function",
  );
  await runVirtual(async () => {
    const g = spawn(() => 1);
    await assertRejectsError(
      joinall(g as never),
      TypeError,
      "joinall: greenlets must be an iterable of greenlets, got Greenlet",
    );
    await assertRejectsError(
      joinall([g.task] as never),
      TypeError,
      "joinall: greenlets must be an iterable of greenlets, got an item Task",
    );
    await assertRejectsError(
      joinall([g], { timeout: "1" } as never),
      TypeError,
      'joinall: options.timeout must be a number of seconds or null, got string "1"',
    );
    await assertRejectsError(
      joinall([g], { raiseError: 1 } as never),
      TypeError,
      "joinall: options.raiseError must be a boolean, got number 1",
    );
    await assertRejectsError(
      joinall([g], { count: 1 } as never),
      TypeError,
      'joinall: unknown option "count"',
    );
    await assertRejectsError(
      g.join("2" as never),
      TypeError,
      'Greenlet.join: timeout must be a number of seconds or null, got string "2"',
    );
    await assertRejectsError(
      g.get({ block: "no" } as never),
      TypeError,
      'Greenlet.get: options.block must be a boolean, got string "no"',
    );
    await assertRejectsError(
      g.kill({ timeout: NaN }),
      TypeError,
      "Greenlet.kill: options.timeout must be a number of seconds or null, got number NaN",
    );
    // The greenlet and the loop still work.
    assert.equal(await g, 1);
  });
});
