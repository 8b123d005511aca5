/**
 * The datagram layer (#19): `loop.createDatagramEndpoint` with asyncio's
 * `DatagramProtocol` over Deno's UDP sockets. The echo programs are the
 * asyncio docs' "UDP Echo Server" and "UDP Echo Client" (`_udp_echo.py` is
 * the Python twin), run beside it and against it both ways.
 *
 * Needs `--unstable-net --allow-net=127.0.0.1 --allow-run=python3
 * --allow-read=.`; the Python tests are ignored, with a warning, only when
 * `python3` is not installed.
 */
import assert from "node:assert/strict";
import {
  DatagramProtocol,
  type DatagramProtocolLike,
  type DatagramTransport,
  EventLoop,
  getRunningLoop,
  OSError,
  run,
  RuntimeError,
  sleep,
  ValueError,
  waitFor,
} from "../../mod.ts";
import { dec, enc } from "./_helpers.ts";
import {
  endPython,
  probePython,
  python3Command,
  readPort,
  readRest,
} from "./_python.ts";

type Address = [string, number];
type Settable = { setResult(v: boolean): void; done(): boolean };

/** Python's `%s` of an address tuple. */
const pyAddr = ([host, port]: Address) => `('${host}', ${port})`;
/** Python's `%r` of a short ASCII string. */
const repr = (s: string) => `'${s}'`;
/** The ports of a log, which differ between runs. */
const noPorts = (lines: string[]) =>
  lines.map((line) => line.replace(/, \d+\)/g, ", PORT)"));

class EchoServerProtocol extends DatagramProtocol {
  transport: DatagramTransport | null = null;
  constructor(private log: string[], private onDone: Settable | null = null) {
    super();
  }
  override connectionMade(transport: DatagramTransport) {
    this.transport = transport;
  }
  override datagramReceived(data: Uint8Array, addr: Address) {
    const message = dec(data);
    this.log.push(`Received ${repr(message)} from ${pyAddr(addr)}`);
    this.log.push(`Send ${repr(message)} to ${pyAddr(addr)}`);
    this.transport!.sendto(data, addr);
    if (this.onDone !== null && !this.onDone.done()) {
      this.onDone.setResult(true);
    }
  }
}

class EchoClientProtocol extends DatagramProtocol {
  transport: DatagramTransport | null = null;
  constructor(
    private message: string,
    private onConLost: Settable,
    private log: string[],
  ) {
    super();
  }
  override connectionMade(transport: DatagramTransport) {
    this.transport = transport;
    this.log.push(`Send: ${this.message}`);
    this.transport.sendto(enc(this.message));
  }
  override datagramReceived(data: Uint8Array, _addr: Address) {
    this.log.push(`Received: ${dec(data)}`);
    this.log.push("Close the socket");
    this.transport!.close();
  }
  override errorReceived(exc: Error) {
    this.log.push(`Error received: ${exc}`);
  }
  override connectionLost(_exc: unknown) {
    this.log.push("Connection closed");
    this.onConLost.setResult(true);
  }
}

/** The docs' client against `127.0.0.1:port`, logging into `log`. */
async function echoClient(port: number, log: string[]): Promise<void> {
  const loop = getRunningLoop();
  const onConLost = loop.createFuture<boolean>();
  const [transport] = await loop.createDatagramEndpoint(
    () => new EchoClientProtocol("Hello World!", onConLost, log),
    { remoteAddr: ["127.0.0.1", port] },
  );
  try {
    await onConLost;
  } finally {
    transport.close();
  }
}

/** A protocol that records everything, and a future per event kind. */
class Recorder implements DatagramProtocolLike {
  transport: DatagramTransport | null = null;
  datagrams: [Uint8Array, Address][] = [];
  errors: Error[] = [];
  made = 0;
  lost: unknown[] = [];
  readonly #loop = getRunningLoop();
  readonly closed = this.#loop.createFuture<undefined>();
  #waiter: { n: number; fut: ReturnType<EventLoop["createFuture"]> } | null =
    null;

