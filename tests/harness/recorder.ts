/**
 * A recorder for the real Codex: a `hooks.json` whose handlers append each
 * payload (one JSON line, with the event name) to a file, trust entries for
 * them computed by `codex/`, and a notify program that does the same.
 *
 * @module
 */

import { join } from "node:path";
import { HOOK_EVENTS, type HookEventName } from "../../codex/events.ts";
import type { HooksFile } from "../../codex/hooks_json.ts";
import { type TrustEntry, trustEntry, trustToml } from "../../codex/trust.ts";

/** Shell-quotes one word for `sh -c`. */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/**
 * The handler command that appends `{"pid": <Codex pid>, "payload": <stdin>}` as one line to `file`,
 * in one write: Codex runs hooks of different events at once (PostModelRequest and Interrupt), and
 * piecewise appends would interleave.
 */
export function recorderCommand(file: string): string {
  return `l=$(printf '{"pid":%s,"payload":' "$PPID"; cat; echo '}'); printf '%s\n' "$l" >> ${shQuote(file)}`;
}

/** A recorder installation in `codexHome`. */
export interface Recorder {
  /** JSONL of every hook payload, in arrival order. */
  hooksLog: string;
  /** JSONL of every notify payload. */
  notifyLog: string;
  /** TOML to append to config.toml: notify (root level) and the trust entries. */
  notifyToml: string;
  trustToml: string;
}

/**
 * Writes `$CODEX_HOME/hooks.json` with one recorder handler per event (timeout
 * 3 s: SessionEnd clamps to 3) and returns the TOML for notify and trust.
 */
export async function installRecorder(
  codexHome: string,
  events: readonly HookEventName[] = HOOK_EVENTS,
): Promise<Recorder> {
  const hooksLog = join(codexHome, "recorded-hooks.jsonl");
  const notifyLog = join(codexHome, "recorded-notify.jsonl");
  const hooksPath = join(codexHome, "hooks.json");
  const file: HooksFile = { hooks: {} };
  const trust: TrustEntry[] = [];
  for (const event of events) {
    const handler = { type: "command", command: recorderCommand(hooksLog), timeout: 3 } as const;
    file.hooks![event] = [{ hooks: [handler] }];
    trust.push(trustEntry(hooksPath, event, 0, 0, {}, handler));
  }
  await Deno.writeTextFile(hooksPath, JSON.stringify(file, null, 2) + "\n");
  const notifyToml = `notify = ["sh", "-c", ${
    JSON.stringify(`printf '{"pid":%s,"payload":%s}\\n' "$PPID" "$1" >> ${shQuote(notifyLog)}`)
  }, "notify"]`;
  return { hooksLog, notifyLog, notifyToml, trustToml: trustToml(trust) + "\n" };
}

/** A recorded delivery: the payload and the Codex process that sent it. */
export interface RecordedLine {
  pid: number;
  payload: Record<string, unknown>;
}

/** Reads a log written by the recorder (missing file = no lines). */
export async function readRecorderLog(path: string): Promise<RecordedLine[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return [];
  }
  return text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as RecordedLine);
}
