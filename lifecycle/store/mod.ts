/**
 * The embedded store: `node:sqlite` at `<state dir>/lifeline.db`, WAL, a busy
 * timeout, and `BEGIN IMMEDIATE` for every read-modify-write. The journal is
 * the source of truth; sessions, turns, failures, contradictions and hints
 * are derived from it by the pure reducer in the same transaction.
 *
 * {@link Store} is the one entry point; each concern lives in its own file
 * here (schema, journal, queries, deliveries, inbox, outbox, record).
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
  SessionRow,
  StateView,
  TurnRow,
} from "../model.ts";
import type { ForwardConfig } from "../forward/config.ts";
import { processGone, repairObservation, staleBefore, type Upkeep } from "../upkeep.ts";
import { Db } from "./db.ts";
import { migrate } from "./schema.ts";
import type { DeliveryRow, OutboxRow, QueuedRow } from "./rows.ts";
import { apply, journal, journaled, type RecordResult } from "./journal.ts";
import * as q from "./queries.ts";
import { addDelivery, claim, deliveries } from "./deliveries.ts";
import { dequeue, enqueue, queued } from "./inbox.ts";
import {
  leaseOutbox,
  listOutbox,
  type SendOutcome,
  settleOutbox,
  turnsBefore,
  writeOutbox,
} from "./outbox.ts";
import { dump, replay } from "./record.ts";

export type { DeliveryRow, OutboxRow, QueuedRow, RecordResult, SendOutcome, Upkeep };

/** Options for {@link Store.open}. */
export interface StoreOptions {
  /** How long a writer waits for the lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** What {@link Store.recordAndClaim} did. */
export interface ClaimResult {
  result: RecordResult;
  /** The messages this observation handed over (a hook answers with them). */
  delivered: DeliveryRow[];
  /** Ids of the outbox rows written (a hook flushes them). */
  outbox: number[];
}

/** The lifecycle store. */
export class Store implements StateView {
  readonly #db: Db;
  readonly #view: StateView;

