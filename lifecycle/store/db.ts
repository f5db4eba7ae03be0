/**
 * The connection every store module works through: prepared statements
 * cached by their text, and `BEGIN IMMEDIATE` transactions. Codex starts all
 * hooks of one event at once, so many processes write concurrently; taking
 * the write lock at `BEGIN` (not at the first write) is what makes each
 * read-modify-write free of lost updates.
 *
 * @module
 */

import type { DatabaseSync, StatementSync } from "node:sqlite";

/** A row as `node:sqlite` returns it. */
export type Row = Record<string, unknown>;

/** One open database with a statement cache. */
export class Db {
  readonly raw: DatabaseSync;
  #stmts = new Map<string, StatementSync>();

  constructor(raw: DatabaseSync) {
    this.raw = raw;
  }

  /** The prepared statement for `sql` (prepared once per connection). */
  stmt(sql: string): StatementSync {
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.raw.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  /** Runs `fn` inside `BEGIN IMMEDIATE … COMMIT` (rolled back on error). */
  transaction<T>(fn: () => T): T {
    this.raw.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.raw.exec("COMMIT");
      return out;
    } catch (e) {
      try {
        this.raw.exec("ROLLBACK");
      } catch { /* the transaction is already gone */ }
      throw e;
    }
  }
}
