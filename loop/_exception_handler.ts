/**
 * The loop's exception handler, as asyncio's: what the default handler
 * prints, and how a handler is called so that nothing it does (a throw, an
 * `async` handler's rejection) ever reaches the loop or kills Deno.
 *
 * @module
 */
import type {
  AbstractEventLoop,
  ExceptionContext,
  ExceptionHandler,
} from "./events.ts";

function ignore(): void {}

/**
 * The default handler's text: the message, every other key of the context,
 * where the object was created (`sourceTraceback`, in debug mode) and the
 * exception's stack, as asyncio's `default_exception_handler`.
 */
export function formatContext(context: ExceptionContext): string {
  const lines = [context.message || "Unhandled exception in event loop"];
  for (const key of Object.keys(context).sort()) {
    if (key === "message" || key === "exception") continue;
    if (key === "sourceTraceback") continue;
    lines.push(`${key}: ${String(context[key])}`);
  }
  if (typeof context.sourceTraceback === "string") {
    // asyncio's "Object created at (most recent call last)", in V8's order
    lines.push("Object created at (most recent call first):");
    lines.push(context.sourceTraceback);
  }
  const exc = context.exception;
  if (exc !== undefined) {
    lines.push(exc instanceof Error ? exc.stack ?? String(exc) : String(exc));
  }
  return lines.join("\n");
}

/**
 * Call `handler` (`null`: the loop's default handler) with `context`; what
 * it throws, and the rejection of a promise it returns, are logged by the
 * default handler, never raised.
 */
export function callHandler(
  loop: AbstractEventLoop,
  handler: ExceptionHandler | null,
  context: ExceptionContext,
): void {
  let result: unknown;
  try {
    if (handler === null) result = loop.defaultExceptionHandler(context);
    else result = handler(loop, context);
  } catch (exception) {
    handlerFailed(loop, handler, exception, context);
    return;
  }
  // Unwatched, an async handler's rejection would kill Deno.
  if (result instanceof Promise) {
    result.then(undefined, (exception: unknown) => {
      handlerFailed(loop, handler, exception, context);
    });
  }
}

/** Log what the exception handler raised, as asyncio does. */
function handlerFailed(
  loop: AbstractEventLoop,
  handler: ExceptionHandler | null,
  exception: unknown,
  context: ExceptionContext,
): void {
  try {
    const result: unknown = loop.defaultExceptionHandler({
      message: handler === null
        ? "Exception in default exception handler"
        : "Unhandled error in exception handler",
      exception,
      context: JSON.stringify(context.message),
    });
    // An async override of the default handler: nothing is left to report to.
    if (result instanceof Promise) result.then(undefined, ignore);
  } catch {
    // Nothing is left to report to; the loop must go on.
  }
}
