/**
 * The embedded store: `node:sqlite` at `$LIFELINE_STATE_DIR/lifeline.db`, WAL,
 * a busy timeout, and `BEGIN IMMEDIATE` for every read-modify-write. The
 * journal (`events`, primary key = idempotency key) is the source of truth;
 * sessions, turns, failures, contradictions and hints are derived from it by
 * the reducer in the same transaction.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { sha256Hex } from "../codex/_sha256.ts";
import { canonicalJson } from "../codex/canonical.ts";
import type {
  Changes,
  ContradictionRow,
  FailureRow,
  HintRow,
  Observation,
  SessionRow,
  StateView,
  TurnRow,
} from "./model.ts";
import { reduce } from "./reducer.ts";
import { type ForwardConfig, outboxRecords } from "./forward.ts";

/** Schema migrations, applied in order; `PRAGMA user_version` = how many ran. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     key TEXT NOT NULL UNIQUE,
     session_id TEXT NOT NULL,
     event TEXT NOT NULL,
     observed_at TEXT NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX events_session ON events(session_id, seq);
   CREATE TABLE sessions (
     session_id TEXT PRIMARY KEY,
     status TEXT NOT NULL,
     turn_state TEXT NOT NULL,
     cwd TEXT, model TEXT, source TEXT,
     started_at TEXT NOT NULL, last_seen TEXT NOT NULL,
     ended_at TEXT, end_reason TEXT,
     pid INTEGER,
     current_turn_id TEXT,
     turn_count INTEGER NOT NULL
   );
   CREATE INDEX sessions_status ON sessions(status, last_seen);
   CREATE TABLE turns (
     session_id TEXT NOT NULL, turn_id TEXT NOT NULL,
     ordinal INTEGER NOT NULL, outcome TEXT NOT NULL,
     started_at TEXT NOT NULL, ended_at TEXT,
     prompt TEXT, last_assistant_message TEXT,
     tool_invocations INTEGER NOT NULL, tool_failures INTEGER NOT NULL,
     safety_net_used INTEGER NOT NULL,
     hook_events TEXT NOT NULL, tool_use_ids TEXT NOT NULL,
     PRIMARY KEY (session_id, turn_id)
   );
   CREATE TABLE failures (
     key TEXT PRIMARY KEY, session_id TEXT NOT NULL, turn_id TEXT,
     tool TEXT NOT NULL, error_class TEXT NOT NULL, message TEXT, observed_at TEXT NOT NULL
   );
   CREATE INDEX failures_counter ON failures(session_id, tool, error_class, observed_at);
   CREATE TABLE contradictions (
     key TEXT PRIMARY KEY, session_id TEXT NOT NULL, event TEXT NOT NULL, turn_id TEXT,
     reason TEXT NOT NULL, observed_at TEXT NOT NULL
   );
   CREATE TABLE hints (
     session_id TEXT NOT NULL, tool TEXT NOT NULL, error_class TEXT NOT NULL,
     count INTEGER NOT NULL, observed_at TEXT NOT NULL,
     PRIMARY KEY (session_id, tool, error_class)
   );`,
  // 2: the hub. Not derived from the journal: messages and transport are their own facts.
  `CREATE TABLE deliveries (
     id TEXT PRIMARY KEY, session_id TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
     created_at TEXT NOT NULL, status TEXT NOT NULL,
     delivered_at TEXT, delivered_event TEXT, delivered_key TEXT
   );
   CREATE INDEX deliveries_pending ON deliveries(session_id, status, created_at);
   CREATE TABLE queue (
     id TEXT PRIMARY KEY, session_id TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,
     created_at TEXT NOT NULL, expires_at TEXT NOT NULL
   );
   CREATE INDEX queue_session ON queue(session_id, created_at);
   CREATE TABLE transports (
     session_id TEXT PRIMARY KEY, state TEXT NOT NULL, changed_at TEXT NOT NULL, sidecar_pid INTEGER
   );`,
  // 3: forwarding. The outbox is written in the same transaction as the observation.
  `CREATE TABLE outbox (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     target TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL,
     created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at TEXT NOT NULL, lease_until TEXT,
     status TEXT NOT NULL DEFAULT 'pending', last_error TEXT, sent_at TEXT,
     UNIQUE (target, key)
   );
   CREATE INDEX outbox_due ON outbox(status, next_attempt_at);`,
];

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

/** Events at which a pending delivery reaches Codex. */
export const DELIVERY_EVENTS: ReadonlySet<string> = new Set(["SessionStart", "UserPromptSubmit", "Stop"]);

