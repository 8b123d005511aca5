/**
 * `StreamWriter.startTls()`: the client side of STARTTLS over 127.0.0.1.
 *
 * Deno cannot upgrade an accepted connection, so the server side is either
 * a plain-text front written with raw Deno APIs (it greets, answers
 * `STARTTLS`, then pipes the raw bytes to a TLS server made with
 * `startServer(…, { ssl })`, so the client's handshake reaches it), or a
 * Python 3.11 asyncio server that runs `writer.start_tls()` itself (needs
 * `--allow-run=python3`; ignored, with a warning, without python3 or that
 * permission). The certificate is made with WebCrypto (`_self_signed.ts`).
 * Every test closes everything it opens (`--trace-leaks`).
 */
import assert from "node:assert/strict";
import {
  CancelledError,
  ConnectionAbortedError,
  coroutine,
  createTask,
  openConnection,
  RuntimeError,
  type Server,
  sleep,
  SSLCertVerificationError,
  startServer,
  type StreamReader,
  type StreamWriter,
  ValueError,
} from "../../mod.ts";
import { dec, enc, portOf, quietly } from "./_helpers.ts";
import { handle as echoUpper } from "../../examples/echo_server.ts";
import { tlsOptions } from "./_self_signed.ts";
import { GO_AHEAD, GREETING, startTlsFront } from "./_starttls_front.ts";
import { endPython, probePython, readPort, readRest } from "./_python.ts";

const { cert, key, SERVER_SSL, CLIENT_SSL } = await tlsOptions();

/** The plain-text part of STARTTLS: greeting, `STARTTLS`, go-ahead. */
async function plainPart(
  reader: StreamReader,
  writer: StreamWriter,
): Promise<void> {
  assert.equal(dec(await reader.readLine()), GREETING);
  writer.write(enc("STARTTLS\r\n"));
  assert.equal(dec(await reader.readLine()), GO_AHEAD);
}

/** A TLS echo server (upper-casing), the backend of the fronts. */
async function tlsEcho(): Promise<Server> {
  return await startServer(echoUpper, "127.0.0.1", 0, { ssl: SERVER_SSL });
}

Deno.test("startTls(): upgrades after the plain-text part; buffered bytes stay; echo over TLS", async () => {
  await quietly(async () => {
    await using backend = await tlsEcho();
    const front = startTlsFront(portOf(backend), "plain extra\r\n");
    const [reader, writer] = await openConnection("127.0.0.1", front.port);
    writer.write(enc("EHLO me\r\n"));
    assert.equal(dec(await reader.readLine()), GREETING);
    assert.equal(dec(await reader.readLine()), "250 ok\r\n");
    writer.write(enc("STARTTLS\r\n"));
    assert.equal(dec(await reader.readLine()), GO_AHEAD);
    // The go-ahead came in the same write as the extra line.
    assert.equal(reader.bufferSize, "plain extra\r\n".length);
    assert.equal(writer.getExtraInfo("sslcontext"), null);
    await writer.startTls(CLIENT_SSL);
    assert.equal(writer.getExtraInfo("sslcontext"), CLIENT_SSL);
    assert.deepEqual(writer.getExtraInfo("peername"), [
      "127.0.0.1",
      front.port,
    ]);
    assert.ok(writer.transport.isReading());
    // Read before the upgrade, so it stays and comes first.
    assert.equal(dec(await reader.readLine()), "plain extra\r\n");
    writer.write(enc("hello tls\n"));
    await writer.drain();
    assert.equal(dec(await reader.readLine()), "HELLO TLS\n");
    const big = "x".repeat(200_000) + "\n";
    writer.write(enc(big));
    await writer.drain();
    assert.equal(dec(await reader.readExactly(big.length)), big.toUpperCase());
    writer.close();
    await writer.waitClosed();
    await front.done;
    assert.deepEqual(front.commands, ["EHLO me\r\n", "STARTTLS\r\n"]);
  });
});

