/**
 * Subprocesses against what asyncio's do: pipes both ways, exit codes,
 * signals, a missing program, cancellation, the readers' limit. The
 * children are `python3` (and `sh` for the shell), as the gate grants.
 */
import assert from "node:assert/strict";
import {
  CancelledError,
  createSubprocessExec,
  createSubprocessShell,
  createTask,
  DEVNULL,
  gather,
  logger,
  PIPE,
  ProcessLookupError,
  run,
  sleep,
  STDOUT,
  TimeoutError,
  ValueError,
  waitFor,
} from "../../mod.ts";
import { dec, enc } from "../streams/_helpers.ts";
import { MISSING_PROGRAM_ERROR, spawnMissingProgram } from "./_missing.ts";

const py = (code: string) => ["-c", code];

/** Whether a process with this pid exists (asked of a python3 child). */
async function alive(pid: number): Promise<boolean> {
  const { stdout } = await new Deno.Command("python3", {
    args: py(
      `import os\ntry:\n os.kill(${pid}, 0); print(1)\nexcept ProcessLookupError:\n print(0)`,
    ),
    stdout: "piped",
  }).output();
  return dec(stdout).trim() === "1";
}

Deno.test("communicate(): 10 MiB each way through a child, no deadlock", async () => {
  await run(async () => {
    const proc = await createSubprocessExec(
      "python3",
      py(
        "import sys\nd = sys.stdin.buffer.read()\nsys.stdout.buffer.write(d[::-1])\nsys.stderr.write(str(len(d)))",
      ),
      { stdin: PIPE, stdout: PIPE, stderr: PIPE },
    );
    const input = new Uint8Array(10 * 1024 * 1024);
    for (let i = 0; i < input.length; i++) input[i] = i % 251;
    const [out, err] = await proc.communicate(input);
    assert.equal(out!.length, input.length);
    assert.deepEqual(out!.slice(0, 4), input.slice(-4).reverse());
    assert.equal(dec(err!), String(input.length));
    assert.equal(proc.returncode, 0);
  });
});

Deno.test("wait() and returncode: the exit code, null while running, for exec and shell", async () => {
  await run(async () => {
    const proc = await createSubprocessExec(
      "python3",
      py("import sys; sys.exit(3)"),
    );
    assert.equal(proc.returncode, null);
    assert.ok(proc.pid > 0);
    assert.equal(String(proc), `<Process ${proc.pid}>`);
    assert.equal(await proc.wait(), 3);
    assert.equal(proc.returncode, 3);
    assert.equal(await proc.wait(), 3); // again, at once
    const shell = await createSubprocessShell("exit 5");
    assert.equal(await shell.wait(), 5);
    const echo = await createSubprocessShell("echo hi | tr a-z A-Z", {
      stdout: PIPE,
    });
    const [out, err] = await echo.communicate();
    assert.equal(dec(out!), "HI\n");
    assert.equal(err, null);
  });
});

Deno.test("kill(), terminate(), sendSignal(): minus the signal as returncode; ProcessLookupError once exited", async () => {
  await run(async () => {
    const sleeper = () =>
      createSubprocessExec("python3", py("import time; time.sleep(30)"));
    const killed = await sleeper();
    killed.kill();
    assert.equal(await killed.wait(), -9);
    assert.throws(() => killed.kill(), ProcessLookupError);
    const terminated = await sleeper();
    terminated.terminate();
    assert.equal(await terminated.wait(), -15);
    // A handler in the child: the signal by Linux number, as Python's.
    const handler = await createSubprocessExec(
      "python3",
      py(
        "import signal, sys, time\n" +
          "signal.signal(signal.SIGUSR1, lambda *a: (print('got', a[0], flush=True), sys.exit(0)))\n" +
          "print('ready', flush=True)\ntime.sleep(30)",
      ),
      { stdout: PIPE },
    );
    assert.equal(dec(await handler.stdout!.readLine()), "ready\n");
    handler.sendSignal(10);
    assert.equal(dec(await handler.stdout!.readLine()), "got 10\n");
    assert.equal(await handler.wait(), 0);
    assert.throws(
      () => handler.sendSignal("SIGFOO" as Deno.Signal),
      ValueError,
    );
    assert.throws(
      () => handler.sendSignal(999),
      /Process\.sendSignal: sig must be a known signal, got number 999/,
    );
  });
});

