/**
 * The open resources of each loop (socket transports, servers), closed at
 * once when their loop closes, so that no Deno op keeps the process alive
 * after `run()` returns.
 *
 * How it works: `track(loop, resource)` adds a resource to its loop's set,
 * `untrack` removes it (and the set once empty); a loop close hook takes the
 * loop's set out of the map and calls `forceCloseSilently()` on each.
 *
 * Invariants:
 * - A loop has a set here only while it has a tracked resource: the map
 *   holds no closed loop, nor an empty set.
 * - Closing a loop force-closes each of its resources once, after its set
 *   is removed: an `untrack` from `forceCloseSilently()` finds nothing.
 *
 * @module
 */
import { closeHooks } from "../loop/_hooks.ts";

/** Something closed at once when its loop closes (no process left hanging). */
export interface ForceClosable {
  forceCloseSilently(): void;
}

const openResources = new Map<object, Set<ForceClosable>>();

/** Track a resource of `loop`, closed when the loop closes. */
export function track(loop: object, resource: ForceClosable): void {
  let set = openResources.get(loop);
  if (set === undefined) openResources.set(loop, set = new Set());
  set.add(resource);
}

/** Stop tracking a resource. */
export function untrack(loop: object, resource: ForceClosable): void {
  const set = openResources.get(loop);
  if (set === undefined) return;
  set.delete(resource);
  if (set.size === 0) openResources.delete(loop);
}

closeHooks.push((loop) => {
  const set = openResources.get(loop);
  if (set === undefined) return;
  openResources.delete(loop);
  for (const resource of set) resource.forceCloseSilently();
});
