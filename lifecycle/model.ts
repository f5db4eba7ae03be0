/**
 * The lifecycle vocabulary: observations (journal entries) and the rows
 * derived from them.
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import type { JsonObject } from "../codex/json.ts";

/** What Codex's app-server daemon reports, journaled as events of their own (`lifecycle/app_server_reduce.ts`). */
export type AppServerEvent =
  | "AppServerSeen"
  | "AppServerActivity"
  | "AppServerTurnStarted"
  | "AppServerTurnEnded"
  | "AppServerTool"
  | "AppServerTokens"
  | "AppServerClosed"
  | "AppServerHookRan";

/** Events lifeline journals: Codex hook events, notify, lifeline's own repairs, and the app-server's. */
export type LifelineEvent = HookEventName | "Notify" | "StaleBusyRepair" | "ProcessGone" | AppServerEvent;

/** Where an observation comes from. */
export type ObservationSource = "hook" | "notify" | "app-server" | "upkeep";

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
  /** Codex's own internal work (a title-thread notify): journaled, never a session. */
  internal?: boolean;
  /** Set on app-server observations; the others' source follows from the event ({@link sourceOf}). */
  source?: ObservationSource;
  /** Turns the transcript says were interrupted (`turn_aborted`), read at SessionEnd or process death. */
  interrupted_turns?: string[];
  /**
   * Shell failures the transcript showed only after PostToolUse (releases before 0.148 write the
   * exit code after the hook ran), read at Stop; applied to the turn's own tool calls.
   */
  late_tool_failures?: { tool_use_id: string; tool: string; error_class: string; message: string | null }[];
}

/** The source of an observation. */
export function sourceOf(obs: Pick<Observation, "event" | "source">): ObservationSource {
  if (obs.source) return obs.source;
  if (obs.event === "Notify") return "notify";
  if (obs.event === "StaleBusyRepair" || obs.event === "ProcessGone") return "upkeep";
  if (obs.event.startsWith("AppServer")) return "app-server";
  return "hook";
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

/** Token counts of a turn (the app-server's `thread/tokenUsage/updated`, the turn's own `last`). */
export interface TurnTokens {
  input: number;
  cached_input: number;
  output: number;
  reasoning: number;
  total: number;
}

/** A tool run the app-server reported (`item/completed` of a command). */
export interface ToolRun {
  id: string;
  command: string;
  status: string;
  exit_code: number | null;
}

/**
 * What the app-server adds to a turn, kept beside the hooks' {@link TurnRow}
 * so that the hooks' own facts stay exactly what hooks alone give.
 */
export interface TurnFactRow {
  session_id: string;
  turn_id: string;
  /** Which source closed the turn first: a hook event of a turn the daemon closed is still applied. */
  closed_by: ObservationSource | null;
  tokens: TurnTokens | null;
  error_class: string | null;
  error_message: string | null;
  /** The turn's final assistant message as the daemon gave it (the hooks' is on the turn). */
  last_message: string | null;
  tools: ToolRun[];
}

/** What the app-server adds to a session. */
export interface SessionFactRow {
  session_id: string;
  /** The daemon reported one of this session's hooks running (`hook/started`, `hook/completed`). */
  hooks_seen_running: boolean;
  /** The daemon's last word on the thread: `busy`, `idle` or `closed`. */
  app_server_state: string | null;
  app_server_seen_at: string | null;
}

/** What the reducer reads. */
export interface StateView {
  session(id: string): SessionRow | undefined;
  turn(sessionId: string, turnId: string): TurnRow | undefined;
  /** Failures of `(session, tool, class)` observed at or after `since`. */
  failuresSince(sessionId: string, tool: string, errorClass: string, since: string): number;
  hinted(sessionId: string, tool: string, errorClass: string): boolean;
  /** The app-server's facts of a turn (optional: a hooks-only view has none). */
  turnFact?(sessionId: string, turnId: string): TurnFactRow | undefined;
  sessionFact?(sessionId: string): SessionFactRow | undefined;
}

/** What the reducer writes. */
export interface Changes {
  session: SessionRow | undefined;
  turns: TurnRow[];
  failures: FailureRow[];
  contradictions: ContradictionRow[];
  hints: HintRow[];
  /** The app-server's facts written by this observation. */
  turnFacts?: TurnFactRow[];
  sessionFact?: SessionFactRow;
}