Deno.test("startTls(): ssl: true and serverHostname; a name the certificate lacks fails", async () => {
  await quietly(async () => {
    await using backend = await tlsEcho();
    // The certificate names localhost and 127.0.0.1 (the default here).
    const ok = startTlsFront(portOf(backend));
    const [reader, writer] = await openConnection("127.0.0.1", ok.port);
    await plainPart(reader, writer);
    await writer.startTls(CLIENT_SSL, { serverHostname: "localhost" });
    writer.write(enc("sni\n"));
    assert.equal(dec(await reader.readLine()), "SNI\n");
    writer.close();
    await writer.waitClosed();
    await ok.done;

    const bad = startTlsFront(portOf(backend));
    const [reader2, writer2] = await openConnection("127.0.0.1", bad.port);
    await plainPart(reader2, writer2);
    await assert.rejects(
      async () =>
        await writer2.startTls(CLIENT_SSL, { serverHostname: "example.com" }),
      (error: unknown) =>
        error instanceof SSLCertVerificationError &&
        /not valid for name "example.com"/.test(error.verifyMessage) &&
        error.cause instanceof Deno.errors.InvalidData,
    );
    assert.ok(writer2.isClosing());
    await writer2.waitClosed().then(() => {}, () => {});
    await bad.done;
  });
});

Deno.test("startTls(): an untrusted certificate raises, closes the stream and releases the socket", async () => {
  await quietly(async () => {
    await using backend = await tlsEcho();
    const front = startTlsFront(portOf(backend));
    const [reader, writer] = await openConnection("127.0.0.1", front.port);
    await plainPart(reader, writer);
    // ssl: true trusts only the system's roots, not our certificate.
    let raised: unknown = null;
    await assert.rejects(
      async () => await writer.startTls(true),
      (error: unknown) => {
        raised = error;
        return error instanceof SSLCertVerificationError &&
          error.reason === "CERTIFICATE_VERIFY_FAILED" &&
          /^\[SSL: CERTIFICATE_VERIFY_FAILED\] certificate verify failed: invalid peer certificate/
            .test(error.message);
      },
    );
    assert.ok(writer.isClosing());
    assert.equal(writer.getExtraInfo("sslcontext"), null);
    await assert.rejects(async () => await reader.read(), (e) => e === raised);
    await assert.rejects(
      async () => await writer.waitClosed(),
      (e) => e === raised,
    );
    await front.done;
  });
});

Deno.test("startTls() from a generator coroutine (yield*), and a second startTls() meanwhile raises", async () => {
  await quietly(async () => {
    await using backend = await tlsEcho();
    const front = startTlsFront(portOf(backend));
    const client = coroutine(function* () {
      const [reader, writer] = yield* openConnection("127.0.0.1", front.port);
      assert.equal(dec(yield* reader.readLine()), GREETING);
      writer.write(enc("STARTTLS\r\n"));
      assert.equal(dec(yield* reader.readLine()), GO_AHEAD);
      const upgrade = createTask(writer.startTls(CLIENT_SSL));
      yield* sleep(0);
      let second: unknown = null;
      try {
        yield* writer.startTls(CLIENT_SSL);
      } catch (error) {
        second = error;
      }
      assert.ok(second instanceof RuntimeError, String(second));
      assert.equal(
        (second as Error).message,
        "StreamWriter.startTls: a TLS upgrade is already in progress",
      );
      yield* upgrade;
      writer.write(enc("from a generator\n"));
      const line = dec(yield* reader.readLine());
      writer.close();
      yield* writer.waitClosed();
      return line;
    });
    assert.equal(await createTask(client()), "FROM A GENERATOR\n");
    await front.done;
  });
});

Deno.test("startTls() right after openConnection(): no read is pending yet", async () => {
  await quietly(async () => {
    await using backend = await tlsEcho();
    const [reader, writer] = await openConnection("127.0.0.1", portOf(backend));
    await writer.startTls(CLIENT_SSL);
    writer.write(enc("direct\n"));
    assert.equal(dec(await reader.readLine()), "DIRECT\n");
    writer.close();
    await writer.waitClosed();
  });
});

Deno.test("startTls() while a task waits in a read raises RuntimeError; the stream goes on", async () => {
  await quietly(async () => {
    await using backend = await tlsEcho();
    const front = startTlsFront(portOf(backend));
    const [reader, writer] = await openConnection("127.0.0.1", front.port);
    assert.equal(dec(await reader.readLine()), GREETING);
    const pending = createTask(reader.readLine());
    await sleep(0); // the task waits, and the pump reads for it
    await assert.rejects(
      async () => await writer.startTls(CLIENT_SSL),
      (error: unknown) =>
        error instanceof RuntimeError &&
        error.message ===
          "StreamWriter.startTls: cannot start TLS while a read is in progress",
    );
    assert.ok(!writer.isClosing());
    writer.write(enc("STARTTLS\r\n"));
    assert.equal(dec(await pending), GO_AHEAD);
    // The reply consumed, the pump is parked: the upgrade goes through.
    await writer.startTls(CLIENT_SSL);
    writer.write(enc("after\n"));
    assert.equal(dec(await reader.readLine()), "AFTER\n");
    writer.close();
    await writer.waitClosed();
    await front.done;
  });
});

