/**
 * Codex hook event names, their snake_case trust labels, and which events
 * are scoped to a turn.
 *
 * @module
 */

/**
 * Every hook event Codex knows, in the order its docs list them; the model-request events
 * (0.169+, fired around every request to the model) come last.
 */
export const HOOK_EVENTS = [
  "SessionStart",
  "UserPromptSubmit",
  "PreToolUse",
  "PermissionRequest",
  "PostToolUse",
  "PreCompact",
  "PostCompact",
  "SubagentStart",
  "SubagentStop",
  "Stop",
  "Interrupt",
  "SessionEnd",
  "PreModelRequest",
  "PostModelRequest",
] as const;

/** A Codex hook event name, as it appears in `hooks.json` and `hook_event_name`. */
export type HookEventName = typeof HOOK_EVENTS[number];

const EVENT_SET: ReadonlySet<string> = new Set(HOOK_EVENTS);

/** Whether `name` is a hook event name Codex knows (case-sensitive, as Codex is). */
export function isHookEventName(name: unknown): name is HookEventName {
  return typeof name === "string" && EVENT_SET.has(name);
}

/**
 * The snake_case label Codex uses for an event in trust keys and trust hashes,
 * e.g. `SessionStart` → `session_start`.
 */
export function eventLabel(event: HookEventName): string {
  return event.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? "" : "_") + c.toLowerCase());
}

/** The payload field each event's matcher is tested against; `undefined` = the matcher is ignored. */
export const MATCHER_FIELD: Readonly<Record<HookEventName, string | undefined>> = {
  SessionStart: "source",
  UserPromptSubmit: undefined,
  PreToolUse: "tool_name",
  PermissionRequest: "tool_name",
  PostToolUse: "tool_name",
  PreCompact: "trigger",
  PostCompact: "trigger",
  SubagentStart: "agent_type",
  SubagentStop: "agent_type",
  Stop: undefined,
  Interrupt: undefined,
  SessionEnd: "reason",
  PreModelRequest: undefined,
  PostModelRequest: undefined,
};
