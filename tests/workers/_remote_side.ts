/**
 * The Worker side of `threadsafe_test.ts`: it receives the port of the
 * test's loop, schedules 1,000 callbacks on it, runs two of its functions
 * as tasks, and posts back what it saw.
 */
import { connectLoop } from "../../mod.ts";

const scope = self as unknown as {
  onmessage: (event: MessageEvent<MessagePort>) => void;
  postMessage(message: unknown): void;
  close(): void;
};

scope.onmessage = async (event) => {
  const loop = connectLoop(event.data);
  for (let i = 0; i < 1000; i++) loop.callSoonThreadsafe("record", i);
  loop.callSoonThreadsafe("noSuchFunction");
  const doubled = await loop.runCoroutineThreadsafe<number>("double", 21);
  let failure: unknown = null;
  try {
    await loop.runCoroutineThreadsafe("fail", "bad value");
  } catch (e) {
    const error = e as Error;
    failure = [error.name, error.message, e instanceof Error];
  }
  let unknown: unknown = null;
  try {
    await loop.runCoroutineThreadsafe("missing");
  } catch (e) {
    unknown = (e as Error).message;
  }
  loop.close();
  scope.postMessage({ doubled, failure, unknown });
  scope.close();
};
