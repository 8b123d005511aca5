/**
 * The script each Worker of a `WorkerPoolExecutor` runs: for each job
 * message `{id, url, name, args}`, import the module at `url` (cached after
 * the first time), call its export `name(...args)`, await a returned
 * promise, and post `{id, ok: true, value}`, or
 * `{id, ok: false, error: {name, message, stack}}` for what it threw (the
 * executor rebuilds the error's class). A value that cannot be cloned back
 * fails the job with a `TypeError` naming the export.
 *
 * The executor posts one job at a time to a Worker and waits for its
 * answer, so jobs never overlap here. An uncaught error or unhandled
 * rejection fails the current job with that error and marks the answer
 * `crashed`: the executor then terminates this Worker.
 *
 * @module
 */
import { cloneError } from "../workers/_messages.ts";
import type { JobMessage, ResultMessage } from "./worker_pool_executor.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<JobMessage>) => void) | null;
  postMessage(message: ResultMessage): void;
  addEventListener(
    type: "error" | "unhandledrejection",
    listener: (event: ErrorEvent | PromiseRejectionEvent) => void,
  ): void;
};

/** The job being run, or -1: what an uncaught error is blamed on. */
let current = -1;

// An uncaught error or unhandled rejection (a job's timer that throws)
// fails the current job with that error, and the executor replaces this
// Worker (`crashed`): what the job left running may still run here.
for (const type of ["error", "unhandledrejection"] as const) {
  scope.addEventListener(type, (event) => {
    event.preventDefault();
    const error = "reason" in event
      ? event.reason
      : event.error ?? event.message;
    scope.postMessage({
      id: current,
      ok: false,
      error: cloneError(error),
      crashed: true,
    });
  });
}

scope.onmessage = async (event) => {
  const { id, url, name, args } = event.data;
  current = id;
  let value: unknown;
  try {
    const module = await import(url);
    const fn = module[name];
    if (typeof fn !== "function") {
      throw new TypeError(
        `${url} exports no function named ${JSON.stringify(name)}`,
      );
    }
    value = await fn(...args);
  } catch (error) {
    scope.postMessage({ id, ok: false, error: cloneError(error) });
    return;
  }
  try {
    scope.postMessage({ id, ok: true, value });
  } catch (error) {
    scope.postMessage({
      id,
      ok: false,
      error: cloneError(
        new TypeError(
          `${name}() of ${url} returned a value that cannot be cloned to the parent: ${
            (error as Error)?.message ?? String(error)
          }`,
        ),
      ),
    });
  }
};
