/**
 * Unix sockets: the streams (`startUnixServer`, `openUnixConnection`) and
 * the protocols (`loop.createUnixServer`, `loop.createUnixConnection`).
 *
 * The socket file lives in `./.test-sockets/` (made and removed here), so
 * the run needs, besides the TCP flags:
 * `--allow-write=./.test-sockets --allow-net=unix:$PWD/.test-sockets/unix.sock`
 * (Deno scopes a Unix socket's net grant to its absolute path).
 * Every test closes everything it opens (`--trace-leaks`).
 */
import assert from "node:assert/strict";
import {
  type ExceptionContext,
  FileNotFoundError,
  getRunningLoop,
  openUnixConnection,
  OSError,
  run,
  RuntimeError,
  sleep,
  startUnixServer,
  type StreamReader,
  type StreamWriter,
  type Transport,
  ValueError,
} from "../../mod.ts";
import { dec, enc, shutdown } from "./_helpers.ts";
import { handle as echoUpper } from "../../examples/echo_server.ts";

const DIR = "./.test-sockets";
const PATH = `${DIR}/unix.sock`;
/** Deno reports a Unix socket's address as an absolute path. */
const ABSOLUTE = `${Deno.cwd()}/.test-sockets/unix.sock`;

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Run `body` in a loop with the socket directory made, then removed. */
async function withSocketDir(body: () => Promise<void>): Promise<void> {
  Deno.mkdirSync(DIR, { recursive: true });
  try {
    await run(async () => {
      const logged: ExceptionContext[] = [];
      getRunningLoop().setExceptionHandler((_loop, ctx) => logged.push(ctx));
      await body();
      assert.deepEqual(logged, []);
    });
    assert.equal(exists(PATH), false, "the socket file is removed on close");
  } finally {
    try {
      Deno.removeSync(PATH);
    } catch {
      // removed with the server, as it should be
    }
    Deno.removeSync(DIR);
  }
}

Deno.test("openUnixConnection()/startUnixServer(): an echo round trip; names are paths", async () => {
  await withSocketDir(async () => {
    let serverSide: [unknown, unknown] | null = null;
    const server = await startUnixServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        serverSide = [
          writer.getExtraInfo("sockname"),
          writer.getExtraInfo("peername"),
        ];
        await echoUpper(reader, writer);
      },
      PATH,
    );
    assert.ok(server.isServing());
    assert.equal(server.sockets[0].getsockname(), ABSOLUTE);
    assert.ok(exists(PATH));
    const [reader, writer] = await openUnixConnection(PATH);
    // As CPython's AF_UNIX: the server's path, and "" for the unnamed client.
    assert.equal(writer.getExtraInfo("peername"), ABSOLUTE);
    assert.equal(writer.getExtraInfo("sockname"), "");
    assert.equal(writer.getExtraInfo("sslcontext"), null);
    writer.writelines([enc("hello "), enc("unix\n")]);
    await writer.drain();
    assert.equal(dec(await reader.readLine()), "HELLO UNIX\n");
    assert.deepEqual(serverSide, [ABSOLUTE, ""]);
    writer.close();
    await writer.waitClosed();
    await shutdown(server);
    assert.deepEqual(server.sockets, []);
  });
});

Deno.test("openUnixConnection(): readLine, readExactly, writeEof and EOF over a Unix socket", async () => {
  await withSocketDir(async () => {
    const server = await startUnixServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        const all = await reader.read(-1); // until the client's writeEof()
        writer.write(enc(`one\ntwo\n${all.length}`));
        writer.close();
        await writer.waitClosed();
      },
      PATH,
    );
    const [reader, writer] = await openUnixConnection(PATH, { limit: 1024 });
    assert.ok(writer.canWriteEof());
    writer.write(enc("x".repeat(5000)));
    writer.writeEof();
    assert.equal(dec(await reader.readLine()), "one\n");
    assert.equal(dec(await reader.readUntil(enc("\n"))), "two\n");
    await assert.rejects(async () => await reader.readExactly(10), {
      name: "IncompleteReadError",
      partial: enc("5000"),
      expected: 10,
    });
    assert.equal((await reader.readLine()).length, 0);
    assert.ok(reader.atEof());
    writer.close();
    await writer.waitClosed();
    await shutdown(server);
  });
});

