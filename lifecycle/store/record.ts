/**
 * For tests and in-process replays: replay a journal into a store and dump
 * every derived table, so that two stores (incremental and folded from
 * scratch) can be compared row by row.
 *
 * @module
 */

import type { Observation } from "../model.ts";
import type { Db, Row } from "./db.ts";
import { apply } from "./journal.ts";

/** Applies journal entries in order, in one transaction. */
export function replay(db: Db, observations: Iterable<Observation>): void {
  db.transaction(() => {
    for (const o of observations) apply(db, o);
  });
}

/** Every derived table, as plain rows in a fixed order. */
export function dump(db: Db): Record<string, unknown[]> {
  const all = (sql: string) => (db.raw.prepare(sql).all() as Row[]).map((r) => ({ ...r }));
  return {
    sessions: all("SELECT * FROM sessions ORDER BY session_id"),
    turns: all("SELECT * FROM turns ORDER BY session_id, turn_id"),
    failures: all("SELECT * FROM failures ORDER BY key"),
    contradictions: all("SELECT * FROM contradictions ORDER BY key"),
    hints: all("SELECT * FROM hints ORDER BY session_id, tool, error_class"),
    turn_facts: all("SELECT * FROM turn_facts ORDER BY session_id, turn_id"),
    session_facts: all("SELECT * FROM session_facts ORDER BY session_id"),
  };
}
