/**
 * Re-delivery or a new occurrence: how the journal tells one event delivered
 * twice from two events that carry identical payloads.
 *
 * Codex sends byte-identical payloads for distinct events: in the daemon,
 * resuming one thread twice gives SessionEnd, SessionStart(resume),
 * SessionEnd, SessionStart(resume), SessionEnd, all from the daemon's pid,
 * the three ends identical and the two starts identical. A key made of the
 * content alone (event, Codex process, canonical payload) would drop the
 * second start and the last two ends.
 *
 * The rule: a copy of one event arrives back to back with it (Codex running
 * the same handler twice, a retried hook), so an observation whose content
 * equals the session's most recent Codex observation is a re-delivery and is
 * dropped. The same content after some other event of the session is a new
 * occurrence, journaled under `<content key>#<n>` (n = 2, 3, …). lifeline's
 * own repairs are not Codex events: they never count as "most recent", and
 * they keep the plain content key (a second upkeep of the same state is the
 * same repair).
 *
 * Folding the journal stays deterministic: the final key is what is
 * journaled, and applying the journal in order again finds the same
 * occurrences; a journal entry applied to the store that holds it (the very
 * same observation, its time included) changes nothing.
 *
 * @module
 */

import type { Observation } from "../model.ts";
import type { Db, Row } from "./db.ts";

const REPAIRS: ReadonlySet<string> = new Set(["StaleBusyRepair", "ProcessGone"]);

/** The content key of a journal key (without its occurrence suffix). */
export function contentKey(key: string): string {
  const i = key.indexOf("#");
  return i < 0 ? key : key.slice(0, i);
}

function exists(db: Db, key: string): boolean {
  return db.stmt("SELECT 1 FROM events WHERE key = ?").get(key) !== undefined;
}

/** The key of the session's most recent Codex observation (repairs left out), if any. */
function lastCodexKey(db: Db, sessionId: string): string | undefined {
  const r = db.stmt(
    "SELECT key FROM events WHERE session_id = ? AND event NOT IN ('StaleBusyRepair', 'ProcessGone') " +
      "ORDER BY seq DESC LIMIT 1",
  ).get(sessionId) as Row | undefined;
  return r ? (r.key as string) : undefined;
}

/** Whether `obs` is a re-delivery of an observation already journaled (and must change nothing). */
export function isRedelivery(db: Db, obs: Observation): boolean {
  return occurrence(db, obs) === undefined;
}

/**
 * The observation as it is to be journaled: `undefined` for a re-delivery,
 * else the observation under the key of its occurrence. Every lookup is made
 * once: hooks run this on every event.
 */
export function occurrence(db: Db, obs: Observation): Observation | undefined {
  const base = contentKey(obs.key);
  if (REPAIRS.has(obs.event)) return exists(db, base) ? undefined : obs;
  if (obs.key !== base) return exists(db, obs.key) ? undefined : obs; // a journaled occurrence, replayed
  if (!exists(db, base)) return obs;
  // A journal entry replayed into its own store: the very same observation, time and all.
  if (db.stmt("SELECT 1 FROM events WHERE key = ? AND body = ?").get(obs.key, JSON.stringify(obs))) {
    return undefined;
  }
  const last = lastCodexKey(db, obs.session_id);
  if (last !== undefined && contentKey(last) === base) return undefined;
  let n = 2;
  while (exists(db, `${base}#${n}`)) n++;
  return { ...obs, key: `${base}#${n}` };
}
