/**
 * Runs in a Worker of its own, so that nothing of `tasks/` is loaded: the
 * loop alone (`loop/policy.ts` and what it imports) runs callbacks and
 * timers, stops and closes, and asking it for a future says what to import.
 */
import { newEventLoop } from "../../loop/policy.ts";

const log: string[] = [];
const loop = newEventLoop();
loop.callLater(0.02, () => {
  log.push(`later ${loop.time() >= 0.02}`);
  loop.stop();
});
loop.callSoon((x: string) => log.push(`soon ${x}`), "a");
const at = loop.callAt(loop.time() + 0.01, () => log.push("at"));
const cancelled = loop.callLater(0.01, () => log.push("cancelled ran"));
cancelled.cancel();
loop.callSoon(() => {
  throw new Error("boom");
});
loop.setExceptionHandler((_loop, context) => {
  log.push(
    `handler ${context.message} ${(context.exception as Error).message}`,
  );
});
await loop.runForever();
let createFuture = "no error";
try {
  loop.createFuture();
} catch (error) {
  createFuture = `${(error as Error).name}: ${(error as Error).message}`;
}
loop.close();
const scope = self as unknown as {
  postMessage(message: unknown): void;
  close(): void;
};
scope.postMessage({
  log,
  atCancelled: at.cancelled(),
  createFuture,
  closed: loop.isClosed(),
});
scope.close();
