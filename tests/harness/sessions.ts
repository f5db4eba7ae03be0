/**
 * Scripted Codex sessions, run by the real Codex CLI against the mock
 * Responses server with the recorder installed. Used to record fixtures and
 * by the end-to-end and differential tests.
 *
 * @module
 */

import { join } from "node:path";
import { type MockReply, say, shell, startMockResponses } from "./mock_responses.ts";
import { type ExecResult, runCodexExec, writeOfflineConfig } from "./codex_cli.ts";
import { installRecorder, readRecorderLog, type RecordedLine } from "./recorder.ts";

/** A scripted session: what the model answers, and whether the turn is interrupted. */
export interface SessionScript {
  name: string;
  description: string;
  prompt: string;
  replies: MockReply[];
  /** Interrupt (SIGINT) once this many model requests have arrived. */
  interruptAfterRequests?: number;
  /** A second turn: `codex exec resume <session> <prompt>` after the first run. */
  resumePrompt?: string;
}

/** The sessions every fixture set covers. */
export const SCRIPTS: readonly SessionScript[] = [
  {
    name: "tool_call",
    description: "one prompt, one shell call that succeeds, an answer, then exit",
    prompt: "run the tool",
    replies: [shell("echo hi-from-tool", "call_1"), say("hello")],
  },
  {
    name: "failing_tool",
    description: "one prompt, a shell call that exits 3, an answer, then exit",
    prompt: "run the failing tool",
    replies: [shell("echo oops >&2; exit 3", "call_1"), say("the tool failed")],
  },
  {
    name: "interrupt",
    description: "one prompt while the model streams slowly; SIGINT interrupts the turn",
    prompt: "take your time",
    replies: [{ items: [], hang: true }],
    interruptAfterRequests: 1,
  },
  {
    name: "two_turns",
    description: "one prompt answered; then `codex exec resume` sends a second prompt with a tool call",
    prompt: "first",
    replies: [say("one"), shell("echo two", "call_2"), say("two")],
    resumePrompt: "second",
  },
  {
    name: "plain_answer",
    description: "one prompt answered with a message, no tool; the session ends",
    prompt: "hi",
    replies: [say("hello there")],
  },
];

/** One recorded delivery: a hook payload or a notify payload, and the Codex process that sent it. */
export interface Recorded {
  kind: "hook" | "notify";
  pid: number;
  payload: Record<string, unknown>;
}

/** What one scripted run produced. */
export interface ScriptRun {
  exec: ExecResult;
  /** Hook payloads in arrival order. */
  hooks: Record<string, unknown>[];
  /** Notify payloads. */
  notify: Record<string, unknown>[];
  /** The same, with the Codex pid of each. */
  hookLines: RecordedLine[];
  notifyLines: RecordedLine[];
  codexHome: string;
  workspace: string;
  /** Removes the Codex home and workspace the run made (not ones it was given). */
  cleanup(): Promise<void>;
}

/** Runs `script` with the real Codex, recording every hook and notify payload. */
export async function runScript(
  script: SessionScript,
  opts: { codexHome?: string; workspace?: string; trustToml?: (computed: string) => string } = {},
): Promise<ScriptRun> {
  const codexHome = opts.codexHome ?? await Deno.makeTempDir({ prefix: "lifeline-codex-" });
  const workspace = opts.workspace ?? await Deno.makeTempDir({ prefix: "lifeline-ws-" });
  const made = [opts.codexHome ? undefined : codexHome, opts.workspace ? undefined : workspace];
  const cleanup = async () => {
    for (const d of made) if (d) await Deno.remove(d, { recursive: true }).catch(() => {});
  };
  const mock = startMockResponses(script.replies);
  try {
    const rec = await installRecorder(codexHome);
    const trust = opts.trustToml ? opts.trustToml(rec.trustToml) : rec.trustToml;
    await writeOfflineConfig(codexHome, mock.url, `${rec.notifyToml}\n${trust}`);
    const interruptWhen = script.interruptAfterRequests
      ? mock.waitForRequests(script.interruptAfterRequests).then(() => new Promise((r) => setTimeout(r, 700)))
      : undefined;
    let exec = await runCodexExec({
      codexHome,
      prompt: script.prompt,
      cwd: workspace,
      ...(interruptWhen ? { interruptWhen } : {}),
    });
    if (script.resumePrompt) {
      const first = (await readRecorderLog(rec.hooksLog))[0]?.payload;
      exec = await runCodexExec({
        codexHome,
        prompt: script.resumePrompt,
        cwd: workspace,
        args: ["resume", String(first?.session_id)],
      });
    }
    // notify is fire-and-forget: give it a moment to land.
    for (let i = 0; i < 20; i++) {
      if (script.interruptAfterRequests || (await readRecorderLog(rec.notifyLog)).length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const hookLines = await readRecorderLog(rec.hooksLog);
    const notifyLines = await readRecorderLog(rec.notifyLog);
    return {
      exec,
      hooks: hookLines.map((l) => l.payload),
      notify: notifyLines.map((l) => l.payload),
      hookLines,
      notifyLines,
      codexHome,
      workspace,
      cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  } finally {
    await mock.close();
  }
}

/** Where recorded fixtures live. */
export const RECORDED_DIR = new URL("../testdata/recorded/", import.meta.url);

/** Reads a recorded fixture: hooks in order, then notify payloads. */
export async function readRecorded(name: string): Promise<Recorded[]> {
  const text = await Deno.readTextFile(new URL(`${name}.jsonl`, RECORDED_DIR));
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Recorded);
}

/** The recorded fixture names. */
export const RECORDED_NAMES: readonly string[] = SCRIPTS.map((s) => s.name);

/** Joins a path under the recorded dir (for tools that write fixtures). */
export function recordedPath(name: string): string {
  return join(decodeURIComponent(RECORDED_DIR.pathname), `${name}.jsonl`);
}
