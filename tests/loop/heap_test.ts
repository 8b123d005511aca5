import assert from "node:assert/strict";
import { TimerHeap } from "../../loop/_heap.ts";
import { type AbstractEventLoop, TimerHandle } from "../../loop/events.ts";

// The heap never calls the loop; a timer only needs one to be constructed.
const fakeLoop = {} as AbstractEventLoop;

function timer(when: number, seq: number): TimerHandle {
  return new TimerHandle(when, seq, () => {}, [], fakeLoop);
}

function drain(heap: TimerHeap): [number, number][] {
  const out: [number, number][] = [];
  for (let t = heap.pop(); t !== undefined; t = heap.pop()) {
    out.push([t.when(), t.seq]);
  }
  return out;
}

/** A deterministic pseudo-random sequence (a small LCG). */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function sorted(pairs: [number, number][]): [number, number][] {
  return [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

Deno.test("TimerHeap.pop() on an empty heap returns undefined", () => {
  const heap = new TimerHeap();
  assert.equal(heap.size, 0);
  assert.equal(heap.peek(), undefined);
  assert.equal(heap.pop(), undefined);
  assert.equal(heap.size, 0);
});

Deno.test("TimerHeap.pop() returns timers by deadline", () => {
  const heap = new TimerHeap();
  const whens = [5, 1, 4, 2, 3, 0.5, 10, 7];
  whens.forEach((w, i) => heap.push(timer(w, i)));
  assert.equal(heap.size, whens.length);
  assert.deepEqual(drain(heap).map(([w]) => w), [0.5, 1, 2, 3, 4, 5, 7, 10]);
  assert.equal(heap.size, 0);
});

Deno.test("TimerHeap.pop() breaks deadline ties by scheduling order (seq)", () => {
  const heap = new TimerHeap();
  // Pushed out of seq order on purpose.
  for (const seq of [3, 0, 4, 1, 2]) heap.push(timer(1, seq));
  heap.push(timer(0, 9));
  heap.push(timer(2, 5));
  assert.deepEqual(drain(heap), [
    [0, 9],
    [1, 0],
    [1, 1],
    [1, 2],
    [1, 3],
    [1, 4],
    [2, 5],
  ]);
});

Deno.test("TimerHeap.peek() returns the earliest timer without removing it", () => {
  const heap = new TimerHeap();
  const a = timer(3, 0);
  const b = timer(1, 1);
  const c = timer(1, 2);
  heap.push(a);
  heap.push(c);
  heap.push(b);
  assert.equal(heap.peek(), b);
  assert.equal(heap.size, 3);
  assert.equal(heap.pop(), b);
  assert.equal(heap.peek(), c);
  assert.equal(heap.pop(), c);
  assert.equal(heap.pop(), a);
});

Deno.test("TimerHeap push/pop keeps (when, seq) order over 2,000 random timers", () => {
  const heap = new TimerHeap();
  const rand = lcg(42);
  const pushed: [number, number][] = [];
  for (let seq = 0; seq < 2000; seq++) {
    // Few distinct deadlines, so that ties are common.
    const when = Math.floor(rand() * 50) / 10;
    pushed.push([when, seq]);
    heap.push(timer(when, seq));
  }
  assert.deepEqual(drain(heap), sorted(pushed));
});

Deno.test("TimerHeap interleaved push and pop always pops the current minimum", () => {
  const heap = new TimerHeap();
  const rand = lcg(7);
  const live: [number, number][] = [];
  let seq = 0;
  for (let step = 0; step < 3000; step++) {
    if (live.length === 0 || rand() < 0.6) {
      const when = Math.floor(rand() * 20);
      live.push([when, seq]);
      heap.push(timer(when, seq++));
    } else {
      const expected = sorted(live)[0];
      const got = heap.pop()!;
      assert.deepEqual([got.when(), got.seq], expected);
      live.splice(
        live.findIndex(([w, s]) => w === expected[0] && s === expected[1]),
        1,
      );
    }
    assert.equal(heap.size, live.length);
  }
  assert.deepEqual(drain(heap), sorted(live));
});

Deno.test("TimerHeap.filter() drops rejected timers and keeps heap order", () => {
  const heap = new TimerHeap();
  const rand = lcg(123);
  const pushed: [number, number][] = [];
  for (let seq = 0; seq < 1000; seq++) {
    const when = Math.floor(rand() * 100) / 4;
    pushed.push([when, seq]);
    heap.push(timer(when, seq));
  }
  heap.filter((t) => t.seq % 3 !== 0);
  const kept = pushed.filter(([, s]) => s % 3 !== 0);
  assert.equal(heap.size, kept.length);
  // Pushing after a filter still respects the order.
  heap.push(timer(-1, 5000));
  heap.push(timer(12.5, 5001));
  kept.push([-1, 5000], [12.5, 5001]);
  assert.deepEqual(drain(heap), sorted(kept));
});

Deno.test("TimerHeap.filter() can keep nothing or everything", () => {
  const heap = new TimerHeap();
  for (let i = 0; i < 10; i++) heap.push(timer(10 - i, i));
  heap.filter(() => true);
  assert.equal(heap.size, 10);
  assert.equal(heap.peek()!.when(), 1);
  heap.filter(() => false);
  assert.equal(heap.size, 0);
  assert.equal(heap.pop(), undefined);
});

Deno.test("TimerHeap.clear() removes every timer", () => {
  const heap = new TimerHeap();
  for (let i = 0; i < 5; i++) heap.push(timer(i, i));
  heap.clear();
  assert.equal(heap.size, 0);
  assert.equal(heap.peek(), undefined);
  heap.push(timer(2, 10));
  assert.deepEqual(drain(heap), [[2, 10]]);
});
