/**
 * Debug mode from the environment: a new loop starts in debug mode when
 * `ASYNCIO_DEBUG` (or Python's own `PYTHONASYNCIODEBUG`) is set to anything
 * but the empty string, as CPython reads `PYTHONASYNCIODEBUG`. The variables
 * are read only when `--allow-env` already grants them: a module that
 * prompted for a permission on import would be worse than no switch.
 *
 * @module
 */

const NAMES = ["ASYNCIO_DEBUG", "PYTHONASYNCIODEBUG"];

function granted(variable: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "env", variable }).state ===
      "granted";
  } catch {
    return false; // no permissions API (a Worker without one, another host)
  }
}

/** Whether the environment asks for debug mode (read once, at load). */
export const debugFromEnv: boolean = NAMES.some((name) =>
  granted(name) && Boolean(Deno.env.get(name))
);