Deno.test("startUnixServer(): a line over the limit fails that client only", async () => {
  await withSocketDir(async () => {
    const errors: unknown[] = [];
    const server = await startUnixServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        try {
          writer.write(await reader.readLine());
        } catch (error) {
          errors.push(error);
          writer.write(enc("too long\n"));
        }
        writer.close();
        await writer.waitClosed();
      },
      PATH,
      { limit: 16 },
    );
    for (const line of ["x".repeat(100) + "\n", "short\n"]) {
      const [reader, writer] = await openUnixConnection(PATH);
      writer.write(enc(line));
      const reply = dec(await reader.readLine());
      assert.equal(reply, line.length > 16 ? "too long\n" : line);
      writer.close();
      await writer.waitClosed();
    }
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof ValueError);
    await shutdown(server);
  });
});

Deno.test("startUnixServer(): close() with a client connected; closeClients() ends it; the file goes", async () => {
  await withSocketDir(async () => {
    const server = await startUnixServer(echoUpper, PATH);
    const serving = getRunningLoop().createTask(server.serveForever());
    const [reader, writer] = await openUnixConnection(PATH);
    writer.write(enc("hi\n"));
    assert.equal(dec(await reader.readLine()), "HI\n");
    server.close();
    let closed = false;
    const waiting = (async () => {
      await server.waitClosed();
      closed = true;
    })();
    await sleep(0.01);
    assert.equal(closed, false); // the client is still connected
    server.closeClients();
    assert.equal((await reader.read()).length, 0);
    writer.close();
    await writer.waitClosed();
    await waiting;
    assert.ok(closed);
    assert.equal(exists(PATH), false); // Deno removes it with the listener
    // serveForever(), cancelled by close(), ended once the clients had gone.
    await assert.rejects(async () => await serving, { name: "CancelledError" });
    // The path can be served again at once.
    await using again = await startUnixServer(echoUpper, PATH);
    assert.equal(again.sockets[0].getsockname(), ABSOLUTE);
  });
});

Deno.test("openUnixConnection() where no socket is raises FileNotFoundError", async () => {
  await withSocketDir(async () => {
    await assert.rejects(
      async () => await openUnixConnection(PATH),
      (error: unknown) =>
        error instanceof FileNotFoundError &&
        error.name === "FileNotFoundError" &&
        error.cause instanceof Deno.errors.NotFound,
    );
  });
});

Deno.test("startUnixServer() leaves a file that is not a socket alone and raises", async () => {
  await withSocketDir(async () => {
    Deno.writeTextFileSync(PATH, "not a socket");
    try {
      // CPython: OSError: [Errno 98] Address '…/unix.sock' is already in use
      await assert.rejects(
        async () => await startUnixServer(echoUpper, PATH),
        (error: unknown) =>
          error instanceof OSError && error.name === "OSError" &&
          error.errno === 98 &&
          error.message ===
            `[Errno 98] Address '${PATH}' is already in use` &&
          error.cause instanceof Deno.errors.AddrInUse,
      );
      assert.equal(Deno.readTextFileSync(PATH), "not a socket");
    } finally {
      Deno.removeSync(PATH);
    }
  });
});

Deno.test("startTls() on a Unix stream raises RuntimeError; the stream goes on", async () => {
  await withSocketDir(async () => {
    const server = await startUnixServer(echoUpper, PATH);
    const [reader, writer] = await openUnixConnection(PATH);
    await assert.rejects(
      async () => await writer.startTls(true),
      (error: unknown) =>
        error instanceof RuntimeError &&
        /only a TCP connection can be upgraded/.test(error.message),
    );
    writer.write(enc("still plain\n"));
    assert.equal(dec(await reader.readLine()), "STILL PLAIN\n");
    writer.close();
    await writer.waitClosed();
    await shutdown(server);
  });
});

