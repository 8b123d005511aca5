/**
 * `loop.subprocessExec` and `loop.subprocessShell` (#19), the protocol form
 * of subprocesses, against CPython's: each scenario also runs in a python3
 * twin (asyncio 3.11), and both traces of callbacks are held to the same
 * order and compared. CPython's order is partly a race (its docs say
 * `process_exited()` may come before `pipe_data_received()` and
 * `pipe_connection_lost()`), so what is compared is what CPython
 * guarantees: `connectionMade` first, each pipe's data then its one
 * `pipeConnectionLost`, one `processExited`, `connectionLost(null)` last;
 * and the same data, pipes and exit code. The children are `python3` and
 * `sh` (and `deno`, for the missing program), as the gate grants.
 */
import assert from "node:assert/strict";
import {
  CancelledError,
  createTask,
  type ExceptionContext,
  Future,
  getRunningLoop,
  PIPE,
  ProcessLookupError,
  type ReadTransport,
  run,
  sleep,
  STDOUT,
  SubprocessProtocol,
  type SubprocessProtocolLike,
  type SubprocessTransport,
  type SubprocessTransportOptions,
  ValueError,
} from "../../mod.ts";
import { dec, enc } from "../streams/_helpers.ts";
import { MISSING_PROGRAM_ERROR, spawnMissingProgram } from "./_missing.ts";

/** One callback: its name and arguments, as both twins record them. */
type Event =
  | ["connectionMade"]
  | ["pipeDataReceived", number, string]
  | ["pipeConnectionLost", number, string | null]
  | ["processExited", number | null]
  | ["connectionLost", null];

/** The name of an error, or `null`, as the traces give it. */
const errorName = (exc: unknown) =>
  exc === null ? null : (exc as Error).name ?? String(exc);

/** A protocol that records every callback, and settles `done` at the end. */
class Tracer extends SubprocessProtocol {
  readonly trace: Event[] = [];
  transport: SubprocessTransport | null = null;
  constructor(readonly done: Future<null>) {
    super();
  }
  override connectionMade(transport: SubprocessTransport) {
    this.transport = transport;
    this.trace.push(["connectionMade"]);
  }
  override pipeDataReceived(fd: number, data: Uint8Array) {
    this.trace.push(["pipeDataReceived", fd, dec(data)]);
  }
  override pipeConnectionLost(fd: number, exc: unknown) {
    this.trace.push(["pipeConnectionLost", fd, errorName(exc)]);
  }
  override processExited() {
    this.trace.push(["processExited", this.transport!.getReturncode()]);
  }
  override connectionLost(exc: unknown) {
    this.trace.push(["connectionLost", exc as null]);
    this.done.setResult(null);
  }
}

/** What a trace says, once its order is checked against CPython's rules. */
interface Summary {
  /** Each pipe's data, joined. */
  data: Record<number, string>;
  /** How each pipe ended (`null`, or the error's name). */
  lost: Record<number, string | null>;
  /** The exit code `processExited` saw. */
  returncode: number | null;
}

/** Check `trace` against the order CPython guarantees; summarise it. */
function checkOrder(trace: Event[], who: string): Summary {
  const where = `${who}: ${JSON.stringify(trace)}`;
  const names = trace.map((e) => e[0]);
  assert.equal(names[0], "connectionMade", where);
  assert.equal(names.filter((n) => n === "connectionMade").length, 1, where);
  assert.equal(names.at(-1), "connectionLost", where);
  assert.equal(names.filter((n) => n === "connectionLost").length, 1, where);
  assert.deepEqual(trace.at(-1), ["connectionLost", null], where);
  assert.equal(names.filter((n) => n === "processExited").length, 1, where);
  const summary: Summary = { data: {}, lost: {}, returncode: null };
  for (const event of trace) {
    if (event[0] === "pipeDataReceived") {
      const [, fd, text] = event;
      assert.ok(!(fd in summary.lost), `data after its pipe's end: ${where}`);
      summary.data[fd] = (summary.data[fd] ?? "") + text;
    } else if (event[0] === "pipeConnectionLost") {
      const [, fd, exc] = event;
      assert.ok(!(fd in summary.lost), `a pipe lost twice: ${where}`);
      summary.lost[fd] = exc;
    } else if (event[0] === "processExited") {
      summary.returncode = event[1];
    }
  }
  return summary;
}

