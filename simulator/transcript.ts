/**
 * The rollout transcript the fake Codex writes for hooks to read
 * (`transcript_path`): where it lives and which lines an action appends.
 * Hooks read shell exit codes from it, because the PostToolUse payload
 * carries only the output text, and interrupts from its `turn_aborted` line,
 * because releases before 0.150 fire no hook for them. Every line the
 * simulator writes comes from {@link transcriptLines}, which uses the writers
 * of `codex/transcript.ts`, the module whose readers lifecycle uses too. A
 * recorded transcript is copied as it is.
 *
 * @module
 */

import { basename } from "node:path";
import type { VersionProfile } from "../codex/profiles.ts";
import { commandLines, sessionMetaLine, turnAbortedLine } from "../codex/transcript.ts";

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
  }
  | { kind: "turn_aborted"; turnId: string };

/**
 * The JSON lines (without newlines) Codex appends for an event, in the
 * profile's transcript format: a shell call is an `item_completed` with a
 * `CommandExecution` item and its `exit_code` then a `function_call_output`
 * (0.148+), or only the `function_call_output` saying "Process exited with
 * code N" (before 0.148).
 */
export function transcriptLines(event: TranscriptEvent, profile: VersionProfile): string[] {
  switch (event.kind) {
    case "session_meta":
      return [JSON.stringify(sessionMetaLine(event.id, event.cwd))];
    case "command":
      return commandLines(profile.transcriptFormat, event).map((l) => JSON.stringify(l));
    case "turn_aborted":
      return [JSON.stringify(turnAbortedLine(event.turnId))];
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
