/**
 * Giving hub messages back: a hook that claimed deliveries but could not hand
 * them to Codex (its deadline passed, Codex stopped waiting, stdout was
 * closed) returns them to pending, so the next delivery point carries them.
 *
 * @module
 */

import type { Db } from "./db.ts";

/** Returns the deliveries claimed by the observation `key` to pending; returns how many. */
export function unclaim(db: Db, key: string): number {
  return Number(
    db.stmt(
      "UPDATE deliveries SET status = 'pending', delivered_at = NULL, delivered_event = NULL, " +
        "delivered_key = NULL WHERE delivered_key = ? AND status = 'delivered'",
    ).run(key).changes,
  );
}
