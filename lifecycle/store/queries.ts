/**
 * Reads of the derived tables: what the reducer needs (a {@link StateView})
 * and what status reports show.
 *
 * @module
 */

import type { ContradictionRow, FailureRow, HintRow, SessionRow, StateView, TurnRow } from "../model.ts";
import type { Db, Row } from "./db.ts";
import { toSession, toTurn } from "./rows.ts";

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
  };
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
  return (db.stmt("SELECT * FROM sessions WHERE status = 'busy' AND last_seen < ?").all(iso) as Row[])
    .map(toSession);
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
