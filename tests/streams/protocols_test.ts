/**
 * The protocol layer: `loop.createServer` / `loop.createConnection` with
 * asyncio's `Protocol` and `BufferedProtocol`, on the streams' transport.
 * The echo programs are the asyncio docs' (`_protocol_echo.py` is the
 * Python twin, run beside them).
 */
import assert from "node:assert/strict";
import {
  BufferedProtocol,
  ConnectionRefusedError,
  getRunningLoop,
  Protocol,
  run,
  type Transport,
} from "../../mod.ts";
import { dec, enc } from "./_helpers.ts";

/** Python's repr of a short ASCII string. */
const repr = (s: string) => `'${s}'`;

class EchoServerProtocol extends Protocol {
  transport: Transport | null = null;
  constructor(private log: string[]) {
    super();
  }
  override connectionMade(transport: Transport) {
    const [host] = transport.getExtraInfo("peername") as [string, number];
    this.log.push(`Connection from ${host}`);
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array) {
    const message = dec(data);
    this.log.push(`Data received: ${repr(message)}`);
    this.log.push(`Send: ${repr(message)}`);
    this.transport!.write(data);
    this.log.push("Close the client socket");
    this.transport!.close();
  }
}

class EchoClientProtocol extends Protocol {
  constructor(
    private message: string,
    private onConLost: { setResult(v: boolean): void },
    private log: string[],
  ) {
    super();
  }
  override connectionMade(transport: Transport) {
    transport.write(enc(this.message));
    this.log.push(`Data sent: ${repr(this.message)}`);
  }
  override dataReceived(data: Uint8Array) {
    this.log.push(`Data received: ${repr(dec(data))}`);
  }
  override connectionLost(_exc: unknown) {
    this.log.push("The server closed the connection");
    this.onConLost.setResult(true);
  }
}

Deno.test("the asyncio docs' TCP echo server and client protocols print what CPython prints", async () => {
  const log: string[] = [];
  await run(async () => {
    const loop = getRunningLoop();
    const server = await loop.createServer(
      () => new EchoServerProtocol(log),
      "127.0.0.1",
      0,
    );
    const [, port] = server.sockets[0].getsockname() as [string, number];
    const onConLost = loop.createFuture<boolean>();
    const [transport] = await loop.createConnection(
      () => new EchoClientProtocol("Hello World!", onConLost, log),
      "127.0.0.1",
      port,
    );
    try {
      await onConLost;
    } finally {
      transport.close();
    }
    server.close();
    await server.waitClosed();
  });
  const python = await new Deno.Command("python3", {
    args: ["tests/streams/_protocol_echo.py"],
    stdout: "piped",
  }).output();
  assert.deepEqual(log, dec(python.stdout).trimEnd().split("\n"));
});

Deno.test("flow control: a server that stops reading makes the client's protocol pauseWriting, then resumeWriting", async () => {
  const events: string[] = [];
  await run(async () => {
    const loop = getRunningLoop();
    let serverTransport: Transport | null = null;
    let received = 0;
    const allIn = loop.createFuture<undefined>();
    const server = await loop.createServer(
      () => ({
        connectionMade(t: Transport) {
          serverTransport = t;
          t.pauseReading(); // never reads, for now
        },
        dataReceived(data: Uint8Array) {
          received += data.length;
          if (received === 8 * 1024 * 1024 && !allIn.done()) {
            allIn.setResult(undefined);
          }
        },
      }),
      "127.0.0.1",
      0,
    );
    const [, port] = server.sockets[0].getsockname() as [string, number];
    const resumed = loop.createFuture<undefined>();
    const [transport] = await loop.createConnection(
      () => ({
        pauseWriting: () => events.push("pauseWriting"),
        resumeWriting() {
          events.push("resumeWriting");
          resumed.setResult(undefined);
        },
      }),
      "127.0.0.1",
      port,
    );
    const chunk = new Uint8Array(64 * 1024);
    for (let i = 0; i < 128; i++) transport.write(chunk);
    assert.deepEqual(events, ["pauseWriting"]); // above 64 KiB at once
    assert.ok(transport.getWriteBufferSize() > 64 * 1024);
    serverTransport!.resumeReading();
    await resumed;
    await allIn;
    assert.equal(received, 8 * 1024 * 1024);
    transport.close();
    server.close();
    server.closeClients();
    await server.waitClosed();
  });
  assert.deepEqual(events, ["pauseWriting", "resumeWriting"]);
});

