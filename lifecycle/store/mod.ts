/**
 * The embedded store: `node:sqlite` at `<state dir>/lifeline.db`, WAL, a busy
 * timeout, and `BEGIN IMMEDIATE` for every read-modify-write. The journal is
 * the source of truth; sessions, turns, failures, contradictions and hints
 * are derived from it by the pure reducer in the same transaction.
 *
 * {@link Store} is the one entry point; each concern lives in its own file
 * here (schema, journal, queries, tokens, deliveries, inbox, outbox, record). Hooks
 * use its write path alone, {@link StoreCore} in `core.ts`.
 *
 * @example Open a store, record a session start, read it back
 * ```ts
 * import { Store } from "./mod.ts";
 * import { idempotencyKey } from "../keys.ts";
 *
 * const store = Store.memory();
 * const payload = { session_id: "s1", hook_event_name: "SessionStart", source: "startup" };
 * store.record({
 *   key: idempotencyKey("SessionStart", payload),
 *   event: "SessionStart",
 *   session_id: "s1",
 *   turn_id: null,
 *   observed_at: "2026-11-21T00:00:00.000Z",
 *   payload,
 *   pid: null,
 *   failure: null,
 *   blocked: false,
 *   hint_threshold: 0,
 * });
 * if (store.session("s1")?.turn_state !== "pending_first_turn") throw new Error("not registered");
 * store.close();
 * ```
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type {
  ContradictionRow,
  FailureRow,
  HintRow,
  Observation,
  ObservationSource,
  SessionFactRow,
  SessionRow,
  TurnFactRow,
  TurnRow,
} from "../model.ts";
import type { Upkeep } from "../upkeep.ts";
import type { Forwarding } from "../forward/records.ts";
import { type ClaimResult, openDatabase, StoreCore, type StoreOptions } from "./core.ts";
import type { DeliveryRow, OutboxRow, QueuedRow } from "./rows.ts";
import type { RecordResult } from "./journal.ts";
import * as q from "./queries.ts";
import { addDelivery, deliveries } from "./deliveries.ts";
import { dequeue, enqueue, queued } from "./inbox.ts";
import {
  dropParked,
  leaseOutbox,
  listOutbox,
  retryParked,
  type SendOutcome,
  settleOutbox,
} from "./outbox.ts";
import { dump, replay } from "./record.ts";
import * as msg from "./messages.ts";
import { type TurnTokens, turnTokens } from "./tokens.ts";

export { StoreCore };
export type { MessagePatch, MessageRow, MessageStatus } from "./messages.ts";
export type {
  ClaimResult,
  DeliveryRow,
  Forwarding,
  OutboxRow,
  QueuedRow,
  RecordResult,
  SendOutcome,
  StoreOptions,
  TurnTokens,
  Upkeep,
};

/** The lifecycle store: the write path of {@link StoreCore} and every read. */
export class Store extends StoreCore {
  private constructor(raw: DatabaseSync) {
    super(raw);
  }

  /** Opens (creating if needed, folder 0700, files 0600) the store in `stateDir`. */
  static override open(stateDir: string, opts: StoreOptions = {}): Store {
    return new Store(openDatabase(stateDir, opts));
  }

  /** An in-memory store (tests, in-process replay). */
  static memory(): Store {
    return new Store(new DatabaseSync(":memory:"));
  }

  // --- reads ---------------------------------------------------------------

  /** All sessions, most recently seen first. */
  sessions(): SessionRow[] {
    return q.sessions(this.db);
  }
  /** A session's turns in order. */
  turns(sessionId: string): TurnRow[] {
    return q.turns(this.db, sessionId);
  }
  /** A session's failures, oldest first. */
  failures(sessionId: string): FailureRow[] {
    return q.failures(this.db, sessionId);
  }
  /** A session's contradictions, oldest first. */
  contradictions(sessionId: string): ContradictionRow[] {
    return q.contradictions(this.db, sessionId);
  }
  /** The journal bodies (JSON observations) of a session's latest `limit` entries of `event`, newest first. */
  journalBodies(sessionId: string, event: string, limit: number): string[] {
    return q.journalBodies(this.db, sessionId, event, limit);
  }
  /** A session's hints. */
  hints(sessionId: string): HintRow[] {
    return q.hints(this.db, sessionId);
  }
  /** The sources that saw a session (`hook`, `notify`, `app-server`, `upkeep`). */
  sources(sessionId: string): ObservationSource[] {
    return q.sources(this.db, sessionId);
  }
  /** The app-server's facts of a session's turns, by turn id. */
  turnFacts(sessionId: string): Map<string, TurnFactRow> {
    return q.turnFacts(this.db, sessionId);
  }
  /** The app-server's facts of a session. */
  sessionFact(sessionId: string): SessionFactRow | undefined {
    return q.sessionFact(this.db, sessionId);
  }
  /** The journal entry with this key. */
  event(key: string): Observation | undefined {
    const r = this.db.stmt("SELECT body FROM events WHERE key = ?").get(key) as { body: string } | undefined;
    return r ? JSON.parse(r.body) as Observation : undefined;
  }