  private constructor(raw: DatabaseSync) {
    this.#db = new Db(raw);
    this.#view = q.stateView(this.#db);
    migrate(this.#db);
  }

  /** Opens (creating if needed, folder 0700, files 0600) the store in `stateDir`. */
  static open(stateDir: string, opts: StoreOptions = {}): Store {
    Deno.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const path = `${stateDir}/lifeline.db`;
    const db = new DatabaseSync(path);
    try {
      db.exec(`PRAGMA busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
      db.exec("PRAGMA journal_mode = WAL");
      db.exec("PRAGMA synchronous = NORMAL");
    } catch (e) {
      db.close();
      throw new Error(`Cannot open the lifeline store "${path}": ${(e as Error).message}`, { cause: e });
    }
    const store = new Store(db);
    try {
      if ((Deno.statSync(path).mode ?? 0) & 0o077) Deno.chmodSync(path, 0o600);
    } catch { /* not fatal: permissions are best effort on other file systems */ }
    return store;
  }

  /** An in-memory store (tests, in-process replay). */
  static memory(): Store {
    return new Store(new DatabaseSync(":memory:"));
  }

  /** Runs `fn` inside `BEGIN IMMEDIATE … COMMIT` (rolled back on error). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn);
  }

  close(): void {
    this.#db.raw.close();
  }

  // --- the reducer's view --------------------------------------------------

  session(id: string): SessionRow | undefined {
    return q.session(this.#db, id);
  }
  turn(sessionId: string, turnId: string): TurnRow | undefined {
    return q.turn(this.#db, sessionId, turnId);
  }
  failuresSince(sessionId: string, tool: string, errorClass: string, since: string): number {
    return this.#view.failuresSince(sessionId, tool, errorClass, since);
  }
  hinted(sessionId: string, tool: string, errorClass: string): boolean {
    return this.#view.hinted(sessionId, tool, errorClass);
  }

  // --- recording -----------------------------------------------------------

  /** Records one observation in one transaction, with upkeep first. */
  record(obs: Observation, upkeep?: Upkeep): RecordResult {
    return this.recordAndClaim(obs, upkeep, false).result;
  }

  /**
   * Records one observation in one transaction: upkeep first; then, when
   * `claim` is set and this is a delivery point, the session's pending
   * deliveries are claimed (a Stop that carries some is journaled as
   * blocked); then, with `forward`, the outbox records are written.
   */
  recordAndClaim(
    obs: Observation,
    upkeep: Upkeep | undefined,
    claim_: boolean,
    forward?: ForwardConfig,
  ): ClaimResult {
    const db = this.#db;
    return db.transaction(() => {
      if (upkeep) this.#upkeep(upkeep);
      let delivered: DeliveryRow[] = [];
      if (claim_ && !journaled(db, obs.key)) ({ obs, delivered } = claim(db, obs));
      const before = forward ? turnsBefore(db, obs) : undefined;
      const result = apply(db, obs);
      const outbox = forward && before ? writeOutbox(db, obs, result, before, forward) : [];
      return { result, delivered, outbox };
    });
  }

  /** Applies upkeep (stale-busy repair, dead processes) alone; returns how many repairs were journaled. */
  maintain(upkeep: Upkeep): number {
    return this.#db.transaction(() => this.#upkeep(upkeep));
  }

  #upkeep(u: Upkeep): number {
    let applied = 0;
    const cutoff = staleBefore(u);
    for (const s of cutoff ? q.busySeenBefore(this.#db, cutoff) : []) {
      if (apply(this.#db, repairObservation("StaleBusyRepair", s, u.now)).inserted) applied++;
    }
    if (!u.alive) return applied;
    for (const s of q.liveWithPid(this.#db)) {
      if (processGone(u, s) && apply(this.#db, repairObservation("ProcessGone", s, u.now)).inserted) {
        applied++;
      }
    }
    return applied;
  }

  // --- reads ---------------------------------------------------------------

  /** The journal in order. */
  journal(): Observation[] {
    return journal(this.#db);
  }
  /** All sessions, most recently seen first. */
  sessions(): SessionRow[] {
    return q.sessions(this.#db);
  }
  /** A session's turns in order. */
  turns(sessionId: string): TurnRow[] {
    return q.turns(this.#db, sessionId);
  }
  /** A session's failures, oldest first. */
  failures(sessionId: string): FailureRow[] {
    return q.failures(this.#db, sessionId);
  }
  /** A session's contradictions, oldest first. */
  contradictions(sessionId: string): ContradictionRow[] {
    return q.contradictions(this.#db, sessionId);
  }
  /** A session's hints. */
  hints(sessionId: string): HintRow[] {
    return q.hints(this.#db, sessionId);
  }

  // --- the hub's messages --------------------------------------------------

  /** Adds a message to a session's deliveries (the sidecar does this); idempotent by id. */
  addDelivery(d: Pick<DeliveryRow, "id" | "session_id" | "kind" | "text" | "created_at">): boolean {
    return addDelivery(this.#db, d);
  }
  /** A session's deliveries, oldest first. */
  deliveries(sessionId: string): DeliveryRow[] {
    return deliveries(this.#db, sessionId);
  }
  /** Queues a notify for a disconnected session; drops expired entries and keeps at most `cap`. */
  enqueue(row: QueuedRow, cap: number): void {
    enqueue(this.#db, row, cap);
  }
  /** A session's queued messages that have not expired, oldest first. */
  queued(sessionId: string, now: string): QueuedRow[] {
    return queued(this.#db, sessionId, now);
  }
  /** Removes one queued message (after the sidecar acknowledged it). */
  dequeue(id: string): void {
    dequeue(this.#db, id);
  }
  /**
   * Writes a session's transport row. Nothing reads it: the hub reports
   * transport from its live connections, which a stored copy cannot outlive
   * (it would still say `connected` after the hub died). To be removed with
   * its callers in the hub.
   */
  setTransport(sessionId: string, state: "connected" | "disconnected", at: string, pid: number | null): void {
    this.#db.stmt(
      "INSERT INTO transports VALUES (?,?,?,?) ON CONFLICT(session_id) DO UPDATE SET state=excluded.state, changed_at=excluded.changed_at, sidecar_pid=excluded.sidecar_pid",
    ).run(sessionId, state, at, pid);
  }

  // --- forwarding ----------------------------------------------------------

  /** Leases up to `limit` due outbox rows (all, or only `ids`) for `leaseMs`. */
  leaseOutbox(now: string, leaseMs: number, limit: number, ids?: readonly number[]): OutboxRow[] {
    return leaseOutbox(this.#db, now, leaseMs, limit, ids);
  }
  /** Records the outcome of sending outbox rows. */
  settleOutbox(ids: readonly number[], outcome: SendOutcome): void {
    settleOutbox(this.#db, ids, outcome);
  }
  /** Outbox rows, all or by status. */
  outbox(status?: OutboxRow["status"]): OutboxRow[] {
    return listOutbox(this.#db, status);
  }

  // --- tests and replays ---------------------------------------------------

  /** Replays journal entries (e.g. into a fresh store) in order. */
  replay(observations: Iterable<Observation>): void {
    replay(this.#db, observations);
  }
  /** Every derived table, as plain sorted rows (for comparing two stores). */
  dump(): Record<string, unknown[]> {
    return dump(this.#db);
  }
}
