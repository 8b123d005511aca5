/**
 * `loop.startTls(transport, protocol, sslcontext)`: a protocol's TCP
 * transport upgraded to TLS after a plain-text STARTTLS exchange, against
 * the front of `_starttls_front.ts` piping to a TLS echo server. Every test
 * closes everything it opens (`--trace-leaks`).
 */
import assert from "node:assert/strict";
import {
  type Future,
  getEventLoop,
  Protocol,
  RuntimeError,
  type Server,
  sleep,
  startServer,
  type Transport,
  ValueError,
} from "../../mod.ts";
import { dec, enc, portOf, quietly } from "./_helpers.ts";
import { handle as echoUpper } from "../../examples/echo_server.ts";
import { tlsOptions } from "./_self_signed.ts";
import { GO_AHEAD, GREETING, startTlsFront } from "./_starttls_front.ts";

const { SERVER_SSL, CLIENT_SSL } = await tlsOptions();

async function tlsEcho(): Promise<Server> {
  return await startServer(echoUpper, "127.0.0.1", 0, { ssl: SERVER_SSL });
}

/**
 * A STARTTLS client protocol: sends `STARTTLS` after the greeting and,
 * on the go-ahead, calls `onGoAhead` from `dataReceived`; keeps what it
 * receives as text, and the events in order.
 */
class StartTlsClient extends Protocol {
  transport: Transport | null = null;
  text = "";
  events: string[] = [];
  constructor(readonly onGoAhead: (self: StartTlsClient) => void) {
    super();
  }
  override connectionMade(transport: Transport): void {
    this.transport = transport;
  }
  override dataReceived(data: Uint8Array): void {
    this.text += dec(data);
    if (this.text === GREETING) {
      this.events.push("greeting");
      this.text = "";
      this.transport!.write(enc("STARTTLS\r\n"));
    } else if (this.text === GO_AHEAD) {
      this.events.push("go ahead");
      this.text = "";
      this.onGoAhead(this);
    }
  }
  override connectionLost(): void {
    this.events.push("lost");
  }
}

/** Wait until `client.text` holds `expected`, for up to 5 s. */
async function received(client: StartTlsClient, expected: string) {
  for (let i = 0; i < 500 && !client.text.includes(expected); i++) {
    await sleep(0.01);
  }
  assert.equal(client.text, expected);
}

/**
 * A client past the go-ahead of a front with no TLS server behind it (it
 * drops what comes next): for the cases where no upgrade happens.
 */
async function afterGoAhead() {
  const front = startTlsFront(null);
  const loop = getEventLoop();
  const [transport, client] = await loop.createConnection(
    () => new StartTlsClient(() => {}),
    "127.0.0.1",
    front.port,
  );
  while (!client.events.includes("go ahead")) await sleep(0.01);
  return { front, loop, transport, client };
}

Deno.test("loop.startTls() from dataReceived: the same transport, now TLS, drives the same protocol", async () => {
  await quietly(async () => {
    await using backend = await tlsEcho();
    const front = startTlsFront(portOf(backend));
    const loop = getEventLoop();
    let upgrading: PromiseLike<Transport> | null = null;
    const [transport, client] = await loop.createConnection(
      () =>
        new StartTlsClient((self) => {
          upgrading = loop.startTls(self.transport!, self, CLIENT_SSL);
        }),
      "127.0.0.1",
      front.port,
    );
    while (upgrading === null) await sleep(0.01);
    const upgraded = await upgrading;
    assert.equal(upgraded, transport);
    assert.equal(transport.getExtraInfo("sslcontext"), CLIENT_SSL);
    assert.ok(transport.isReading());
    transport.write(enc("hello tls\n"));
    await received(client, "HELLO TLS\n");
    transport.close();
    await front.done;
    assert.deepEqual(client.events, ["greeting", "go ahead", "lost"]);
    assert.deepEqual(front.commands, ["STARTTLS\r\n"]);
  });
});

Deno.test("loop.startTls() from a task woken by a future dataReceived set, as asyncio's STARTTLS clients do", async () => {
  await quietly(async () => {
    await using backend = await tlsEcho();
    const front = startTlsFront(portOf(backend));
    const loop = getEventLoop();
    const goAhead: Future<void> = loop.createFuture();
    const [transport, client] = await loop.createConnection(
      () => new StartTlsClient(() => goAhead.setResult(undefined)),
      "127.0.0.1",
      front.port,
    );
    await goAhead;
    const upgraded = await loop.startTls(transport, client, CLIENT_SSL, {
      serverHostname: "localhost",
      sslHandshakeTimeout: 10,
    });
    assert.equal(upgraded, transport);
    transport.write(enc("over tls\n"));
    await received(client, "OVER TLS\n");
    transport.close();
    await front.done;
  });
});

Deno.test("loop.startTls() once a read is pending raises RuntimeError; the transport goes on in plain text", async () => {
  await quietly(async () => {
    const { front, loop, transport, client } = await afterGoAhead();
    await sleep(0.05); // the transport has read again since
    await assert.rejects(
      async () => await loop.startTls(transport, client, CLIENT_SSL),
      (e: unknown) =>
        e instanceof RuntimeError &&
        /^loop\.startTls: cannot start TLS while a read is in progress$/
          .test(e.message),
    );
    assert.equal(transport.isClosing(), false);
    assert.equal(transport.getExtraInfo("sslcontext"), null);
    transport.write(enc("still plain\r\n"));
    await sleep(0.01);
    assert.equal(transport.isClosing(), false);
    front.hangUp();
    await front.done;
    transport.close();
  });
});

Deno.test("loop.startTls() checks its arguments: TypeError, ValueError and RuntimeError naming them", async () => {
  await quietly(async () => {
    const { front, loop, transport, client } = await afterGoAhead();
    const call = (...args: unknown[]) => () =>
      (loop.startTls as (...a: unknown[]) => unknown)(...args);
    assert.throws(
      call({}, client, CLIENT_SSL),
      new TypeError("transport object is not supported by start_tls()"),
    );
    assert.throws(
      call(transport, null, CLIENT_SSL),
      /^TypeError: loop\.startTls: protocol must be the transport's protocol, got null$/,
    );
    assert.throws(
      call(transport, new StartTlsClient(() => {}), CLIENT_SSL),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message.startsWith(
          "loop.startTls: protocol must be the one the transport drives",
        ),
    );
    assert.throws(
      call(transport, client, "tls"),
      /^TypeError: loop\.startTls: sslcontext must be true or an object, got string "tls"$/,
    );
    assert.throws(
      call(transport, client, CLIENT_SSL, { serverSide: true }),
      (e: unknown) =>
        e instanceof RuntimeError &&
        e.message.startsWith(
          "loop.startTls: Deno has no server-side TLS upgrade",
        ),
    );
    assert.throws(
      call(transport, client, CLIENT_SSL, { serverHostname: 42 }),
      /^TypeError: loop\.startTls: options\.serverHostname must be a string, got number 42$/,
    );
    assert.throws(call(transport, client, CLIENT_SSL, { sni: "x" }), TypeError);
    // Nothing was started: the transport reads on in plain text.
    assert.equal(transport.isClosing(), false);
    assert.ok(transport.isReading());
    front.hangUp();
    await front.done;
    transport.close();
  });
});
