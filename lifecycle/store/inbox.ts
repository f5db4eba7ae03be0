/**
 * The hub's wait queue: a notify for a session whose sidecar is not
 * connected waits here (bounded in time and count) until the sidecar
 * connects and acknowledges it.
 *
 * @module
 */

import type { Db } from "./db.ts";
import type { QueuedRow } from "./rows.ts";

/** Queues a message; drops expired entries and keeps at most `cap` per session (oldest go first). */
export function enqueue(db: Db, q: QueuedRow, cap: number): void {
  db.transaction(() => {
    db.stmt("DELETE FROM queue WHERE expires_at <= ?").run(q.created_at);
    db.stmt("INSERT OR IGNORE INTO queue VALUES (?,?,?,?,?,?)")
      .run(q.id, q.session_id, q.kind, q.text, q.created_at, q.expires_at);
    db.stmt(
      "DELETE FROM queue WHERE session_id = ? AND id NOT IN (SELECT id FROM queue WHERE session_id = ? ORDER BY created_at DESC, id DESC LIMIT ?)",
    ).run(q.session_id, q.session_id, cap);
  });
}

/** A session's queued messages that have not expired, oldest first. */
export function queued(db: Db, sessionId: string, now: string): QueuedRow[] {
  return db.stmt("SELECT * FROM queue WHERE session_id = ? AND expires_at > ? ORDER BY created_at, id")
    .all(sessionId, now) as unknown as QueuedRow[];
}

/** Removes one queued message (after the sidecar acknowledged it). */
export function dequeue(db: Db, id: string): void {
  db.stmt("DELETE FROM queue WHERE id = ?").run(id);
}
