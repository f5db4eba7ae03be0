/**
 * The lifecycle vocabulary: observations (journal entries) and the rows
 * derived from them.
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import type { JsonObject } from "../codex/json.ts";

/** Events lifeline journals: Codex hook events, notify, and lifeline's own repairs. */
export type LifelineEvent = HookEventName | "Notify" | "StaleBusyRepair" | "ProcessGone";

/** One journal entry. Everything the reducer needs is in it, so folding is deterministic. */
export interface Observation {
  /** Idempotency key: hash of the event name and the canonical raw payload. */
  key: string;
  event: LifelineEvent;
  session_id: string;
  turn_id: string | null;
  /** ISO-8601, from the injected clock. */
  observed_at: string;
  /** The payload, already scrubbed. */
  payload: JsonObject;
  /** The Codex process, when known. */
  pid: number | null;
  /** A failure detected at observation time (transcript, payload), scrubbed. */
  failure: { tool: string; error_class: string; message: string | null } | null;
  /**
   * Our own hook blocked this event. Set in one place, when the store claims
   * hub deliveries for a Stop (the hook then continues the turn with them);
   * journaled, so that folding the journal reproduces it.
   */
  blocked: boolean;
  /** Failure-hint threshold in force (0 = off). */
  hint_threshold: number;
  /** Turns the transcript says were interrupted (`turn_aborted`), read at SessionEnd or process death. */
  interrupted_turns?: string[];
  /**
   * Shell failures the transcript showed only after PostToolUse (releases before 0.148 write the
   * exit code after the hook ran), read at Stop; applied to the turn's own tool calls.
   */
  late_tool_failures?: { tool_use_id: string; tool: string; error_class: string; message: string | null }[];
}

/** A turn's token counts, summed over its model requests (Codex 0.169+ reports them). */
export interface TurnTokens {
  /** Input tokens, cached ones included. */
  input: number;
  cached_input: number;
  output: number;
  /** Output tokens spent on reasoning (part of `output`). */
  reasoning: number;
  total: number;
}

/** Session status. */
export type Status = "online" | "busy" | "offline";
/** What the session is doing. */
export type TurnState = "idle" | "working" | "pending_first_turn";
/**
 * How a turn ended. `blocked` is a turn whose prompt our UserPromptSubmit
 * hook refused; lifeline never refuses one today, so no live turn ends so,
 * but the outcome stays in the documented `--json` shape. `failed`: a model
 * request failed, e.g. the provider refused it.
 */
export type Outcome = "open" | "completed" | "interrupted" | "blocked" | "abandoned" | "failed";

/** A session (Codex `session_id`). */
export interface SessionRow {
  session_id: string;
  status: Status;
  turn_state: TurnState;
  cwd: string | null;
  model: string | null;
  source: string | null;
  started_at: string;
  last_seen: string;
  ended_at: string | null;
  end_reason: string | null;
  pid: number | null;
  current_turn_id: string | null;
  turn_count: number;
}

/** A turn `(session_id, turn_id)`. */
export interface TurnRow {
  session_id: string;
  turn_id: string;
  ordinal: number;
  outcome: Outcome;
  started_at: string;
  ended_at: string | null;
  prompt: string | null;
  last_assistant_message: string | null;
  tool_invocations: number;
  tool_failures: number;
  safety_net_used: boolean;
  hook_events: string[];
  tool_use_ids: string[];
}

/** A `tool_invocation_failure`. */
export interface FailureRow {
  key: string;
  session_id: string;
  turn_id: string | null;
  tool: string;
  error_class: string;
  message: string | null;
  observed_at: string;
}

/** An event that did not fit the state machine; recorded, not applied. */
export interface ContradictionRow {
  key: string;
  session_id: string;
  event: string;
  turn_id: string | null;
  reason: string;
  observed_at: string;
}

/** A one-time failure hint given to Codex. */
export interface HintRow {
  session_id: string;
  tool: string;
  error_class: string;
  count: number;
  observed_at: string;
}

/** What the reducer reads. */
export interface StateView {
  session(id: string): SessionRow | undefined;
  turn(sessionId: string, turnId: string): TurnRow | undefined;
  /** Failures of `(session, tool, class)` observed at or after `since`. */
  failuresSince(sessionId: string, tool: string, errorClass: string, since: string): number;
  hinted(sessionId: string, tool: string, errorClass: string): boolean;
}

/** What the reducer writes. */
export interface Changes {
  session: SessionRow | undefined;
  turns: TurnRow[];
  failures: FailureRow[];
  contradictions: ContradictionRow[];
  hints: HintRow[];
}
