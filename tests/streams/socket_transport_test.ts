/**
 * The socket transport's order of Deno ops, over a connection that logs
 * them (no socket): what it sends and when it reads.
 */
import assert from "node:assert/strict";
import {
  createTask,
  currentTask,
  getRunningLoop,
  run,
  sleep,
  StreamReader,
  StreamWriter,
  type Task,
} from "../../mod.ts";
import type { TransportProtocol } from "../../streams/_protocol.ts";
import { SocketTransport } from "../../streams/_socket_transport.ts";
import { StreamProtocol } from "../../streams/_stream_protocol.ts";
import { dec, enc } from "./_helpers.ts";

/** A `Deno.Conn` that logs its reads and writes; reads end on `deliver()`. */
class LoggingConn {
  readonly log: string[] = [];
  readonly remoteAddr = { transport: "tcp", hostname: "127.0.0.1", port: 1 };
  readonly localAddr = { transport: "tcp", hostname: "127.0.0.1", port: 2 };
  #read: { buf: Uint8Array; resolve: (n: number | null) => void } | null = null;

  setNoDelay(): void {}

  read(buf: Uint8Array): Promise<number | null> {
    this.log.push("read");
    return new Promise((resolve) => this.#read = { buf, resolve });
  }

  write(data: Uint8Array): Promise<number> {
    this.log.push(`write ${dec(data)}`);
    return Promise.resolve(data.length);
  }

  deliver(text: string): void {
    const bytes = enc(text);
    const read = this.#read!;
    this.#read = null;
    read.buf.set(bytes);
    read.resolve(bytes.length);
  }

  closeWrite(): Promise<void> {
    return Promise.resolve();
  }

  close(): void {
    this.#read?.resolve(null);
    this.#read = null;
  }
}

/** A client stream over a `LoggingConn`, on the running loop. */
function connected() {
  const loop = getRunningLoop();
  const conn = new LoggingConn();
  const reader = new StreamReader(undefined, loop);
  const protocol = new StreamProtocol(reader, null, loop);
  const transport = new SocketTransport(
    loop,
    conn as unknown as Deno.Conn,
    protocol,
  );
  const writer = new StreamWriter(transport, protocol, reader, loop);
  return { conn, reader, writer, transport };
}

Deno.test("SocketTransport: the read a reader waits on is issued after what it wrote is sent, in one write", async () => {
  await run(async () => {
    const { conn, reader, writer } = connected();
    writer.write(enc("ping "));
    writer.write(enc("1"));
    getRunningLoop().callSoon(() => conn.deliver("pong 1"));
    // The request goes out before the read that waits for its reply.
    assert.equal(dec(await reader.read(100)), "pong 1");
    assert.deepEqual(conn.log, ["write ping 1", "read"]);
    writer.close();
    await writer.waitClosed();
  });
});

Deno.test("SocketTransport: a write past the biggest block (64 KiB) goes out alone, as a copy, after the run before it", async () => {
  await run(async () => {
    const { conn, writer } = connected();
    writer.write(enc("head,"));
    const huge = "H".repeat(70_000);
    const hugeBytes = enc(huge);
    writer.write(hugeBytes);
    hugeBytes.fill(0x21); // queued as a copy: the caller's array is its own
    writer.write(enc(",tail"));
    await sleep(0); // the deferred send
    await sleep(0);
    const writes = conn.log.filter((op) => op.startsWith("write"));
    assert.deepEqual(writes, ["write head,", `write ${huge}`, "write ,tail"]);
    writer.close();
    await writer.waitClosed();
  });
});

Deno.test("SocketTransport: a step's small and big writes go out in order, as copies, in one write", async () => {
  await run(async () => {
    const { conn, writer, transport } = connected();
    const first = enc("a1,");
    writer.write(first);
    first.fill(0x21); // the caller's array is its own again
    writer.write(enc("a2,"));
    const big = "B".repeat(5000); // past a 4 KiB block: it takes a bigger one
    const bigBytes = enc(big);
    writer.write(bigBytes);
    bigBytes.fill(0x21);
    writer.write(enc("c1,"));
    const small = "x".repeat(100);
    for (let i = 0; i < 40; i++) writer.write(enc(small)); // past a block
    assert.equal(transport.getWriteBufferSize(), 5009 + 4000);
    await writer.drain();
    await sleep(0); // the deferred send
    const writes = () => conn.log.filter((op) => op.startsWith("write"));
    assert.deepEqual(writes(), [`write a1,a2,${big}c1,${small.repeat(40)}`]);
    // The next step's writes go out the same way.
    writer.write(enc("next,"));
    writer.write(enc("and more"));
    await sleep(0);
    assert.deepEqual(writes().slice(1), ["write next,and more"]);
    writer.close();
    await writer.waitClosed();
  });
});

Deno.test("SocketTransport: a write that throws at once closes the transport and reaches connectionLost, where a new task's awaits are its own", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const conn = new LoggingConn();
    conn.write = () => {
      throw new Deno.errors.BadResource("Bad resource ID");
    };
    const seen: string[] = [];
    let child: Task<void> | null = null;
    // connectionLost starts a task of an `async` function: its awaits
    // belong to that task, as for any task made in a callback.
    const protocol: TransportProtocol = {
      connectionMade() {},
      dataReceived() {},
      readsAhead: () => false,
      eofReceived() {},
      connectionLost(exc) {
        seen.push(`lost ${(exc as Error).name}`);
        child = createTask(
          (async () => {
            await sleep(0);
            seen.push(`child runs as ${currentTask()?.getName()}`);
          })(),
          { name: "after-lost" },
        );
      },
      pauseWriting() {},
      resumeWriting() {},
      released() {},
    };
    const transport = new SocketTransport(
      loop,
      conn as unknown as Deno.Conn,
      protocol,
    );
    transport.write(enc("x".repeat(70_000))); // big: sent at once
    await sleep(0);
    await sleep(0);
    assert.ok(child !== null, "connectionLost ran");
    await child;
    assert.deepEqual(seen, ["lost BadResource", "child runs as after-lost"]);
    assert.ok(transport.isClosing());
  });
});
