/**
 * The forwarding outbox: records for Neotoma and OpenTelemetry are written in
 * the same transaction as the observation they come from (so none is lost or
 * doubled), then leased, sent and settled by `lifecycle/forward/flush.ts`.
 *
 * @module
 */

import type { Observation, TurnRow } from "../model.ts";
import type { Forwarding } from "../forward/records.ts";
import type { Db } from "./db.ts";
import type { RecordResult } from "./journal.ts";
import { session, turn } from "./queries.ts";
import type { OutboxRow } from "./rows.ts";

/**
 * The turns `obs` may touch, as they are before it is applied: the outbox
 * needs them to tell when a turn ends. Call before applying, inside the
 * transaction.
 */
export function turnsBefore(db: Db, obs: Observation): Map<string, TurnRow> {
  const before = new Map<string, TurnRow>();
  const current = session(db, obs.session_id)?.current_turn_id;
  for (const t of [obs.turn_id, current]) {
    const row = t ? turn(db, obs.session_id, t) : undefined;
    if (row) before.set(row.turn_id, row);
  }
  return before;
}

/** Writes the outbox records of one applied observation; returns the ids of the new rows. */
export function writeOutbox(
  db: Db,
  obs: Observation,
  result: RecordResult,
  before: ReadonlyMap<string, TurnRow>,
  forward: Forwarding,
): number[] {
  const ids: number[] = [];
  if (!result.inserted) return ids;
  const session = result.changes.session;
  for (const r of forward.records(obs, result.changes, (id) => before.get(id), session, forward.config)) {
    const res = db.stmt(
      "INSERT OR IGNORE INTO outbox (target, key, body, created_at, next_attempt_at) VALUES (?,?,?,?,?)",
    ).run(r.target, r.key, JSON.stringify(r.body), obs.observed_at, obs.observed_at);
    if (Number(res.changes) > 0) ids.push(Number(res.lastInsertRowid));
  }
  return ids;
}

/**
 * Leases up to `limit` due outbox rows (all, or only `ids`) for `leaseMs`,
 * so that concurrent flushers do not send the same row at once.
 */
export function leaseOutbox(
  db: Db,
  now: string,
  leaseMs: number,
  limit: number,
  ids?: readonly number[],
): OutboxRow[] {
  return db.transaction(() => {
    const due = db.stmt(
      "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY id",
    ).all(now, now) as unknown as OutboxRow[];
    const rows = due.filter((r) => !ids || ids.includes(r.id)).slice(0, limit);
    const until = new Date(Date.parse(now) + leaseMs).toISOString();
    for (const r of rows) db.stmt("UPDATE outbox SET lease_until = ? WHERE id = ?").run(until, r.id);
    return rows;
  });
}

/** How sending some rows went. */
export type SendOutcome =
  | { sent: true; at: string }
  | { sent: false; parked: boolean; error: string; retryAt: string };

/** Records the outcome of sending outbox rows. */
export function settleOutbox(db: Db, ids: readonly number[], outcome: SendOutcome): void {
  db.transaction(() => {
    for (const id of ids) {
      if (outcome.sent) {
        db.stmt(
          "UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
        ).run(outcome.at, id);
      } else {
        db.stmt(
          "UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
        ).run(outcome.parked ? "parked" : "pending", outcome.retryAt, outcome.error, id);
      }
    }
  });
}

/** Outbox rows, all or by status. */
export function listOutbox(db: Db, status?: OutboxRow["status"]): OutboxRow[] {
  return (status
    ? db.stmt("SELECT * FROM outbox WHERE status = ? ORDER BY id").all(status)
    : db.stmt("SELECT * FROM outbox ORDER BY id").all()) as unknown as OutboxRow[];
}