/** The CPython twin: one scenario, its trace and exit code as JSON. */
const TWIN = `
import asyncio, json, sys
args, opts, action = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]

class Tracer(asyncio.SubprocessProtocol):
    def __init__(self, done):
        self.trace, self.done = [], done
    def connection_made(self, transport):
        self.transport = transport
        self.trace.append(["connectionMade"])
    def pipe_data_received(self, fd, data):
        self.trace.append(["pipeDataReceived", fd, data.decode()])
    def pipe_connection_lost(self, fd, exc):
        self.trace.append(["pipeConnectionLost", fd, None if exc is None else type(exc).__name__])
    def process_exited(self):
        self.trace.append(["processExited", self.transport.get_returncode()])
    def connection_lost(self, exc):
        self.trace.append(["connectionLost", exc])
        self.done.set_result(None)

async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    kw = {k: None if v is None else getattr(asyncio.subprocess, v) for k, v in opts.items()}
    transport, protocol = await loop.subprocess_exec(lambda: Tracer(done), *args, **kw)
    if action == "echo":
        stdin = transport.get_pipe_transport(0)
        stdin.write(b"hello\\n")
        stdin.write_eof()
    elif action == "kill":
        transport.kill()
    elif action == "close":
        transport.close()
    await done
    print(json.dumps({"trace": protocol.trace, "returncode": transport.get_returncode()}))
    transport.close()

asyncio.run(main())
`;

type Action = "none" | "echo" | "kill" | "close";
type TwinOptions = Record<string, "PIPE" | "STDOUT" | "DEVNULL" | null>;

