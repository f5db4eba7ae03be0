/**
 * Reads the store for `status`, `show` and `watch`: upkeep first (only a
 * reader can tell that a Codex process died), then the status report and
 * each session's view.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { isDaemonPid } from "../lifecycle/process_model.ts";
import { openExisting, readerUpkeep } from "../lifecycle/read.ts";
import { type ForwardingReport, statusReport } from "../lifecycle/status.ts";
import type { Store } from "../lifecycle/store/mod.ts";
import { repoCache } from "./git.ts";
import { type SessionView, sessionView } from "./sessions.ts";

/** The `lifeline status --json` document. */
export interface CliReport {
  state_dir: string;
  sessions: SessionView[];
  forwarding: ForwardingReport;
}

/** Options of {@link readReport}. */
export interface ReadOptions {
  stateDir: string;
  staleBusySeconds: number;
  now: Date;
  /** The home folder, for cwds that scrubbing wrote as `~/…`. */
  home?: string | undefined;
}

const EMPTY_FORWARDING: ForwardingReport = { pending: 0, sent: 0, parked: [] };

/** Runs `f` on the store after upkeep, or returns `undefined` when nothing was ever recorded. */
export function withStore<T>(o: ReadOptions, f: (store: Store) => T): T | undefined {
  const store = openExisting(o.stateDir);
  if (!store) return undefined;
  try {
    store.maintain(readerUpkeep(o));
    return f(store);
  } finally {
    store.close();
  }
}

/** Every session's view, most recently seen first. */
export function readReport(o: ReadOptions): CliReport {
  const repos = repoCache(o.home);
  const r = withStore(o, (store) => {
    const base = statusReport(store, (pid) => isDaemonPid(pid));
    return {
      state_dir: o.stateDir,
      sessions: base.sessions.map((s) => sessionView(s, store.journal(s.session_id), repos(s.cwd), o.now)),
      forwarding: base.forwarding ?? EMPTY_FORWARDING,
    };
  });
  return r ?? { state_dir: o.stateDir, sessions: [], forwarding: EMPTY_FORWARDING };
}

/** Whether `install` has run for this state dir (its manifest is there). */
export function installed(stateDir: string): boolean {
  return existsSync(`${stateDir}/install-manifest.json`);
}
