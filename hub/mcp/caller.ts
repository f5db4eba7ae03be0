/**
 * Who is calling a tool. Codex puts the calling session in every
 * `tools/call`'s `params._meta` (`threadId`, `sessionId`, and the turn in
 * `x-codex-turn-metadata`); `initialize` and `tools/list` carry nothing about
 * it, and one server process may serve many threads of the app-server daemon,
 * so the caller is read from each call and never from the process.
 *
 * A caller not yet in the store (no lifeline hook has run for it, or the tool
 * call came before the late SessionStart) is registered lazily: one
 * observation of the tool use, as the `PreToolUse` hook would have recorded
 * it, so that other sessions can list it and reach it.
 *
 * @module
 */

import type { PreToolUsePayload } from "../../codex/payloads.ts";
import { observeHook } from "../../lifecycle/observe.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { Store } from "../../lifecycle/store/mod.ts";

/** The calling session as `_meta` names it. */
export interface Caller {
  sessionId: string;
  turnId: string | null;
  model: string | null;
  cwd: string | null;
  codexVersion: string | null;
  callId: string | null;
}

const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/** The turn metadata: an object, or (as an HTTP-header-style value) its JSON text. */
function turnMetadata(v: unknown): Record<string, unknown> {
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      return {};
    }
  }
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {};
}

/** The caller named by a `tools/call` `_meta`, or `undefined` when it names none. */
export function callerFromMeta(meta: Record<string, unknown> | undefined): Caller | undefined {
  if (!meta) return undefined;
  const t = turnMetadata(meta["x-codex-turn-metadata"]);
  const sessionId = str(meta.threadId) ?? str(meta.sessionId) ?? str(t.thread_id) ?? str(t.session_id);
  if (!sessionId) return undefined;
  return {
    sessionId,
    turnId: str(t.turn_id) ?? str(meta.turnId),
    model: str(t.model),
    cwd: str(t.cwd) ?? str(meta.cwd),
    codexVersion: str(t.codex_version),
    callId: str(meta.callId) ?? str(meta.itemId),
  };
}

/** The error text when Codex did not say who calls. */
export const NO_CALLER =
  "Codex did not say which session is calling (no threadId or sessionId in the tools/call _meta); " +
  "lifeline's tools need Codex 0.169 or newer";

/**
 * Registers `caller` in the store in `stateDir` when it is not there yet;
 * returns whether it wrote an observation. `now` and `home` are parameters.
 */
export function registerLazily(
  stateDir: string,
  caller: Caller,
  tool: string,
  o: { now: () => Date; home: string | undefined },
): boolean {
  const store = Store.open(stateDir);
  try {
    if (store.session(caller.sessionId)) return false;
    const payload: PreToolUsePayload = {
      session_id: caller.sessionId,
      hook_event_name: "PreToolUse",
      tool_name: `mcp__lifeline__${tool}`,
      ...(caller.cwd ? { cwd: caller.cwd } : {} as { cwd: string }),
      ...(caller.turnId ? { turn_id: caller.turnId } : {}),
      ...(caller.model ? { model: caller.model } : {}),
      ...(caller.callId ? { tool_use_id: caller.callId } : {}),
      lifeline_source: "mcp",
    };
    const obs = observeHook(payload, {
      now: o.now,
      scrubber: makeScrubber("scrubbed", o.home),
      pid: null,
      hintThreshold: 0,
    });
    return store.record(obs).inserted;
  } finally {
    store.close();
  }
}
