/**
 * The rollout transcript the fake Codex writes for hooks to read
 * (`transcript_path`): where it lives and which lines an action appends.
 * Hooks read shell exit codes from it, because the PostToolUse payload
 * carries only the output text. Every line the simulator writes comes from
 * {@link transcriptLines}: that one function is the seam to a shared
 * reader/writer of the format. A recorded transcript is copied as it is.
 *
 * @module
 */

import { basename } from "node:path";
import type { VersionProfile } from "../codex/profiles.ts";

/** Something the fake Codex records in a session's transcript. */
export type TranscriptEvent =
  | { kind: "session_meta"; id: string; cwd: string }
  | {
    kind: "command";
    turnId: string | null;
    callId: string;
    command: string;
    output: string;
    exitCode: number;
  };

/**
 * The JSON lines (without newlines) Codex appends for an event. The simulator
 * writes the same lines for every profile: the 0.148+ `item_completed` with a
 * `CommandExecution` item and its `exit_code` (releases before 0.148 wrote
 * only a `function_call_output` saying "Process exited with code N").
 */
export function transcriptLines(event: TranscriptEvent, _profile: VersionProfile): string[] {
  switch (event.kind) {
    case "session_meta":
      return [JSON.stringify({ type: "session_meta", payload: { id: event.id, cwd: event.cwd } })];
    case "command":
      return [JSON.stringify({
        type: "event_msg",
        payload: {
          type: "item_completed",
          turn_id: event.turnId,
          item: {
            type: "CommandExecution",
            id: event.callId,
            command: ["/bin/bash", "-lc", event.command],
            status: event.exitCode === 0 ? "completed" : "failed",
            aggregated_output: event.output,
            exit_code: event.exitCode,
          },
        },
      })];
  }
}

/** Where Codex keeps a session's rollout: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl`. */
export function rolloutPath(codexHome: string, id: string, at: Date): string {
  const iso = at.toISOString();
  const day = iso.slice(0, 10).replaceAll("-", "/");
  return `${codexHome}/sessions/${day}/rollout-${iso.slice(0, 19).replaceAll(":", "-")}-${id}.jsonl`;
}

/** A transcript open for appending, like Codex's rollout writer. */
export class TranscriptFile {
  readonly #file: Deno.FsFile;

  constructor(readonly path: string, readonly profile: VersionProfile) {
    Deno.mkdirSync(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    this.#file = Deno.openSync(path, { append: true, create: true });
  }

  /** Appends the lines of one event. */
  append(event: TranscriptEvent): void {
    const text = transcriptLines(event, this.profile).map((l) => l + "\n").join("");
    const bytes = new TextEncoder().encode(text);
    for (let off = 0; off < bytes.length;) off += this.#file.writeSync(bytes.subarray(off));
  }

  close(): void {
    try {
      this.#file.close();
    } catch { /* already closed */ }
  }
}

/** Copies a recorded transcript to where Codex keeps them; returns the new path. */
export async function copyRecordedTranscript(src: string, codexHome: string): Promise<string> {
  const dest = `${codexHome}/sessions/${basename(src)}`;
  await Deno.copyFile(src, dest);
  return dest;
}
