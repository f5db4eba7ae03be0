/**
 * Hub messages reaching Codex at a hook point. The sidecar adds a message to
 * the session's deliveries; the next SessionStart, UserPromptSubmit or Stop
 * claims every pending one in the same transaction as its own observation,
 * so each message is handed to exactly one hook.
 *
 * This is also the one place an observation becomes `blocked`: a Stop that
 * hands messages over blocks (Codex continues the turn with them), and that
 * is journaled so that folding the journal reproduces it.
 *
 * @module
 */

import type { Observation } from "../model.ts";
import type { Db } from "./db.ts";
import type { DeliveryRow } from "./rows.ts";

/** Events at which a pending delivery reaches Codex. */
const DELIVERY_EVENTS: ReadonlySet<string> = new Set(["SessionStart", "UserPromptSubmit", "Stop"]);

/**
 * Whether our hook blocks this event with these deliveries: only a Stop does.
 * The continued Stop finds none left, so the turn then completes.
 */
function blocksWith(obs: Observation, delivered: readonly DeliveryRow[]): boolean {
  return obs.event === "Stop" && delivered.length > 0;
}

/**
 * Claims the session's pending deliveries for `obs` (a delivery point not yet
 * journaled) and returns the observation as it must be journaled. Call inside
 * a transaction.
 */
export function claim(db: Db, obs: Observation): { obs: Observation; delivered: DeliveryRow[] } {
  if (!DELIVERY_EVENTS.has(obs.event)) return { obs, delivered: [] };
  const delivered = db.stmt(
    "SELECT * FROM deliveries WHERE session_id = ? AND status = 'pending' ORDER BY created_at, id",
  ).all(obs.session_id) as unknown as DeliveryRow[];
  for (const d of delivered) {
    db.stmt(
      "UPDATE deliveries SET status = 'delivered', delivered_at = ?, delivered_event = ?, delivered_key = ? WHERE id = ?",
    ).run(obs.observed_at, obs.event, obs.key, d.id);
  }
  return { obs: blocksWith(obs, delivered) ? { ...obs, blocked: true } : obs, delivered };
}

/** Adds a message to a session's deliveries; idempotent by id. Returns whether it was new. */
export function addDelivery(
  db: Db,
  d: Pick<DeliveryRow, "id" | "session_id" | "kind" | "text" | "created_at">,
): boolean {
  return Number(
    db.stmt(
      "INSERT OR IGNORE INTO deliveries (id, session_id, kind, text, created_at, status) VALUES (?,?,?,?,?, 'pending')",
    ).run(d.id, d.session_id, d.kind, d.text, d.created_at).changes,
  ) > 0;
}

/** A session's deliveries, oldest first. */
export function deliveries(db: Db, sessionId: string): DeliveryRow[] {
  return db.stmt("SELECT * FROM deliveries WHERE session_id = ? ORDER BY created_at, id").all(
    sessionId,
  ) as unknown as DeliveryRow[];
}