/** Run the CPython twin of a scenario. */
async function cpython(
  args: string[],
  opts: TwinOptions,
  action: Action,
): Promise<{ trace: Event[]; returncode: number }> {
  const { code, stdout, stderr } = await new Deno.Command("python3", {
    args: ["-c", TWIN, JSON.stringify(args), JSON.stringify(opts), action],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, dec(stderr));
  return JSON.parse(dec(stdout));
}

const VALUES = { PIPE, STDOUT, DEVNULL: -3 } as const;

/** Run the same scenario here. */
async function ours(
  args: string[],
  opts: TwinOptions,
  action: Action,
): Promise<
  { trace: Event[]; returncode: number; transport: SubprocessTransport }
> {
  const loop = getRunningLoop();
  const done = loop.createFuture<null>();
  const options = Object.fromEntries(
    Object.entries(opts).map(([k, v]) => [k, v === null ? null : VALUES[v]]),
  ) as SubprocessTransportOptions;
  const [transport, protocol] = await loop.subprocessExec(
    () => new Tracer(done),
    args[0],
    args.slice(1),
    options,
  );
  // connectionMade has run when subprocessExec returns, as asyncio's.
  assert.deepEqual(protocol.trace[0], ["connectionMade"]);
  assert.equal(protocol.transport, transport);
  if (action === "echo") {
    const stdin = transport.getPipeTransport(0)!;
    stdin.write(enc("hello\n"));
    stdin.writeEof();
  } else if (action === "kill") transport.kill();
  else if (action === "close") transport.close();
  await done;
  return {
    trace: protocol.trace,
    returncode: transport.getReturncode()!,
    transport,
  };
}

/** Both twins of a scenario; their summaries, checked to be equal. */
async function bothTwins(
  args: string[],
  opts: TwinOptions,
  action: Action,
): Promise<{ summary: Summary; transport: SubprocessTransport }> {
  const python = await cpython(args, opts, action);
  const here = await ours(args, opts, action);
  const expected = checkOrder(python.trace, "CPython");
  const summary = checkOrder(here.trace, "here");
  assert.deepEqual(summary, expected);
  assert.equal(here.returncode, python.returncode);
  return { summary, transport: here.transport };
}

/** Run `body` in a loop whose exception handler must hear nothing. */
async function quietly(body: () => Promise<void>): Promise<void> {
  await run(async () => {
    const logged: ExceptionContext[] = [];
    getRunningLoop().setExceptionHandler((_loop, ctx) => logged.push(ctx));
    await body();
    assert.deepEqual(logged, []);
  });
}

/** Whether a process with this pid exists (asked of a python3 child). */
async function alive(pid: number): Promise<boolean> {
  const { stdout } = await new Deno.Command("python3", {
    args: [
      "-c",
      `import os\ntry:\n os.kill(${pid}, 0); print(1)\nexcept ProcessLookupError:\n print(0)`,
    ],
    stdout: "piped",
  }).output();
  return dec(stdout).trim() === "1";
}

// The asyncio docs' example ("Subprocess Protocols" in asyncio-protocol),
// word for word but for a trace of the callbacks, in both languages.
const DATE_PY = `
import asyncio, json, sys
trace = []

class DateProtocol(asyncio.SubprocessProtocol):
    def __init__(self, exit_future):
        self.exit_future = exit_future
        self.output = bytearray()
        self.pipe_closed = False
        self.exited = False

    def connection_made(self, transport):
        trace.append(["connectionMade"])

    def pipe_connection_lost(self, fd, exc):
        trace.append(["pipeConnectionLost", fd, exc])
        self.pipe_closed = True
        self.check_for_exit()

    def pipe_data_received(self, fd, data):
        trace.append(["pipeDataReceived", fd, data.decode()])
        self.output.extend(data)

    def process_exited(self):
        trace.append(["processExited", None])
        self.exited = True
        # process_exited() method can be called before
        # pipe_connection_lost() method: wait until both methods are
        # called.
        self.check_for_exit()

    def connection_lost(self, exc):
        trace.append(["connectionLost", exc])

    def check_for_exit(self):
        if self.pipe_closed and self.exited:
            self.exit_future.set_result(True)

async def get_date():
    # Get a reference to the event loop as we plan to use
    # low-level APIs.
    loop = asyncio.get_running_loop()

    code = 'import datetime; print(datetime.datetime.now())'
    exit_future = asyncio.Future(loop=loop)

    # Create the subprocess controlled by DateProtocol;
    # redirect the standard output into a pipe.
    transport, protocol = await loop.subprocess_exec(
        lambda: DateProtocol(exit_future),
        sys.executable, '-c', code,
        stdin=None, stderr=None)

    # Wait for the subprocess exit using the process_exited()
    # method of the protocol.
    await exit_future

    # Close the stdout pipe.
    transport.close()

    # Read the output which was collected by the
    # pipe_data_received() method of the protocol.
    data = bytes(protocol.output)
    return data.decode('ascii').rstrip()

date = asyncio.run(get_date())
print(f"Current date: {date}")
print(json.dumps(trace))
`;

const trace: Event[] = [];

class DateProtocol extends SubprocessProtocol {
  output: Uint8Array[] = [];
  pipeClosed = false;
  exited = false;
  constructor(readonly exitFuture: Future<boolean>) {
    super();
  }

  override connectionMade() {
    trace.push(["connectionMade"]);
  }

  override pipeConnectionLost(fd: number, exc: unknown) {
    trace.push(["pipeConnectionLost", fd, errorName(exc)]);
    this.pipeClosed = true;
    this.checkForExit();
  }

  override pipeDataReceived(fd: number, data: Uint8Array) {
    trace.push(["pipeDataReceived", fd, dec(data)]);
    this.output.push(data);
  }

  override processExited() {
    trace.push(["processExited", null]);
    this.exited = true;
    // processExited() method can be called before
    // pipeConnectionLost() method: wait until both methods are
    // called.
    this.checkForExit();
  }

  override connectionLost(exc: unknown) {
    trace.push(["connectionLost", exc as null]);
  }

  checkForExit() {
    if (this.pipeClosed && this.exited) this.exitFuture.setResult(true);
  }
}

async function getDate(): Promise<string> {
  // Get a reference to the event loop as we plan to use
  // low-level APIs.
  const loop = getRunningLoop();

  const code = "import datetime; print(datetime.datetime.now())";
  const exitFuture = new Future<boolean>({ loop });

  // Create the subprocess controlled by DateProtocol;
  // redirect the standard output into a pipe.
  const [transport, protocol] = await loop.subprocessExec(
    () => new DateProtocol(exitFuture),
    "python3",
    ["-c", code],
    { stdin: null, stderr: null },
  );

  // Wait for the subprocess exit using the processExited()
  // method of the protocol.
  await exitFuture;

  // Close the stdout pipe.
  transport.close();

  // Read the output which was collected by the
  // pipeDataReceived() method of the protocol.
  const data = new Uint8Array(
    protocol.output.reduce((n, chunk) => n + chunk.length, 0),
  );
  let at = 0;
  for (const chunk of protocol.output) {
    data.set(chunk, at);
    at += chunk.length;
  }
  return dec(data).trimEnd();
}

const DATE_LINE = /^Current date: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})$/;

