/**
 * Reading a child process's text output line-wise, for the tests that run a
 * Python peer (it prints its port first, its results when done).
 */

/** Read `reader` up to its first newline: `[line, what came after it]`. */
export async function readFirstLine(
  reader: ReadableStreamDefaultReader<string>,
): Promise<[string, string]> {
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const at = text.indexOf("\n");
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

/** Read `reader` to its end, after `text` already read. */
export async function readRest(
  reader: ReadableStreamDefaultReader<string>,
  text: string,
): Promise<string> {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return text;
    text += value;
  }
}
