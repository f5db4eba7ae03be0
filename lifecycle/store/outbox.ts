/**
 * The forwarding outbox's sending side: rows are leased, sent and settled by
 * `lifecycle/forward/flush.ts`. They are written by the write path
 * (`core.ts`), in the same transaction as the observation they come from, so
 * that none is lost or doubled.
 *
 * @module
 */

import type { Db } from "./db.ts";
import type { OutboxRow } from "./rows.ts";

/**
 * Leases up to `limit` due outbox rows (all, or only `ids`) for `leaseMs`,
 * so that concurrent flushers do not send the same row at once. With
 * `ignoreBackoff`, a pending row is due even before its next attempt time
 * (a person asked to send everything now, typically right after an outage).
 */
export function leaseOutbox(
  db: Db,
  now: string,
  leaseMs: number,
  limit: number,
  ids?: readonly number[],
  ignoreBackoff = false,
): OutboxRow[] {
  return db.transaction(() => {
    const due = db.stmt(
      "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY id",
    ).all(ignoreBackoff ? "9999-12-31T23:59:59.999Z" : now, now) as unknown as OutboxRow[];
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

/** Makes parked rows pending again, due now; returns how many. */
export function retryParked(db: Db, now: string): number {
  return Number(
    db.stmt(
      "UPDATE outbox SET status = 'pending', next_attempt_at = ?, lease_until = NULL WHERE status = 'parked'",
    )
      .run(now).changes,
  );
}

/** Deletes parked rows; returns how many. */
export function dropParked(db: Db): number {
  return Number(db.stmt("DELETE FROM outbox WHERE status = 'parked'").run().changes);
}
