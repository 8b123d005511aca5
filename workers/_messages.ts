/**
 * What goes through a loop's `MessagePort` between Workers
 * (`exposeLoop` ⇄ `connectLoop`), and errors across structured clone.
 *
 * Structured clone keeps a built-in error's class, but turns every other
 * class (`ValueError`, `CancelledError`, a program's own) into `Error`. So
 * an error goes as its name, message and stack, and comes back as the
 * class of that name if it is a built-in or one of this module's, else as
 * an `Error` with that `name`.
 *
 * @module
 */
import {
  BrokenBarrierError,
  CancelledError,
  InvalidStateError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
} from "../exceptions/asyncio.ts";
import {
  KeyboardInterrupt,
  RuntimeError,
  ValueError,
} from "../exceptions/builtins.ts";
import {
  BrokenPipeError,
  ConnectionAbortedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  FileNotFoundError,
  OSError,
  PermissionError,
  ProcessLookupError,
  TimeoutError,
} from "../exceptions/os_errors.ts";

/** Run `name(...args)` as a loop callback (`callSoonThreadsafe`). */
export interface CallMessage {
  kind: "call";
  name: string;
  args: unknown[];
}

/** Run `name(...args)` as a task; answer `id` (`runCoroutineThreadsafe`). */
export interface RunMessage {
  kind: "run";
  id: number;
  name: string;
  args: unknown[];
}

/** How the task of a `RunMessage` ended. */
export type ReplyMessage =
  | { kind: "reply"; id: number; ok: true; value: unknown }
  | { kind: "reply"; id: number; ok: false; error: ClonedError };

/** An error as it crosses structured clone. */
export interface ClonedError {
  name: string;
  message: string;
  stack: string | undefined;
}

type ErrorClass = new (message?: string) => Error;

const CLASSES: Record<string, ErrorClass> = Object.fromEntries(
  [
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    URIError,
    BrokenBarrierError,
    CancelledError,
    InvalidStateError,
    QueueEmpty,
    QueueFull,
    QueueShutDown,
    KeyboardInterrupt,
    RuntimeError,
    ValueError,
    BrokenPipeError,
    ConnectionAbortedError,
    ConnectionError,
    ConnectionRefusedError,
    ConnectionResetError,
    FileNotFoundError,
    OSError,
    PermissionError,
    ProcessLookupError,
    TimeoutError,
  ].map((cls) => [new (cls as ErrorClass)().name, cls as ErrorClass]),
);

/** What to post for `error` (anything thrown). */
export function cloneError(error: unknown): ClonedError {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: "Error", message: String(error), stack: undefined };
}

/** The error a `ClonedError` stands for, of its class where known. */
export function rebuildError(cloned: ClonedError): Error {
  const cls = CLASSES[cloned.name];
  const error = cls === undefined
    ? new Error(cloned.message)
    : new cls(cloned.message);
  if (cls === undefined) error.name = cloned.name;
  if (cloned.stack !== undefined) error.stack = cloned.stack;
  return error;
}