/**
 * The idempotency key of a delivery: SHA-256 of the event name, the Codex
 * process (when known) and the canonical raw payload. The same delivery twice
 * gets the same key. The process is part of it because Codex sends identical
 * payloads for different occurrences: `SessionEnd` is `{session_id, cwd,
 * transcript_path, reason: "other"}` every time, so a session resumed in a
 * new Codex process would otherwise lose its second end.
 */
export function idempotencyKey(event: string, rawPayload: unknown, pid: number | null = null): string {
  return sha256Hex(`${event}\n${pid ?? ""}\n${canonicalJson(rawPayload)}`);
}

/** Upkeep applied on every write and read. */
export interface Upkeep {
  /** Now, ISO-8601. */
  now: string;
  /** Busy longer than this with no sign of life → online/idle (`stale_busy_repair`); `Infinity` = no repair. */
  staleBusyMs: number;
  /** Whether a session's Codex process, first seen at `startedAt`, lives (`undefined` = cannot tell). */
  alive?: (pid: number, startedAt: string) => boolean | undefined;
  /**
   * The turns a session's transcript (path as journaled: the home directory may be `~`) says were
   * interrupted; read when its process is gone, so an interrupted turn is not abandoned.
   */
  interruptedTurns?: (transcriptPath: string) => readonly string[];
}

/** A turn's token counts, summed over its model requests. */
export interface TurnTokens {
  input: number;
  cached_input: number;
  output: number;
  reasoning: number;
  total: number;
}

/** The result of recording one observation. */
export interface RecordResult {
  /** False when the same delivery was already journaled (nothing changed). */
  inserted: boolean;
  changes: Changes;
}

type Row = Record<string, unknown>;

function toSession(r: Row): SessionRow {
  return {
    session_id: r.session_id as string,
    status: r.status as SessionRow["status"],
    turn_state: r.turn_state as SessionRow["turn_state"],
    cwd: r.cwd as string | null,
    model: r.model as string | null,
    source: r.source as string | null,
    started_at: r.started_at as string,
    last_seen: r.last_seen as string,
    ended_at: r.ended_at as string | null,
    end_reason: r.end_reason as string | null,
    pid: r.pid as number | null,
    current_turn_id: r.current_turn_id as string | null,
    turn_count: r.turn_count as number,
  };
}

function toTurn(r: Row): TurnRow {
  return {
    session_id: r.session_id as string,
    turn_id: r.turn_id as string,
    ordinal: r.ordinal as number,
    outcome: r.outcome as TurnRow["outcome"],
    started_at: r.started_at as string,
    ended_at: r.ended_at as string | null,
    prompt: r.prompt as string | null,
    last_assistant_message: r.last_assistant_message as string | null,
    tool_invocations: r.tool_invocations as number,
    tool_failures: r.tool_failures as number,
    safety_net_used: r.safety_net_used === 1,
    hook_events: JSON.parse(r.hook_events as string),
    tool_use_ids: JSON.parse(r.tool_use_ids as string),
  };
}

/** Options for {@link Store.open}. */
export interface StoreOptions {
  /** How long a writer waits for the lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** The lifecycle store. */
export class Store implements StateView {
  readonly db: DatabaseSync;
  #stmts = new Map<string, StatementSync>();

  private constructor(db: DatabaseSync) {
    this.db = db;
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
    store.#migrate();
    try {
      if ((Deno.statSync(path).mode ?? 0) & 0o077) Deno.chmodSync(path, 0o600);
    } catch { /* not fatal: permissions are best effort on other file systems */ }
    return store;
  }

  /** An in-memory store (tests, in-process replay). */
  static memory(): Store {
    const store = new Store(new DatabaseSync(":memory:"));
    store.#migrate();
    return store;
  }

  #migrate(): void {
    const version = () => (this.db.prepare("PRAGMA user_version").get() as Row).user_version as number;
    if (version() >= MIGRATIONS.length) return;
    this.transaction(() => {
      for (let v = version(); v < MIGRATIONS.length; v++) {
        this.db.exec(MIGRATIONS[v]!);
        this.db.exec(`PRAGMA user_version = ${v + 1}`);
      }
    });
  }

