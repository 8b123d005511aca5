/**
 * Runs in a Worker of its own (a fresh isolate, so no promise hooks): loads
 * the module with the hooks refused, as on a Deno without them, and reports
 * what the fallback (re-labelling the holder a coroutine captured) does.
 */
(globalThis as Record<symbol, unknown>)[Symbol.for("asyncio.attribution")] =
  "relabel";
const asyncio = await import("../../mod.ts");
const { active: entryHolders } = await import("../../loop/_entry_holders.ts");
const { createTask, currentTask, gather, run, sleep } = asyncio;

const log: string[] = [];
async function w(name: string, n: number): Promise<string> {
  for (let i = 0; i < n; i++) {
    await sleep(0);
    log.push(`${name} ${i} ${currentTask()?.getName()}`);
  }
  return name;
}
const oneByOne = await run(async () => {
  const a = createTask(w("a", 2), { name: "A" });
  const b = createTask(w("b", 2), { name: "B" });
  return [await a, await b];
});
const together = await run(async () => await gather(w("p", 2), w("q", 1)));
const scope = self as unknown as {
  postMessage(message: unknown): void;
  close(): void;
};
scope.postMessage({ entryHolders, oneByOne, together, log });
scope.close();
