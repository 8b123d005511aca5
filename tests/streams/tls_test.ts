/**
 * TLS streams over 127.0.0.1: `startServer(…, { ssl })` and
 * `openConnection(…, { ssl, serverHostname })`, with a self-signed
 * certificate made here with WebCrypto (`_self_signed.ts`: no `openssl`, no
 * fixture). Every test closes everything it opens (`--trace-leaks`).
 */
import assert from "node:assert/strict";
import {
  openConnection,
  sleep,
  SSLCertVerificationError,
  SSLError,
  startServer,
  type StreamReader,
  type StreamWriter,
  ValueError,
} from "../../mod.ts";
import { dec, enc, portOf, quietly } from "./_helpers.ts";
import { handle as echoUpper } from "../../examples/echo_server.ts";
import { tlsOptions } from "./_self_signed.ts";

const { cert, SERVER_SSL, CLIENT_SSL } = await tlsOptions();

async function ask(port: number, line: string): Promise<string> {
  const [reader, writer] = await openConnection("127.0.0.1", port, {
    ssl: CLIENT_SSL,
  });
  try {
    writer.write(enc(line));
    return dec(await reader.readLine());
  } finally {
    writer.close();
    await writer.waitClosed();
  }
}

Deno.test("TLS: an echo round trip with a self-signed certificate; sslcontext is set", async () => {
  await quietly(async () => {
    const contexts: unknown[] = [];
    const server = await startServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        contexts.push(writer.getExtraInfo("sslcontext"));
        await echoUpper(reader, writer);
      },
      "127.0.0.1",
      0,
      { ssl: SERVER_SSL },
    );
    const port = portOf(server);
    const [reader, writer] = await openConnection("127.0.0.1", port, {
      ssl: CLIENT_SSL,
    });
    assert.equal(writer.getExtraInfo("sslcontext"), CLIENT_SSL);
    assert.deepEqual(writer.getExtraInfo("peername"), ["127.0.0.1", port]);
    writer.write(enc("hello tls\n"));
    await writer.drain();
    assert.equal(dec(await reader.readLine()), "HELLO TLS\n");
    const big = "x".repeat(200_000) + "\n";
    writer.write(enc(big));
    await writer.drain();
    assert.equal(
      dec(await reader.readExactly(big.length)),
      big.toUpperCase(),
    );
    assert.deepEqual(contexts, [SERVER_SSL]);
    writer.close();
    await writer.waitClosed();
    server.close();
    await server.waitClosed();
  });
});

Deno.test("TLS: sslcontext is null on a plain TCP stream", async () => {
  await quietly(async () => {
    await using server = await startServer(echoUpper, "127.0.0.1", 0);
    const [, writer] = await openConnection("127.0.0.1", portOf(server));
    assert.equal(writer.getExtraInfo("sslcontext"), null);
    writer.close();
    await writer.waitClosed();
  });
});

Deno.test("TLS: serverHostname names the certificate's host (localhost) apart from the address", async () => {
  await quietly(async () => {
    await using server = await startServer(echoUpper, "127.0.0.1", 0, {
      ssl: SERVER_SSL,
    });
    const [reader, writer] = await openConnection(
      "127.0.0.1",
      portOf(server),
      { ssl: CLIENT_SSL, serverHostname: "localhost" },
    );
    writer.write(enc("sni\n"));
    assert.equal(dec(await reader.readLine()), "SNI\n");
    writer.close();
    await writer.waitClosed();
    // A name the certificate does not hold fails the handshake.
    await assert.rejects(
      async () =>
        await openConnection("127.0.0.1", portOf(server), {
          ssl: CLIENT_SSL,
          serverHostname: "example.com",
        }),
      (error: unknown) =>
        error instanceof SSLCertVerificationError &&
        /not valid for name "example.com"/.test(error.verifyMessage),
    );
  });
});

Deno.test("TLS: writeEof() half-closes; the server reads to EOF and still replies", async () => {
  await quietly(async () => {
    await using server = await startServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        const all = await reader.read(-1);
        writer.write(enc(`got ${all.length} bytes`));
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
      { ssl: SERVER_SSL },
    );
    const [reader, writer] = await openConnection("127.0.0.1", portOf(server), {
      ssl: CLIENT_SSL,
    });
    writer.write(enc("12345"));
    writer.writeEof();
    assert.equal(dec(await reader.read(-1)), "got 5 bytes");
    writer.close();
    await writer.waitClosed();
  });
});

