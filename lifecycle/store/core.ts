/**
 * The store's write path, all a hook needs: open, record an observation with
 * upkeep, claim hub deliveries, write the outbox, read what the reducer
 * reads. {@link Store} in `mod.ts` extends it with everything else (status
 * reads, the hub's messages, the outbox's sending side, test helpers); hooks
 * use this class alone so that they load less on every event.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import type { Observation, SessionRow, StateView, TurnRow } from "../model.ts";
import type { Forwarding } from "../forward/records.ts";
import { processGone, repairObservation, staleBefore, type Upkeep } from "../upkeep.ts";
import { Db } from "./db.ts";
import { migrate } from "./schema.ts";
import { retryBusy } from "./busy_retry.ts";
import type { DeliveryRow } from "./rows.ts";
import { apply, applyOccurrence, journal, NO_CHANGES, type RecordResult, transcriptPath } from "./journal.ts";
import { occurrence } from "./occurrence.ts";
import { goneReason } from "../process_model.ts";
import { busySeenBefore, liveWithPid, session, stateView, turn } from "./queries.ts";
import { claim } from "./deliveries.ts";
import { turnTokens } from "./tokens.ts";
import type { TurnTokens } from "../model.ts";
import { unclaim } from "./unclaim.ts";

/** Options for opening a store. */
export interface StoreOptions {
  /** How long a writer waits for the lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** What {@link StoreCore.recordAndClaim} did. */
export interface ClaimResult {
  result: RecordResult;
  /** The messages this observation handed over (a hook answers with them). */
  delivered: DeliveryRow[];
  /** Ids of the outbox rows written (a hook flushes them). */
  outbox: number[];
}

/**
 * Opens (creating if needed, folder 0700, files 0600) the database in
 * `stateDir`: WAL, so readers never wait for writers; a busy timeout, so
 * concurrent hooks queue for the write lock instead of failing.
 */
export function openDatabase(stateDir: string, opts: StoreOptions = {}): DatabaseSync {
  Deno.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = `${stateDir}/lifeline.db`;
  const db = new DatabaseSync(path);
  try {
    const busyMs = opts.busyTimeoutMs ?? 5000;
    db.exec(`PRAGMA busy_timeout = ${busyMs}`);
    retryBusy(() => db.exec("PRAGMA journal_mode = WAL"), busyMs);
    db.exec("PRAGMA synchronous = NORMAL");
  } catch (e) {
    db.close();
    throw new Error(`Cannot open the lifeline store "${path}": ${(e as Error).message}`, { cause: e });
  }
  try {
    if ((Deno.statSync(path).mode ?? 0) & 0o077) Deno.chmodSync(path, 0o600);
  } catch { /* not fatal: permissions are best effort on other file systems */ }
  return db;
}

/** The write path of the lifecycle store. */
export class StoreCore implements StateView {
  protected readonly db: Db;
  readonly #view: StateView;

  protected constructor(raw: DatabaseSync) {
    this.db = new Db(raw);
    this.#view = stateView(this.db);
    migrate(this.db);
  }

  /** Opens the store in `stateDir` (see {@link openDatabase}). */
  static open(stateDir: string, opts: StoreOptions = {}): StoreCore {
    return new StoreCore(openDatabase(stateDir, opts));
  }

  /** Runs `fn` inside `BEGIN IMMEDIATE … COMMIT` (rolled back on error). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn);
  }

  close(): void {
    this.db.raw.close();
  }

  session(id: string): SessionRow | undefined {
    return session(this.db, id);
  }
  turn(sessionId: string, turnId: string): TurnRow | undefined {
    return turn(this.db, sessionId, turnId);
  }
  failuresSince(sessionId: string, tool: string, errorClass: string, since: string): number {
    return this.#view.failuresSince(sessionId, tool, errorClass, since);
  }
  hinted(sessionId: string, tool: string, errorClass: string): boolean {
    return this.#view.hinted(sessionId, tool, errorClass);
  }

  /** Records one observation in one transaction, with upkeep first. */
  record(obs: Observation, upkeep?: Upkeep): RecordResult {
    return this.recordAndClaim(obs, upkeep, false).result;
  }

