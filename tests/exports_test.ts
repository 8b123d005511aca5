/**
 * `mod.ts` is our `__all__` (docs/contract.md, convention 4): its run-time exports are checked
 * against this golden list, written by hand from its explicit re-exports.
 * Adding or removing a public name means editing this list too.
 */
import assert from "node:assert/strict";

/** Sorted by code unit, as `Array.prototype.sort` sorts. */
const GOLDEN = [
  // events
  "Handle",
  "TimerHandle",
  "getEventLoop",
  "getRunningLoop",
  "newEventLoop",
  "setEventLoop",
  // base_events
  "EventLoop",
  "MonotonicClock",
  "VirtualClock",
  // log
  "logger",
  // runners
  "Runner",
  "run",
  // exceptions
  "CancelledError",
  "InvalidStateError",
  "KeyboardInterrupt",
  "RuntimeError",
  "TimeoutError",
  "ValueError",
  // futures
  "Future",
  "isFuture",
  "wrapFuture",
  // coroutines
  "Coroutine",
  "coroutine",
  "isCoroutine",
  "isCoroutineFunction",
  // tasks
  "Task",
  "allTasks",
  "createTask",
  "currentTask",
  "ensureFuture",
  "sleep",
  // graph, and the task dump
  "captureCallGraph",
  "formatCallGraph",
  "formatTasks",
  "printCallGraph",
  // tasks (combinators)
  "ALL_COMPLETED",
  "AsCompletedIterator",
  "FIRST_COMPLETED",
  "FIRST_EXCEPTION",
  "asCompleted",
  "createEagerTaskFactory",
  "eagerTaskFactory",
  "gather",
  "shield",
  "wait",
  "waitFor",
  // timeouts
  "Timeout",
  "timeout",
  "timeoutAt",
  // taskgroups
  "TaskGroup",
  "taskGroup",
  // exceptions (combinators)
  "ExceptionGroup",
  // exceptions
  "BrokenBarrierError",
  // locks
  "Barrier",
  "BoundedSemaphore",
  "Condition",
  "Event",
  "Lock",
  "Semaphore",
  // queues
  "LifoQueue",
  "PriorityQueue",
  "Queue",
  "QueueEmpty",
  "QueueFull",
  "QueueShutDown",
  // streams
  "BrokenPipeError",
  "ConnectionAbortedError",
  "ConnectionError",
  "ConnectionRefusedError",
  "ConnectionResetError",
  "BlockingIOError",
  "FileNotFoundError",
  "IncompleteReadError",
  "InterruptedError",
  "LimitOverrunError",
  "OSError",
  "PermissionError",
  "ProcessLookupError",
  "gaierror",
  "SSLCertVerificationError",
  "SSLError",
  "Server",
  "StreamReader",
  "StreamWriter",
  "openConnection",
  "openUnixConnection",
  "startServer",
  "startUnixServer",
  // subprocesses
  "DEVNULL",
  "PIPE",
  "Process",
  "STDOUT",
  "createSubprocessExec",
  "createSubprocessShell",
  // protocols
  "BaseProtocol",
  "BufferedProtocol",
  "DatagramProtocol",
  "Protocol",
  "SubprocessProtocol",
  // thread-safe calls
  "RemoteLoop",
  "connectLoop",
  "exposeLoop",
  "runCoroutineThreadsafe",
  // gevent-style helpers
  "Greenlet",
  "Pool",
  "joinall",
  "spawn",
  // executors
  "WorkerPoolExecutor",
  "toThread",
  "workerFunction",
].sort();

Deno.test("mod.ts exports exactly the golden list of public names", async () => {
  const mod = await import("../mod.ts");
  assert.deepEqual(Object.keys(mod).sort(), GOLDEN);
});

Deno.test("mod.ts exports no undefined value", async () => {
  const mod: Record<string, unknown> = await import("../mod.ts");
  for (const name of GOLDEN) {
    assert.notEqual(mod[name], undefined, `${name} is undefined`);
  }
});

Deno.test("mod.ts exception classes carry their Python names", async () => {
  const mod: Record<string, unknown> = await import("../mod.ts");
  for (
    const name of [
      "CancelledError",
      "InvalidStateError",
      "KeyboardInterrupt",
      "RuntimeError",
      "TimeoutError",
      "ValueError",
      "BrokenBarrierError",
      "QueueEmpty",
      "QueueFull",
      "QueueShutDown",
      "OSError",
      "BlockingIOError",
      "InterruptedError",
      "PermissionError",
      "ProcessLookupError",
      "gaierror",
    ]
  ) {
    const cls = mod[name] as new () => Error;
    assert.equal(cls.name, name);
    assert.equal(new cls().name, name);
    assert.ok(new cls() instanceof Error);
  }
});
