/**
 * The read API: what a program that only reads lifeline's store needs. A
 * reader never creates a store where there is none, and applies upkeep
 * before reading, because only readers can tell that a session's Codex
 * process died (hooks may not read `/proc`).
 *
 * @module
 */

import { Store } from "./store/mod.ts";
import { statusReport, statusTable } from "./status.ts";
import { processAlive } from "./process.ts";
import { isDaemonPid } from "./process_model.ts";
import type { Upkeep } from "./upkeep.ts";
import { readTail } from "./observe.ts";
import { interruptedTurns } from "../codex/transcript.ts";
import { storeProblem } from "./fallback_log.ts";

/** The store in `stateDir`, or `undefined` when nothing was ever recorded there. */
export function openExisting(stateDir: string): Store | undefined {
  try {
    Deno.statSync(`${stateDir}/lifeline.db`);
  } catch {
    return undefined;
  }
  return Store.open(stateDir);
}

/** Options of {@link renderStatus}. */
export interface StatusOptions {
  stateDir: string;
  /** The `--json` document (shape in the README) instead of the table. */
  json: boolean;
  staleBusySeconds: number;
  now: Date;
  /** The home directory, to find a transcript journaled as `~/…`. */
  home?: string | undefined;
}

/**
 * The upkeep a reader (status, the command, the hub) applies before it reads:
 * stale-busy repair, dead processes per process model (a daemon's death ends
 * all its sessions), and the transcript's word on interrupted turns.
 */
export function readerUpkeep(
  o: { now: Date; staleBusySeconds: number; home?: string | undefined },
): Upkeep {
  return {
    now: o.now.toISOString(),
    staleBusyMs: o.staleBusySeconds * 1000,
    alive: (pid, startedAt) => processAlive(pid, startedAt),
    isDaemon: (pid) => isDaemonPid(pid),
    interruptedTurns: (path) => {
      const full = o.home && path.startsWith("~/") ? o.home + path.slice(1) : path;
      return interruptedTurns(readTail(full) ?? "");
    },
  };
}

/**
 * Opens the store (if there is one), applies upkeep, and renders the status;
 * a store hooks cannot write (and the fallback log they wrote instead) is
 * said first, so that an empty status is never mistaken for an idle Codex.
 */
export function renderStatus(o: StatusOptions): string {
  const problem = storeProblem(o.stateDir);
  if (!problem) return renderStore(o);
  let body: string;
  try {
    body = renderStore(o);
  } catch (e) {
    body = o.json ? JSON.stringify({ sessions: [] }) : `Cannot read the store: ${(e as Error).message}`;
  }
  if (o.json) {
    const doc = JSON.parse(body) as Record<string, unknown>;
    doc.store = {
      writable: false,
      problem: problem.problem,
      fallback_log: problem.fallbackLog ?? null,
      last_error: problem.lastError ?? null,
    };
    return JSON.stringify(doc, null, 2);
  }
  const log = problem.fallbackLog
    ? `\nHooks logged their errors to ${problem.fallbackLog}; the last one:\n  ${problem.lastError}`
    : "";
  return `Warning: ${problem.problem}. Events are being lost.${log}\n\n${body}`;
}

function renderStore(o: StatusOptions): string {
  const store = openExisting(o.stateDir);
  if (!store) {
    return o.json
      ? JSON.stringify({ sessions: [], forwarding: { pending: 0, sent: 0, parked: [] } })
      : `No sessions recorded yet in ${o.stateDir}.\nInstall lifeline into Codex with: lifeline install (or, from a checkout: deno run -A --no-lock installer/mod.ts install)`;
  }
  try {
    store.maintain(readerUpkeep(o));
    const report = statusReport(store, (pid) => isDaemonPid(pid));
    return o.json ? JSON.stringify(report, null, 2) : statusTable(report, o.now);
  } finally {
    store.close();
  }
}
