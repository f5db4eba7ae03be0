/**
 * Upkeep: lifeline's own repairs, applied before every write and read.
 *
 * - stale busy: a session busy for longer than the stale timeout with no sign
 *   of life is taken for idle (`StaleBusyRepair`; its open turn is abandoned,
 *   and a later event of that turn takes the guess back);
 * - process gone: a session whose Codex process died is offline
 *   (`ProcessGone`). Only readers can tell: Deno lets a program read
 *   `/proc/<pid>` only with `--allow-all`, which hooks do not have.
 *
 * Repairs are journaled like any event, so folding the journal reproduces
 * them. This module is the policy (which repair is due, and its journal
 * entry); the store finds the candidate sessions and applies it.
 *
 * @module
 */

import type { Observation, SessionRow } from "./model.ts";
import { idempotencyKey } from "./keys.ts";

/** Upkeep applied on every write and read. */
export interface Upkeep {
  /** Now, ISO-8601. */
  now: string;
  /** Busy longer than this with no sign of life → online/idle (`stale_busy_repair`); `Infinity` = no repair. */
  staleBusyMs: number;
  /** Whether a session's Codex process, first seen at `startedAt`, lives (`undefined` = cannot tell). */
  alive?: (pid: number, startedAt: string) => boolean | undefined;
  /** Whether a pid is a Codex app-server daemon (`undefined` = cannot tell); see `process_model.ts`. */
  isDaemon?: (pid: number) => boolean | undefined;
  /**
   * The turns a session's transcript (path as journaled: the home directory may be `~`) says were
   * interrupted; read when a repair would end an open turn, so an interrupted turn is not abandoned.
   */
  interruptedTurns?: (transcriptPath: string) => readonly string[];
}

/** Busy sessions last seen before this moment (ISO) are stale; `undefined` when repair is off. */
export function staleBefore(u: Upkeep): string | undefined {
  const cutoff = Date.parse(u.now) - u.staleBusyMs;
  return Number.isFinite(cutoff) ? new Date(cutoff).toISOString() : undefined;
}

/**
 * Whether the session's Codex process is known to be gone (not merely unknown). The process is the
 * one of the session's latest event, so a resumed session is checked against its new process: a pid
 * whose process started after the session was last seen is another process.
 */
export function processGone(u: Upkeep, s: SessionRow): boolean {
  return s.status !== "offline" && s.pid !== null && u.alive?.(s.pid, s.last_seen) === false;
}

/**
 * The journal entry of one repair. Its key hashes what the repair saw (the
 * session's last sign of life and process), so a second upkeep of the same
 * state journals nothing new.
 */
export function repairObservation(
  event: "StaleBusyRepair" | "ProcessGone",
  s: SessionRow,
  now: string,
  reason?: string,
  interrupted: readonly string[] = [],
): Observation {
  const basis = {
    session_id: s.session_id,
    last_seen: s.last_seen,
    pid: s.pid,
    ...(reason ? { reason } : {}),
  };
  return {
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
    ...(interrupted.length ? { interrupted_turns: [...interrupted] } : {}),
  };
}
