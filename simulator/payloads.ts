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
 * except tool events on profiles whose tool events carry none; SessionEnd
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
    !(!p.toolEventsCarryTurnId && (event === "PreToolUse" || event === "PostToolUse"));
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
