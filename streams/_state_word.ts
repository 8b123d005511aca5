/**
 * The state word of a transport's repr, as asyncio's: `" closed"` once its
 * resource is closed, `" closing"` while it closes, else nothing.
 *
 * @module
 */

/** `" closed"`, `" closing"` or `""`, for `<…Transport{state} …>`. */
export function stateWord(closed: boolean, closing: boolean): string {
  return closed ? " closed" : closing ? " closing" : "";
}