  #stmt(sql: string): StatementSync {
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` inside `BEGIN IMMEDIATE … COMMIT` (rolled back on error). */
  transaction<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.db.exec("COMMIT");
      return out;
    } catch (e) {
      try {
        this.db.exec("ROLLBACK");
      } catch { /* the transaction is already gone */ }
      throw e;
    }
  }

  // --- StateView -----------------------------------------------------------

  session(id: string): SessionRow | undefined {
    const r = this.#stmt("SELECT * FROM sessions WHERE session_id = ?").get(id) as Row | undefined;
    return r ? toSession(r) : undefined;
  }

  turn(sessionId: string, turnId: string): TurnRow | undefined {
    const r = this.#stmt("SELECT * FROM turns WHERE session_id = ? AND turn_id = ?").get(sessionId, turnId) as
      | Row
      | undefined;
    return r ? toTurn(r) : undefined;
  }

  failuresSince(sessionId: string, tool: string, errorClass: string, since: string): number {
    const r = this.#stmt(
      "SELECT count(*) AS n FROM failures WHERE session_id = ? AND tool = ? AND error_class = ? AND observed_at >= ?",
    ).get(sessionId, tool, errorClass, since) as Row;
    return r.n as number;
  }

  hinted(sessionId: string, tool: string, errorClass: string): boolean {
    return this.#stmt("SELECT 1 FROM hints WHERE session_id = ? AND tool = ? AND error_class = ?")
      .get(sessionId, tool, errorClass) !== undefined;
  }

  // --- writes --------------------------------------------------------------

  #write(c: Changes): void {
    const s = c.session;
    if (s) {
      this.#stmt(
        `INSERT INTO sessions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
         ON CONFLICT(session_id) DO UPDATE SET status=excluded.status, turn_state=excluded.turn_state,
           cwd=excluded.cwd, model=excluded.model, source=excluded.source, started_at=excluded.started_at,
           last_seen=excluded.last_seen, ended_at=excluded.ended_at, end_reason=excluded.end_reason,
           pid=excluded.pid, current_turn_id=excluded.current_turn_id,
           turn_count=excluded.turn_count`,
      ).run(
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
      );
    }
    for (const t of c.turns) {
      this.#stmt("INSERT OR REPLACE INTO turns VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)").run(
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
      );
    }
    for (const f of c.failures) {
      this.#stmt("INSERT OR IGNORE INTO failures VALUES (?,?,?,?,?,?,?)").run(
        f.key,
        f.session_id,
        f.turn_id,
        f.tool,
        f.error_class,
        f.message,
        f.observed_at,
      );
    }
    for (const x of c.contradictions) {
      this.#stmt("INSERT OR IGNORE INTO contradictions VALUES (?,?,?,?,?,?)").run(
        x.key,
        x.session_id,
        x.event,
        x.turn_id,
        x.reason,
        x.observed_at,
      );
    }
    for (const h of c.hints) {
      this.#stmt("INSERT OR IGNORE INTO hints VALUES (?,?,?,?,?)").run(
        h.session_id,
        h.tool,
        h.error_class,
        h.count,
        h.observed_at,
      );
    }
  }

  /** Journals one observation and applies it, unless the same delivery is already journaled. Call inside a transaction. */
  #apply(obs: Observation): RecordResult {
    const r = this.#stmt(
      "INSERT OR IGNORE INTO events (key, session_id, event, observed_at, body) VALUES (?,?,?,?,?)",
    ).run(obs.key, obs.session_id, obs.event, obs.observed_at, JSON.stringify(obs));
    if (Number(r.changes) === 0) {
      return {
        inserted: false,
        changes: { session: undefined, turns: [], failures: [], contradictions: [], hints: [] },
      };
    }
    const changes = reduce(this, obs);
    this.#write(changes);
    return { inserted: true, changes };
  }

  #upkeep(u: Upkeep): number {
    let applied = 0;
    const cutoffMs = Date.parse(u.now) - u.staleBusyMs;
    const stale = Number.isFinite(cutoffMs)
      ? this.#stmt("SELECT * FROM sessions WHERE status = 'busy' AND last_seen < ?").all(
        new Date(cutoffMs).toISOString(),
      ) as Row[]
      : [];
    const interrupted = (s: SessionRow) => {
      const path = u.interruptedTurns ? this.#transcriptPath(s.session_id) : null;
      return path ? [...u.interruptedTurns!(path)] : [];
    };
    for (const row of stale) {
      const s = toSession(row);
      applied += this.#synthetic("StaleBusyRepair", s, u.now, interrupted(s)) ? 1 : 0;
    }
    if (u.alive) {
      const live = this.#stmt("SELECT * FROM sessions WHERE status != 'offline' AND pid IS NOT NULL")
        .all() as Row[];
      for (const row of live) {
        const s = toSession(row);
        if (u.alive(s.pid!, s.started_at) === false) {
          applied += this.#synthetic("ProcessGone", s, u.now, interrupted(s)) ? 1 : 0;
        }
      }
    }
    return applied;
  }

  /** The newest transcript path journaled for a session. */
  #transcriptPath(sessionId: string): string | null {
    const r = this.#stmt(
      "SELECT json_extract(body, '$.payload.transcript_path') AS p FROM events " +
        "WHERE session_id = ? AND json_extract(body, '$.payload.transcript_path') IS NOT NULL " +
        "ORDER BY seq DESC LIMIT 1",
    ).get(sessionId) as Row | undefined;
    return typeof r?.p === "string" ? r.p : null;
  }

  #synthetic(
    event: "StaleBusyRepair" | "ProcessGone",
    s: SessionRow,
    now: string,
    interrupted: string[] = [],
  ): boolean {
    const basis = { session_id: s.session_id, last_seen: s.last_seen, pid: s.pid };
    return this.#apply({
      key: idempotencyKey(event, basis),
      event,
      session_id: s.session_id,
      turn_id: s.current_turn_id,
      observed_at: now,
      payload: basis,
      pid: null,
      failure: null,
      blocked: false,
      hint_threshold: 0,
      ...(interrupted.length ? { interrupted_turns: interrupted } : {}),
    }).inserted;
  }

  /** Records one observation in one transaction, with upkeep first. */
  record(obs: Observation, upkeep?: Upkeep): RecordResult {
    return this.recordAndClaim(obs, upkeep, false).result;
  }

  /**
   * Records one observation and, at a delivery point (SessionStart,
   * UserPromptSubmit, Stop), claims the session's pending deliveries in the
   * same transaction: each is handed to exactly one hook. A Stop that carries
   * deliveries is journaled as blocked (the hook continues the turn with them).
   */
  recordAndClaim(
    obs: Observation,
    upkeep: Upkeep | undefined,
    claim: boolean,
    forward?: ForwardConfig,
  ): { result: RecordResult; delivered: DeliveryRow[]; outbox: number[] } {
    return this.transaction(() => {
      if (upkeep) this.#upkeep(upkeep);
      let delivered: DeliveryRow[] = [];
      const dup = this.#stmt("SELECT 1 FROM events WHERE key = ?").get(obs.key) !== undefined;
      if (claim && !dup && DELIVERY_EVENTS.has(obs.event)) {
        delivered = this.#stmt(
          "SELECT * FROM deliveries WHERE session_id = ? AND status = 'pending' ORDER BY created_at, id",
        )
          .all(obs.session_id) as unknown as DeliveryRow[];
        // A Stop that hands messages over blocks: Codex continues the turn with them, and the
        // continued Stop finds none left, so the turn then completes.
        if (delivered.length > 0 && obs.event === "Stop") obs = { ...obs, blocked: true };
        for (const d of delivered) {
          this.#stmt(
            "UPDATE deliveries SET status = 'delivered', delivered_at = ?, delivered_event = ?, delivered_key = ? WHERE id = ?",
          )
            .run(obs.observed_at, obs.event, obs.key, d.id);
        }
      }
      // The turns this observation may touch, as they were (to tell when a turn ends).
      const before = new Map<string, TurnRow>();
      if (forward) {
        const cur = this.session(obs.session_id)?.current_turn_id;
        for (const t of [obs.turn_id, cur]) {
          const row = t ? this.turn(obs.session_id, t) : undefined;
          if (row) before.set(row.turn_id, row);
        }
      }
      const result = this.#apply(obs);
      const outbox: number[] = [];
      if (forward && result.inserted) {
        const recs = outboxRecords(
          obs,
          result.changes,
          (id) => before.get(id),
          result.changes.session,
          forward,
        );
        for (const r of recs) {
          const res = this.#stmt(
            "INSERT OR IGNORE INTO outbox (target, key, body, created_at, next_attempt_at) VALUES (?,?,?,?,?)",
          ).run(r.target, r.key, JSON.stringify(r.body), obs.observed_at, obs.observed_at);
          if (Number(res.changes) > 0) outbox.push(Number(res.lastInsertRowid));
        }
      }
      return { result, delivered, outbox };
    });
  }

  /**
   * Leases up to `limit` due outbox rows (all, or only `ids`) for `leaseMs`,
   * so that concurrent flushers do not send the same row at once.
   */
  leaseOutbox(now: string, leaseMs: number, limit: number, ids?: readonly number[]): OutboxRow[] {
    return this.transaction(() => {
      const due = this.#stmt(
        "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?) ORDER BY id",
      ).all(now, now) as unknown as OutboxRow[];
      const rows = due.filter((r) => !ids || ids.includes(r.id)).slice(0, limit);
      const until = new Date(Date.parse(now) + leaseMs).toISOString();
      for (const r of rows) this.#stmt("UPDATE outbox SET lease_until = ? WHERE id = ?").run(until, r.id);
      return rows;
    });
  }

  /** Records the outcome of sending outbox rows. */
  settleOutbox(
    ids: readonly number[],
    outcome: { sent: true; at: string } | { sent: false; parked: boolean; error: string; retryAt: string },
  ): void {
    this.transaction(() => {
      for (const id of ids) {
        if (outcome.sent) {
          this.#stmt(
            "UPDATE outbox SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL WHERE id = ?",
          ).run(outcome.at, id);
        } else {
          this.#stmt(
            "UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL, last_error = ? WHERE id = ?",
          )
            .run(outcome.parked ? "parked" : "pending", outcome.retryAt, outcome.error, id);
        }
      }
    });
  }

  /** Outbox rows, all or by status. */
  outbox(status?: OutboxRow["status"]): OutboxRow[] {
    return (status
      ? this.#stmt("SELECT * FROM outbox WHERE status = ? ORDER BY id").all(status)
      : this.#stmt("SELECT * FROM outbox ORDER BY id").all()) as unknown as OutboxRow[];
  }

  /** Adds a message to a session's inbox (the sidecar does this on delivery); idempotent by id. */
  addDelivery(d: Pick<DeliveryRow, "id" | "session_id" | "kind" | "text" | "created_at">): boolean {
    return Number(
      this.#stmt(
        "INSERT OR IGNORE INTO deliveries (id, session_id, kind, text, created_at, status) VALUES (?,?,?,?,?, 'pending')",
      )
        .run(d.id, d.session_id, d.kind, d.text, d.created_at).changes,
    ) > 0;
  }

  /** A session's deliveries, oldest first. */
  deliveries(sessionId: string): DeliveryRow[] {
    return this.#stmt("SELECT * FROM deliveries WHERE session_id = ? ORDER BY created_at, id").all(
      sessionId,
    ) as unknown as DeliveryRow[];
  }

  /** Queues a notify for a disconnected session; drops expired entries and keeps at most `cap` (oldest go first). */
  enqueue(
    q: { id: string; session_id: string; kind: string; text: string; created_at: string; expires_at: string },
    cap: number,
  ): void {
    this.transaction(() => {
      this.#stmt("DELETE FROM queue WHERE expires_at <= ?").run(q.created_at);
      this.#stmt("INSERT OR IGNORE INTO queue VALUES (?,?,?,?,?,?)").run(
        q.id,
        q.session_id,
        q.kind,
        q.text,
        q.created_at,
        q.expires_at,
      );
      this.#stmt(
        "DELETE FROM queue WHERE session_id = ? AND id NOT IN (SELECT id FROM queue WHERE session_id = ? ORDER BY created_at DESC, id DESC LIMIT ?)",
      ).run(q.session_id, q.session_id, cap);
    });
  }

  /** A session's queued messages that have not expired, oldest first. */
  queued(
    sessionId: string,
    now: string,
  ): {
    id: string;
    session_id: string;
    kind: string;
    text: string;
    created_at: string;
    expires_at: string;
  }[] {
    return this.#stmt("SELECT * FROM queue WHERE session_id = ? AND expires_at > ? ORDER BY created_at, id")
      .all(sessionId, now) as never;
  }

  /** Removes one queued message (after the sidecar acknowledged it). */
  dequeue(id: string): void {
    this.#stmt("DELETE FROM queue WHERE id = ?").run(id);
  }

  /** Records the transport of a session: its sidecar connected or not. Never touches `status`. */
  setTransport(sessionId: string, state: "connected" | "disconnected", at: string, pid: number | null): void {
    this.#stmt(
      "INSERT INTO transports VALUES (?,?,?,?) ON CONFLICT(session_id) DO UPDATE SET state=excluded.state, changed_at=excluded.changed_at, sidecar_pid=excluded.sidecar_pid",
    ).run(sessionId, state, at, pid);
  }

  /** The transport of a session (`disconnected` when no sidecar ever connected). */
  transport(sessionId: string): "connected" | "disconnected" {
    const r = this.#stmt("SELECT state FROM transports WHERE session_id = ?").get(sessionId) as
      | Row
      | undefined;
    return r?.state === "connected" ? "connected" : "disconnected";
  }

  /** Applies upkeep (stale-busy repair, dead processes) alone; returns how many repairs were journaled. */
  maintain(upkeep: Upkeep): number {
    return this.transaction(() => this.#upkeep(upkeep));
  }

  /** Replays journal entries (e.g. into a fresh store) in order. */
  replay(observations: Iterable<Observation>): void {
    this.transaction(() => {
      for (const o of observations) this.#apply(o);
    });
  }

  // --- reads ---------------------------------------------------------------

  /** The journal in order. */
  journal(): Observation[] {
    return (this.#stmt("SELECT body FROM events ORDER BY seq").all() as Row[]).map((r) =>
      JSON.parse(r.body as string) as Observation
    );
  }

  /** All sessions, most recently seen first. */
  sessions(): SessionRow[] {
    return (this.#stmt("SELECT * FROM sessions ORDER BY last_seen DESC, session_id").all() as Row[]).map(
      toSession,
    );
  }

  /** A session's turns in order. */
  turns(sessionId: string): TurnRow[] {
    return (this.#stmt("SELECT * FROM turns WHERE session_id = ? ORDER BY ordinal").all(sessionId) as Row[])
      .map(
        toTurn,
      );
  }

  /** A session's failures, oldest first. */
  failures(sessionId: string): FailureRow[] {
    return this.#stmt("SELECT * FROM failures WHERE session_id = ? ORDER BY observed_at, key").all(
      sessionId,
    ) as unknown as FailureRow[];
  }

  /** A session's contradictions, oldest first. */
  contradictions(sessionId: string): ContradictionRow[] {
    return this.#stmt("SELECT * FROM contradictions WHERE session_id = ? ORDER BY observed_at, key").all(
      sessionId,
    ) as unknown as ContradictionRow[];
  }

  /**
   * Tokens per turn: the sums of `PostModelRequest.token_usage` (Codex 0.169+) journaled for the
   * session, by turn id. Turns without model-request hooks are absent.
   */
  turnTokens(sessionId: string): Map<string, TurnTokens> {
    const f = (k: string) => `coalesce(sum(json_extract(body, '$.payload.token_usage.${k}')), 0)`;
    const rows = this.#stmt(
      `SELECT json_extract(body, '$.turn_id') AS turn, ${f("input_tokens")} AS input,
         ${f("cached_input_tokens")} AS cached_input, ${f("output_tokens")} AS output,
         ${f("reasoning_output_tokens")} AS reasoning, ${f("total_tokens")} AS total
       FROM events WHERE session_id = ? AND event = 'PostModelRequest'
         AND json_type(body, '$.payload.token_usage') = 'object' GROUP BY turn`,
    ).all(sessionId) as Row[];
    return new Map(
      rows.filter((r) => typeof r.turn === "string").map((r) => [r.turn as string, {
        input: Number(r.input),
        cached_input: Number(r.cached_input),
        output: Number(r.output),
        reasoning: Number(r.reasoning),
        total: Number(r.total),
      }]),
    );
  }

  /** A session's hints. */
  hints(sessionId: string): HintRow[] {
    return this.#stmt("SELECT * FROM hints WHERE session_id = ? ORDER BY tool, error_class").all(
      sessionId,
    ) as unknown as HintRow[];
  }

  /** Every derived table, as plain sorted rows (for comparing two stores). */
  dump(): Record<string, unknown[]> {
    const all = (sql: string) => (this.db.prepare(sql).all() as Row[]).map((r) => ({ ...r }));
    return {
      sessions: all("SELECT * FROM sessions ORDER BY session_id"),
      turns: all("SELECT * FROM turns ORDER BY session_id, turn_id"),
      failures: all("SELECT * FROM failures ORDER BY key"),
      contradictions: all("SELECT * FROM contradictions ORDER BY key"),
      hints: all("SELECT * FROM hints ORDER BY session_id, tool, error_class"),
    };
  }

  close(): void {
    this.db.close();
  }
}
