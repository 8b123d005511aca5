/**
 * TCP streams over 127.0.0.1 (`--allow-net=127.0.0.1`): `startServer`,
 * `openConnection`, `StreamWriter` and `Server`, with misbehaving clients.
 * Every test closes everything it opens (the sanitizers of `--trace-leaks`
 * check that no op or resource is left).
 */
import assert from "node:assert/strict";
import {
  ConnectionRefusedError,
  type ExceptionContext,
  getRunningLoop,
  openConnection,
  OSError,
  run,
  sleep,
  startServer,
  type StreamReader,
  type StreamWriter,
  ValueError,
} from "../../mod.ts";
import { dec, enc, portOf, shutdown } from "./_helpers.ts";
import { handle as echoUpper } from "../../examples/echo_server.ts";

async function ask(port: number, line: string): Promise<string> {
  const [reader, writer] = await openConnection("127.0.0.1", port);
  try {
    writer.write(enc(line));
    await writer.drain();
    return dec(await reader.readLine());
  } finally {
    writer.close();
    await writer.waitClosed();
  }
}

Deno.test("openConnection()/startServer(): an echo round trip on port 0", async () => {
  await run(async () => {
    const server = await startServer(echoUpper, "127.0.0.1", 0);
    assert.ok(server.isServing());
    const port = portOf(server);
    assert.ok(port > 0);
    const [reader, writer] = await openConnection("127.0.0.1", port);
    assert.deepEqual(writer.getExtraInfo("peername"), ["127.0.0.1", port]);
    assert.equal(
      (writer.getExtraInfo("sockname") as [string, number])[0],
      "127.0.0.1",
    );
    assert.equal(writer.getExtraInfo("nothing", "default"), "default");
    writer.writelines([enc("hello "), enc("world\n")]);
    await writer.drain();
    assert.equal(dec(await reader.readLine()), "HELLO WORLD\n");
    writer.close();
    assert.ok(writer.isClosing());
    await writer.waitClosed();
    await shutdown(server);
    assert.equal(server.isServing(), false);
    assert.deepEqual(server.sockets, []);
  });
});