  // --- messages (the message API) ------------------------------------------

  addMessage(m: msg.MessageRow): void {
    msg.addMessage(this.db, m);
  }
  message(id: string): msg.MessageRow | undefined {
    return msg.message(this.db, id);
  }
  /** A session's messages, newest first. */
  messagesOf(sessionId: string, limit = 50): msg.MessageRow[] {
    return msg.messagesOf(this.db, sessionId, limit);
  }
  /** Messages waiting for delivery or an answer, oldest first. */
  openMessages(): msg.MessageRow[] {
    return msg.openMessages(this.db);
  }
  updateMessage(id: string, patch: msg.MessagePatch, at: string): msg.MessageRow | undefined {
    return this.db.transaction(() => msg.updateMessage(this.db, id, patch, at));
  }
  /** A delivery row by id (the hook path's state of a message). */
  delivery(id: string): DeliveryRow | undefined {
    return this.db.stmt("SELECT * FROM deliveries WHERE id = ?").get(id) as DeliveryRow | undefined;
  }
  /** Tokens per turn of a session from its model-request hooks, by turn id (turns without them are absent). */
  turnTokens(sessionId: string): Map<string, TurnTokens> {
    return turnTokens(this.db, sessionId);
  }

  // --- the hub's messages --------------------------------------------------

  /** Adds a message to a session's deliveries (the sidecar does this); idempotent by id. */
  addDelivery(d: Pick<DeliveryRow, "id" | "session_id" | "kind" | "text" | "created_at">): boolean {
    return addDelivery(this.db, d);
  }
  /** A session's deliveries, oldest first. */
  deliveries(sessionId: string): DeliveryRow[] {
    return deliveries(this.db, sessionId);
  }
  /** Queues a notify for a disconnected session; drops expired entries and keeps at most `cap`. */
  enqueue(row: QueuedRow, cap: number): void {
    enqueue(this.db, row, cap);
  }
  /** A session's queued messages that have not expired, oldest first. */
  queued(sessionId: string, now: string): QueuedRow[] {
    return queued(this.db, sessionId, now);
  }
  /** Removes one queued message (after the sidecar acknowledged it). */
  dequeue(id: string): void {
    dequeue(this.db, id);
  }
  /**
   * Writes a session's transport row. Nothing reads it: the hub reports
   * transport from its live connections, which a stored copy cannot outlive
   * (it would still say `connected` after the hub died). To be removed with
   * its callers in the hub.
   */
  setTransport(sessionId: string, state: "connected" | "disconnected", at: string, pid: number | null): void {
    this.db.stmt(
      "INSERT INTO transports VALUES (?,?,?,?) ON CONFLICT(session_id) DO UPDATE SET state=excluded.state, changed_at=excluded.changed_at, sidecar_pid=excluded.sidecar_pid",
    ).run(sessionId, state, at, pid);
  }

  // --- forwarding ----------------------------------------------------------

  /** Leases up to `limit` due outbox rows (all, or only `ids`) for `leaseMs`. */
  leaseOutbox(
    now: string,
    leaseMs: number,
    limit: number,
    ids?: readonly number[],
    ignoreBackoff = false,
  ): OutboxRow[] {
    return leaseOutbox(this.db, now, leaseMs, limit, ids, ignoreBackoff);
  }
  /** Makes parked rows pending again, due now; returns how many. */
  retryParked(now: string): number {
    return retryParked(this.db, now);
  }
  /** Deletes parked rows; returns how many. */
  dropParked(): number {
    return dropParked(this.db);
  }
  /** Records the outcome of sending outbox rows. */
  settleOutbox(ids: readonly number[], outcome: SendOutcome): void {
    settleOutbox(this.db, ids, outcome);
  }
  /** Outbox rows, all or by status. */
  outbox(status?: OutboxRow["status"]): OutboxRow[] {
    return listOutbox(this.db, status);
  }

  // --- tests and replays ---------------------------------------------------

  /** Replays journal entries (e.g. into a fresh store) in order. */
  replay(observations: Iterable<Observation>): void {
    replay(this.db, observations);
  }
  /** Every derived table, as plain sorted rows (for comparing two stores). */
  dump(): Record<string, unknown[]> {
    return dump(this.db);
  }
}
