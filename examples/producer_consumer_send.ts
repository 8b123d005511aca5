/**
 * The producer/consumer of the days before asyncio: the consumer is a
 * generator, primed with `next()`, and the producer `send`s items into it
 * (JavaScript's `gen.next(item)`). No event loop is involved.
 *
 * ```python
 * def consumer():
 *     r = ""
 *     while True:
 *         n = yield r
 *         if not n:
 *             return
 *         print("[CONSUMER] Consuming %s..." % n)
 *         r = "200 OK"
 *
 * def produce(c):
 *     next(c)
 *     n = 0
 *     while n < 5:
 *         n = n + 1
 *         print("[PRODUCER] Producing %s..." % n)
 *         r = c.send(n)
 *         print("[PRODUCER] Consumer return: %s" % r)
 *     c.close()
 *
 * c = consumer()
 * produce(c)
 * ```
 *
 * It prints, for n from 1 to 5:
 *
 * ```text
 * [PRODUCER] Producing 1...
 * [CONSUMER] Consuming 1...
 * [PRODUCER] Consumer return: 200 OK
 * ```
 *
 * Run it with `deno run examples/producer_consumer_send.ts`.
 *
 * @module
 */
import type { RunOptions } from "../mod.ts";

function* consumer(): Generator<string, void, number | undefined> {
  let r = "";
  for (;;) {
    const n = yield r;
    if (!n) return;
    console.log(`[CONSUMER] Consuming ${n}...`);
    r = "200 OK";
  }
}

function produce(c: Generator<string, void, number | undefined>): void {
  c.next();
  let n = 0;
  while (n < 5) {
    n = n + 1;
    console.log(`[PRODUCER] Producing ${n}...`);
    const r = c.next(n).value;
    console.log(`[PRODUCER] Consumer return: ${r}`);
  }
  c.return();
}

/**
 * Run the program. It uses no event loop, so `options` is ignored; it is
 * there so that every example runs the same way.
 */
export function main(_options: RunOptions = {}): Promise<void> {
  const c = consumer();
  produce(c);
  return Promise.resolve();
}

if (import.meta.main) await main();
