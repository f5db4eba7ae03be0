/**
 * The rows of the store's own tables (the derived ones are in
 * `lifecycle/model.ts`) and the mappers between SQLite rows and typed rows.
 *
 * @module
 */

import type { SessionRow, TurnRow } from "../model.ts";
import type { Row } from "./db.ts";

/** One outbox row. */
export interface OutboxRow {
  id: number;
  target: "neotoma" | "otlp_span" | "otlp_log";
  key: string;
  body: string;
  created_at: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  status: "pending" | "sent" | "parked";
  last_error: string | null;
  sent_at: string | null;
}

/** A message handed to a session, waiting for its next hook point (or delivered there). */
export interface DeliveryRow {
  id: string;
  session_id: string;
  kind: "notify" | "ask";
  text: string;
  created_at: string;
  status: "pending" | "delivered";
  delivered_at: string | null;
  delivered_event: string | null;
  delivered_key: string | null;
}

/** A message the hub holds for a session whose sidecar is not connected. */
export interface QueuedRow {
  id: string;
  session_id: string;
  kind: string;
  text: string;
  created_at: string;
  expires_at: string;
}

/** A `sessions` row as a {@link SessionRow}. */
export function toSession(r: Row): SessionRow {
  return {
    session_id: r.session_id as string,
    status: r.status as SessionRow["status"],
    turn_state: r.turn_state as SessionRow["turn_state"],
    cwd: r.cwd as string | null,
    model: r.model as string | null,
    source: r.source as string | null,
    started_at: r.started_at as string,
    last_seen: r.last_seen as string,
    ended_at: r.ended_at as string | null,
    end_reason: r.end_reason as string | null,
    pid: r.pid as number | null,
    current_turn_id: r.current_turn_id as string | null,
    turn_count: r.turn_count as number,
  };
}

/** A `turns` row as a {@link TurnRow} (lists are stored as JSON, booleans as 0/1). */
export function toTurn(r: Row): TurnRow {
  return {
    session_id: r.session_id as string,
    turn_id: r.turn_id as string,
    ordinal: r.ordinal as number,
    outcome: r.outcome as TurnRow["outcome"],
    started_at: r.started_at as string,
    ended_at: r.ended_at as string | null,
    prompt: r.prompt as string | null,
    last_assistant_message: r.last_assistant_message as string | null,
    tool_invocations: r.tool_invocations as number,
    tool_failures: r.tool_failures as number,
    safety_net_used: r.safety_net_used === 1,
    hook_events: JSON.parse(r.hook_events as string),
    tool_use_ids: JSON.parse(r.tool_use_ids as string),
  };
}

/** The column values of a {@link SessionRow}, in table order. */
export function sessionValues(s: SessionRow): (string | number | null)[] {
  return [
    s.session_id,
    s.status,
    s.turn_state,
    s.cwd,
    s.model,
    s.source,
    s.started_at,
    s.last_seen,
    s.ended_at,
    s.end_reason,
    s.pid,
    s.current_turn_id,
    s.turn_count,
  ];
}

/** The column values of a {@link TurnRow}, in table order. */
export function turnValues(t: TurnRow): (string | number | null)[] {
  return [
    t.session_id,
    t.turn_id,
    t.ordinal,
    t.outcome,
    t.started_at,
    t.ended_at,
    t.prompt,
    t.last_assistant_message,
    t.tool_invocations,
    t.tool_failures,
    t.safety_net_used ? 1 : 0,
    JSON.stringify(t.hook_events),
    JSON.stringify(t.tool_use_ids),
  ];
}