Deno.test("a missing program is FileNotFoundError, errno 2, as Python's", async () => {
  assert.deepEqual(await spawnMissingProgram("exec"), MISSING_PROGRAM_ERROR);
});

Deno.test("cancelling communicate() leaves the child running, as asyncio; the loop's close kills it", async () => {
  let pid = 0;
  await run(async () => {
    const proc = await createSubprocessExec(
      "python3",
      py("import time; print('x', flush=True); time.sleep(30)"),
      { stdout: PIPE },
    );
    pid = proc.pid;
    const task = createTask(proc.communicate());
    await sleep(0.2);
    task.cancel();
    await assert.rejects(async () => await task, CancelledError);
    assert.equal(proc.returncode, null);
    assert.ok(await alive(pid));
    // A timed-out wait, then the usual clean-up: kill, then wait.
    await assert.rejects(
      async () => await waitFor(proc.wait(), 0.05),
      TimeoutError,
    );
    const other = createTask(proc.wait());
    proc.kill();
    assert.equal(await proc.wait(), -9);
    assert.equal(await other, -9);
  });
  assert.equal(await alive(pid), false);
  // Left running: killed when run() closes its loop.
  await run(async () => {
    const proc = await createSubprocessExec(
      "python3",
      py("import time; time.sleep(30)"),
    );
    pid = proc.pid;
  });
  for (let i = 0; i < 50 && await alive(pid); i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(await alive(pid), false);
});

Deno.test("limit: a child's line longer than the limit raises ValueError in readLine(), as asyncio", async () => {
  await run(async () => {
    const proc = await createSubprocessExec(
      "python3",
      py("print('a' * 100)"),
      { stdout: PIPE, limit: 10 },
    );
    await assert.rejects(
      async () => await proc.stdout!.readLine(),
      (e: unknown) => e instanceof ValueError && /limit/.test(e.message),
    );
    await proc.wait();
  });
});

Deno.test("stderr: STDOUT merges the child's errors into its output pipe; DEVNULL drops them", async () => {
  await run(async () => {
    const merged = await createSubprocessShell("echo out; echo err >&2", {
      stdout: PIPE,
      stderr: STDOUT,
    });
    const [out, err] = await merged.communicate();
    assert.deepEqual(dec(out!).split("\n").sort(), ["", "err", "out"]);
    assert.equal(err, null);
    const dropped = await createSubprocessShell("echo out; echo err >&2", {
      stdout: DEVNULL,
      stderr: DEVNULL,
    });
    assert.deepEqual(await dropped.communicate(), [null, null]);
  });
});

Deno.test("stdin as a StreamWriter; lines read as they come; a child that does not read breaks no communicate()", async () => {
  await run(async () => {
    const cat = await createSubprocessExec(
      "python3",
      py(
        "import sys\nfor line in sys.stdin: print(line.strip().upper(), flush=True)",
      ),
      { stdin: PIPE, stdout: PIPE },
    );
    const lines: string[] = [];
    for (const word of ["one", "two"]) {
      cat.stdin!.write(enc(word + "\n"));
      await cat.stdin!.drain();
      lines.push(dec(await cat.stdout!.readLine()));
    }
    cat.stdin!.close();
    await cat.stdin!.waitClosed();
    assert.deepEqual(await cat.stdout!.read(), new Uint8Array(0)); // EOF
    assert.deepEqual(lines, ["ONE\n", "TWO\n"]);
    assert.equal(await cat.wait(), 0);
    // The child exits without reading: the broken pipe is no error here.
    const deaf = await createSubprocessExec("python3", py("pass"), {
      stdin: PIPE,
    });
    assert.deepEqual(
      await deaf.communicate(new Uint8Array(4 * 1024 * 1024)),
      [null, null],
    );
    assert.equal(deaf.returncode, 0);
  });
});

Deno.test("cwd and env (which replaces the parent's, as Python's)", async () => {
  await run(async () => {
    const [a, b] = await gather(
      (async () => {
        const p = await createSubprocessExec(
          "python3",
          py("import os; print(os.getcwd())"),
          {
            stdout: PIPE,
            cwd: "tests",
          },
        );
        return dec((await p.communicate())[0]!).trim();
      })(),
      (async () => {
        const p = await createSubprocessExec(
          "python3",
          py(
            "import os; print('HOME' in os.environ, os.environ['ONLY'])",
          ),
          { stdout: PIPE, env: { ONLY: "1" } },
        );
        return dec((await p.communicate())[0]!).trim();
      })(),
    );
    assert.ok(a.endsWith("/tests"), a);
    assert.equal(b, "False 1");
  });
});

Deno.test("bad input: clear errors naming the argument", () => {
  assert.throws(
    () => createSubprocessExec(42 as unknown as string),
    /createSubprocessExec: program must be a non-empty string, got number 42/,
  );
  assert.throws(
    () => createSubprocessExec("python3", "-V" as unknown as string[]),
    /createSubprocessExec: args must be an array of strings, got string "-V"/,
  );
  assert.throws(
    () => createSubprocessExec("python3", [], { stdout: 1 as typeof PIPE }),
    (e: unknown) =>
      e instanceof ValueError &&
      e.message ===
        "createSubprocessExec: options.stdout must be PIPE, DEVNULL or null, got number 1",
  );
  assert.throws(
    () => createSubprocessShell("true", { stdin: STDOUT as typeof PIPE }),
    /options\.stdin must be PIPE, DEVNULL or null, got number -2/,
  );
  assert.throws(
    () => createSubprocessExec("python3", [], { limit: 0 }),
    /Limit cannot be <= 0/,
  );
  assert.throws(
    () => createSubprocessExec("python3", [], { shell: true } as never),
    /createSubprocessExec: unknown option "shell"/,
  );
});

Deno.test("stdin writes after close() are dropped, the fifth one on logged, as asyncio's", async () => {
  // CPython 3.11 prints b'hello\n' and two "pipe closed by peer" warnings.
  await run(async () => {
    const proc = await createSubprocessExec(
      "python3",
      py("import sys; sys.stdout.write(sys.stdin.read())"),
      { stdin: PIPE, stdout: PIPE },
    );
    const warnings: string[] = [];
    const original = logger.warning;
    logger.warning = (message) => warnings.push(message);
    try {
      proc.stdin!.write(enc("hello\n"));
      proc.stdin!.close();
      proc.stdin!.write(enc("after\n")); // no error, as asyncio
      for (let i = 0; i < 6; i++) proc.stdin!.write(enc("x"));
    } finally {
      logger.warning = original;
    }
    assert.deepEqual(warnings, [
      "pipe closed by peer or os.write(pipe, data) raised exception.",
      "pipe closed by peer or os.write(pipe, data) raised exception.",
    ]);
    assert.equal(dec(await proc.stdout!.read()), "hello\n");
    assert.equal(await proc.wait(), 0);
  });
});

Deno.test("createSubprocessShell of a non-string is a ValueError, as asyncio's", async () => {
  // CPython 3.11: ValueError('cmd must be a string')
  await run(async () => {
    await assert.rejects(
      async () => await createSubprocessShell(42 as unknown as string),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message ===
          "createSubprocessShell: cmd must be a string, got number 42",
    );
  });
});
