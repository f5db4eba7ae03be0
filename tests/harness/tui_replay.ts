/**
 * Replays a real TUI recording's hook and notify payloads into an in-memory
 * store through lifeline's own hook handling (`hooks/in_process.ts`), each
 * with its recorded parent pid and time: what lifeline would have recorded
 * had it been installed in that run. Hook events lifeline does not handle
 * (the model-request hooks of 0.169+) are left out.
 *
 * @module
 */

import { isHookEventName } from "../../codex/events.ts";
import { handleHook } from "../../hooks/in_process.ts";
import { hookSettings } from "../../hooks/hook_settings.ts";
import type { Store } from "../../lifecycle/store/mod.ts";
import type { RecordingLine } from "./tui_recording.ts";

/** The epoch the recordings' relative times are placed on. */
export const REPLAY_EPOCH = Date.parse("2026-12-01T00:00:00.000Z");

/** Reads a recording file into its lines. */
export function readRecording(path: string): RecordingLine[] {
  return Deno.readTextFileSync(path).split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** The pids the recording names as the daemon's. */
export function daemonPids(lines: readonly RecordingLine[]): Set<number> {
  return new Set(
    lines.filter((l) => l.kind === "process" && l.fact === "daemon_pid").map((l) => Number(l.pid)),
  );
}

/** Replays `lines` (up to time `until`, all by default) into `store`; returns how many were handled. */
export function replayInto(store: Store, lines: readonly RecordingLine[], until = Infinity): number {
  let n = 0;
  for (const l of lines) {
    if (l.kind !== "hook" && l.kind !== "notify") continue;
    const t = Number(l.t);
    if (t > until) break;
    const event = l.kind === "notify" ? "Notify" : String(l.event);
    if (event !== "Notify" && !isHookEventName(event)) continue;
    const now = new Date(REPLAY_EPOCH + t);
    const settings = hookSettings(
      ["--state-dir=/nonexistent-lifeline-replay"],
      (k) => ({ HOME: "/ROOT/home", LIFELINE_SIDECAR: "off" } as Record<string, string>)[k],
    );
    const payload = JSON.stringify(l.payload);
    handleHook(event as Parameters<typeof handleHook>[0], event === "Notify" ? [payload] : payload, {
      settings,
      now: () => now,
      ppid: Number(l.ppid),
      args: [],
      openStore: () => store,
      releaseStore: () => {},
    });
    n++;
  }
  return n;
}

/** The session ids a recording's hooks name, and the thread ids of its non-title notifies. */
export function realSessionIds(lines: readonly RecordingLine[]): Set<string> {
  const ids = new Set<string>();
  for (const l of lines) {
    const p = l.payload as Record<string, unknown> | undefined;
    if (l.kind === "hook" && typeof p?.session_id === "string") ids.add(p.session_id);
  }
  return ids;
}
