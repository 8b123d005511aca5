/**
 * Deno's errors under Python's names (`streams/_os_errors.ts`): the class,
 * `errno`, `strerror`, the message and the `cause` of what the streams
 * raise, beside what CPython 3.11 raises for the same call.
 *
 * The failures that can be provoked within the test flags are provoked for
 * real: a refused connect on 127.0.0.1, a taken port, a Unix path with no
 * socket or with a plain file, a Unix server whose directory is missing
 * (`./.test-sockets` itself, absent: `--allow-net=unix:` grants only
 * `$PWD/.test-sockets/unix.sock`, so a path under `./.test-sockets/no-such-dir/`
 * would be refused by Deno's sandbox, `NotCapable`, before any system call).
 * The rest of the table (a DNS failure needs `--allow-net` for the host; a
 * timeout or a reset cannot be made on demand) feeds constructed Deno errors
 * to the mapping. With `python3`, one test runs the real scenarios in
 * CPython too and compares.
 */
import assert from "node:assert/strict";
import {
  BlockingIOError,
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileNotFoundError,
  gaierror,
  InterruptedError,
  openConnection,
  openUnixConnection,
  OSError,
  PermissionError,
  run,
  sleep,
  SSLCertVerificationError,
  SSLError,
  startServer,
  startUnixServer,
  TimeoutError,
  waitFor,
} from "../../mod.ts";
import {
  bindError,
  connectError,
  pyRepr,
  toPythonError,
  unixBindError,
} from "../../streams/_os_errors.ts";
import { portOf, quietly, shutdown } from "./_helpers.ts";
import { probePython } from "./_python.ts";
import { tlsOptions } from "./_self_signed.ts";
import { handle as echoUpper } from "../../examples/echo_server.ts";

const DIR = "./.test-sockets";
const PATH = `${DIR}/unix.sock`;

// deno-lint-ignore no-explicit-any
type Class = abstract new (...args: any[]) => unknown;

interface Expected {
  cls: Class;
  name: string;
  errno: number | null;
  strerror: string | null;
  message: string;
  cause: Class;
}

/** Check an error against what CPython raises. */
function check(error: unknown, want: Expected): true {
  assert.ok(error instanceof want.cls, `${error} is a ${want.name}`);
  assert.ok(error instanceof OSError, `${error} is an OSError`);
  assert.equal(error.name, want.name);
  assert.equal(error.errno, want.errno);
  assert.equal(error.strerror, want.strerror);
  assert.equal(error.message, want.message);
  assert.ok(error.cause instanceof want.cause, `the cause of ${error}`);
  return true;
}

/** A port nothing listens on (a listener's, closed). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Run `body` in a quiet loop with `./.test-sockets` made, then removed. */
async function inSocketDir(body: () => Promise<void>): Promise<void> {
  Deno.mkdirSync(DIR, { recursive: true });
  try {
    await quietly(body);
  } finally {
    Deno.removeSync(DIR, { recursive: true });
  }
}

// await asyncio.open_connection("127.0.0.1", 1)
// -> ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 1)
//    e.errno == 111, e.strerror == "Connect call failed ('127.0.0.1', 1)"
// The same with ssl=True: the TCP connect fails first.
Deno.test("openConnection() refused raises CPython's ConnectionRefusedError, errno 111", async () => {
  const port = freePort();
  const strerror = `Connect call failed ('127.0.0.1', ${port})`;
  const want = {
    cls: ConnectionRefusedError,
    name: "ConnectionRefusedError",
    errno: 111,
    strerror,
    message: `[Errno 111] ${strerror}`,
    cause: Deno.errors.ConnectionRefused,
  };
  await quietly(async () => {
    await assert.rejects(
      async () => await openConnection("127.0.0.1", port),
      (error) => check(error, want),
    );
    await assert.rejects(
      async () => await openConnection("127.0.0.1", port, { ssl: true }),
      (error) => check(error, want),
    );
    await assert.rejects(
      async () =>
        await openConnection("127.0.0.1", port, {
          ssl: true,
          serverHostname: "localhost",
        }),
      (error) => check(error, want),
    );
  });
});