Deno.test("subprocessExec(): the asyncio docs' DateProtocol prints what CPython's does, in CPython's order (#19)", async () => {
  const { code, stdout, stderr } = await new Deno.Command("python3", {
    args: ["-c", DATE_PY],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, dec(stderr));
  const [pyLine, pyTrace] = dec(stdout).trimEnd().split("\n");
  // run(getDate): getDate calls getRunningLoop() before its first await
  // (docs/porting.md: the lazy form runs nothing before the loop).
  const date = await run(getDate);
  const line = `Current date: ${date}`;
  for (const printed of [pyLine, line]) assert.match(printed, DATE_LINE);
  const seconds = (l: string) =>
    Date.parse(DATE_LINE.exec(l)![1].replace(" ", "T")) / 1000;
  assert.ok(
    Math.abs(seconds(line) - seconds(pyLine)) < 60,
    `${line} ${pyLine}`,
  );
  const python = checkOrder(JSON.parse(pyTrace), "CPython");
  const here = checkOrder(trace, "here");
  // The same pipes, the same shape of output: the date and a newline.
  assert.deepEqual(Object.keys(here.data), ["1"]);
  assert.deepEqual(Object.keys(python.data), ["1"]);
  assert.equal(here.data[1], `${date}\n`);
  assert.match(python.data[1], /^\S+ \S+\n$/);
  assert.deepEqual(here.lost, { 1: null });
  assert.deepEqual(python.lost, here.lost);
});

Deno.test("subprocessExec(): a child writing to stdout and stderr, exit code 3: CPython's callbacks, returncode 3", async () => {
  await quietly(async () => {
    const { summary, transport } = await bothTwins(
      ["sh", "-c", "echo out; echo err >&2; exit 3"],
      {},
      "none",
    );
    assert.deepEqual(summary, {
      data: { 1: "out\n", 2: "err\n" },
      lost: { 0: null, 1: null, 2: null },
      returncode: 3,
    });
    assert.equal(transport.getReturncode(), 3);
    assert.equal(transport.isClosing(), false);
    assert.ok(transport.getPid() > 0);
    assert.match(
      String(transport),
      /^<BaseSubprocessTransport pid=\d+ returncode=3>$/,
    );
    assert.equal(
      transport.getExtraInfo("subprocess"),
      transport.getExtraInfo("subprocess"),
    );
    assert.equal(
      (transport.getExtraInfo("subprocess") as Deno.ChildProcess).pid,
      transport.getPid(),
    );
    assert.equal(transport.getExtraInfo("nothing", 7), 7);
    // After connectionLost the child is forgotten, as asyncio's.
    assert.throws(() => transport.kill(), ProcessLookupError);
    transport.close();
    assert.equal(transport.isClosing(), true);
  });
});

Deno.test("subprocessShell(): stdin through getPipeTransport(0), writeEof(), the echo read back; stderr: STDOUT shares fd 1", async () => {
  await quietly(async () => {
    const { summary, transport } = await bothTwins(
      ["sh", "-c", "cat"],
      {},
      "echo",
    );
    assert.deepEqual(summary.data, { 1: "hello\n" });
    assert.equal(summary.returncode, 0);
    const stdin = transport.getPipeTransport(0)!;
    assert.equal(stdin.isClosing(), true);
    assert.equal(stdin.canWriteEof(), true);
    const merged = await bothTwins(
      ["sh", "-c", "echo out; echo err >&2"],
      { stdin: null, stderr: "STDOUT" },
      "none",
    );
    assert.deepEqual(merged.summary.lost, { 1: null });
    assert.equal(merged.transport.getPipeTransport(0), null);
    assert.equal(merged.transport.getPipeTransport(2), null);

    // The shell form, with a protocol of plain methods.
    const loop = getRunningLoop();
    const done = loop.createFuture<null>();
    const chunks: string[] = [];
    const protocol: SubprocessProtocolLike = {
      pipeDataReceived: (_fd, data) => void chunks.push(dec(data)),
      connectionLost: () => done.setResult(null),
    };
    const [shell] = await loop.subprocessShell(
      () => protocol,
      "tr a-z A-Z",
      { stderr: null },
    );
    const pipe = shell.getPipeTransport(0)!;
    pipe.writelines([enc("one "), enc("two\n")]);
    pipe.writeEof();
    await done;
    assert.equal(chunks.join(""), "ONE TWO\n");
    assert.equal(shell.getReturncode(), 0);
  });
});

Deno.test("SubprocessTransport.kill(): returncode -9, every pipe lost, as CPython's", async () => {
  await quietly(async () => {
    const { summary, transport } = await bothTwins(
      ["python3", "-c", "import time; time.sleep(30)"],
      {},
      "kill",
    );
    assert.deepEqual(summary, {
      data: {},
      lost: { 0: null, 1: null, 2: null },
      returncode: -9,
    });
    assert.equal(transport.getReturncode(), -9);
  });
});

Deno.test("SubprocessTransport.close(): kills a running child, the callbacks still come, nothing is left", async () => {
  let pid = 0;
  await quietly(async () => {
    const { summary, transport } = await bothTwins(
      ["python3", "-c", "import time; time.sleep(30)"],
      {},
      "close",
    );
    pid = transport.getPid();
    assert.equal(summary.returncode, -9);
    assert.deepEqual(summary.lost, { 0: null, 1: null, 2: null });
    assert.equal(transport.isClosing(), true);
    const stdout = transport.getPipeTransport(1) as ReadTransport;
    assert.equal(stdout.isClosing(), true);
    assert.equal(stdout.isReading(), false);
  });
  assert.equal(await alive(pid), false);
  // A child left running when run() closes its loop is killed too.
  await run(async () => {
    const [transport] = await getRunningLoop().subprocessExec(
      () => new SubprocessProtocol(),
      "python3",
      ["-c", "import time; time.sleep(30)"],
    );
    pid = transport.getPid();
  });
  for (let i = 0; i < 50 && await alive(pid); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(await alive(pid), false);
});

Deno.test("subprocessExec(): a missing program is FileNotFoundError, errno 2, and the protocol is never connected", async () => {
  assert.deepEqual(await spawnMissingProgram("protocol"), {
    ...MISSING_PROGRAM_ERROR,
    protocolMade: true,
    connected: false,
  });
});

Deno.test("a protocol callback that throws goes to the loop's exception handler; the other callbacks come, the loop goes on", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const logged: ExceptionContext[] = [];
    loop.setExceptionHandler((_loop, ctx) => logged.push(ctx));
    const done = loop.createFuture<null>();
    class Faulty extends Tracer {
      override pipeDataReceived(fd: number, data: Uint8Array) {
        super.pipeDataReceived(fd, data);
        throw new ValueError("boom");
      }
      override connectionLost(exc: unknown) {
        super.connectionLost(exc);
        throw new ValueError("last");
      }
    }
    const [transport, protocol] = await loop.subprocessShell(
      () => new Faulty(done),
      "echo hi",
    );
    await done;
    const summary = checkOrder(protocol.trace, "here");
    assert.deepEqual(summary.data, { 1: "hi\n" });
    assert.deepEqual(
      logged.map((c) => [c.message, (c.exception as Error).message]),
      [
        ["Exception in callback pipeDataReceived()", "boom"],
        ["Exception in callback connectionLost()", "last"],
      ],
    );
    // connectionLost threw, the transport finished all the same.
    assert.throws(() => transport.kill(), ProcessLookupError);
    // The loop goes on: the next child runs.
    const next = await ours(["sh", "-c", "exit 4"], {}, "none");
    assert.equal(next.returncode, 4);
  });
});

