/**
 * Which process model a session runs in, and what the death of its process
 * means.
 *
 * - `process-per-session`: `codex exec`, the TUI before 0.169, and a 0.169+
 *   TUI started with `--disable daemon_auto_start`. A hook's `$PPID` is the
 *   session's own Codex process; its death ends the session.
 * - `daemon`: the 0.169+ TUI's default. Every session of a CODEX_HOME runs
 *   inside one background `codex app-server` daemon, and every hook's
 *   `$PPID` is that daemon: one pid for all sessions, never a TUI's. A quit
 *   or killed TUI leaves its session loaded (SessionEnd comes about 60 s
 *   later); the daemon's death ends all its sessions with no hook at all.
 *
 * Hooks may not read `/proc`, so they only record the pid; readers decide:
 * a pid whose command line runs `app-server` is a daemon, and so is a pid
 * that several sessions share (which also tells once the daemon is gone).
 *
 * @module
 */

import type { SessionRow } from "./model.ts";
import type { ReadFile } from "./process.ts";

/** A session's process model, as shown in `status --json` (`process_model`). */
export type ProcessModel = "daemon" | "process-per-session";

/** The end reason of the sessions of a daemon that died. */
export const DAEMON_GONE = "daemon_gone";

/** Whether a `/proc/<pid>/cmdline` (NUL-separated argv) is a Codex app-server. */
export function isAppServerCmdline(cmdline: string): boolean {
  return cmdline.split("\0").includes("app-server");
}

const readOrUndefined: ReadFile = (path) => {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
};

/** Whether `pid` is a live Codex app-server daemon; `undefined` when its command line cannot be read. */
export function isDaemonPid(pid: number, read: ReadFile = readOrUndefined): boolean | undefined {
  const cmdline = read(`/proc/${pid}/cmdline`);
  return cmdline === undefined ? undefined : isAppServerCmdline(cmdline);
}

/** The pids that more than one of `sessions` names. */
export function sharedPids(sessions: readonly Pick<SessionRow, "pid">[]): Set<number> {
  const seen = new Set<number>();
  const shared = new Set<number>();
  for (const s of sessions) {
    if (s.pid === null) continue;
    if (seen.has(s.pid)) shared.add(s.pid);
    seen.add(s.pid);
  }
  return shared;
}

/**
 * A session's process model. The pid's command line decides when it can be
 * read (a live process); else a pid shared with another session is taken
 * for a daemon. One case shares a pid without a daemon: a TUI without the
 * daemon keeps its old session open after `/clear` or `/new`, in its own
 * process, until `/quit`; while that TUI lives its command line tells.
 */
export function processModelOf(
  s: Pick<SessionRow, "pid">,
  shared: ReadonlySet<number>,
  isDaemon?: (pid: number) => boolean | undefined,
): ProcessModel {
  if (s.pid === null) return "process-per-session";
  const byCmdline = isDaemon?.(s.pid);
  if (byCmdline !== undefined) return byCmdline ? "daemon" : "process-per-session";
  return shared.has(s.pid) ? "daemon" : "process-per-session";
}

/**
 * Why a live session whose process is gone ended: {@link DAEMON_GONE} when
 * that process was a daemon (by its command line, or shared by several live
 * sessions), else `process_gone`.
 */
export function goneReason(
  u: { isDaemon?: (pid: number) => boolean | undefined },
  s: Pick<SessionRow, "pid">,
  live: readonly Pick<SessionRow, "pid">[],
): string {
  return processModelOf(s, sharedPids(live), u.isDaemon) === "daemon" ? DAEMON_GONE : "process_gone";
}
