/**
 * Retrying a statement SQLite answers with "database is locked" although a
 * busy timeout is set. Switching a fresh database to WAL needs an exclusive
 * lock, and SQLite does not call the busy handler for it, so concurrent first
 * opens of one store fail at once instead of queueing. Waits are short and
 * bounded by the caller's busy timeout.
 *
 * @module
 */

/** Whether an error is SQLite's SQLITE_BUSY / SQLITE_LOCKED. */
export function isBusy(e: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  return /database is locked|database table is locked|SQLITE_BUSY/i.test(msg);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` (the store is synchronous; hooks have nothing else to do meanwhile). */
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Runs `fn`, retrying while it fails with SQLITE_BUSY until `timeoutMs` has
 * passed; then the last error is thrown.
 */
export function retryBusy<T>(fn: () => T, timeoutMs: number, now: () => number = Date.now): T {
  const until = now() + timeoutMs;
  for (let wait = 2;; wait = Math.min(wait * 2, 50)) {
    try {
      return fn();
    } catch (e) {
      if (!isBusy(e) || now() + wait > until) throw e;
      sleepSync(wait + Math.floor(Math.random() * wait));
    }
  }
}