Deno.test("stdin flow control: pauseWriting() over the high-water mark, resumeWriting() once sent; cancelling subprocessExec() kills the child", async () => {
  await quietly(async () => {
    const loop = getRunningLoop();
    const done = loop.createFuture<null>();
    const flow: string[] = [];
    class Writer extends Tracer {
      override pauseWriting() {
        flow.push("pause");
      }
      override resumeWriting() {
        flow.push("resume");
      }
    }
    const [transport, protocol] = await loop.subprocessExec(
      () => new Writer(done),
      "python3",
      ["-c", "import sys; print(len(sys.stdin.buffer.read()))"],
      { stderr: null },
    );
    const stdin = transport.getPipeTransport(0)!;
    assert.deepEqual(stdin.getWriteBufferLimits(), [16384, 65536]);
    stdin.write(new Uint8Array(200_000));
    assert.deepEqual(flow, ["pause"]); // at once, inside write()
    assert.equal(stdin.getWriteBufferSize(), 200_000);
    stdin.writeEof();
    await done;
    assert.deepEqual(flow, ["pause", "resume"]);
    assert.deepEqual(checkOrder(protocol.trace, "here").data, {
      1: "200000\n",
    });
    // Cancelled while it starts: the child is killed, its end awaited.
    let made: Tracer | null = null;
    const starting = createTask(
      loop.subprocessExec(
        () => made = new Tracer(loop.createFuture<null>()),
        "python3",
        ["-c", "import time; time.sleep(30)"],
      ),
    );
    await sleep(0);
    starting.cancel();
    await assert.rejects(async () => await starting, CancelledError);
    const ended = checkOrder(made!.trace, "cancelled");
    assert.equal(ended.returncode, -9);
    assert.equal(await alive(made!.transport!.getPid()), false);
  });
});

