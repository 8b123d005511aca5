import assert from "node:assert/strict";
import {
  type AbstractEventLoop,
  EventLoop,
  getEventLoop,
  getRunningLoop,
  newEventLoop,
  RuntimeError,
  setEventLoop,
  VirtualClock,
} from "../../mod.ts";

function makeLoop(): EventLoop {
  return new EventLoop({ clock: new VirtualClock() });
}

/** Run `fn` as a callback of `loop` and return what it returned. */
async function inLoop<T>(loop: AbstractEventLoop, fn: () => T): Promise<T> {
  let result: T | undefined;
  let error: unknown = null;
  loop.callSoon(() => {
    try {
      result = fn();
    } catch (e) {
      error = e;
    }
    loop.stop();
  });
  await loop.runForever();
  if (error !== null) throw error;
  return result as T;
}

Deno.test("getRunningLoop() outside a loop throws RuntimeError 'no running event loop'", () => {
  assert.throws(() => getRunningLoop(), (e) => {
    assert.ok(e instanceof RuntimeError);
    assert.equal(e.name, "RuntimeError");
    assert.equal(e.message, "no running event loop");
    return true;
  });
});

Deno.test("getRunningLoop() inside a callback returns the running loop", async () => {
  const loop = makeLoop();
  assert.equal(await inLoop(loop, () => getRunningLoop()), loop);
  // And not afterwards.
  assert.throws(() => getRunningLoop(), {
    name: "RuntimeError",
    message: "no running event loop",
  });
  loop.close();
});

Deno.test("getEventLoop() inside a running loop returns the running loop, not the current one", async () => {
  const running = makeLoop();
  const current = makeLoop();
  setEventLoop(current);
  try {
    assert.equal(await inLoop(running, () => getEventLoop()), running);
    assert.equal(getEventLoop(), current);
  } finally {
    setEventLoop(null);
    running.close();
    current.close();
  }
});

Deno.test("getEventLoop() outside a loop returns the same loop on repeated calls", () => {
  setEventLoop(null);
  const first = getEventLoop();
  try {
    assert.ok(first instanceof EventLoop);
    assert.equal(getEventLoop(), first);
    assert.equal(getEventLoop(), first);
    assert.equal(first.isClosed(), false);
  } finally {
    first.close();
    setEventLoop(null);
  }
});

Deno.test("getEventLoop() returns a new loop once the current one is closed", () => {
  setEventLoop(null);
  const first = getEventLoop();
  first.close();
  const second = getEventLoop();
  try {
    assert.notEqual(second, first);
    assert.equal(second.isClosed(), false);
    assert.equal(getEventLoop(), second);
  } finally {
    second.close();
    setEventLoop(null);
  }
});

Deno.test("setEventLoop() makes getEventLoop() return that loop", async () => {
  const loop = makeLoop();
  setEventLoop(loop);
  try {
    assert.equal(getEventLoop(), loop);
    assert.equal(getEventLoop(), loop);
    // The loop is usable through the policy.
    const events: number[] = [];
    getEventLoop().callLater(2, () => events.push(loop.time()));
    getEventLoop().callLater(2, () => loop.stop());
    await loop.runForever();
    assert.deepEqual(events, [2]);
  } finally {
    setEventLoop(null);
    loop.close();
  }
});

Deno.test("setEventLoop(null) unsets the current loop", () => {
  const loop = makeLoop();
  setEventLoop(loop);
  setEventLoop(null);
  const fresh = getEventLoop();
  try {
    assert.notEqual(fresh, loop);
  } finally {
    fresh.close();
    setEventLoop(null);
    loop.close();
  }
});

Deno.test("setEventLoop() rejects a non-loop with TypeError and keeps the current loop", () => {
  const loop = makeLoop();
  setEventLoop(loop);
  try {
    assert.throws(() => setEventLoop(42 as never), (e) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /setEventLoop/);
      assert.match(e.message, /42/);
      return true;
    });
    assert.throws(() => setEventLoop({} as never), TypeError);
    assert.equal(getEventLoop(), loop);
  } finally {
    setEventLoop(null);
    loop.close();
  }
});

Deno.test("newEventLoop() returns a distinct, open, idle EventLoop each call", () => {
  const a = newEventLoop();
  const b = newEventLoop();
  try {
    assert.ok(a instanceof EventLoop);
    assert.ok(b instanceof EventLoop);
    assert.notEqual(a, b);
    assert.equal(a.isClosed(), false);
    assert.equal(a.isRunning(), false);
    // newEventLoop() does not change the current loop.
    setEventLoop(null);
    const current = getEventLoop();
    assert.notEqual(current, a);
    assert.notEqual(current, b);
    current.close();
  } finally {
    setEventLoop(null);
    a.close();
    b.close();
  }
});
