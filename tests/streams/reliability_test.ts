/**
 * Reliability of TCP streams over 127.0.0.1 (`--allow-net=127.0.0.1`): a
 * large transfer through a slow reader stays bounded in memory by the
 * buffer limits, and thousands of connections opened and closed in sequence
 * leave nothing behind. Every test closes everything it opens (the
 * sanitizers of `--trace-leaks` check that no op or resource is left).
 *
 * The open file descriptors of the process are counted by a `python3` child
 * (Deno reads `/proc/<pid>/fd` only under `--allow-all`), so the tests need
 * `--allow-run=python3` too. Only the count is skipped, with a warning, when
 * `python3` is not installed or there is no `/proc`; without the permission
 * the test fails, saying which flag is missing.
 */
import assert from "node:assert/strict";
import {
  openConnection,
  run,
  sleep,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../mod.ts";
import { dec, enc, portOf, shutdown } from "./_helpers.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * The byte at offset `p` of the transfer: the little-endian bytes of the
 * 32-bit word index `p >> 2`, so a lost, repeated or reordered chunk shows.
 */
function byteAt(p: number): number {
  return ((p >>> 2) >>> ((p & 3) * 8)) & 0xff;
}

/** Fill `chunk` with the pattern from offset `from` (a multiple of 4). */
function fillPattern(chunk: Uint8Array, from: number): void {
  const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let word = from >>> 2;
  for (let at = 0; at < chunk.length; at += 4) {
    view.setUint32(at, word++, true);
  }
}

/**
 * Lists the descriptors of the process `argv[1]` as `[[fd, target]...]`,
 * leaving out this child's own: the parent's ends of its stdout and stderr
 * pipes (the same pipe inodes as its fds 1 and 2) and the parent's pidfd of
 * it (whose fdinfo names its pid).
 */
const PY_LIST_FDS = `
import json, os, sys

fds = "/proc/%d/fd" % int(sys.argv[1])
if not os.path.isdir(fds):
    print("null")
    sys.exit()
own = {"pipe:[%d]" % os.fstat(fd).st_ino for fd in (1, 2)}
out = []
for name in os.listdir(fds):
    try:
        target = os.readlink(os.path.join(fds, name))
        if target in own:
            continue
        if target == "anon_inode:[pidfd]":
            with open("/proc/%d/fdinfo/%s" % (int(sys.argv[1]), name)) as f:
                if "Pid:\\t%d\\n" % os.getpid() in f.read():
                    continue
        out.append([int(name), target])
    except OSError:  # closed meanwhile
        pass
print(json.dumps(sorted(out)))
`;

/**
 * The open file descriptors of this process, as `fd -> target`, or
 * `undefined` (after a warning) when they cannot be counted here: `python3`
 * is not installed, or there is no `/proc`. The child's own pipes and pidfd,
 * open in this process only while it runs, are left out: the count is the
 * same on every call with nothing else opened or closed.
 */
async function openFds(): Promise<Map<number, string> | undefined> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("python3", {
      args: ["-c", PY_LIST_FDS, String(Deno.pid)],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      console.warn(
        "reliability_test.ts: python3 is not installed: the open file descriptors are not counted",
      );
      return undefined;
    }
    throw new Error(
      "counting the open file descriptors needs --allow-run=python3 (python3 could not be run)",
      { cause: error },
    );
  }
  assert.equal(out.code, 0, `python3 failed:\n${dec(out.stderr)}`);
  const fds = JSON.parse(dec(out.stdout)) as [number, string][] | null;
  if (fds === null) {
    console.warn(
      `reliability_test.ts: /proc/${Deno.pid}/fd does not exist: the open file descriptors are not counted`,
    );
    return undefined;
  }
  return new Map(fds);
}

/** The descriptors open in `after` and not in `before`, and conversely. */
function fdChanges(
  before: Map<number, string>,
  after: Map<number, string>,
): string {
  const opened = [...after].filter(([fd, to]) => before.get(fd) !== to);
  const closed = [...before].filter(([fd, to]) => after.get(fd) !== to);
  const show = (fds: [number, string][]) =>
    fds.map(([fd, to]) => `${fd} -> ${to}`).join(", ") || "none";
  return `opened: ${show(opened)}; closed: ${show(closed)}`;
}