  connectionMade(transport: DatagramTransport) {
    this.made++;
    this.transport = transport;
  }
  datagramReceived(data: Uint8Array, addr: Address) {
    this.datagrams.push([data, addr]);
    if (this.#waiter !== null && this.datagrams.length >= this.#waiter.n) {
      this.#waiter.fut.setResult(undefined);
      this.#waiter = null;
    }
  }
  errorReceived(exc: Error) {
    this.errors.push(exc);
  }
  connectionLost(exc: unknown) {
    this.lost.push(exc);
    if (!this.closed.done()) this.closed.setResult(undefined);
  }
  /** Wait (at most 5 s) until `n` datagrams came. */
  async received(n: number): Promise<void> {
    if (this.datagrams.length >= n) return;
    const fut = this.#loop.createFuture();
    this.#waiter = { n, fut };
    await waitFor(fut, 5);
  }
}

/** A UDP endpoint on a free loopback port, with its recorder. */
async function endpoint(
  options: Parameters<EventLoop["createDatagramEndpoint"]>[1] = {
    localAddr: ["127.0.0.1", 0],
  },
): Promise<[DatagramTransport, Recorder, Address]> {
  const [transport, protocol] = await getRunningLoop().createDatagramEndpoint(
    () => new Recorder(),
    options,
  );
  return [
    transport,
    protocol,
    transport.getExtraInfo("sockname") as Address,
  ];
}

/** A port nothing listens on (bound, then closed). */
function closedPort(): number {
  const conn = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const port = (conn.addr as Deno.NetAddr).port;
  conn.close();
  return port;
}

/** Real time passes (for datagrams that must not come). */
const realSleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

const python = probePython();
if (python === "absent") {
  console.warn(
    "datagram_test.ts: python3 is not installed: the Python tests are ignored",
  );
}

function python3(args: string[]): Deno.Command {
  return python3Command(python, "datagram_test.ts", [
    "tests/streams/_udp_echo.py",
    ...args,
  ]);
}

Deno.test({
  name:
    "the asyncio docs' UDP echo server and client protocols print what CPython prints",
  ignore: python === "absent",
  async fn() {
    const log: string[] = [];
    await run(async () => {
      log.push("Starting UDP server");
      const loop = getRunningLoop();
      const [transport] = await loop.createDatagramEndpoint(
        () => new EchoServerProtocol(log),
        { localAddr: ["127.0.0.1", 0] },
      );
      try {
        const [, port] = transport.getExtraInfo("sockname") as Address;
        await echoClient(port, log);
      } finally {
        transport.close();
      }
    });
    const out = await python3(["both"]).output();
    assert.equal(out.code, 0, `python3 failed:\n${dec(out.stderr)}`);
    assert.deepEqual(
      noPorts(log),
      noPorts(dec(out.stdout).trimEnd().split("\n")),
    );
  },
});

Deno.test({
  name:
    "createDatagramEndpoint(): our echo client talks to the Python docs' UDP echo server",
  ignore: python === "absent",
  async fn() {
    const child = python3(["server"]).spawn();
    const stderr = new Response(child.stderr).text();
    const stdout = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let exited = false;
    try {
      const [port, rest] = await readPort(stdout, stderr);
      const log: string[] = [];
      await run(() => echoClient(port, log));
      assert.deepEqual(log, [
        "Send: Hello World!",
        "Received: Hello World!",
        "Close the socket",
        "Connection closed",
      ]);
      const report = await readRest(stdout, rest);
      const status = await child.status;
      exited = true;
      assert.equal(status.code, 0, `python3 failed:\n${await stderr}`);
      assert.deepEqual(noPorts(report.trimEnd().split("\n")), [
        "Received 'Hello World!' from ('127.0.0.1', PORT)",
        "Send 'Hello World!' to ('127.0.0.1', PORT)",
      ]);
    } finally {
      await endPython(child, exited, stdout, stderr);
    }
  },
});

Deno.test({
  name:
    "createDatagramEndpoint(): the Python docs' UDP echo client talks to our echo server",
  ignore: python === "absent",
  async fn() {
    const log: string[] = [];
    const out = await run(async () => {
      const loop = getRunningLoop();
      const served = loop.createFuture<boolean>();
      const [transport] = await loop.createDatagramEndpoint(
        () => new EchoServerProtocol(log, served),
        { localAddr: ["127.0.0.1", 0] },
      );
      try {
        const [, port] = transport.getExtraInfo("sockname") as Address;
        const out = await python3(["client", String(port)]).output();
        await served;
        return out;
      } finally {
        transport.close();
      }
    });
    assert.equal(out.code, 0, `python3 failed:\n${dec(out.stderr)}`);
    assert.deepEqual(dec(out.stdout).trimEnd().split("\n"), [
      "Send: Hello World!",
      "Received: Hello World!",
      "Close the socket",
      "Connection closed",
    ]);
    assert.deepEqual(noPorts(log), [
      "Received 'Hello World!' from ('127.0.0.1', PORT)",
      "Send 'Hello World!' to ('127.0.0.1', PORT)",
    ]);
  },
});

