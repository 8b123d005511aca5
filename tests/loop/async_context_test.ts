/**
 * The async context the tasks are tracked with (loop/_async_context.ts): both
 * ways of keeping it honour the same contract, the fast one is the one in use
 * on the pinned Deno, and it lives beside other code's `AsyncLocalStorage`.
 */
import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import {
  type AsyncContext,
  asyncLocalStorageContext,
  contextKind,
  denoCore,
  directContext,
  Holder,
} from "../../loop/_async_context.ts";
import { createTask, currentTask, run, sleep } from "../../mod.ts";
import { workerReport } from "../_worker.ts";
import { active as entryHolders } from "../../loop/_entry_holders.ts";

Deno.test("async context: Deno's own context functions are used on the pinned Deno", () => {
  assert.notEqual(denoCore(), null);
  assert.equal(contextKind, "deno-core");
});

const kinds: Array<[string, () => AsyncContext]> = [
  ["deno-core", () => directContext(denoCore()!)],
  ["AsyncLocalStorage", asyncLocalStorageContext],
];

/**
 * The plain holder `holder` stands for: itself, or, for the entry an `async`
 * call made under the promise hooks (loop/_entry_holders.ts), the holder it
 * was called in.
 */
function anchor(holder: Holder | undefined): Holder | undefined {
  while (holder?.up != null) holder = holder.up;
  return holder;
}

for (const [kind, make] of kinds) {
  Deno.test(`async context (${kind}): enter() and run() set the current holder; run() restores it, even on a throw`, () => {
    const context = make();
    const outer = new Holder(null);
    const inner = new Holder(null);
    context.run(outer, (arg) => {
      assert.equal(arg, "the argument");
      assert.equal(context.current(), outer);
      assert.equal(context.run(inner, () => context.current(), null), inner);
      assert.equal(context.current(), outer);
      assert.throws(
        () =>
          context.run(inner, () => {
            throw new RangeError("boom");
          }, null),
        RangeError,
      );
      assert.equal(context.current(), outer);
      context.enter(inner);
      assert.equal(context.current(), inner);
    }, "the argument");
  });

  Deno.test(`async context (${kind}): an await keeps the holder it started in, and carries it into a thenable's then()`, async () => {
    const context = make();
    const first = new Holder(null);
    const second = new Holder(null);
    const seen: string[] = [];
    const name = (h: Holder | undefined) =>
      anchor(h) === first
        ? "first"
        : anchor(h) === second
        ? "second"
        : String(h);
    const thenable = {
      then(resolve: (v: string) => void) {
        seen.push(`then: ${name(context.current())}`);
        resolve("done");
      },
    };
    const started = context.run(first, async () => {
      await null;
      seen.push(`after await: ${name(context.current())}`);
      return await thenable;
    }, null);
    context.run(
      second,
      () => seen.push(`meanwhile: ${name(context.current())}`),
      null,
    );
    assert.equal(await started, "done");
    assert.deepEqual(seen, [
      "meanwhile: second",
      "after await: first",
      "then: first",
    ]);
  });

  Deno.test(`async context (${kind}): another library's AsyncLocalStorage keeps its value beside the holder`, async () => {
    const context = make();
    const storage = new AsyncLocalStorage<string>();
    const holder = new Holder(null);
    const seen = await storage.run(
      "user value",
      () =>
        context.run(holder, async () => {
          const before = [
            storage.getStore(),
            anchor(context.current()) === holder,
          ];
          await null;
          const after = [
            storage.getStore(),
            anchor(context.current()) === holder,
          ];
          const nested = storage.run("nested", () => [
            storage.getStore(),
            anchor(context.current()) === holder,
          ]);
          return [before, after, nested];
        }, null),
    );
    assert.deepEqual(seen, [
      ["user value", true],
      ["user value", true],
      ["nested", true],
    ]);
  });
}

Deno.test("async context: a user's AsyncLocalStorage value reaches the tasks, which are still told apart", async () => {
  const storage = new AsyncLocalStorage<string>();
  const log: string[] = [];
  async function worker(tag: string): Promise<void> {
    await sleep(0);
    log.push(`${tag}: ${storage.getStore()} in ${currentTask()?.getName()}`);
  }
  await storage.run("request-7", () =>
    run(async () => {
      const a = createTask(worker("a"), { name: "A" });
      const b = createTask(worker("b"), { name: "B" });
      await a;
      await b;
      log.push(`main: ${storage.getStore()}`);
    }));
  assert.deepEqual(log, [
    "a: request-7 in A",
    "b: request-7 in B",
    "main: request-7",
  ]);
});

Deno.test("async context: the promise hooks give every coroutine its own entry on the pinned Deno", () => {
  assert.equal(entryHolders, true);
});

Deno.test("async context: after the module is loaded by await import(), each coroutine is still its own task (#15)", async () => {
  const report = await workerReport<{ result: string[]; log: string[] }>(
    new URL("./_dynamic_import_worker.ts", import.meta.url),
  );
  assert.deepEqual(report.result, ["a", "b"]);
  assert.deepEqual(report.log, ["main Task-1", "a Task-2", "b Task-3"]);
});

Deno.test("async context: without the promise hooks, createTask() re-labels the holder a coroutine captured, and gather() of coroutines created together still ends (#15)", async () => {
  const report = await workerReport<{
    entryHolders: boolean;
    oneByOne: string[];
    together: string[];
    log: string[];
  }>(new URL("./_relabel_worker.ts", import.meta.url));
  assert.equal(report.entryHolders, false);
  assert.deepEqual(report.oneByOne, ["a", "b"]);
  assert.deepEqual(report.together, ["p", "q"]);
  // One by one, each coroutine is its task's; created together, they share
  // the first one's (the limit the hooks remove).
  assert.deepEqual(report.log.slice(0, 4), [
    "a 0 A",
    "b 0 B",
    "a 1 A",
    "b 1 B",
  ]);
  const [p0, q0, p1] = report.log.slice(4);
  assert.deepEqual([p0.split(" ")[0], q0.split(" ")[0], p1.split(" ")[0]], [
    "p",
    "q",
    "p",
  ]);
  assert.equal(p0.split(" ")[2], q0.split(" ")[2]);
});
