/**
 * Numbers and flags of the hook runner that the bench and tests need too
 * (the runner's own modules are private to `hooks/`).
 *
 * @module
 */

/** The flag `deno task bench` adds to time a hook's phases (printed to stderr as one JSON line). */
export const PROFILE_FLAG = "--lifeline-profile";

/** A hook spends at most this long on its own new records, loading the flush and opening the store included. */
export const HOOK_FLUSH_BUDGET_MS = 300;
