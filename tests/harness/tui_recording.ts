/**
 * The writer of one TUI recording: hook and notify lines, mock requests, and
 * the harness's own markers (actions taken, process facts), merged by time.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { startTuiRig, type TuiRig } from "./tui.ts";
import type { TuiCase } from "./tui_cases.ts";

/** The folder of a version/process-model set. */
export function recordingDir(version: string, daemon: boolean): string {
  return fileURLToPath(
    new URL(`../testdata/recorded/tui/${version}-${daemon ? "daemon" : "nodaemon"}/`, import.meta.url),
  );
}

/** One line of a recording. */
export type RecordingLine = Record<string, unknown> & { kind: string };

/** Merges a rig's hooks, notifies, mock requests and markers into recording lines, by time. */
export async function recordingLines(rig: TuiRig, caseName: string): Promise<RecordingLine[]> {
  const rel = (t: number) => t - rig.t0;
  const body: (RecordingLine & { t: number })[] = [
    ...(await rig.hooks()).map((l) => ({
      t: rel(l.t),
      kind: "hook",
      event: String(l.payload.hook_event_name),
      ppid: l.ppid,
      payload: l.payload,
    })),
    ...(await rig.notifies()).map((l) => ({
      t: rel(l.t),
      kind: "notify",
      event: "notify",
      ppid: l.ppid,
      payload: l.payload,
    })),
    ...rig.mock.log.map((r) => ({ t: rel(r.at), kind: "request", request: r.kind })),
    ...rig.markers,
  ];
  body.sort((a, b) => a.t - b.t);
  const header: RecordingLine = {
    kind: "header",
    case: caseName,
    version: rig.opts.version,
    daemon: rig.opts.daemon,
    recorded_at: new Date(rig.t0).toISOString(),
  };
  // Temp paths differ per run: name the rig's root "/ROOT".
  return JSON.parse(JSON.stringify([header, ...body]).replaceAll(rig.root, "/ROOT"));
}

/** Runs one case on a fresh rig and returns its recording lines; always stops the rig. */
export async function recordCase(c: TuiCase, version: string, daemon: boolean): Promise<RecordingLine[]> {
  const rig = await startTuiRig({
    version,
    daemon,
    replies: c.replies,
    ...(c.titleText !== undefined ? { titleText: c.titleText } : {}),
  });
  try {
    try {
      await c.run(rig);
    } catch (e) {
      rig.mark("action", { action: "error", message: String(e instanceof Error ? e.message : e) });
    }
    await rig.noteProcesses();
    return await recordingLines(rig, c.name);
  } finally {
    await rig.stop();
    await Deno.remove(rig.root, { recursive: true }).catch(() => {});
  }
}

/** Writes a recording as JSONL. */
export async function writeRecording(dir: string, name: string, lines: RecordingLine[]): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.jsonl`);
  await Deno.writeTextFile(path, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
  return path;
}
