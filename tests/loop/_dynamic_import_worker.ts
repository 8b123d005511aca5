/**
 * Runs in a Worker of its own: the module is loaded by `await import(…)`, so
 * the importer's code runs in no async context at all (the one the module
 * set at its load does not reach it), and every coroutine must still be its
 * own task.
 */
const { currentTask, gather, run, sleep } = await import("../../mod.ts");

const log: string[] = [];
async function w(name: string): Promise<string> {
  await sleep(0);
  log.push(`${name} ${currentTask()?.getName()}`);
  return name;
}
async function main(): Promise<string[]> {
  await sleep(0);
  log.push(`main ${currentTask()?.getName()}`);
  return await gather(w("a"), w("b"));
}
const result = await run(main());
const scope = self as unknown as {
  postMessage(message: unknown): void;
  close(): void;
};
scope.postMessage({ result, log });
scope.close();
