/**
 * `StreamReader` semantics, fed by hand (no socket), checked against what
 * CPython 3.12's `asyncio.StreamReader` does in the same scenario.
 */
import assert from "node:assert/strict";
import {
  CancelledError,
  coroutine,
  createTask,
  IncompleteReadError,
  LimitOverrunError,
  run,
  RuntimeError,
  sleep,
  StreamReader,
  ValueError,
} from "../../mod.ts";
import { dec, enc } from "./_helpers.ts";
import { assertRejectsError } from "../tasks/_both.ts";

function fed(data: string, limit?: number, eof = true): StreamReader {
  const reader = new StreamReader(limit);
  reader.feedData(enc(data));
  if (eof) reader.feedEof();
  return reader;
}

Deno.test("StreamReader.readLine() returns lines, then the partial line, then empty", async () => {
  await run(async () => {
    const reader = fed("a\nbc\nrest");
    assert.equal(dec(await reader.readLine()), "a\n");
    assert.equal(dec(await reader.readLine()), "bc\n");
    assert.equal(dec(await reader.readLine()), "rest");
    assert.equal((await reader.readLine()).length, 0);
    assert.ok(reader.atEof());
  });
});

Deno.test("StreamReader.readUntil() finds multi-byte separators and raises IncompleteReadError at EOF", async () => {
  await run(async () => {
    const reader = fed("one\r\ntwo\r\nthr");
    assert.equal(dec(await reader.readUntil("\r\n")), "one\r\n");
    assert.equal(dec(await reader.readUntil(enc("\r\n"))), "two\r\n");
    let error: unknown;
    try {
      await reader.readUntil("\r\n");
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof IncompleteReadError);
    assert.equal(error.name, "IncompleteReadError");
    assert.equal(dec(error.partial), "thr");
    assert.equal(error.expected, null);
    assert.ok(reader.atEof());
    assert.throws(() => reader.readUntil(""), ValueError);
  });
});

Deno.test("StreamReader.readUntil() raises LimitOverrunError with consumed, keeping the data", async () => {
  await run(async () => {
    // Not found: consumed = buflen + 1 - seplen, as CPython.
    const reader = fed("abcdefghij", 4, false);
    let error: unknown;
    try {
      await reader.readUntil("\n");
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof LimitOverrunError);
    assert.equal(
      error.message,
      "Separator is not found, and chunk exceed the limit",
    );
    assert.equal(error.consumed, 10);
    assert.equal(reader.bufferSize, 10);
    // Found past the limit.
    const found = fed("abcdef\nxy", 4);
    await assertRejectsError(
      found.readUntil("\n"),
      LimitOverrunError,
      "Separator is found, but chunk is longer than limit",
    );
    assert.equal(dec(await found.readExactly(3)), "abc");
  });
});

Deno.test("StreamReader.readLine() raises ValueError and drops the over-long line", async () => {
  await run(async () => {
    const reader = fed("abcdefgh\nok\n", 4);
    await assertRejectsError(
      reader.readLine(),
      ValueError,
      "Separator is found, but chunk is longer than limit",
    );
    assert.equal(dec(await reader.readLine()), "ok\n");
    const unfound = fed("abcdefghijkl", 4, false);
    await assertRejectsError(
      unfound.readLine(),
      ValueError,
      "Separator is not found, and chunk exceed the limit",
    );
    assert.equal(unfound.bufferSize, 0);
  });
});

Deno.test("StreamReader.readExactly() raises IncompleteReadError with partial and expected", async () => {
  await run(async () => {
    const reader = fed("12345");
    assert.equal(dec(await reader.readExactly(2)), "12");
    assert.equal((await reader.readExactly(0)).length, 0);
    await assertRejectsError(
      reader.readExactly(10),
      IncompleteReadError,
      "3 bytes read on a total of 10 expected bytes",
    );
    assert.ok(reader.atEof());
    assert.throws(() => reader.readExactly(-1), ValueError);
  });
});

Deno.test("StreamReader.read() reads up to n, -1 to EOF, 0 at once", async () => {
  await run(async () => {
    const reader = fed("hello world");
    assert.equal((await reader.read(0)).length, 0);
    assert.equal(dec(await reader.read(5)), "hello");
    assert.equal(dec(await reader.read()), " world");
    assert.equal((await reader.read(10)).length, 0);
    assert.throws(() => reader.read(1.5), TypeError);
  });
});

Deno.test("StreamReader.read() waits for feedData() from another task", async () => {
  await run(async () => {
    const reader = new StreamReader();
    const task = createTask((async () => dec(await reader.read(-1)))());
    await sleep(0);
    reader.feedData(enc("a"));
    await sleep(0);
    reader.feedData(enc("b"));
    reader.feedEof();
    assert.equal(await task, "ab");
  });
});