Deno.test("TLS: an untrusted certificate fails openConnection(); the callback never runs; the server goes on", async () => {
  await quietly(async () => {
    let calls = 0;
    await using server = await startServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        calls++;
        await echoUpper(reader, writer);
      },
      "127.0.0.1",
      0,
      { ssl: SERVER_SSL },
    );
    const port = portOf(server);
    // ssl: true trusts only the system's roots, not our certificate.
    await assert.rejects(
      async () => await openConnection("127.0.0.1", port, { ssl: true }),
      (error: unknown) =>
        error instanceof SSLCertVerificationError &&
        error instanceof SSLError &&
        error.name === "SSLCertVerificationError" &&
        error.cause instanceof Deno.errors.InvalidData &&
        /certificate/.test(error.verifyMessage),
    );
    // A plain TCP client fails the server's handshake and is closed.
    const [reader, writer] = await openConnection("127.0.0.1", port);
    writer.write(enc("not a client hello\n"));
    try {
      await reader.read(-1); // at most a TLS alert, then EOF
    } catch (error) {
      assert.equal((error as Error).name, "ConnectionResetError");
    }
    assert.ok(reader.atEof() || reader.exception() !== null);
    writer.close();
    await writer.waitClosed().then(() => {}, () => {});
    assert.equal(calls, 0);
    assert.equal(await ask(port, "still here\n"), "STILL HERE\n");
    assert.equal(calls, 1);
  });
});

Deno.test("TLS: a server that speaks no TLS fails openConnection() with SSLError", async () => {
  await quietly(async () => {
    await using server = await startServer(
      async (reader: StreamReader, writer: StreamWriter) => {
        await reader.read(1); // the client hello's first byte
        writer.write(enc("HTTP/1.0 400 Bad Request\r\n\r\n"));
        writer.close();
        await writer.waitClosed();
      },
      "127.0.0.1",
      0,
    );
    await assert.rejects(
      async () =>
        await openConnection("127.0.0.1", portOf(server), { ssl: CLIENT_SSL }),
      (error: unknown) =>
        error instanceof SSLError &&
        !(error instanceof SSLCertVerificationError) &&
        error.reason === "SSL_ERROR" &&
        error.cause instanceof Deno.errors.InvalidData,
    );
  });
});

Deno.test("TLS: openConnection()/startServer() check ssl and serverHostname", () => {
  const cb = () => {};
  // deno-lint-ignore no-explicit-any
  const loose = (f: unknown) => f as (...args: any[]) => unknown;
  assert.throws(
    () => openConnection("127.0.0.1", 1, { serverHostname: "localhost" }),
    (error: unknown) =>
      error instanceof ValueError &&
      error.message === "server_hostname is only meaningful with ssl",
  );
  assert.throws(() => loose(openConnection)("h", 1, { ssl: "yes" }), TypeError);
  assert.throws(
    () => loose(openConnection)("h", 1, { ssl: { caCerts: [1] } }),
    TypeError,
  );
  assert.throws(
    () => loose(openConnection)("h", 1, { ssl: true, serverHostname: 1 }),
    TypeError,
  );
  assert.throws(
    () => loose(startServer)(cb, "127.0.0.1", 0, { ssl: true }),
    TypeError,
  );
  assert.throws(
    () => loose(startServer)(cb, "127.0.0.1", 0, { ssl: { cert } }),
    TypeError,
  );
  // A Python keyword where the camelCase option is meant.
  assert.throws(
    () => loose(openConnection)("h", 1, { ssl: true, server_hostname: "x" }),
    {
      name: "TypeError",
      message: 'openConnection: unknown option "server_hostname"',
    },
  );
  assert.throws(
    () => loose(startServer)(cb, "127.0.0.1", 0, { reuse_port: true }),
    { name: "TypeError", message: 'startServer: unknown option "reuse_port"' },
  );
});

Deno.test("TLS: a server aborting a client in its handshake never runs the callback and leaks nothing", async () => {
  await quietly(async () => {
    let connected = false;
    const server = await startServer(
      () => {
        connected = true;
      },
      "127.0.0.1",
      0,
      { ssl: SERVER_SSL },
    );
    // A peer that connects and never starts its handshake.
    const silent = await Deno.connect({
      hostname: "127.0.0.1",
      port: portOf(server),
    });
    await sleep(0.05);
    server.close();
    server.abortClients();
    // The op sanitizer checks that the handshake's op has ended too.
    await server.waitClosed();
    silent.close();
    assert.equal(connected, false);
  });
});

