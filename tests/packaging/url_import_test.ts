/**
 * The module as a user gets it by URL: the repository's files served over
 * HTTP on 127.0.0.1, and a child `deno run` with no config, no lock file and
 * only `--allow-import` of that host, which imports `mod.ts` from there and
 * runs a small asyncio program. This catches what a checkout hides: an import
 * that works only through `deno.json`'s import map, a missing `.ts`
 * extension, a file left out of the tree.
 *
 * The program goes to the child on stdin (`deno run … -`), so nothing is
 * written to disk. Needs `--allow-net=127.0.0.1`, `--allow-read=.` (run from
 * the project root) and `--allow-run=deno`.
 *
 * @module
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/** The response to `GET pathname`: a file under ROOT, or an error status. */
async function serveFile(pathname: string): Promise<Response> {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return new Response("bad path\n", { status: 400 });
  }
  const segments = path.split(/[/\\]/);
  if (segments.includes("..") || path.includes("\0")) {
    return new Response("forbidden\n", { status: 403 });
  }
  const file = new URL("." + segments.join("/"), ROOT);
  if (!file.href.startsWith(ROOT.href)) {
    return new Response("forbidden\n", { status: 403 });
  }
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = await Deno.readFile(file);
  } catch (error) {
    if (
      error instanceof Deno.errors.NotFound ||
      error instanceof Deno.errors.IsADirectory
    ) {
      return new Response("not found\n", { status: 404 });
    }
    throw error;
  }
  const type = path.endsWith(".ts")
    ? "application/typescript"
    : "application/octet-stream";
  return new Response(body, { headers: { "content-type": type } });
}

/** Serve ROOT on 127.0.0.1 while `body` runs, then shut the server down. */
async function withServer(
  body: (origin: string) => Promise<void>,
): Promise<void> {
  const listening = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => listening.resolve(port),
  }, (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response("method not allowed\n", { status: 405 });
    }
    return serveFile(new URL(request.url).pathname);
  });
  try {
    await body(`http://127.0.0.1:${await listening.promise}`);
  } finally {
    await server.shutdown();
    await server.finished;
  }
}

/** `deno run` the program `source` from stdin, as a user would by URL. */
async function runByUrl(
  host: string,
  source: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command("deno", {
    args: [
      "run",
      "--quiet",
      `--allow-import=${host}`,
      "--no-lock",
      "--no-config",
      "--no-prompt",
      "-",
    ],
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(source));
  } finally {
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const dec = new TextDecoder();
  return { code, stdout: dec.decode(stdout), stderr: dec.decode(stderr) };
}

Deno.test("the server refuses paths outside the repository", async () => {
  await withServer(async (origin) => {
    for (const path of ["/..%2Fetc%2Fpasswd", "/tests/..%2F..%2Fx.ts"]) {
      const response = await fetch(origin + path);
      await response.body?.cancel();
      assert.equal(response.status, 403, path);
    }
    const response = await fetch(`${origin}/mod.ts`);
    assert.equal(
      response.headers.get("content-type"),
      "application/typescript",
    );
    assert.match(await response.text(), /export \{/);
  });
});

Deno.test("mod.ts imported by URL runs a program with no config and no lock", async () => {
  await withServer(async (origin) => {
    const source = `
import { createTask, gather, run, sleep } from "${origin}/mod.ts";

await run(async () => {
  const t = createTask(sleep(0.01, 42));
  console.log(await t);
  const all = await gather(sleep(0.02, "a"), sleep(0.01, "b"), Promise.resolve(3));
  console.log(JSON.stringify(all));
});
console.log("done");
`;
    const { code, stdout, stderr } = await runByUrl(
      new URL(origin).host,
      source,
    );
    assert.equal(code, 0, `exit code ${code}; stderr:\n${stderr}`);
    assert.equal(stdout, '42\n["a","b",3]\ndone\n', `stderr:\n${stderr}`);
  });
});
