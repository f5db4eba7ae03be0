/**
 * A timed recorder for the interactive TUI: every hook event (the model-request
 * hooks included) appends `{"t":<epoch ms>,"ppid":<$PPID>,"payload":<stdin>}`
 * as one line, and notify appends its argv payload the same way. Trust entries
 * use the hash recipe in `codex/trust.ts`.
 *
 * @module
 */

import { join } from "node:path";
import { HOOK_EVENTS, type HookEventName } from "../../codex/events.ts";
import type { HooksFile } from "../../codex/hooks_json.ts";
import { hookTrustHash, hookTrustKey } from "../../codex/trust.ts";
import { shQuote } from "./recorder.ts";

/** Every event the recorder listens to: every hook event, the model-request hooks (0.169+) included. */
export const RECORDED_EVENTS: readonly HookEventName[] = HOOK_EVENTS;

/** One line the recorder wrote. */
export interface TimedLine {
  t: number;
  ppid: number;
  payload: Record<string, unknown>;
}

/** Where a recorder writes, and the TOML it needs in config.toml. */
export interface TuiRecorder {
  hooksLog: string;
  notifyLog: string;
  /** Root-level TOML (notify); must come before any table. */
  rootToml: string;
  /** `[hooks.state."…"]` tables trusting every handler. */
  trustToml: string;
}

/** The handler command: one atomic append of a timed line. */
export function timedRecorderCommand(file: string): string {
  return `l=$(printf '{"t":%s,"ppid":%s,"payload":' "$(date +%s%3N)" "$PPID"; cat; printf '}');` +
    ` printf '%s\\n' "$l" >> ${shQuote(file)}`;
}

/** Writes `<codexHome>/hooks.json` with a recorder for every event; returns logs and TOML. */
export async function installTuiRecorder(codexHome: string): Promise<TuiRecorder> {
  await Deno.mkdir(codexHome, { recursive: true });
  const hooksLog = join(codexHome, "recorded-hooks.jsonl");
  const notifyLog = join(codexHome, "recorded-notify.jsonl");
  const hooksPath = join(codexHome, "hooks.json");
  const file: HooksFile = { hooks: {} };
  const trust: string[] = [];
  for (const event of RECORDED_EVENTS) {
    const handler = { type: "command", command: timedRecorderCommand(hooksLog), timeout: 3 } as const;
    file.hooks![event] = [{ hooks: [handler] }];
    trust.push(
      `[hooks.state.${JSON.stringify(hookTrustKey(hooksPath, event, 0, 0))}]\ntrusted_hash = "${
        hookTrustHash(event, {}, handler)
      }"\n`,
    );
  }
  await Deno.writeTextFile(hooksPath, JSON.stringify(file, null, 2) + "\n");
  const notify = `printf '{"t":%s,"ppid":%s,"payload":%s}\\n' "$(date +%s%3N)" "$PPID" "$1" >> ${
    shQuote(notifyLog)
  }`;
  const rootToml = `notify = ["sh", "-c", ${JSON.stringify(notify)}, "notify"]`;
  return { hooksLog, notifyLog, rootToml, trustToml: trust.join("\n") };
}

/** Reads a recorder log (a missing file is empty; a torn last line is left for the next read). */
export async function readTimedLog(path: string): Promise<TimedLine[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return [];
  }
  const out: TimedLine[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      out.push(JSON.parse(line) as TimedLine);
    } catch { /* a line still being written */ }
  }
  return out;
}