Deno.test("datagrams go both ways whole, in order, binary and empty ones too", async () => {
  await run(async () => {
    const [a, pa, addrA] = await endpoint();
    const [b, pb, addrB] = await endpoint();
    const big = Uint8Array.from({ length: 60000 }, (_, i) => i % 251);
    const binary = new Uint8Array([0, 255, 10, 13, 0]);
    a.sendto(enc("one"), addrB);
    a.sendto(big, addrB);
    a.sendto(new Uint8Array(0), addrB); // zero-length, as Python 3.13
    a.sendto(binary, addrB);
    await pb.received(4);
    assert.deepEqual(pb.datagrams.map(([d]) => d), [
      enc("one"),
      big,
      new Uint8Array(0),
      binary,
    ]);
    assert.deepEqual(pb.datagrams.map(([, from]) => from), [
      addrA,
      addrA,
      addrA,
      addrA,
    ]);
    b.sendto(enc("back"), addrA);
    await pa.received(1);
    assert.deepEqual(pa.datagrams, [[enc("back"), addrB]]);
    assert.equal(a.getWriteBufferSize(), 0);
    a.close();
    b.close();
    await pa.closed;
    await pb.closed;
    assert.deepEqual([pa.errors, pb.errors], [[], []]);
  });
});

Deno.test("sendto() copies its bytes: changing them after the call changes nothing sent", async () => {
  await run(async () => {
    const [a, pa] = await endpoint();
    const [b, pb, addrB] = await endpoint();
    const data = enc("abc");
    a.sendto(data, addrB);
    data.fill(0x78);
    await pb.received(1);
    assert.deepEqual(pb.datagrams[0][0], enc("abc"));
    a.close();
    b.close();
    await Promise.all([pa.closed, pb.closed]);
  });
});

Deno.test("remoteAddr: sendto() without an address goes there, datagrams from elsewhere are dropped", async () => {
  await run(async () => {
    const [peer, pPeer, addrPeer] = await endpoint();
    const [other, pOther] = await endpoint();
    const [t, p, addr] = await endpoint({ remoteAddr: addrPeer });
    assert.deepEqual(t.getExtraInfo("peername"), addrPeer);
    assert.equal(addr[0], "127.0.0.1"); // a loopback peer: bound on loopback
    t.sendto(enc("to the peer"));
    t.sendto(enc("named"), [...addrPeer]); // the same address is allowed
    await pPeer.received(2);
    assert.deepEqual(pPeer.datagrams, [
      [enc("to the peer"), addr],
      [enc("named"), addr],
    ]);
    other.sendto(enc("stranger"), addr); // dropped
    await realSleep(50);
    peer.sendto(enc("reply"), addr);
    await p.received(1);
    await realSleep(20);
    assert.deepEqual(p.datagrams, [[enc("reply"), addrPeer]]);
    assert.throws(
      () => t.sendto(enc("x"), ["127.0.0.1", addrPeer[1] + 1]),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message ===
          `Invalid address: must be None or ('127.0.0.1', ${addrPeer[1]})`,
    );
    for (const x of [t, peer, other]) x.close();
    await Promise.all([p.closed, pPeer.closed, pOther.closed]);
  });
});

Deno.test("remoteAddr: localhost is resolved to 127.0.0.1; with allowBroadcast nothing is dropped", async () => {
  await run(async () => {
    const [peer, pPeer, addrPeer] = await endpoint();
    const [other, pOther] = await endpoint();
    const [t, p, addr] = await endpoint({
      remoteAddr: ["localhost", addrPeer[1]],
      allowBroadcast: true,
    });
    assert.deepEqual(t.getExtraInfo("peername"), addrPeer);
    // As asyncio: the address given is not the resolved one.
    assert.throws(
      () => t.sendto(enc("x"), ["localhost", addrPeer[1]]),
      ValueError,
    );
    other.sendto(enc("stranger"), addr);
    await p.received(1);
    assert.deepEqual(p.datagrams.map(([d]) => dec(d)), ["stranger"]);
    for (const x of [t, peer, other]) x.close();
    await Promise.all([p.closed, pPeer.closed, pOther.closed]);
  });
});