Deno.test("openUnixConnection()/startUnixServer() check their arguments", () => {
  const cb = () => {};
  // deno-lint-ignore no-explicit-any
  const loose = (f: unknown) => f as (...args: any[]) => unknown;
  assert.throws(() => loose(openUnixConnection)(42), {
    name: "TypeError",
    message: "openUnixConnection: path must be a string, got number 42",
  });
  assert.throws(() => openUnixConnection(""), ValueError);
  assert.throws(() => openUnixConnection(PATH, { limit: 0 }), ValueError);
  assert.throws(() => loose(openUnixConnection)(PATH, 1), TypeError);
  assert.throws(() => loose(startUnixServer)(cb, null), TypeError);
  assert.throws(() => loose(startUnixServer)(null, PATH), TypeError);
  assert.throws(() => startUnixServer(cb, ""), ValueError);
  assert.throws(() => loose(openUnixConnection)(PATH, { ssl: true }), {
    name: "TypeError",
    message: 'openUnixConnection: unknown option "ssl"',
  });
  assert.throws(() => loose(startUnixServer)(cb, PATH, { start_serving: 1 }), {
    name: "TypeError",
    message: 'startUnixServer: unknown option "start_serving"',
  });
});

// loop.create_unix_server(EchoProtocol, path) and
// loop.create_unix_connection(ClientProtocol, path): the protocol layer
Deno.test("loop.createUnixServer()/createUnixConnection(): protocols echo over a Unix socket; EOF and connectionLost arrive in order", async () => {
  await withSocketDir(async () => {
    const loop = getRunningLoop();
    const events: string[] = [];
    const server = await loop.createUnixServer(() => {
      let transport: Transport;
      return {
        connectionMade(t: Transport) {
          transport = t;
          events.push(`server: connection on ${t.getExtraInfo("sockname")}`);
        },
        dataReceived(data: Uint8Array) {
          transport.write(enc(dec(data).toUpperCase()));
        },
        eofReceived() {
          events.push("server: eof");
          return false; // close, as asyncio does
        },
        connectionLost(exc: Error | null) {
          events.push(`server: lost ${exc}`);
        },
      };
    }, PATH);
    assert.equal(server.sockets[0].getsockname(), ABSOLUTE);
    const lost = loop.createFuture<void>();
    const [transport] = await loop.createUnixConnection(() => ({
      connectionMade(t: Transport) {
        events.push(`client: connected to ${t.getExtraInfo("peername")}`);
        t.write(enc("hello"));
      },
      dataReceived(data: Uint8Array) {
        events.push(`client: ${dec(data)}`);
        transport.writeEof();
      },
      eofReceived() {
        events.push("client: eof");
      },
      connectionLost(exc: Error | null) {
        events.push(`client: lost ${exc}`);
        lost.setResult();
      },
    }), PATH);
    await lost;
    server.close();
    await server.waitClosed();
    // Which side learns of the connection first is the platform's: CPython
    // prints the same lines, its client's first.
    const [first, second, ...rest] = events;
    assert.deepEqual([first, second].sort(), [
      `client: connected to ${ABSOLUTE}`,
      `server: connection on ${ABSOLUTE}`,
    ]);
    assert.deepEqual(rest, [
      "client: HELLO",
      "server: eof",
      "server: lost null",
      "client: eof",
      "client: lost null",
    ]);
  });
});

Deno.test("loop.createUnixConnection() where no socket is raises FileNotFoundError; bad arguments are named", async () => {
  await withSocketDir(async () => {
    const loop = getRunningLoop();
    await assert.rejects(
      async () => await loop.createUnixConnection(() => ({}), PATH),
      FileNotFoundError,
    );
    // deno-lint-ignore no-explicit-any
    const loose = loop as any;
    assert.throws(() => loose.createUnixConnection(() => ({}), ""), {
      name: "ValueError",
      message: "createUnixConnection: path must not be empty",
    });
    assert.throws(() => loose.createUnixServer(null, PATH), {
      name: "TypeError",
      message: /^createUnixServer: protocolFactory must be a function/,
    });
    assert.throws(
      () => loose.createUnixConnection(() => ({}), PATH, { ssl: {} }),
      {
        name: "TypeError",
        message: 'createUnixConnection: unknown option "ssl"',
      },
    );
    assert.throws(() => loose.createUnixServer(() => ({}), PATH, { ssl: {} }), {
      name: "TypeError",
      message: 'createUnixServer: unknown option "ssl"',
    });
  });
});
