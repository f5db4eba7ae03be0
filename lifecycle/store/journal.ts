/**
 * The journal, the source of truth: every observation is appended once
 * (unique by idempotency key) and folded by the pure reducer into the derived
 * tables in the same transaction. Folding the journal from scratch gives the
 * same tables.
 *
 * @module
 */

import { type Changes, type Observation, type SessionRow, sourceOf, type TurnRow } from "../model.ts";
import { reduce } from "../reducer.ts";
import type { Db, Row } from "./db.ts";
import { stateView } from "./queries.ts";
import { occurrence } from "./occurrence.ts";

/** The result of recording one observation. */
export interface RecordResult {
  /** False when the same delivery was already journaled (nothing changed). */
  inserted: boolean;
  changes: Changes;
}

/** What a re-delivery changes: nothing (a fresh object each time: callers may add to it). */
export const NO_CHANGES = (): Changes => ({
  session: undefined,
  turns: [],
  failures: [],
  contradictions: [],
  hints: [],
});

/** Whether an observation with this key is already journaled. */
export function journaled(db: Db, key: string): boolean {
  return db.stmt("SELECT 1 FROM events WHERE key = ?").get(key) !== undefined;
}

/**
 * Journals one observation and applies it, unless the same delivery is
 * already journaled. Call inside a transaction.
 */
export function apply(db: Db, delivered: Observation): RecordResult {
  // A re-delivery changes nothing; a new occurrence of identical content gets a key of its own.
  const obs = occurrence(db, delivered);
  return obs ? applyOccurrence(db, obs) : { inserted: false, changes: NO_CHANGES() };
}

/**
 * {@link apply} for an observation {@link occurrence} already resolved, in the
 * same transaction (the lookups are not made twice).
 */
export function applyOccurrence(db: Db, obs: Observation): RecordResult {
  const r = db.stmt(
    "INSERT OR IGNORE INTO events (key, session_id, event, observed_at, body, source) VALUES (?,?,?,?,?,?)",
  ).run(obs.key, obs.session_id, obs.event, obs.observed_at, JSON.stringify(obs), sourceOf(obs));
  if (Number(r.changes) === 0) return { inserted: false, changes: NO_CHANGES() };
  const changes = reduce(stateView(db), obs);
  writeChanges(db, changes);
  return { inserted: true, changes };
}

/** The journal in order, or one session's part of it. */
export function journal(db: Db, sessionId?: string): Observation[] {
  const rows = sessionId === undefined
    ? db.stmt("SELECT body FROM events ORDER BY seq").all()
    : db.stmt("SELECT body FROM events WHERE session_id = ? ORDER BY seq").all(sessionId);
  return (rows as Row[]).map((r) => JSON.parse(r.body as string) as Observation);
}

/** The newest transcript path journaled for a session, as the hook saw it. */
export function transcriptPath(db: Db, sessionId: string): string | null {
  const r = db.stmt(
    "SELECT json_extract(body, '$.payload.transcript_path') AS p FROM events " +
      "WHERE session_id = ? AND json_extract(body, '$.payload.transcript_path') IS NOT NULL " +
      "ORDER BY seq DESC LIMIT 1",
  ).get(sessionId) as Row | undefined;
  return typeof r?.p === "string" ? r.p : null;
}

function writeChanges(db: Db, c: Changes): void {
  if (c.session) {
    db.stmt(
      `INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
       ON CONFLICT(session_id) DO UPDATE SET status=excluded.status, turn_state=excluded.turn_state,
         cwd=excluded.cwd, model=excluded.model, source=excluded.source, started_at=excluded.started_at,
         last_seen=excluded.last_seen, ended_at=excluded.ended_at, end_reason=excluded.end_reason,
         pid=excluded.pid, current_turn_id=excluded.current_turn_id,
         turn_count=excluded.turn_count`,
    ).run(...sessionValues(c.session));
  }
  for (const t of c.turns) {
    db.stmt("INSERT OR REPLACE INTO turns VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)").run(...turnValues(t));
  }
  for (const f of c.failures) {
    db.stmt("INSERT OR IGNORE INTO failures VALUES (?,?,?,?,?,?,?)")
      .run(f.key, f.session_id, f.turn_id, f.tool, f.error_class, f.message, f.observed_at);
  }
  for (const x of c.contradictions) {
    db.stmt("INSERT OR IGNORE INTO contradictions VALUES (?,?,?,?,?,?)")
      .run(x.key, x.session_id, x.event, x.turn_id, x.reason, x.observed_at);
  }
  for (const f of c.turnFacts ?? []) {
    db.stmt("INSERT OR REPLACE INTO turn_facts VALUES (?,?,?,?,?,?,?,?)").run(
      f.session_id,
      f.turn_id,
      f.closed_by,
      f.tokens ? JSON.stringify(f.tokens) : null,
      f.error_class,
      f.error_message,
      f.last_message,
      JSON.stringify(f.tools),
    );
  }
  const sf = c.sessionFact;
  if (sf) {
    db.stmt("INSERT OR REPLACE INTO session_facts VALUES (?,?,?,?)")
      .run(sf.session_id, sf.hooks_seen_running ? 1 : 0, sf.app_server_state, sf.app_server_seen_at);
  }
  for (const h of c.hints) {
    db.stmt("INSERT OR IGNORE INTO hints VALUES (?,?,?,?,?)")
      .run(h.session_id, h.tool, h.error_class, h.count, h.observed_at);
  }
}

/** The column values of a {@link SessionRow}, in table order. */
function sessionValues(s: SessionRow): (string | number | null)[] {
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
function turnValues(t: TurnRow): (string | number | null)[] {
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
