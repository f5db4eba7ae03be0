/**
 * The rows of the store's own tables (outbox, deliveries, queue); the
 * derived ones are in `lifecycle/model.ts`. Types only, so that importing
 * them costs a hook nothing at run time.
 *
 * @module
 */

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
