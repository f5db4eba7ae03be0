/**
 * The hooks' logs in the state dir: `hook-errors.log` (every error, with its
 * causes) and, at `LIFELINE_LOG_LEVEL=debug`, `hook.log`. A hook must never
 * disturb Codex, so writing a log never throws and its output never goes to
 * stdout or stderr.
 *
 * @module
 */

import { fallbackLogDir } from "../lifecycle/fallback_log.ts";

/** A log is rotated once (to `<file>.1`) past this size. */
const MAX_LOG_BYTES = 5 * 1024 * 1024;

/**
 * Appends one line to a log in the state dir; never throws. When the state
 * dir cannot take it, an error line goes to the fallback log outside it
 * (see `lifecycle/fallback_log.ts`), with the reason.
 */
export function appendLog(stateDir: string, file: string, line: string): void {
  try {
    appendIn(stateDir, file, line);
  } catch (e) {
    if (file !== "hook-errors.log") return;
    try {
      appendIn(fallbackLogDir(stateDir), file, `${line.trimEnd()} | not written to "${stateDir}": ${e}`);
    } catch { /* the log is best effort; Codex must not be disturbed */ }
  }
}

function appendIn(dir: string, file: string, line: string): void {
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = `${dir}/${file}`;
  try {
    if (Deno.statSync(path).size > MAX_LOG_BYTES) Deno.renameSync(path, `${path}.1`);
  } catch { /* no log yet */ }
  Deno.writeTextFileSync(path, line.endsWith("\n") ? line : line + "\n", { append: true, mode: 0o600 });
}

/** One error as a log line: time, event, process, message and every cause, on one line. */
export function errorLine(now: Date, event: string, pid: number, e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; cur !== undefined && i < 5; i++) {
    parts.push(cur instanceof Error ? cur.message : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return `${now.toISOString()} ${event} pid=${pid}: ${parts.join(" | cause: ").replace(/\s*\n\s*/g, " ")}`;
}