/** A full garbage collection, where `--v8-flags=--expose-gc` allows it. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

Deno.test("a 100 MiB transfer through a slow reader keeps memory bounded", async () => {
  const TOTAL = 100 * MiB;
  const CHUNK = 64 * KiB;
  // The stream's own buffers stay near twice its limit (asserted below);
  // garbage is collected as the test goes (13-18 MiB of growth then, where
  // V8 left 42-71 MiB of it uncollected), so a leak of the 100 MiB shows.
  const RSS_BOUND = 64 * MiB;
  await run(async () => {
    let serverMaxBuffered = 0;
    let serverSent = 0;
    const server = await startServer(
      async (_reader: StreamReader, writer: StreamWriter) => {
        const chunk = new Uint8Array(CHUNK);
        for (let sent = 0; sent < TOTAL; sent += CHUNK) {
          fillPattern(chunk, sent);
          writer.write(chunk); // the transport copies it
          serverMaxBuffered = Math.max(
            serverMaxBuffered,
            writer.transport.getWriteBufferSize(),
          );
          await writer.drain();
          serverSent += CHUNK;
        }
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
    const limit = reader.limit;
    collectGarbage();
    const rssStart = Deno.memoryUsage().rss;
    let rssMax = rssStart;
    let readerMaxBuffered = 0;
    let pausedSeen = 0;

    // Let the buffer fill before reading anything: with 100 MiB on its way,
    // reading from the socket must pause once the buffer holds more than
    // twice the limit (observable as `transport.isReading()`).
    for (let i = 0; i < 10_000 && writer.transport.isReading(); i++) {
      await sleep(0.001);
    }
    assert.equal(
      writer.transport.isReading(),
      false,
      `reading never paused: ${reader}`,
    );
    assert.ok(reader.bufferSize > 2 * limit, `${reader}`);

    let received = 0;
    let reads = 0;
    for (;;) {
      readerMaxBuffered = Math.max(readerMaxBuffered, reader.bufferSize);
      if (!writer.transport.isReading()) pausedSeen++;
      const data = await reader.read(CHUNK);
      if (data.length === 0) break;
      for (let i = 0; i < data.length; i++) {
        if (data[i] !== byteAt(received + i)) {
          assert.fail(
            `byte ${received + i}: got ${data[i]}, expected ${
              byteAt(received + i)
            }`,
          );
        }
      }
      received += data.length;
      reads++;
      // The slow reader: a millisecond's nap every 4 reads.
      if (reads % 4 === 0) {
        await sleep(0.001);
        // What RSS should show is what the stream keeps, not the garbage
        // V8 has not collected yet (the test task exposes gc()).
        if (reads % 64 === 0) collectGarbage();
        const rss = Deno.memoryUsage().rss;
        if (rss > rssMax) rssMax = rss;
      } else {
        await sleep(0);
      }
    }
    assert.equal(received, TOTAL);
    assert.equal(serverSent, TOTAL);
    assert.ok(reader.atEof());
    writer.close();
    await writer.waitClosed();
    await shutdown(server);

    // The reader's buffer stops growing past twice the limit plus one socket
    // read (at most 64 KiB); the writer's past the high-water mark plus one
    // chunk.
    assert.ok(
      readerMaxBuffered <= 2 * limit + 64 * KiB,
      `reader buffered ${readerMaxBuffered} bytes`,
    );
    const [, high] = writer.transport.getWriteBufferLimits();
    assert.ok(
      serverMaxBuffered <= high + CHUNK,
      `server buffered ${serverMaxBuffered} bytes`,
    );
    assert.ok(pausedSeen > 0, "reading was never seen paused");
    assert.ok(
      rssMax - rssStart <= RSS_BOUND,
      `RSS grew by ${((rssMax - rssStart) / MiB).toFixed(1)} MiB`,
    );
  });
});

Deno.test("5,000 connections opened and closed in sequence leak nothing", async () => {
  const N = 5_000;
  await run(async () => {
    let started = 0;
    let finished = 0;
    let serverErrors = 0;
    const server = await startServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        started++;
        try {
          const line = await reader.readLine();
          writer.write(enc(`ok ${dec(line)}`));
          await writer.drain();
          writer.close();
          await writer.waitClosed();
        } catch {
          serverErrors++;
        } finally {
          finished++;
        }
      },
      "127.0.0.1",
      0,
    );
    const port = portOf(server);
    // Warm up once so that lazily opened resources are counted at the start.
    {
      const [reader, writer] = await openConnection("127.0.0.1", port);
      writer.write(enc("warm-up\n"));
      assert.equal(dec(await reader.readLine()), "ok warm-up\n");
      writer.close();
      await writer.waitClosed();
    }
    // The descriptors open now (the server's listening socket among them):
    // all the connections below must leave this set as it is. Counted after
    // the warm-up, so that anything opened lazily is already there.
    const fdsAtStart = await openFds();

    for (let i = 0; i < N; i++) {
      const [reader, writer] = await openConnection("127.0.0.1", port);
      try {
        writer.write(enc(`${i}\n`));
        await writer.drain();
        assert.equal(dec(await reader.readLine()), `ok ${i}\n`);
        assert.equal((await reader.read(-1)).length, 0); // the server closed
      } finally {
        writer.close();
        await writer.waitClosed();
      }
    }

    // Every client callback ran to its end, and the server holds no
    // connection: closing it completes without closing any client.
    assert.equal(started, N + 1);
    assert.equal(finished, N + 1);
    assert.equal(serverErrors, 0);
    // Every connection is closed on both sides: the descriptors open are
    // those open at the start, no more, no fewer.
    if (fdsAtStart !== undefined) {
      const fds = await openFds();
      assert.ok(fds !== undefined);
      assert.equal(
        fds.size,
        fdsAtStart.size,
        `open file descriptors: ${fdsAtStart.size} before the connections, ${fds.size} after (${
          fdChanges(fdsAtStart, fds)
        })`,
      );
    }
    assert.ok(server.isServing());
    server.close();
    await server.waitClosed();
    assert.deepEqual(server.sockets, []);
    assert.equal(finished, N + 1);
    // Closing the server closed its listening socket and nothing else.
    if (fdsAtStart !== undefined) {
      const fds = await openFds();
      assert.ok(fds !== undefined);
      const changes = fdChanges(fdsAtStart, fds);
      assert.equal(
        fds.size,
        fdsAtStart.size - 1,
        `open file descriptors: ${fdsAtStart.size} with the server listening, ${fds.size} after it closed (${changes})`,
      );
      assert.match(changes, /^opened: none; closed: \d+ -> socket:\[\d+\]$/);
    }
  });
});