// s = await asyncio.start_server(cb, "127.0.0.1", 0); port = ...
// await asyncio.start_server(cb, "127.0.0.1", port, ssl=ctx)
// -> OSError: [Errno 98] error while attempting to bind on address
//    ('127.0.0.1', PORT): address already in use
//    e.strerror is all the text after "[Errno 98] "
Deno.test("startServer() with ssl on a taken port raises CPython's OSError 98", async () => {
  const { SERVER_SSL } = await tlsOptions();
  await quietly(async () => {
    const server = await startServer(echoUpper, "127.0.0.1", 0);
    const port = portOf(server);
    try {
      const strerror =
        `error while attempting to bind on address ('127.0.0.1', ${port}): address already in use`;
      await assert.rejects(
        async () =>
          await startServer(echoUpper, "127.0.0.1", port, { ssl: SERVER_SSL }),
        (error) =>
          check(error, {
            cls: OSError,
            name: "OSError",
            errno: 98,
            strerror,
            message: `[Errno 98] ${strerror}`,
            cause: Deno.errors.AddrInUse,
          }),
      );
    } finally {
      await shutdown(server);
    }
  });
});

// await asyncio.open_unix_connection("./.test-sockets/unix.sock")  # no file
// -> FileNotFoundError: [Errno 2] No such file or directory
// open("./.test-sockets/unix.sock", "w"); await asyncio.open_unix_connection(…)
// -> ConnectionRefusedError: [Errno 111] Connection refused
Deno.test("openUnixConnection() raises CPython's FileNotFoundError 2 / ConnectionRefusedError 111", async () => {
  await inSocketDir(async () => {
    await assert.rejects(
      async () => await openUnixConnection(PATH),
      (error) =>
        check(error, {
          cls: FileNotFoundError,
          name: "FileNotFoundError",
          errno: 2,
          strerror: "No such file or directory",
          message: "[Errno 2] No such file or directory",
          cause: Deno.errors.NotFound,
        }),
    );
    Deno.writeTextFileSync(PATH, "not a socket");
    await assert.rejects(
      async () => await openUnixConnection(PATH),
      (error) =>
        check(error, {
          cls: ConnectionRefusedError,
          name: "ConnectionRefusedError",
          errno: 111,
          strerror: "Connection refused",
          message: "[Errno 111] Connection refused",
          cause: Deno.errors.ConnectionRefused,
        }),
    );
  });
});