Deno.test("a datagram to a closed port is lost without an error: Deno's UDP sockets are not connected", async () => {
  // CPython, on a connect()ed socket (remote_addr), gives error_received a
  // ConnectionRefusedError from the ICMP port-unreachable; Deno cannot
  // connect a UDP socket, and an unconnected socket hears nothing.
  await run(async () => {
    const port = closedPort();
    const [t, p] = await endpoint({ remoteAddr: ["127.0.0.1", port] });
    const [u, q] = await endpoint();
    t.sendto(enc("anyone?"));
    u.sendto(enc("anyone?"), ["127.0.0.1", port]);
    await realSleep(200);
    t.sendto(enc("still there?"));
    await realSleep(50);
    assert.deepEqual([p.errors, q.errors], [[], []]);
    assert.equal(t.isClosing(), false);
    t.close();
    u.close();
    await Promise.all([p.closed, q.closed]);
    assert.deepEqual([p.lost, q.lost], [[null], [null]]);
  });
});

Deno.test("a send that fails with an OSError goes to errorReceived and the endpoint stays open", async () => {
  await run(async () => {
    const [a, pa] = await endpoint();
    const [b, pb, addrB] = await endpoint();
    a.sendto(new Uint8Array(70000), addrB); // over UDP's 65507 bytes
    await sleep(0.05);
    assert.equal(pa.errors.length, 1);
    assert.ok(pa.errors[0] instanceof OSError);
    assert.equal((pa.errors[0] as OSError).errno, 90);
    assert.equal(pa.errors[0].message, "[Errno 90] Message too long");
    a.sendto(enc("after"), addrB);
    await pb.received(1);
    assert.deepEqual(pb.datagrams.map(([d]) => dec(d)), ["after"]);
    assert.equal(a.isClosing(), false);
    a.close();
    b.close();
    await Promise.all([pa.closed, pb.closed]);
  });
});

Deno.test("close(): connectionLost(null) once, on a later iteration; nothing delivered or sent after", async () => {
  await run(async () => {
    const [a, pa, addrA] = await endpoint();
    const [b, pb, addrB] = await endpoint();
    assert.equal(pa.made, 1);
    assert.equal(pa.transport, a);
    b.sendto(enc("late"), addrA); // it lands after the close: dropped
    a.close();
    assert.equal(a.isClosing(), true);
    assert.deepEqual(pa.lost, []); // not yet: asyncio calls it soon
    a.close();
    a.abort();
    a.sendto(enc("dropped"), addrB);
    await pa.closed;
    await sleep(0);
    assert.deepEqual(pa.lost, [null]);
    assert.deepEqual(pa.datagrams, []);
    await realSleep(50);
    assert.deepEqual(pb.datagrams, []);
    assert.equal(a.getExtraInfo("nothing", 7), 7);
    b.abort();
    await pb.closed;
    assert.deepEqual(pb.lost, [null]);
  });
});

Deno.test("a close() in datagramReceived drops the datagrams already received but not delivered", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const got: string[] = [];
    const lost = loop.createFuture<unknown>();
    const [a] = await loop.createDatagramEndpoint(() => ({
      transport: null as DatagramTransport | null,
      connectionMade(t: DatagramTransport) {
        this.transport = t;
      },
      datagramReceived(data: Uint8Array) {
        got.push(dec(data));
        this.transport!.close();
      },
      connectionLost(exc: unknown) {
        lost.setResult(exc);
      },
    }), { localAddr: ["127.0.0.1", 0] });
    const [b, pb] = await endpoint();
    const addrA = a.getExtraInfo("sockname") as Address;
    for (const m of ["1", "2", "3"]) b.sendto(enc(m), addrA);
    assert.equal(await lost, null);
    await realSleep(50);
    assert.deepEqual(got, ["1"]);
    b.close();
    await pb.closed;
  });
});

Deno.test("close() lets the datagrams in flight go out first", async () => {
  await run(async () => {
    const [a, pa] = await endpoint();
    const [b, pb, addrB] = await endpoint();
    for (let i = 0; i < 10; i++) a.sendto(enc(`m${i}`), addrB);
    assert.ok(a.getWriteBufferSize() > 0);
    a.close();
    await pa.closed;
    await pb.received(10);
    assert.deepEqual(
      pb.datagrams.map(([d]) => dec(d)),
      Array.from({ length: 10 }, (_, i) => `m${i}`),
    );
    b.close();
    await pb.closed;
  });
});