Deno.test("StreamWriter.writeEof(): the server sees EOF and still replies", async () => {
  await run(async () => {
    const server = await startServer(
      async (reader, writer) => {
        const all = await reader.read(-1);
        writer.write(enc(`got ${all.length} bytes`));
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
    assert.ok(writer.canWriteEof());
    writer.write(enc("x".repeat(100_000)));
    writer.writeEof();
    assert.throws(() => writer.write(enc("more")), {
      name: "RuntimeError",
      message: "Cannot call write() after write_eof()",
    });
    assert.equal(dec(await reader.read(-1)), "got 100000 bytes");
    assert.ok(reader.atEof());
    writer.close();
    await writer.waitClosed();
    await shutdown(server);
  });
});

Deno.test("readUntil/readExactly over a socket, and IncompleteReadError when the peer closes", async () => {
  await run(async () => {
    const server = await startServer(
      async (_reader, writer) => {
        writer.write(enc("head--body12345tail"));
        await writer.drain();
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
    assert.equal(dec(await reader.readUntil("--")), "head--");
    assert.equal(dec(await reader.readExactly(9)), "body12345");
    await assert.rejects(async () => await reader.readExactly(10), {
      name: "IncompleteReadError",
      message: "4 bytes read on a total of 10 expected bytes",
    });
    writer.close();
    await writer.waitClosed();
    await shutdown(server);
  });
});

Deno.test("a line over the limit: ValueError for that client, the server stays fine", async () => {
  await run(async () => {
    const errors: unknown[] = [];
    const server = await startServer(
      async (reader, writer) => {
        try {
          const line = await reader.readLine();
          writer.write(enc(`ok ${line.length}\n`));
        } catch (error) {
          errors.push(error);
          writer.write(enc("too long\n"));
        }
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
      { limit: 1024 },
    );
    const port = portOf(server);
    assert.equal(await ask(port, "x".repeat(10_000) + "\n"), "too long\n");
    assert.equal(await ask(port, "short\n"), "ok 6\n");
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof ValueError);
    await shutdown(server);
  });
});

Deno.test("reading pauses above twice the limit and resumes as the buffer drains", async () => {
  await run(async () => {
    const total = 1024 * 1024;
    let peak = 0;
    const server = await startServer(
      async (reader, writer) => {
        let got = 0;
        while (got < total) {
          await sleep(0.001);
          peak = Math.max(peak, reader.bufferSize);
          got += (await reader.read(4096)).length;
        }
        writer.write(enc(`${got}\n`));
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
      { limit: 8192 },
    );
    const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
    writer.write(new Uint8Array(total));
    await writer.drain();
    assert.equal(dec(await reader.readLine()), `${total}\n`);
    // Twice the limit, plus at most one read of the pump (64 KiB).
    assert.ok(peak <= 2 * 8192 + 65536, `peak buffer ${peak}`);
    writer.close();
    await writer.waitClosed();
    await shutdown(server);
  });
});

Deno.test("a client that resets mid-request does not stop the server", async () => {
  await run(async () => {
    const seen: string[] = [];
    const server = await startServer(
      async (reader, writer) => {
        try {
          for (;;) {
            const line = await reader.readLine();
            if (line.length === 0) break;
            writer.write(line);
            await writer.drain();
          }
        } catch (error) {
          seen.push((error as Error).name);
        } finally {
          writer.close();
          try {
            await writer.waitClosed();
          } catch (error) {
            seen.push(`closed: ${(error as Error).name}`);
          }
        }
      },
      "127.0.0.1",
      0,
    );
    const port = portOf(server);
    const [reader, writer] = await openConnection("127.0.0.1", port);
    writer.write(enc("first\nhalf a req"));
    assert.equal(dec(await reader.readLine()), "first\n");
    writer.transport.abort();
    await writer.waitClosed();
    assert.equal(await ask(port, "still there\n"), "still there\n");
    await shutdown(server);
  });
});

Deno.test("a client that connects and never sends does not block others", async () => {
  await run(async () => {
    const server = await startServer(echoUpper, "127.0.0.1", 0);
    const port = portOf(server);
    const [, idle] = await openConnection("127.0.0.1", port);
    assert.equal(await ask(port, "busy\n"), "BUSY\n");
    idle.close();
    await idle.waitClosed();
    await shutdown(server);
  });
});

Deno.test("Server.close() with clients connected: waitClosed() waits for them; closeClients() ends them", async () => {
  await run(async () => {
    const server = await startServer(echoUpper, "127.0.0.1", 0);
    const port = portOf(server);
    const clients = await Promise.all(
      [1, 2, 3].map(() => openConnection("127.0.0.1", port)),
    );
    for (const [reader, writer] of clients) {
      writer.write(enc("hi\n"));
      assert.equal(dec(await reader.readLine()), "HI\n");
    }
    server.close();
    assert.equal(server.isServing(), false);
    let closed = false;
    const waiting = (async () => {
      await server.waitClosed();
      closed = true;
    })();
    await sleep(0.01);
    assert.equal(closed, false);
    server.closeClients();
    for (const [reader, writer] of clients) {
      assert.equal((await reader.read()).length, 0); // EOF from the server
      writer.close();
      await writer.waitClosed();
    }
    await waiting;
    assert.ok(closed);
    await assert.rejects(async () => await server.serveForever(), {
      name: "RuntimeError",
    });
  });
});

Deno.test("Server.serveForever() is cancelled by close(), and asyncDispose closes", async () => {
  await run(async () => {
    const server = await startServer(echoUpper, "127.0.0.1", 0);
    const serving = (async () => await server.serveForever())();
    await sleep(0);
    server.close();
    await assert.rejects(serving, { name: "CancelledError" });
    {
      await using other = await startServer(echoUpper, "127.0.0.1", 0);
      assert.equal(await ask(portOf(other), "x\n"), "X\n");
    }
  });
});

Deno.test("cancelling a task blocked in readLine(): the stream stays consistent and closes", async () => {
  await run(async () => {
    const server = await startServer(
      async (reader, writer) => {
        await reader.readLine();
        writer.write(enc("part"));
        await writer.drain();
        await sleep(0.01);
        writer.write(enc("ial\n"));
        await writer.drain();
        await reader.read();
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
    writer.write(enc("go\n"));
    const loop = getRunningLoop();
    const task = loop.createTask((async () => await reader.readLine())());
    await sleep(0.005);
    task.cancel();
    await assert.rejects(async () => await task, { name: "CancelledError" });
    assert.equal(dec(await reader.readLine()), "partial\n");
    writer.close();
    await writer.waitClosed();
    await shutdown(server);
  });
});

Deno.test("openConnection() to a closed port raises ConnectionRefusedError", async () => {
  await run(async () => {
    const server = await startServer(echoUpper, "127.0.0.1", 0);
    const port = portOf(server);
    await shutdown(server);
    await assert.rejects(
      async () => await openConnection("127.0.0.1", port),
      (error: unknown) =>
        error instanceof ConnectionRefusedError &&
        error.name === "ConnectionRefusedError",
    );
  });
});

Deno.test("an exception in the client callback is logged and the server goes on", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const logged: ExceptionContext[] = [];
    loop.setExceptionHandler((_loop, context) => logged.push(context));
    let calls = 0;
    const server = await startServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        if (calls++ === 0) throw new RangeError("bad client");
        writer.write(await reader.readLine());
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
    );
    const port = portOf(server);
    const [reader, writer] = await openConnection("127.0.0.1", port);
    assert.equal((await reader.read()).length, 0); // closed by the server
    writer.close();
    await writer.waitClosed();
    assert.equal(await ask(port, "fine\n"), "fine\n");
    assert.equal(logged.length, 1);
    assert.equal(
      logged[0].message,
      "Unhandled exception in client_connected_cb",
    );
    assert.ok(logged[0].exception instanceof RangeError);
    await shutdown(server);
  });
});

Deno.test("1000 connections opened and closed in sequence leak nothing", async () => {
  await run(async () => {
    const server = await startServer(
      (_reader, writer) => {
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    const port = portOf(server);
    for (let i = 0; i < 1000; i++) {
      const [reader, writer] = await openConnection("127.0.0.1", port);
      assert.equal((await reader.read()).length, 0);
      writer.close();
      await writer.waitClosed();
    }
    await shutdown(server);
  });
});

Deno.test("drain() raises the connection's error once the peer is gone", async () => {
  await run(async () => {
    const server = await startServer(
      (_reader, writer) => {
        writer.transport.abort();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
    assert.equal((await reader.read()).length, 0);
    let error: unknown = null;
    for (let i = 0; i < 100 && error === null; i++) {
      try {
        writer.write(new Uint8Array(65536));
        await writer.drain();
        await sleep(0.001);
      } catch (e) {
        error = e;
      }
    }
    assert.ok(error instanceof Error, "drain() should raise");
    assert.match(error.name, /^(ConnectionResetError|BrokenPipeError)$/);
    writer.close();
    await writer.waitClosed().then(() => {}, () => {});
    await shutdown(server);
  });
});

Deno.test("startServer() on the port a server closed just now rebinds at once, as CPython does (#16)", async () => {
  await run(async () => {
    const first = await startServer(echoUpper, "127.0.0.1", 0);
    const port = portOf(first);
    assert.equal(await ask(port, "a\n"), "A\n");
    first.close();
    // Deno frees the socket a macrotask after close(): no wait here.
    const second = await startServer(echoUpper, "127.0.0.1", port);
    assert.equal(portOf(second), port);
    assert.equal(await ask(port, "b\n"), "B\n");
    second.close();
    await first.waitClosed();
    await second.waitClosed();
  });
});

// s = await asyncio.start_server(cb, "127.0.0.1", 0); port = ...
// await asyncio.start_server(cb, "127.0.0.1", port)
// -> OSError: [Errno 98] error while attempting to bind on address
//    ('127.0.0.1', PORT): address already in use
Deno.test("startServer() on a port another server keeps raises CPython's OSError, with errno (#16)", async () => {
  await run(async () => {
    const server = await startServer(echoUpper, "127.0.0.1", 0);
    const port = portOf(server);
    try {
      await assert.rejects(
        async () => await startServer(echoUpper, "127.0.0.1", port),
        (error: unknown) => {
          assert.ok(error instanceof OSError);
          assert.equal(error.name, "OSError");
          assert.equal(error.errno, 98);
          // CPython: e.strerror is the whole text after "[Errno 98] "
          assert.equal(
            error.strerror,
            `error while attempting to bind on address ('127.0.0.1', ${port}): address already in use`,
          );
          assert.equal(
            error.message,
            `[Errno 98] error while attempting to bind on address ('127.0.0.1', ${port}): address already in use`,
          );
          assert.ok(error.cause instanceof Deno.errors.AddrInUse);
          return true;
        },
      );
    } finally {
      server.close();
      await server.waitClosed();
    }
  });
});

Deno.test("startServer() runs a generator function handler as a generator coroutine (#16)", async () => {
  await run(async () => {
    const server = await startServer(
      function* (reader: StreamReader, writer: StreamWriter) {
        const line: Uint8Array = yield* reader.readLine();
        writer.write(enc(dec(line).toUpperCase()));
        yield* writer.drain();
        writer.close();
      },
      "127.0.0.1",
      0,
    );
    assert.equal(await ask(portOf(server), "gen\n"), "GEN\n");
    server.close();
    await server.waitClosed();
  });
});