Deno.test("startTls(): a handshake slower than sslHandshakeTimeout raises ConnectionAbortedError", async () => {
  await quietly(async () => {
    const front = startTlsFront(null); // silent after the go-ahead
    const [reader, writer] = await openConnection("127.0.0.1", front.port);
    await plainPart(reader, writer);
    await assert.rejects(
      async () =>
        await writer.startTls(CLIENT_SSL, { sslHandshakeTimeout: 0.1 }),
      (error: unknown) =>
        error instanceof ConnectionAbortedError &&
        error.message ===
          "SSL handshake is taking longer than 0.1 seconds: aborting the connection",
    );
    assert.ok(writer.isClosing());
    await assert.rejects(
      async () => await writer.waitClosed(),
      ConnectionAbortedError,
    );
    front.hangUp();
    await front.done;
  });
});

Deno.test("startTls(): cancelling the task closes the stream and leaks nothing", async () => {
  for (const delay of [0, 0.02]) {
    await quietly(async () => {
      const front = startTlsFront(null); // the handshake never completes
      const [reader, writer] = await openConnection("127.0.0.1", front.port);
      await plainPart(reader, writer);
      const task = createTask(writer.startTls(CLIENT_SSL));
      await sleep(0); // the request is with the pump
      if (delay > 0) await sleep(delay); // in the handshake
      task.cancel();
      await assert.rejects(async () => await task, CancelledError);
      assert.ok(writer.isClosing());
      await writer.waitClosed();
      assert.equal(writer.getExtraInfo("sslcontext"), null);
      front.hangUp();
      await front.done;
    });
  }
});

Deno.test("startTls() on a server's stream raises RuntimeError (Deno has no server-side upgrade)", async () => {
  await quietly(async () => {
    const errors: unknown[] = [];
    await using server = await startServer(
      async (_reader: StreamReader, writer: StreamWriter) => {
        try {
          await writer.startTls(CLIENT_SSL);
        } catch (error) {
          errors.push(error);
        }
        writer.write(enc("still plain\n"));
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
    );
    const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
    assert.equal(dec(await reader.readLine()), "still plain\n");
    writer.close();
    await writer.waitClosed();
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof RuntimeError);
    assert.match((errors[0] as Error).message, /Deno has no server-side TLS/);
  });
});

Deno.test("startTls() on a TLS stream raises RuntimeError", async () => {
  await quietly(async () => {
    await using backend = await tlsEcho();
    const [reader, writer] = await openConnection(
      "127.0.0.1",
      portOf(backend),
      {
        ssl: CLIENT_SSL,
      },
    );
    await assert.rejects(
      async () => await writer.startTls(CLIENT_SSL),
      (error: unknown) =>
        error instanceof RuntimeError && /is already TLS/.test(error.message),
    );
    writer.write(enc("still tls\n"));
    assert.equal(dec(await reader.readLine()), "STILL TLS\n");
    writer.close();
    await writer.waitClosed();
  });
});