Deno.test("StreamReader: a task cancelled in readLine() leaves the buffer intact", async () => {
  await run(async () => {
    const reader = new StreamReader();
    reader.feedData(enc("par"));
    const task = createTask((async () => await reader.readLine())());
    await sleep(0);
    task.cancel();
    await assert.rejects(async () => await task, { name: "CancelledError" });
    reader.feedData(enc("tial\n"));
    assert.equal(dec(await reader.readLine()), "partial\n");
  });
});

// r = asyncio.StreamReader(); t = asyncio.create_task(r.read(5))
// await asyncio.sleep(0); r.feed_data(b"ab"); t.cancel()  # CancelledError
// print(await r.read(5))                                 # b'ab'
Deno.test("StreamReader: a task cancelled as data reaches its read() leaves the data", async () => {
  await run(async () => {
    const reader = new StreamReader();
    const task = createTask((async () => await reader.read(5))());
    await sleep(0);
    reader.feedData(enc("ab")); // the wake-up is scheduled, then cancelled
    task.cancel();
    await assertRejectsError(task, CancelledError, "");
    assert.equal(dec(await reader.read(5)), "ab");
  });
});

// a = asyncio.create_task(r.read(5)); await asyncio.sleep(0)
// r.feed_data(b"cd"); print(await r.read(1), await r.read(5))  # b'c' b'd'
// print(await a)  # b'': read() waits once, then returns what is left
Deno.test("StreamReader.read() waits once: data taken meanwhile leaves it empty-handed, as CPython's", async () => {
  await run(async () => {
    const reader = new StreamReader();
    const task = createTask((async () => await reader.read(5))());
    await sleep(0);
    reader.feedData(enc("cd"));
    assert.equal(dec(await reader.read(1)), "c");
    assert.equal(dec(await reader.read(5)), "d");
    assert.equal((await task).length, 0);
    assert.equal(reader.atEof(), false);
    reader.feedData(enc("ef")); // no reader is left waiting
    assert.equal(dec(await reader.read(5)), "ef");
  });
});

// b = asyncio.create_task(r.read(5)); await asyncio.sleep(0)
// r.set_exception(ValueError("boom")); await b  # ValueError: boom
Deno.test("StreamReader: setException() raises in a task waiting in read(); the next reader may wait", async () => {
  await run(async () => {
    const reader = new StreamReader();
    const task = createTask((async () => await reader.read(5))());
    await sleep(0);
    reader.setException(new ValueError("boom"));
    await assertRejectsError(task, ValueError, "boom");
    await assertRejectsError(reader.read(5), ValueError, "boom");
  });
});

Deno.test("StreamReader.read() waits the same way under yield*", async () => {
  const main = coroutine(function* () {
    const reader = new StreamReader();
    const waiting = createTask(
      coroutine(function* () {
        return yield* reader.read(3);
      })(),
    );
    yield* sleep(0);
    reader.feedData(enc("xyz!"));
    const first = yield* waiting;
    const rest = yield* reader.read(3);
    return dec(first) + "|" + dec(rest);
  });
  assert.equal(await run(main()), "xyz|!");
});

// r = asyncio.StreamReader(); t = asyncio.create_task(r.readexactly(6))
// await asyncio.sleep(0); r.feed_data(b"abc"); await asyncio.sleep(0)
// r.feed_data(b"de"); await asyncio.sleep(0); t.cancel()     # CancelledError
// t2 = asyncio.create_task(r.readexactly(6)); await asyncio.sleep(0)
// r.feed_data(b"fg"); print(await t2, await r.read(10))     # b'abcdef' b'g'
Deno.test("StreamReader: a task cancelled in a later wait of readExactly() leaves the buffer intact", async () => {
  await run(async () => {
    const reader = new StreamReader();
    const task = createTask((async () => await reader.readExactly(6))());
    await sleep(0);
    reader.feedData(enc("abc")); // wakes the task, which waits again
    await sleep(0);
    reader.feedData(enc("de"));
    await sleep(0);
    task.cancel();
    await assertRejectsError(task, CancelledError, "");
    const again = createTask((async () => await reader.readExactly(6))());
    await sleep(0);
    reader.feedData(enc("fg"));
    assert.equal(dec(await again), "abcdef");
    assert.equal(dec(await reader.read(10)), "g");
  });
});

// r = asyncio.StreamReader(); r.feed_data(b"abc"); c = r.read(2)
// print(await c)          # b'ab'
// await c                 # RuntimeError: cannot reuse already awaited coroutine
// print(await r.read(5))  # b'c'
Deno.test("StreamReader.read() runs once: awaiting it again raises RuntimeError", async () => {
  await run(async () => {
    const reader = fed("abc", undefined, false);
    const c = reader.read(2);
    assert.equal(dec(await c), "ab");
    await assertRejectsError(
      c,
      RuntimeError,
      "cannot reuse already awaited coroutine",
    );
    assert.equal(dec(await reader.read(5)), "c");
  });
});