Deno.test("bad input: TypeError or ValueError naming the argument and the value", async () => {
  await run(async () => {
    const loop = getRunningLoop();
    const make = () => new SubprocessProtocol();
    assert.throws(
      () => loop.subprocessExec(42 as never, "sh"),
      /subprocessExec: protocolFactory must be a function, got number 42/,
    );
    assert.throws(
      () => loop.subprocessExec(make, 42 as unknown as string),
      /subprocessExec: program must be a non-empty string, got number 42/,
    );
    assert.throws(
      () => loop.subprocessExec(make, "sh", "-c" as unknown as string[]),
      /subprocessExec: args must be an array of strings, got string "-c"/,
    );
    assert.throws(
      () => loop.subprocessShell(make, 42 as unknown as string),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message === "subprocessShell: cmd must be a string, got number 42",
    );
    assert.throws(
      () => loop.subprocessExec(make, "sh", [], { stdout: 1 as never }),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message ===
          "subprocessExec: options.stdout must be PIPE, DEVNULL or null, got number 1",
    );
    assert.throws(
      () => loop.subprocessShell(make, "true", { stdin: STDOUT as never }),
      /subprocessShell: options\.stdin must be PIPE, DEVNULL or null, got number -2/,
    );
    assert.throws(
      () => loop.subprocessShell(make, "true", { shell: true } as never),
      /subprocessShell: unknown option "shell"/,
    );
    await assert.rejects(
      async () => await loop.subprocessShell(() => 42 as never, "true"),
      /protocolFactory must return a protocol, got number 42/,
    );
    // The loop is not broken: the next call works.
    const done = loop.createFuture<null>();
    const [transport] = await loop.subprocessShell(
      () => new Tracer(done),
      "exit 0",
    );
    await done;
    assert.equal(transport.getReturncode(), 0);
  });
});