// await asyncio.start_unix_server(cb, "./no-such-dir/unix.sock")
// -> FileNotFoundError: [Errno 2] No such file or directory
Deno.test("startUnixServer() in a missing directory raises CPython's FileNotFoundError 2", async () => {
  // The directory is `./.test-sockets` itself (see the module comment).
  try {
    Deno.removeSync(DIR); // an empty one left behind; fails if not empty
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await quietly(async () => {
    await assert.rejects(
      async () => await startUnixServer(echoUpper, PATH),
      (error) =>
        check(error, {
          cls: FileNotFoundError,
          name: "FileNotFoundError",
          errno: 2,
          strerror: "No such file or directory",
          message: "[Errno 2] No such file or directory",
          cause: Deno.errors.NotFound,
        }),
    );
  });
});

// Python 3.11: issubclass(TimeoutError, OSError) and
// asyncio.TimeoutError is TimeoutError; asyncio.wait_for's has no errno:
// repr(e) == "TimeoutError()", e.errno is None, e.strerror is None
Deno.test("TimeoutError is an OSError, as in Python 3.11; a deadline's has no errno", async () => {
  await run(async () => {
    await assert.rejects(
      async () => await waitFor(sleep(10), 0),
      (error: unknown) => {
        assert.ok(error instanceof TimeoutError);
        assert.ok(error instanceof OSError);
        assert.equal(error.name, "TimeoutError");
        assert.equal(error.errno, null);
        assert.equal(error.strerror, null);
        assert.equal(error.message, "");
        return true;
      },
    );
  });
});

/**
 * A constructed Deno error, what it becomes: class, errno, strerror (the
 * message is `[Errno N] strerror`). CPython: `OSError(N, os.strerror(N))`
 * makes the same class, `str()` the same text.
 */
const TABLE: [Error, Class, string, number, string][] = [
  [
    new Deno.errors.ConnectionRefused("Connection refused (os error 111)"),
    ConnectionRefusedError,
    "ConnectionRefusedError",
    111,
    "Connection refused",
  ],
  [
    new Deno.errors.ConnectionReset("Connection reset by peer (os error 104)"),
    ConnectionResetError,
    "ConnectionResetError",
    104,
    "Connection reset by peer",
  ],
  [
    new Deno.errors.ConnectionAborted(
      "Software caused connection abort (os error 103)",
    ),
    ConnectionAbortedError,
    "ConnectionAbortedError",
    103,
    "Software caused connection abort",
  ],
  [
    new Deno.errors.BrokenPipe("Broken pipe (os error 32)"),
    BrokenPipeError,
    "BrokenPipeError",
    32,
    "Broken pipe",
  ],
  [
    new Deno.errors.NotFound(
      "No such file or directory (os error 2): lstat './x.sock'",
    ),
    FileNotFoundError,
    "FileNotFoundError",
    2,
    "No such file or directory",
  ],
  [
    new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
    PermissionError,
    "PermissionError",
    13,
    "Permission denied",
  ],
  [
    new Deno.errors.PermissionDenied("Operation not permitted (os error 1)"),
    PermissionError,
    "PermissionError",
    1,
    "Operation not permitted",
  ],
  [
    new Deno.errors.AddrInUse("Address already in use (os error 98)"),
    OSError,
    "OSError",
    98,
    "Address already in use",
  ],
  [
    new Deno.errors.AddrNotAvailable(
      "Cannot assign requested address (os error 99)",
    ),
    OSError,
    "OSError",
    99,
    "Cannot assign requested address",
  ],
  [
    new Deno.errors.NotConnected(
      "Transport endpoint is not connected (os error 107)",
    ),
    OSError,
    "OSError",
    107,
    "Transport endpoint is not connected",
  ],
  [
    new Deno.errors.TimedOut("Connection timed out (os error 110)"),
    TimeoutError,
    "TimeoutError",
    110,
    "Connection timed out",
  ],
  [
    new Deno.errors.Interrupted("Interrupted system call (os error 4)"),
    InterruptedError,
    "InterruptedError",
    4,
    "Interrupted system call",
  ],
  [
    new Deno.errors.WouldBlock(
      "Resource temporarily unavailable (os error 11)",
    ),
    BlockingIOError,
    "BlockingIOError",
    11,
    "Resource temporarily unavailable",
  ],
  [
    new Deno.errors.NetworkUnreachable("Network is unreachable (os error 101)"),
    OSError,
    "OSError",
    101,
    "Network is unreachable",
  ],
  // Deno has no kind for EHOSTUNREACH: a plain Error with the OS's errno.
  [
    new Error("No route to host (os error 113)"),
    OSError,
    "OSError",
    113,
    "No route to host",
  ],
  // Without "(os error N)": the kind's Linux errno and text.
  [
    new Deno.errors.TimedOut("timed out"),
    TimeoutError,
    "TimeoutError",
    110,
    "Connection timed out",
  ],
  [
    new Deno.errors.Interrupted("operation canceled"),
    InterruptedError,
    "InterruptedError",
    4,
    "Interrupted system call",
  ],
  [
    new Deno.errors.ConnectionReset("connection reset"),
    ConnectionResetError,
    "ConnectionResetError",
    104,
    "Connection reset by peer",
  ],
];

Deno.test("toPythonError(): each Deno kind is Python's class, with errno and strerror", () => {
  for (const [denoError, cls, name, errno, strerror] of TABLE) {
    check(toPythonError(denoError), {
      cls,
      name,
      errno,
      strerror,
      message: `[Errno ${errno}] ${strerror}`,
      cause: denoError.constructor as Class,
    });
    assert.equal((toPythonError(denoError) as Error).cause, denoError);
  }
});

// await asyncio.open_connection("no-such-host.invalid", 80)
// -> socket.gaierror: [Errno -2] Name or service not known
// (offline: [Errno -3] Temporary failure in name resolution)
Deno.test("toPythonError(): Deno's failed lookup is socket.gaierror with the EAI code", () => {
  for (
    const [text, errno] of [
      ["Name or service not known", -2],
      ["Temporary failure in name resolution", -3],
      ["No address associated with hostname", -5],
    ] as const
  ) {
    // What Deno.connect({ hostname: "no-such-host.invalid", port: 80 })
    // raises (a plain Error), with --allow-net for the host.
    const denoError = new Error(
      `failed to lookup address information: ${text}`,
    );
    const want = {
      cls: gaierror,
      name: "gaierror",
      errno,
      strerror: text,
      message: `[Errno ${errno}] ${text}`,
      cause: Error,
    };
    check(toPythonError(denoError), want);
    check(connectError(denoError, "no-such-host.invalid", 80), want);
    check(bindError(denoError, "no-such-host.invalid", 0), want);
  }
  const odd = toPythonError(
    new Error("failed to lookup address information: something new"),
  );
  assert.ok(odd instanceof gaierror);
  assert.equal(odd.errno, null);
  assert.equal(odd.message, "something new");
});

Deno.test("toPythonError(): what is no OS error is returned as it is", () => {
  const notCapable = new Deno.errors.NotCapable(
    'Requires net access to "no-such-host.invalid:80"',
  );
  const same = [
    notCapable, // Deno's sandbox: not the OS's EACCES
    new Deno.errors.BadResource("Bad resource ID"),
    new Deno.errors.InvalidData("invalid data"), // not TLS
    new TypeError("a callback's bug"),
    new Error("a plain error"),
    new ConnectionResetError("Connection lost"), // mapped already
    "a string",
    null,
  ];
  for (const value of same) assert.equal(toPythonError(value), value);
  assert.equal(connectError(notCapable, "127.0.0.1", 80), notCapable);
  assert.equal(bindError(notCapable, "127.0.0.1", 80), notCapable);
  assert.equal(unixBindError(notCapable, PATH), notCapable);
});

// A TLS peer that speaks no TLS / an untrusted certificate:
// ssl.SSLError / ssl.SSLCertVerificationError (Deno's text kept)
Deno.test("toPythonError(…, tls): InvalidData is SSLError, or SSLCertVerificationError", () => {
  const garbage = new Deno.errors.InvalidData("received corrupt message");
  const ssl = toPythonError(garbage, true);
  assert.ok(
    ssl instanceof SSLError && !(ssl instanceof SSLCertVerificationError),
  );
  assert.ok(ssl instanceof OSError);
  assert.equal(ssl.cause, garbage);
  const cert = new Deno.errors.InvalidData(
    "invalid peer certificate: UnknownIssuer",
  );
  const verify = toPythonError(cert, true);
  assert.ok(verify instanceof SSLCertVerificationError);
  assert.equal(verify.cause, cert);
});

// CPython's sock_connect: an error that comes through SO_ERROR is
// OSError(err, f'Connect call failed {address}'), one connect() raises at
// once is the system's: [Errno 101] Network is unreachable
Deno.test("connectError(): late errors say 'Connect call failed (address)', as asyncio", () => {
  const timedOut = new Deno.errors.TimedOut(
    "Connection timed out (os error 110)",
  );
  check(connectError(timedOut, "10.0.0.1", 80), {
    cls: TimeoutError,
    name: "TimeoutError",
    errno: 110,
    strerror: "Connect call failed ('10.0.0.1', 80)",
    message: "[Errno 110] Connect call failed ('10.0.0.1', 80)",
    cause: Deno.errors.TimedOut,
  });
  // asyncio.open_connection("::1", 1)
  // -> [Errno 111] Connect call failed ('::1', 1, 0, 0)
  const refused = new Deno.errors.ConnectionRefused(
    "Connection refused (os error 111)",
  );
  check(connectError(refused, "::1", 1), {
    cls: ConnectionRefusedError,
    name: "ConnectionRefusedError",
    errno: 111,
    strerror: "Connect call failed ('::1', 1, 0, 0)",
    message: "[Errno 111] Connect call failed ('::1', 1, 0, 0)",
    cause: Deno.errors.ConnectionRefused,
  });
  const unreachable = new Deno.errors.NetworkUnreachable(
    "Network is unreachable (os error 101)",
  );
  check(connectError(unreachable, "203.0.113.1", 80), {
    cls: OSError,
    name: "OSError",
    errno: 101,
    strerror: "Network is unreachable",
    message: "[Errno 101] Network is unreachable",
    cause: Deno.errors.NetworkUnreachable,
  });
  const aborted = new ConnectionAbortedError("SSL handshake is taking longer");
  assert.equal(connectError(aborted, "127.0.0.1", 443), aborted);
});

// await asyncio.start_server(cb, "10.255.255.1", 0)
// -> OSError: [Errno 99] error while attempting to bind on address
//    ('10.255.255.1', 0): cannot assign requested address
// (and a port the process may not bind: PermissionError, errno 13)
Deno.test("bindError(): CPython's 'error while attempting to bind' with the errno's class", () => {
  const strerror =
    "error while attempting to bind on address ('10.255.255.1', 0): cannot assign requested address";
  check(
    bindError(
      new Deno.errors.AddrNotAvailable(
        "Cannot assign requested address (os error 99)",
      ),
      "10.255.255.1",
      0,
    ),
    {
      cls: OSError,
      name: "OSError",
      errno: 99,
      strerror,
      message: `[Errno 99] ${strerror}`,
      cause: Deno.errors.AddrNotAvailable,
    },
  );
  const denied =
    "error while attempting to bind on address ('::1', 80, 0, 0): permission denied";
  check(
    bindError(
      new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
      "::1",
      80,
    ),
    {
      cls: PermissionError,
      name: "PermissionError",
      errno: 13,
      strerror: denied,
      message: `[Errno 13] ${denied}`,
      cause: Deno.errors.PermissionDenied,
    },
  );
});

// asyncio.start_unix_server(cb, "it's.sock") on a plain file
// -> OSError: [Errno 98] Address "it's.sock" is already in use  (repr())
Deno.test("unixBindError(): a taken path is OSError 98 naming its repr, as asyncio", () => {
  const inUse = new Deno.errors.AddrInUse(
    "Address already in use (os error 98)",
  );
  check(unixBindError(inUse, "it's.sock"), {
    cls: OSError,
    name: "OSError",
    errno: 98,
    strerror: `Address "it's.sock" is already in use`,
    message: `[Errno 98] Address "it's.sock" is already in use`,
    cause: Deno.errors.AddrInUse,
  });
  check(
    unixBindError(
      new Deno.errors.NotFound("No such file or directory (os error 2)"),
      "./nowhere/s.sock",
    ),
    {
      cls: FileNotFoundError,
      name: "FileNotFoundError",
      errno: 2,
      strerror: "No such file or directory",
      message: "[Errno 2] No such file or directory",
      cause: Deno.errors.NotFound,
    },
  );
  // repr() as Python's
  assert.equal(pyRepr("a'b\"c\\\n"), `'a\\'b"c\\\\\\n'`);
  assert.equal(pyRepr("/tmp/s\x00"), "'/tmp/s\\x00'");
});

const SCENARIOS = `
import asyncio, json, sys
port, path = int(sys.argv[1]), sys.argv[2]
async def cb(r, w): w.close()
async def attempt(make):
    try:
        r = await make()
    except OSError as e:
        return [type(e).__name__, e.errno, e.strerror, str(e)]
    return "no error"
async def main():
    out = {}
    out["refused"] = await attempt(lambda: asyncio.open_connection("127.0.0.1", int(sys.argv[3])))
    out["taken"] = await attempt(lambda: asyncio.start_server(cb, "127.0.0.1", port))
    out["unixMissingDir"] = await attempt(lambda: asyncio.start_unix_server(cb, path))
    out["unixNoFile"] = await attempt(lambda: asyncio.open_unix_connection(path))
    print(json.dumps(out), flush=True)
asyncio.run(main())
`;

/** `[class, errno, strerror, message]` of an error, as the script prints. */
function described(error: unknown): unknown {
  const e = error as OSError;
  return [e.name, e.errno, e.strerror, e.message];
}

const python = probePython();

Deno.test({
  name:
    "the errors match CPython 3.11's, run side by side (refused, taken port, Unix)",
  ignore: python === "absent",
  fn: async () => {
    try {
      Deno.removeSync(DIR);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const refusedPort = freePort();
    const ours: Record<string, unknown> = {};
    let cpython = "";
    await quietly(async () => {
      const server = await startServer(echoUpper, "127.0.0.1", 0);
      const port = portOf(server);
      try {
        const attempt = async (
          key: string,
          make: () => PromiseLike<unknown>,
        ) => {
          try {
            await make();
            ours[key] = "no error";
          } catch (error) {
            ours[key] = described(error);
          }
        };
        await attempt(
          "refused",
          () => openConnection("127.0.0.1", refusedPort),
        );
        await attempt("taken", () => startServer(echoUpper, "127.0.0.1", port));
        await attempt("unixMissingDir", () => startUnixServer(echoUpper, PATH));
        await attempt("unixNoFile", () => openUnixConnection(PATH));
        const output = await new Deno.Command("python3", {
          args: ["-c", SCENARIOS, String(port), PATH, String(refusedPort)],
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        cpython = new TextDecoder().decode(output.stdout) +
          new TextDecoder().decode(output.stderr);
      } finally {
        await shutdown(server);
      }
    });
    assert.deepEqual(ours, JSON.parse(cpython));
  },
});
