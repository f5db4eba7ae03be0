/**
 * Reads of the derived tables: what the reducer needs (a {@link StateView})
 * and what status reports show.
 *
 * @module
 */

import type {
  ContradictionRow,
  FailureRow,
  HintRow,
  ObservationSource,
  SessionFactRow,
  SessionRow,
  StateView,
  TurnFactRow,
  TurnRow,
} from "../model.ts";
import type { Db, Row } from "./db.ts";

/** The reducer's view of the store. */
export function stateView(db: Db): StateView {
  return {
    session: (id) => session(db, id),
    turn: (sid, tid) => turn(db, sid, tid),
    failuresSince: (sid, tool, cls, since) =>
      (db.stmt(
        "SELECT count(*) AS n FROM failures WHERE session_id = ? AND tool = ? AND error_class = ? AND observed_at >= ?",
      ).get(sid, tool, cls, since) as Row).n as number,
    hinted: (sid, tool, cls) =>
      db.stmt("SELECT 1 FROM hints WHERE session_id = ? AND tool = ? AND error_class = ?")
        .get(sid, tool, cls) !== undefined,
    turnFact: (sid, tid) => turnFact(db, sid, tid),
    sessionFact: (sid) => sessionFact(db, sid),
  };
}

/** The app-server's facts of one turn. */
export function turnFact(db: Db, sessionId: string, turnId: string): TurnFactRow | undefined {
  const r = db.stmt("SELECT * FROM turn_facts WHERE session_id = ? AND turn_id = ?").get(sessionId, turnId) as
    | Row
    | undefined;
  return r ? toTurnFact(r) : undefined;
}

/** The app-server's facts of a session's turns, by turn id. */
export function turnFacts(db: Db, sessionId: string): Map<string, TurnFactRow> {
  const rows = db.stmt("SELECT * FROM turn_facts WHERE session_id = ?").all(sessionId) as Row[];
  return new Map(rows.map((r) => [r.turn_id as string, toTurnFact(r)]));
}

function toTurnFact(r: Row): TurnFactRow {
  return {
    session_id: r.session_id as string,
    turn_id: r.turn_id as string,
    closed_by: r.closed_by as TurnFactRow["closed_by"],
    tokens: r.tokens ? JSON.parse(r.tokens as string) : null,
    error_class: r.error_class as string | null,
    error_message: r.error_message as string | null,
    last_message: r.last_message as string | null,
    tools: JSON.parse(r.tools as string),
  };
}

/** The app-server's facts of one session. */
export function sessionFact(db: Db, sessionId: string): SessionFactRow | undefined {
  const r = db.stmt("SELECT * FROM session_facts WHERE session_id = ?").get(sessionId) as Row | undefined;
  return r
    ? {
      session_id: r.session_id as string,
      hooks_seen_running: r.hooks_seen_running === 1,
      app_server_state: r.app_server_state as string | null,
      app_server_seen_at: r.app_server_seen_at as string | null,
    }
    : undefined;
}

/** The sources that saw a session, in a fixed order. */
export function sources(db: Db, sessionId: string): ObservationSource[] {
  const got = new Set(
    (db.stmt("SELECT DISTINCT source FROM events WHERE session_id = ?").all(sessionId) as Row[])
      .map((r) => r.source as string),
  );
  return (["hook", "notify", "app-server", "upkeep"] as const).filter((x) => got.has(x));
}

/** One session. */
export function session(db: Db, id: string): SessionRow | undefined {
  const r = db.stmt("SELECT * FROM sessions WHERE session_id = ?").get(id) as Row | undefined;
  return r ? toSession(r) : undefined;
}

/** One turn. */
export function turn(db: Db, sessionId: string, turnId: string): TurnRow | undefined {
  const r = db.stmt("SELECT * FROM turns WHERE session_id = ? AND turn_id = ?").get(sessionId, turnId) as
    | Row
    | undefined;
  return r ? toTurn(r) : undefined;
}

/** All sessions, most recently seen first. */
export function sessions(db: Db): SessionRow[] {
  return (db.stmt("SELECT * FROM sessions ORDER BY last_seen DESC, session_id").all() as Row[]).map(
    toSession,
  );
}

/** Busy sessions last seen before `iso` (stale-busy candidates). */
export function busySeenBefore(db: Db, iso: string): SessionRow[] {
  // The daemon's word is a sign of life too.
  return (db.stmt(
    `SELECT s.* FROM sessions s LEFT JOIN session_facts f ON f.session_id = s.session_id
     WHERE s.status = 'busy' AND max(s.last_seen, coalesce(f.app_server_seen_at, '')) < ?`,
  ).all(iso) as Row[]).map(toSession);
}

/** Sessions not offline whose Codex process is known (process-gone candidates). */
export function liveWithPid(db: Db): SessionRow[] {
  return (db.stmt("SELECT * FROM sessions WHERE status != 'offline' AND pid IS NOT NULL").all() as Row[])
    .map(toSession);
}

/** A session's turns in order. */
export function turns(db: Db, sessionId: string): TurnRow[] {
  return (db.stmt("SELECT * FROM turns WHERE session_id = ? ORDER BY ordinal").all(sessionId) as Row[])
    .map(toTurn);
}

/** A session's failures, oldest first. */
export function failures(db: Db, sessionId: string): FailureRow[] {
  return db.stmt("SELECT * FROM failures WHERE session_id = ? ORDER BY observed_at, key").all(
    sessionId,
  ) as unknown as FailureRow[];
}

/** A session's contradictions, oldest first. */
export function contradictions(db: Db, sessionId: string): ContradictionRow[] {
  return db.stmt("SELECT * FROM contradictions WHERE session_id = ? ORDER BY observed_at, key").all(
    sessionId,
  ) as unknown as ContradictionRow[];
}

/** A session's hints. */
export function hints(db: Db, sessionId: string): HintRow[] {
  return db.stmt("SELECT * FROM hints WHERE session_id = ? ORDER BY tool, error_class").all(
    sessionId,
  ) as unknown as HintRow[];
}

/** A `sessions` row as a {@link SessionRow}. */
/** The journal bodies of a session's latest `limit` entries of one event, newest first. */
export function journalBodies(db: Db, sessionId: string, event: string, limit: number): string[] {
  return (db.stmt("SELECT body FROM events WHERE session_id = ? AND event = ? ORDER BY seq DESC LIMIT ?")
    .all(sessionId, event, limit) as { body: string }[]).map((r) => r.body);
}

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
