/**
 * Interoperability with a real peer: a Python asyncio client against our
 * `startServer`, and our `openConnection` against a Python asyncio
 * `start_server`, each checking the bytes both sides saw (a line, then
 * 256 KiB of binary up to a half-close, echoed back).
 *
 * Needs `--allow-run=python3` besides `--allow-net=127.0.0.1`. The tests are
 * ignored, with a warning, only when `python3` is not installed; without the
 * permission they run and fail, saying which flag is missing.
 */
import assert from "node:assert/strict";
import {
  openConnection,
  run,
  type Server,
  startServer,
  type StreamReader,
  type StreamWriter,
} from "../../mod.ts";
import { dec, enc } from "./_helpers.ts";
import {
  endPython,
  probePython,
  python3Command,
  readPort,
  readRest,
} from "./_python.ts";

const PAYLOAD_SIZE = 256 * 1024;
const LINE = "hello from the other side\n";

/** 256 KiB with every byte value; Python builds the same bytes. */
function payload(): Uint8Array {
  const out = new Uint8Array(PAYLOAD_SIZE);
  for (let i = 0; i < PAYLOAD_SIZE; i++) out[i] = (i * 7 + 3) % 256;
  return out;
}

const PY_PAYLOAD = `bytes((i * 7 + 3) % 256 for i in range(${PAYLOAD_SIZE}))`;

/** The client: a line, then the payload up to EOF; prints what it got. */
const PY_CLIENT = `
import asyncio, json, sys

async def main(port):
    payload = ${PY_PAYLOAD}
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(${JSON.stringify(LINE)}.encode())
    await writer.drain()
    line = await reader.readline()
    writer.write(payload)
    await writer.drain()
    writer.write_eof()
    echoed = await reader.read()
    writer.close()
    await writer.wait_closed()
    print(json.dumps({"line": line.decode(), "size": len(echoed),
                      "same": echoed == payload}), flush=True)

asyncio.run(asyncio.wait_for(main(int(sys.argv[1])), 30))
`;

/**
 * The server: prints its port, serves one client (the line upper-cased,
 * then the payload echoed back after the client's EOF), prints what it got.
 */
const PY_SERVER = `
import asyncio, json

async def main():
    payload = ${PY_PAYLOAD}
    done = asyncio.Event()
    got = {}

    async def handle(reader, writer):
        line = await reader.readline()
        writer.write(line.upper())
        await writer.drain()
        data = await reader.read()
        got.update(line=line.decode(), size=len(data), same=data == payload)
        writer.write(data)
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        done.set()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.wait_for(done.wait(), 30)
    server.close()
    await server.wait_closed()
    print(json.dumps(got), flush=True)

asyncio.run(main())
`;

const python = probePython();
if (python === "absent") {
  console.warn(
    "interop_test.ts: python3 is not installed: the Python interop tests are ignored",
  );
}

function python3(args: string[]): Deno.Command {
  return python3Command(python, "interop_test.ts", args);
}

function upper(data: Uint8Array): Uint8Array {
  return data.map((b) => b >= 0x61 && b <= 0x7a ? b - 0x20 : b);
}

Deno.test({
  name:
    "startServer(): a Python asyncio client exchanges a line and 256 KiB with our server",
  ignore: python === "absent",
  async fn() {
    await run(async () => {
      const seen: { line: string; data: Uint8Array | null } = {
        line: "",
        data: null,
      };
      const server: Server = await startServer(
        async (reader: StreamReader, writer: StreamWriter) => {
          const line = await reader.readLine();
          seen.line = dec(line);
          writer.write(upper(line));
          await writer.drain();
          const data = await reader.read(-1);
          seen.data = data;
          writer.write(data);
          await writer.drain();
          writer.close();
          await writer.waitClosed();
        },
        "127.0.0.1",
        0,
      );
      try {
        const [, port] = server.sockets[0].getsockname() as [string, number];
        const out = await python3(["-c", PY_CLIENT, String(port)]).output();
        assert.equal(out.code, 0, `python3 failed:\n${dec(out.stderr)}`);
        assert.deepEqual(JSON.parse(dec(out.stdout)), {
          line: LINE.toUpperCase(),
          size: PAYLOAD_SIZE,
          same: true,
        });
        assert.equal(seen.line, LINE);
        assert.deepEqual(seen.data, payload());
      } finally {
        server.close();
        await server.waitClosed();
      }
    });
  },
});

Deno.test({
  name:
    "openConnection(): our client exchanges a line and 256 KiB with a Python asyncio server",
  ignore: python === "absent",
  async fn() {
    const child = python3(["-c", PY_SERVER]).spawn();
    const stderr = new Response(child.stderr).text();
    const stdout = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let exited = false;
    try {
      const [port, rest] = await readPort(stdout, stderr);
      const expected = payload();
      const [line, echoed] = await run(async () => {
        const [reader, writer] = await openConnection("127.0.0.1", port);
        try {
          writer.write(enc(LINE));
          await writer.drain();
          const line = dec(await reader.readLine());
          writer.write(expected);
          await writer.drain();
          writer.writeEof();
          const echoed = await reader.read(-1);
          assert.ok(reader.atEof());
          return [line, echoed] as const;
        } finally {
          writer.close();
          await writer.waitClosed();
        }
      });
      assert.equal(line, LINE.toUpperCase());
      assert.equal(echoed.length, PAYLOAD_SIZE);
      assert.deepEqual(echoed, expected);
      const report = await readRest(stdout, rest);
      const status = await child.status;
      exited = true;
      assert.equal(status.code, 0, `python3 failed:\n${await stderr}`);
      assert.deepEqual(JSON.parse(report), {
        line: LINE,
        size: PAYLOAD_SIZE,
        same: true,
      });
    } finally {
      await endPython(child, exited, stdout, stderr);
    }
  },
});
