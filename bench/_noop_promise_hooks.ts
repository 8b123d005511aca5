/**
 * Promise hooks that do nothing, for the raw baselines' floor runs
 * (`_peers_raw.ts --hooks`, the echo bench's `raw-hooks`, `await_bridge.ts`):
 * installed in the
 * three places the module hooks (`loop/_entry_holders.ts`). With any hook
 * set, V8 leaves its fast paths for every promise and `await`, so such a run
 * is the floor of any design that tells coroutines apart with hooks, as
 * `docs/attribution.md`'s must on Deno. It imports nothing of the module.
 *
 * @module
 */

/** Install the do-nothing hooks (for good: Deno has no way to remove them). */
export function installNoopPromiseHooks(): void {
  const deno = Deno as unknown as Record<symbol, unknown> & {
    internal: symbol;
  };
  const { core } = deno[deno.internal] as {
    core: {
      setPromiseHooks(
        init: () => void,
        before: () => void,
        after: undefined,
        resolve: () => void,
      ): void;
    };
  };
  const noop = () => {};
  core.setPromiseHooks(noop, noop, undefined, noop);
}
