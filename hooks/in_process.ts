/**
 * {@link handle} for in-process runners (the simulator, benchmarks): the
 * forwarding mapping is imported up front instead of on demand, so that one
 * synchronous call does everything a hook process does.
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import type { HookResult } from "../codex/outputs.ts";
import { forwarding } from "../lifecycle/forward/records.ts";
import { handle, type HookDeps } from "./handle.ts";

/** Handles one hook invocation in-process and returns its answer (throws like {@link handle}). */
export function handleHook(
  event: HookEventName | "Notify",
  input: string | readonly string[],
  deps: HookDeps,
): HookResult {
  const { forward } = deps.settings;
  return handle(
    event,
    input,
    forward && !deps.forwarding ? { ...deps, forwarding: forwarding(forward) } : deps,
  )
    .output;
}