Deno.test("StreamReader: a second concurrent reader raises RuntimeError", async () => {
  await run(async () => {
    const reader = new StreamReader();
    const first = createTask((async () => await reader.read(1))());
    await sleep(0);
    await assert.rejects(
      async () => await reader.read(1),
      {
        name: "RuntimeError",
        message:
          "read() called while another coroutine is already waiting for incoming data",
      },
    );
    reader.feedData(enc("x"));
    assert.equal(dec(await first), "x");
  });
});

Deno.test("StreamReader: setException() raises in the waiting reader and later reads", async () => {
  await run(async () => {
    const reader = new StreamReader();
    const task = createTask((async () => await reader.readLine())());
    await sleep(0);
    reader.setException(new RangeError("boom"));
    await assert.rejects(async () => await task, RangeError);
    await assert.rejects(async () => await reader.read(1), RangeError);
  });
});

Deno.test("StreamReader works with yield* from generator coroutines", async () => {
  const main = coroutine(function* () {
    const reader = new StreamReader();
    reader.feedData(enc("x\ny"));
    reader.feedEof();
    const first = yield* reader.readLine();
    const rest = yield* reader.read();
    return dec(first) + "|" + dec(rest);
  });
  assert.equal(await run(main()), "x\n|y");
});

Deno.test("StreamReader: for await yields lines until EOF", async () => {
  await run(async () => {
    const lines: string[] = [];
    for await (const line of fed("a\nb\nc")) lines.push(dec(line));
    assert.deepEqual(lines, ["a\n", "b\n", "c"]);
  });
});

Deno.test("StreamReader checks its arguments", () => {
  assert.throws(() => new StreamReader(0), {
    name: "ValueError",
    message: "Limit cannot be <= 0",
  });
  assert.throws(() => new StreamReader().feedData("x" as never), TypeError);
  const reader = new StreamReader();
  reader.feedEof();
  assert.throws(() => reader.feedData(enc("x")), { name: "RuntimeError" });
});

Deno.test("StreamReader: bytes read never change, whatever is fed or read after", async () => {
  await run(async () => {
    // Small reads are views of the reader's buffer: later feeds must land
    // after them or in a new buffer, and a caller changing one must not
    // change what is read next.
    const reader = new StreamReader(64);
    const kept: [Uint8Array, string][] = [];
    for (let i = 0; i < 1000; i++) {
      reader.feedData(enc(`line ${i}\n`));
      const extra = i % 7;
      if (extra > 0) reader.feedData(enc("x".repeat(extra)));
      const line = await reader.readLine();
      kept.push([line, `line ${i}\n`]);
      if (extra > 0) {
        const xs = await reader.readExactly(extra);
        assert.equal(dec(xs), "x".repeat(extra));
        xs.fill(0x21);
        kept.push([xs, "!".repeat(extra)]);
      }
    }
    for (const [bytes, text] of kept) assert.equal(dec(bytes), text);

    // Readers' small buffers share slabs: what one is fed never lands in
    // bytes another returned.
    const readers = [0, 1, 2].map(() => new StreamReader(64));
    const reads: [Uint8Array, string][] = [];
    for (let i = 0; i < 3000; i++) {
      const reader = readers[i % 3];
      const text = `${i % 3}:${i}`.padEnd(10 + (i % 50), "-");
      reader.feedData(enc(text));
      reads.push([await reader.read(100), text]);
    }
    for (const [bytes, text] of reads) assert.equal(dec(bytes), text);

    // So do buffers of up to 16 KiB: readers fed 16 KiB messages in turn and
    // read 1 KiB at a time keep every byte they returned.
    const wide = [0, 1, 2].map(() => new StreamReader());
    const pieces: [Uint8Array, number][] = [];
    for (let i = 0; i < 30; i++) {
      const reader = wide[i % 3];
      reader.feedData(new Uint8Array(16 * 1024).fill(i));
      for (let k = 0; k < 16; k++) pieces.push([await reader.read(1024), i]);
    }
    for (const [bytes, fill] of pieces) {
      assert.equal(bytes.length, 1024);
      assert.ok(bytes.every((b) => b === fill), `bytes of message ${fill}`);
    }

    // A big read is a copy: the buffer is then reused in place.
    const big = new StreamReader(8192);
    big.feedData(enc("y".repeat(5000) + "z"));
    const read = await big.read(5000);
    big.feedData(enc("w".repeat(6000)));
    assert.equal(dec(read), "y".repeat(5000));
    assert.equal(dec(await big.read(2)), "zw");
  });
});