  /**
   * Records one observation in one transaction: upkeep first; then, when
   * `claimDeliveries` is set and this is a delivery point, the session's
   * pending deliveries are claimed (a Stop that carries some is journaled as
   * blocked); then, with `forward`, the outbox records are written.
   */
  recordAndClaim(
    obs: Observation,
    upkeep: Upkeep | undefined,
    claimDeliveries: boolean | (() => boolean),
    forward?: Forwarding,
  ): ClaimResult {
    const db = this.db;
    return db.transaction(() => {
      if (upkeep) this.#upkeep(upkeep);
      let delivered: DeliveryRow[] = [];
      // Claims and the outbox name the journal key of this occurrence (a resumed SessionStart may repeat
      // an earlier one byte for byte); a re-delivery has none, and changes nothing.
      const occ = occurrence(db, obs);
      if (occ) obs = occ;
      // A function is asked under the write lock: the wait for it may have outlasted the hook's deadline.
      const mayClaim = typeof claimDeliveries === "function" ? claimDeliveries() : claimDeliveries;
      if (occ && mayClaim) ({ obs, delivered } = claim(db, occ));
      const before = forward ? turnsBefore(db, obs) : undefined;
      const result = occ ? applyOccurrence(db, obs) : { inserted: false, changes: NO_CHANGES() };
      const outbox = forward && before ? writeOutbox(db, obs, result, before, forward) : [];
      return { result, delivered, outbox };
    });
  }

  /** Returns the deliveries the observation `key` claimed to pending (they never reached Codex). */
  unclaim(key: string): number {
    return this.db.transaction(() => unclaim(this.db, key));
  }

  /** Applies upkeep (stale-busy repair, dead processes) alone; returns how many repairs were journaled. */
  maintain(upkeep: Upkeep): number {
    return this.db.transaction(() => this.#upkeep(upkeep));
  }

  #upkeep(u: Upkeep): number {
    let applied = 0;
    // The transcript's turn_aborted tells an interrupted turn from an abandoned one.
    const interrupted = (s: SessionRow): readonly string[] => {
      const path = u.interruptedTurns ? transcriptPath(this.db, s.session_id) : null;
      return path ? u.interruptedTurns!(path) : [];
    };
    const repair = (event: "StaleBusyRepair", s: SessionRow) =>
      apply(this.db, repairObservation(event, s, u.now, undefined, interrupted(s))).inserted ? 1 : 0;
    const cutoff = staleBefore(u);
    for (const s of cutoff ? busySeenBefore(this.db, cutoff) : []) applied += repair("StaleBusyRepair", s);
    if (!u.alive) return applied;
    const live = liveWithPid(this.db);
    for (const s of live) {
      if (!processGone(u, s)) continue;
      const gone = repairObservation("ProcessGone", s, u.now, goneReason(u, s, live), interrupted(s));
      if (apply(this.db, gone).inserted) applied++;
    }
    return applied;
  }

  /** The journal in order, or one session's part of it. */
  journal(sessionId?: string): Observation[] {
    return journal(this.db, sessionId);
  }
}

/**
 * The turns `obs` may touch, as they are before it is applied: the outbox
 * needs them to tell when a turn ends. Call before applying, inside the
 * transaction.
 */
function turnsBefore(db: Db, obs: Observation): Map<string, TurnRow> {
  const before = new Map<string, TurnRow>();
  const current = session(db, obs.session_id)?.current_turn_id;
  for (const t of [obs.turn_id, current]) {
    const row = t ? turn(db, obs.session_id, t) : undefined;
    if (row) before.set(row.turn_id, row);
  }
  return before;
}

/** Writes the outbox records of one applied observation; returns the ids of the new rows. */
function writeOutbox(
  db: Db,
  obs: Observation,
  result: RecordResult,
  before: ReadonlyMap<string, TurnRow>,
  forward: Forwarding,
): number[] {
  const ids: number[] = [];
  if (!result.inserted) return ids;
  const session = result.changes.session;
  // Read from the journal only when a target asks (a turn span or entity), once per observation.
  let sums: Map<string, TurnTokens> | undefined;
  const tokens = (id: string) => (sums ??= turnTokens(db, obs.session_id)).get(id);
  const records = forward.records(
    obs,
    result.changes,
    (id) => before.get(id),
    session,
    forward.config,
    tokens,
    (toolUseId) => toolStartedAt(db, obs.session_id, toolUseId),
  );
  for (const r of records) {
    const res = db.stmt(
      "INSERT OR IGNORE INTO outbox (target, key, body, created_at, next_attempt_at) VALUES (?,?,?,?,?)",
    ).run(r.target, r.key, JSON.stringify(r.body), obs.observed_at, obs.observed_at);
    if (Number(res.changes) > 0) ids.push(Number(res.lastInsertRowid));
  }
  return ids;
}

/** When the session's latest PreToolUse of a tool call was recorded (a tool span starts there). */
function toolStartedAt(db: Db, sessionId: string, toolUseId: string): string | undefined {
  const row = db.stmt(
    `SELECT observed_at FROM events WHERE session_id = ? AND event = 'PreToolUse'
       AND json_extract(body, '$.payload.tool_use_id') = ? ORDER BY seq DESC LIMIT 1`,
  ).get(sessionId, toolUseId) as { observed_at?: unknown } | undefined;
  return typeof row?.observed_at === "string" ? row.observed_at : undefined;
}