Deno.test("TLS: openConnection() to a peer that accepts TCP and never speaks TLS aborts after sslHandshakeTimeout (#16)", async () => {
  const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = silent.accept();
  try {
    await quietly(async () => {
      const t0 = performance.now();
      await assert.rejects(
        async () =>
          await openConnection(
            "127.0.0.1",
            (silent.addr as Deno.NetAddr).port,
            { ssl: CLIENT_SSL, sslHandshakeTimeout: 0.2 },
          ),
        {
          name: "ConnectionAbortedError",
          message:
            "SSL handshake is taking longer than 0.2 seconds: aborting the connection",
        },
      );
      const seconds = (performance.now() - t0) / 1000;
      assert.ok(seconds >= 0.19 && seconds < 5, `aborted after ${seconds} s`);
    });
  } finally {
    (await accepted).close();
    silent.close();
  }
});

Deno.test("TLS: openConnection() checks sslHandshakeTimeout as asyncio does (#16)", () => {
  assert.throws(
    () =>
      openConnection("127.0.0.1", 1, {
        ssl: CLIENT_SSL,
        sslHandshakeTimeout: 0,
      }),
    {
      name: "ValueError",
      message: "ssl_handshake_timeout should be a positive number, got 0",
    },
  );
  assert.throws(
    () => openConnection("127.0.0.1", 1, { sslHandshakeTimeout: 1 }),
    {
      name: "ValueError",
      message: "ssl_handshake_timeout is only meaningful with ssl",
    },
  );
  assert.throws(
    () =>
      openConnection("127.0.0.1", 1, {
        ssl: CLIENT_SSL,
        sslHandshakeTimeout: "1" as never,
      }),
    {
      name: "TypeError",
      message:
        'openConnection: options.sslHandshakeTimeout must be a number of seconds, got string "1"',
    },
  );
});

Deno.test("TLS: startServer(…, { sslHandshakeTimeout }) drops a client that never handshakes: its handler never runs, and the server closes without waiting for it (#16)", async () => {
  await quietly(async () => {
    let handled = 0;
    const server = await startServer(
      (_reader: StreamReader, writer: StreamWriter) => {
        handled++;
        writer.close();
      },
      "127.0.0.1",
      0,
      { ssl: SERVER_SSL, sslHandshakeTimeout: 0.1 },
    );
    const silent = await Deno.connect({
      hostname: "127.0.0.1",
      port: portOf(server),
    });
    try {
      await sleep(0.3);
      server.close();
      // Before the timeout, waitClosed() waits for the client's connection.
      const closed = await Promise.race([
        Promise.resolve(server.waitClosed()).then(() => "closed"),
        sleep(2, "still waiting"),
      ]);
      assert.equal(closed, "closed");
      assert.equal(handled, 0);
    } finally {
      silent.close();
    }
    await sleep(0.05); // Deno's handshake ends with the client
  });
});

Deno.test("TLS: sslHandshakeTimeout and sslShutdownTimeout are checked as asyncio checks them, by every API that takes them (#16)", () => {
  const cb = () => {};
  assert.throws(
    () =>
      startServer(cb, "127.0.0.1", 0, {
        ssl: SERVER_SSL,
        sslShutdownTimeout: 0,
      }),
    {
      name: "ValueError",
      message: "ssl_shutdown_timeout should be a positive number, got 0",
    },
  );
  assert.throws(
    () => startServer(cb, "127.0.0.1", 0, { sslHandshakeTimeout: 1 }),
    {
      name: "ValueError",
      message: "ssl_handshake_timeout is only meaningful with ssl",
    },
  );
  assert.throws(
    () => startServer(cb, "127.0.0.1", 0, { sslShutdownTimeout: 1 }),
    {
      name: "ValueError",
      message: "ssl_shutdown_timeout is only meaningful with ssl",
    },
  );
  assert.throws(
    () =>
      openConnection("127.0.0.1", 1, {
        ssl: CLIENT_SSL,
        sslShutdownTimeout: "30" as never,
      }),
    {
      name: "TypeError",
      message:
        'openConnection: options.sslShutdownTimeout must be a number of seconds, got string "30"',
    },
  );
  assert.throws(
    () => openConnection("127.0.0.1", 1, { sslShutdownTimeout: 30 }),
    {
      name: "ValueError",
      message: "ssl_shutdown_timeout is only meaningful with ssl",
    },
  );
});
