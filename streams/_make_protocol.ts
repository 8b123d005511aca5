/**
 * `makeProtocol()`: call a `protocolFactory` of `loop.createConnection`,
 * `createServer`, their Unix variants or `createDatagramEndpoint`, and
 * check that it made a protocol object.
 *
 * @module
 */
import { describe } from "../exceptions/describe.ts";

/** What `factory` makes, or a `TypeError` if it is not an object. */
export function makeProtocol<P>(factory: () => P): P {
  const protocol = factory();
  if (protocol === null || typeof protocol !== "object") {
    throw new TypeError(
      `protocolFactory must return a protocol, got ${describe(protocol)}`,
    );
  }
  return protocol;
}
