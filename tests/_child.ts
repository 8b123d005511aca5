/**
 * A program of the tests run as its own Deno process: what the fault tests
 * need to send it signals, read what it prints as it goes, and measure it
 * from outside. The test command grants `--allow-run=deno`; the child gets
 * only the permissions the test names.
 *
 * @module
 */

/** A Deno program running beside the test. */
export class Child {
  readonly #process: Deno.ChildProcess;
  readonly #lines: ReadableStreamDefaultReader<string>;
  readonly #stderr: Promise<string>;
  /** Every line printed on stdout so far. */
  readonly stdout: string[] = [];

  /**
   * Start `deno run [permissions…] script [args…]`, `script` relative to
   * this folder.
   */
  constructor(script: string, permissions: string[], args: string[] = []) {
    const path = new URL(script, import.meta.url).pathname;
    this.#process = new Deno.Command("deno", {
      args: ["run", "--quiet", ...permissions, path, ...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#lines = this.#process.stdout
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(splitLines())
      .getReader();
    this.#stderr = new Response(this.#process.stderr).text();
  }

  /** The child's process id. */
  get pid(): number {
    return this.#process.pid;
  }

  /**
   * Read stdout until a line matches `pattern` and return it; fail if the
   * child ends first or `seconds` pass.
   */
  async waitFor(pattern: RegExp, seconds = 20): Promise<string> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const next = await Promise.race([
        this.#lines.read(),
        new Promise<"late">((resolve) => {
          timer = setTimeout(() => resolve("late"), deadline - Date.now());
        }),
      ]).finally(() => clearTimeout(timer));
      if (next === "late") {
        throw new Error(`no line matching ${pattern} in ${seconds} s`);
      }
      if (next.done) {
        throw new Error(
          `the child ended before printing ${pattern}; stdout:\n${
            this.stdout.join("\n")
          }\nstderr:\n${await this.#stderr}`,
        );
      }
      this.stdout.push(next.value);
      if (pattern.test(next.value)) return next.value;
    }
  }

  /** Send the child a signal. */
  kill(signal: Deno.Signal): void {
    this.#process.kill(signal);
  }

  /** Wait for the child to end: its status, whole stdout and stderr. */
  async ended(): Promise<
    { status: Deno.CommandStatus; stdout: string[]; stderr: string }
  > {
    for (;;) {
      const next = await this.#lines.read();
      if (next.done) break;
      this.stdout.push(next.value);
    }
    const status = await this.#process.status;
    return { status, stdout: this.stdout, stderr: await this.#stderr };
  }
}

function splitLines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) controller.enqueue(line);
    },
    flush(controller) {
      if (rest !== "") controller.enqueue(rest);
    },
  });
}