Deno.test("eofReceived() returning true keeps the transport open to write the rest; otherwise it closes", async () => {
  const got: string[] = [];
  await run(async () => {
    const loop = getRunningLoop();
    const server = await loop.createServer(
      () => {
        let transport: Transport;
        let text = "";
        return {
          connectionMade: (t: Transport) => transport = t,
          dataReceived: (d: Uint8Array) => text += dec(d),
          eofReceived() {
            transport.write(enc(`got ${text}; bye`));
            transport.close();
            return true; // half-open: the reply still goes out
          },
        };
      },
      "127.0.0.1",
      0,
    );
    const [, port] = server.sockets[0].getsockname() as [string, number];
    const done = loop.createFuture<undefined>();
    const [transport] = await loop.createConnection(
      () => ({
        dataReceived: (d: Uint8Array) => got.push(dec(d)),
        eofReceived: () => {
          got.push("eof"); // not true: the transport closes
        },
        connectionLost: (exc: unknown) => {
          got.push(`lost ${exc}`);
          done.setResult(undefined);
        },
      }),
      "127.0.0.1",
      port,
    );
    transport.write(enc("hello"));
    assert.equal(transport.canWriteEof(), true);
    transport.writeEof();
    await done;
    assert.equal(transport.isClosing(), true);
    server.close();
    await server.waitClosed();
  });
  assert.deepEqual(got, ["got hello; bye", "eof", "lost null"]);
});

Deno.test("BufferedProtocol: 32 MiB received into one 64 KiB buffer, memory bounded", async () => {
  const size = 32 * 1024 * 1024;
  let total = 0;
  let rssGrowth = 0;
  await run(async () => {
    const loop = getRunningLoop();
    const buffer = new Uint8Array(64 * 1024);
    let sum = 0;
    const done = loop.createFuture<undefined>();
    class Counter extends BufferedProtocol {
      override getBuffer(_sizeHint: number) {
        return buffer;
      }
      override bufferUpdated(nbytes: number) {
        total += nbytes;
        for (let i = 0; i < nbytes; i++) sum += buffer[i];
      }
      override eofReceived() {
        done.setResult(undefined);
      }
    }
    const server = await loop.createServer(() => new Counter(), "127.0.0.1", 0);
    const [, port] = server.sockets[0].getsockname() as [string, number];
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const before = Deno.memoryUsage().rss;
    const chunk = new Uint8Array(256 * 1024).fill(1);
    for (let sent = 0; sent < size; sent += chunk.length) {
      // A Deno write may take part of the chunk: send the rest.
      for (let at = 0; at < chunk.length;) {
        at += await conn.write(chunk.subarray(at));
      }
    }
    await conn.closeWrite();
    await done;
    rssGrowth = Deno.memoryUsage().rss - before;
    assert.equal(sum, size);
    conn.close();
    server.close();
    await server.waitClosed();
  });
  assert.equal(total, size);
  assert.ok(rssGrowth < 24 * 1024 * 1024, `RSS grew ${rssGrowth} bytes`);
});

Deno.test("createConnection(): asyncio's errors, and bad input named", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    await assert.rejects(
      async () =>
        await loop.createConnection(() => new Protocol(), "127.0.0.1", 1),
      ConnectionRefusedError,
    );
    assert.throws(
      () => loop.createConnection(5 as never, "127.0.0.1", 1),
      /createConnection: protocolFactory must be callable, got number 5|protocolFactory/,
    );
    assert.throws(
      () =>
        loop.createServer(
          () => new Protocol(),
          "127.0.0.1",
          0,
          { limit: 5 } as never,
        ),
      /createServer: unknown option "limit"/,
    );
  });
});
