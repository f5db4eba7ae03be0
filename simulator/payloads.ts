/**
 * What the fake Codex sends: the hook payload of each event (the fields every
 * event of a session carries, then the event's own), the notify payload of a
 * finished turn, and its session and turn ids. Pure.
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import type { JsonObject } from "../codex/json.ts";
import type { VersionProfile } from "../codex/profiles.ts";
import { modelRequestPayload } from "../codex/payloads.ts";
import { sha256Hex } from "../codex/sha256.ts";

/** What a payload needs to know about its session. */
export interface SessionFacts {
  id: string;
  cwd: string;
  model: string;
  turnId: string | null;
  /** The rollout transcript (`transcript_path`). */
  transcript: { readonly path: string };
  /** Every user prompt of the thread so far. */
  prompts: readonly string[];
}

/** A stable id from a seed, formatted as a UUID in the version 7 layout that Codex's ids use. */
export function simId(seed: string): string {
  const hex = sha256Hex(seed);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${
    hex.slice(20, 32)
  }`;
}

/**
 * A hook payload. Turn-scoped events carry `turn_id` once a turn exists,
 * except tool events on profiles whose tool events carry none and the events
 * the profile sends without one (0.114-0.116); SessionEnd
 * has no model; the compaction events and SessionEnd no permission mode.
 */
export function hookPayload(
  p: VersionProfile,
  s: SessionFacts,
  event: HookEventName,
  extra: JsonObject,
): JsonObject {
  const turnScoped = event !== "SessionStart" && event !== "SessionEnd";
  const withTurn = turnScoped && s.turnId !== null &&
    !(!p.toolEventsCarryTurnId && (event === "PreToolUse" || event === "PostToolUse")) &&
    !p.eventsWithoutTurnId.includes(event);
  const base: JsonObject = { session_id: s.id };
  if (withTurn) base.turn_id = s.turnId;
  base.transcript_path = s.transcript.path;
  base.cwd = s.cwd;
  base.hook_event_name = event;
  if (event !== "SessionEnd") base.model = s.model;
  if (event !== "SessionEnd" && event !== "PreCompact" && event !== "PostCompact") {
    base.permission_mode = "bypassPermissions";
  }
  return { ...base, ...extra };
}

/**
 * A model-request hook payload (0.169+) in the profile's shape, or `undefined`
 * when the profile fires none or no turn is open. A completed request reports
 * fixed token counts (10 in, 5 out), so status reports can be checked.
 */
export function modelRequestHookPayload(
  p: VersionProfile,
  s: SessionFacts,
  event: "PreModelRequest" | "PostModelRequest",
  requestId: string,
  n: number,
  status: "completed" | "cancelled",
): JsonObject | undefined {
  const shape = p.modelRequestPayload;
  if (!shape || s.turnId === null) return undefined;
  const usage = status === "completed"
    ? { input_tokens: 10, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 5 }
    : undefined;
  return modelRequestPayload(shape, event, {
    session_id: s.id,
    turn_id: s.turnId,
    cwd: s.cwd,
    transcript_path: s.transcript.path,
    model: s.model,
    request_id: requestId,
    status,
    token_usage: usage ? { ...usage, reasoning_output_tokens: 0, total_tokens: 15 } : null,
    response_id: usage ? `resp_${n}` : null,
  });
}

/** The `tool_input` of a tool call: the command, except for tools answering with an object. */
export function toolInput(t: { name: string; command: string; response?: unknown }): JsonObject {
  const objectResponse = typeof t.response === "object" && t.response !== null;
  return t.name === "Bash" || t.name === "apply_patch" || !objectResponse ? { command: t.command } : {};
}

/** The notify payload of a finished turn, as the TUI sends it. */
export function notifyPayload(s: SessionFacts, lastMessage: string): JsonObject {
  return {
    type: "agent-turn-complete",
    "thread-id": s.id,
    "turn-id": s.turnId,
    cwd: s.cwd,
    client: "codex-tui",
    "input-messages": [...s.prompts],
    "last-assistant-message": lastMessage,
  };
}