Deno.test("startTls() checks its arguments: TypeError/ValueError naming them; the stream is untouched", async () => {
  await quietly(async () => {
    await using server = await startServer(echoUpper, "127.0.0.1", 0);
    const [reader, writer] = await openConnection("127.0.0.1", portOf(server));
    try {
      const startTls = writer.startTls.bind(writer) as (
        ...args: unknown[]
      ) => unknown;
      const cases: [unknown[], string][] = [
        [[], "ssl must be true or an object, got undefined"],
        [[false], "ssl must be true or an object, got boolean false"],
        [["yes"], 'ssl must be true or an object, got string "yes"'],
        [
          [{ caCerts: [1] }],
          "ssl.caCerts must be an array of PEM strings, got array",
        ],
        [[true, null], "options must be an object, got null"],
        [
          [true, { serverHostname: 1 }],
          "options.serverHostname must be a string, got number 1",
        ],
        [
          [true, { server_hostname: "localhost" }],
          'unknown option "server_hostname"',
        ],
        [
          [true, { sslHandshakeTimeout: "5" }],
          'options.sslHandshakeTimeout must be a number of seconds, got string "5"',
        ],
      ];
      for (const [args, message] of cases) {
        assert.throws(
          () => startTls(...args),
          (error: unknown) =>
            error instanceof TypeError &&
            error.message === `StreamWriter.startTls: ${message}`,
          message,
        );
      }
      assert.throws(
        () => startTls(true, { sslHandshakeTimeout: 0 }),
        (error: unknown) =>
          error instanceof ValueError &&
          error.message ===
            "ssl_handshake_timeout should be a positive number, got 0",
      );
      // Nothing happened to the stream.
      assert.equal(writer.getExtraInfo("sslcontext"), null);
      writer.write(enc("plain\n"));
      assert.equal(dec(await reader.readLine()), "PLAIN\n");
    } finally {
      writer.close();
      await writer.waitClosed();
    }
  });
});

// --- A Python asyncio server that upgrades its side with start_tls ---

const python = probePython();
if (python !== "present") {
  console.warn(
    python === "absent"
      ? "start_tls_test.ts: python3 is not installed: the Python STARTTLS test is ignored"
      : "start_tls_test.ts: no --allow-run=python3: the Python STARTTLS test is ignored",
  );
}

/**
 * Reads `{cert, key}` (PEM) on stdin, prints its port, serves one client:
 * greeting, `STARTTLS`, go-ahead, `start_tls()` server-side, then over TLS
 * a line echoed upper-cased and a last line answered with "bye", and
 * prints what it saw.
 */
const PY_SERVER = `
import asyncio, json, os, ssl, sys, tempfile

async def main():
    pem = json.loads(sys.stdin.read())
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory() as d:
        for name in ("cert", "key"):
            with open(os.path.join(d, name), "w") as f:
                f.write(pem[name])
        ctx.load_cert_chain(os.path.join(d, "cert"), os.path.join(d, "key"))
    done = asyncio.Event()
    got = {}

    async def handle(reader, writer):
        writer.write(${JSON.stringify(GREETING)}.encode())
        await writer.drain()
        got["command"] = (await reader.readline()).decode()
        writer.write(${JSON.stringify(GO_AHEAD)}.encode())
        await writer.drain()
        await writer.start_tls(ctx)
        got["tls"] = writer.get_extra_info("ssl_object") is not None
        line = await reader.readline()
        got["line"] = line.decode()
        writer.write(line.upper())
        await writer.drain()
        got["last"] = (await reader.readline()).decode()
        writer.write(b"bye\\n")
        await writer.drain()
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
        done.set()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.wait_for(done.wait(), 30)
    server.close()
    await server.wait_closed()
    print(json.dumps(got), flush=True)

asyncio.run(main())
`;

Deno.test({
  name:
    "startTls(): STARTTLS with a Python asyncio server that runs start_tls() on its side",
  ignore: python !== "present",
  async fn() {
    const child = new Deno.Command("python3", {
      args: ["-c", PY_SERVER],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const stdin = child.stdin.getWriter();
    await stdin.write(enc(JSON.stringify({ cert, key })));
    await stdin.close();
    const stdout = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let exited = false;
    try {
      const [port, rest] = await readPort(stdout, stderr);
      await quietly(async () => {
        const [reader, writer] = await openConnection("127.0.0.1", port);
        try {
          await plainPart(reader, writer);
          await writer.startTls(CLIENT_SSL);
          writer.write(enc("hello python\n"));
          assert.equal(dec(await reader.readLine()), "HELLO PYTHON\n");
          writer.write(enc("last\n"));
          assert.equal(dec(await reader.readLine()), "bye\n");
        } finally {
          writer.close();
          await writer.waitClosed();
        }
      });
      const report = await readRest(stdout, rest);
      const status = await child.status;
      exited = true;
      assert.equal(status.code, 0, `python3 failed:\n${await stderr}`);
      assert.deepEqual(JSON.parse(report), {
        command: "STARTTLS\r\n",
        tls: true,
        line: "hello python\n",
        last: "last\n",
      });
    } finally {
      await endPython(child, exited, stdout, stderr);
    }
  },
});