Deno.test("an endpoint left open is closed with its loop, with no op left", async () => {
  let protocol: Recorder | null = null;
  await run(async () => {
    const [, p] = await endpoint();
    protocol = p;
  });
  assert.deepEqual(protocol!.lost, []); // the loop closed: nobody told
});

Deno.test("a virtual clock waits for the datagram a task awaits before it jumps", async () => {
  await run(async () => {
    const [a, pa] = await endpoint();
    const loop = getRunningLoop();
    const start = loop.time();
    const peer = Deno.listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 0,
    });
    // A real peer that answers 100 ms (of real time) after the ping came.
    const pinged = Promise.withResolvers<void>();
    const echoed = (async () => {
      const [data, from] = await peer.receive();
      pinged.resolve();
      await realSleep(100);
      await peer.send(data, from);
    })();
    const { hostname, port } = peer.addr as Deno.NetAddr;
    a.sendto(enc("ping"), [hostname, port]);
    await pinged.promise; // the send is over: only the receive is in flight
    await pa.received(1); // a 5 s waitFor: time must not jump over it
    await echoed;
    peer.close();
    assert.deepEqual(pa.datagrams.map(([d]) => dec(d)), ["ping"]);
    assert.ok(loop.time() - start < 5); // no jump over the 5 s wait
    a.close();
    await pa.closed;
  }, { clock: "virtual" });
});

Deno.test("an error of datagramReceived goes to the loop's exception handler, and receiving goes on", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const logged: unknown[] = [];
    loop.setExceptionHandler((_loop, context) =>
      logged.push(context.exception)
    );
    const got: string[] = [];
    const [a] = await loop.createDatagramEndpoint(() => ({
      datagramReceived(data: Uint8Array) {
        got.push(dec(data));
        if (got.length === 1) throw new Error("boom");
      },
    }), { localAddr: ["127.0.0.1", 0] });
    const [b, pb] = await endpoint();
    const addrA = a.getExtraInfo("sockname") as Address;
    b.sendto(enc("1"), addrA);
    b.sendto(enc("2"), addrA);
    for (let i = 0; i < 100 && got.length < 2; i++) await sleep(0.01);
    assert.deepEqual(got, ["1", "2"]);
    assert.equal(logged.length, 1);
    assert.equal((logged[0] as Error).message, "boom");
    a.close();
    b.close();
    await pb.closed;
  });
});

Deno.test("flow control: a write buffer over 64 KiB calls pauseWriting, then resumeWriting", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const events: string[] = [];
    const resumed = loop.createFuture<undefined>();
    const [a] = await loop.createDatagramEndpoint(() => ({
      pauseWriting() {
        events.push("pause");
      },
      resumeWriting() {
        events.push("resume");
        resumed.setResult(undefined);
      },
    }), { localAddr: ["127.0.0.1", 0] });
    const [b, pb, addrB] = await endpoint();
    const chunk = new Uint8Array(8192);
    for (let i = 0; i < 10; i++) a.sendto(chunk, addrB);
    // Python 3.13's count: each datagram's 8-byte header too.
    assert.equal(a.getWriteBufferSize(), 10 * (8192 + 8));
    assert.deepEqual(events, ["pause"]);
    await resumed;
    assert.deepEqual(events, ["pause", "resume"]);
    await pb.received(10);
    assert.equal(a.getWriteBufferSize(), 0);
    a.close();
    b.close();
    await pb.closed;
  });
});

Deno.test("a protocol may be any object; a missing method does nothing", async () => {
  await run(async () => {
    const [a, pa, addrA] = await endpoint();
    const [b] = await getRunningLoop().createDatagramEndpoint(() => ({}), {
      localAddr: ["127.0.0.1", 0],
    });
    b.sendto(enc("x"), addrA);
    await pa.received(1);
    b.close();
    a.close();
    await pa.closed;
    await sleep(0);
  });
});

