/**
 * The store's schema, as migrations applied in order; `PRAGMA user_version`
 * counts how many ran. A migration is never edited once released: a change
 * is a new entry.
 *
 * - 1: the journal (`events`, unique by idempotency key) and the tables
 *   derived from it by the reducer;
 * - 2: the hub's own facts (messages to sessions, the wait queue, the
 *   transport), which are not derived from the journal;
 * - 3: the forwarding outbox, written in the same transaction as the
 *   observation it comes from;
 * - 4: the app-server as a second source: each event's `source`, the facts
 *   the daemon adds to turns and sessions, and the hub's messages.
 *
 * @module
 */

import type { Db, Row } from "./db.ts";

/** The migrations, in order. */
const MIGRATIONS: readonly string[] = [
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
  // 4: the app-server. Older events get the source their event implies.
  `ALTER TABLE events ADD COLUMN source TEXT;
   UPDATE events SET source = CASE
     WHEN event = 'Notify' THEN 'notify'
     WHEN event IN ('StaleBusyRepair', 'ProcessGone') THEN 'upkeep'
     ELSE 'hook' END;
   CREATE INDEX events_source ON events(session_id, source);
   CREATE TABLE turn_facts (
     session_id TEXT NOT NULL, turn_id TEXT NOT NULL,
     closed_by TEXT, tokens TEXT, error_class TEXT, error_message TEXT, last_message TEXT,
     tools TEXT NOT NULL,
     PRIMARY KEY (session_id, turn_id)
   );
   CREATE TABLE session_facts (
     session_id TEXT PRIMARY KEY, hooks_seen_running INTEGER NOT NULL,
     app_server_state TEXT, app_server_seen_at TEXT
   );
   CREATE TABLE messages (
     id TEXT PRIMARY KEY, session_id TEXT NOT NULL, kind TEXT NOT NULL, sender TEXT NOT NULL,
     text TEXT NOT NULL, status TEXT NOT NULL, via TEXT, reply TEXT, turn_id TEXT,
     timeout_s INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, error TEXT
   );
   CREATE INDEX messages_session ON messages(session_id, created_at);
   CREATE INDEX messages_open ON messages(status, session_id);`,
];

/** Brings the schema up to date (in one transaction, so concurrent openers migrate once). */
export function migrate(db: Db): void {
  const version = () => (db.raw.prepare("PRAGMA user_version").get() as Row).user_version as number;
  if (version() >= MIGRATIONS.length) return;
  db.transaction(() => {
    for (let v = version(); v < MIGRATIONS.length; v++) {
      db.raw.exec(MIGRATIONS[v]!);
      db.raw.exec(`PRAGMA user_version = ${v + 1}`);
    }
  });
}