Deno.test("createDatagramEndpoint(): bad arguments are TypeError or ValueError naming them", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const factory = () => new DatagramProtocol();
    const bad: [unknown, unknown, new (...a: never[]) => Error, RegExp][] = [
      [42, {}, TypeError, /protocolFactory must be a function, got number 42/],
      [factory, 5, TypeError, /options must be an object, got number 5/],
      [factory, { local: 1 }, TypeError, /unknown option "local"/],
      [factory, {}, ValueError, /^unexpected address family$/],
      [
        factory,
        { localAddr: "127.0.0.1:0" },
        TypeError,
        /options\.localAddr must be a \[host, port\] array \(2-tuple is expected\), got string/,
      ],
      [
        factory,
        { remoteAddr: ["127.0.0.1"] },
        TypeError,
        /options\.remoteAddr must be a \[host, port\] array/,
      ],
      [
        factory,
        { localAddr: ["127.0.0.1", "80"] },
        TypeError,
        /options\.localAddr\[1\] must be an integer, got string "80"/,
      ],
      [
        factory,
        { localAddr: ["127.0.0.1", 70000] },
        ValueError,
        /options\.localAddr\[1\] must be 0-65535, got 70000/,
      ],
      [
        factory,
        { localAddr: ["127.0.0.1", 0], reusePort: "yes" },
        TypeError,
        /options\.reusePort must be a boolean, got string "yes"/,
      ],
    ];
    for (const [f, options, cls, message] of bad) {
      assert.throws(
        () =>
          loop.createDatagramEndpoint(
            f as () => DatagramProtocol,
            options as never,
          ),
        (e: unknown) => e instanceof cls && message.test((e as Error).message),
        `${message}`,
      );
    }
    await assert.rejects(
      async () =>
        await loop.createDatagramEndpoint(() => null as never, {
          localAddr: ["127.0.0.1", 0],
        }),
      /protocolFactory must return a protocol, got null/,
    );
  });
});

Deno.test("createDatagramEndpoint(): a taken address is OSError 98, as CPython's bind; reusePort shares it", async () => {
  await run(async () => {
    const [a, pa, addrA] = await endpoint({
      localAddr: ["127.0.0.1", 0],
      reusePort: true,
    });
    await assert.rejects(
      async () => await endpoint({ localAddr: addrA }),
      (e: unknown) =>
        e instanceof OSError && e.errno === 98 &&
        e.message === "[Errno 98] Address already in use",
    );
    const [b, pb] = await endpoint({ localAddr: addrA, reusePort: true });
    assert.deepEqual(b.getExtraInfo("sockname"), addrA);
    b.close();
    a.close();
    await Promise.all([pa.closed, pb.closed]);
  });
});

Deno.test("sendto(): bad data or addresses are TypeError or ValueError", async () => {
  await run(async () => {
    const [a, pa] = await endpoint();
    assert.throws(
      () => a.sendto("text" as never, ["127.0.0.1", 9]),
      (e: unknown) =>
        e instanceof TypeError &&
        /^data argument must be a bytes-like object/.test(e.message),
    );
    assert.throws(
      () => a.sendto(enc("x")),
      /sendto: addr is required: the endpoint has no remoteAddr/,
    );
    assert.throws(
      () => a.sendto(enc("x"), "127.0.0.1:9" as never),
      /sendto: addr must be a \[host, port\] array/,
    );
    assert.throws(() => a.sendto(enc("x"), ["127.0.0.1", -1]), ValueError);
    a.close();
    await pa.closed;
    assert.deepEqual(pa.errors, []);
  });
});

Deno.test("createDatagramEndpoint() on a closed loop raises RuntimeError", () => {
  const loop = new EventLoop();
  loop.close();
  assert.throws(
    () =>
      loop.createDatagramEndpoint(() => new DatagramProtocol(), {
        localAddr: ["127.0.0.1", 0],
      }),
    (e: unknown) =>
      e instanceof RuntimeError && e.message === "Event loop is closed",
  );
});

Deno.test("without --unstable-net, createDatagramEndpoint() says the flag is needed", async () => {
  const deno = Deno as { listenDatagram?: unknown };
  const saved = deno.listenDatagram;
  try {
    delete deno.listenDatagram;
  } catch {
    return; // the namespace cannot be changed here
  }
  try {
    if (deno.listenDatagram !== undefined) return;
    await run(() => {
      assert.throws(
        () =>
          getRunningLoop().createDatagramEndpoint(
            () => new DatagramProtocol(),
            { localAddr: ["127.0.0.1", 0] },
          ),
        (e: unknown) =>
          e instanceof RuntimeError && /--unstable-net/.test(e.message),
      );
    });
  } finally {
    deno.listenDatagram = saved;
  }
});
