/**
 * One scripted `codex exec` session on one Codex release: lifeline installed by
 * its real installer into a temporary `CODEX_HOME`, a recorder hook beside
 * each of lifeline's handlers, the mock model answering from a script; then
 * what Codex fired (the recorder) and what lifeline recorded (the status JSON).
 *
 * @module
 */

import { join } from "node:path";
import { HOOK_EVENTS } from "../../../codex/events.ts";
import type { HooksFile } from "../../../codex/hooks_json.ts";
import { hookTrustHash, hookTrustKey } from "../../../codex/trust.ts";
import { LIFELINE_ROOT } from "../../../hooks/handlers.ts";
import { renderStatus } from "../../../lifecycle/read.ts";
import { Store } from "../../../lifecycle/store/mod.ts";
import type { Observation } from "../../../lifecycle/model.ts";
import { type ExecResult, runCodexExec, writeOfflineConfig } from "../../harness/codex_cli.ts";
import { failRequest, type MockReply, say, shell, startMockResponses } from "../../harness/mock_responses.ts";
import { shQuote } from "../../harness/recorder.ts";

/** A scripted session. */
export interface VersionScript {
  name: "tool" | "failing_tool" | "interrupt" | "model_error";
  prompt: string;
  replies: MockReply[];
  /** SIGINT once the model has this many requests (the stream hangs, so the turn is open). */
  interruptAfterRequests?: number;
}

/** The tool session's two model replies' token counts (summed: 74 in, 3 cached, 12 out, 2 reasoning). */
export const TOOL_USAGE = [
  { input_tokens: 31, output_tokens: 7, cached_tokens: 3, reasoning_tokens: 2 },
  { input_tokens: 43, output_tokens: 5 },
] as const;

/** The sessions every release runs (model_error only where the release has model-request hooks). */
export const VERSION_SCRIPTS: readonly VersionScript[] = [
  {
    name: "tool",
    prompt: "run the tool",
    replies: [
      // Completing the request late shows whether the tool hooks run inside it (0.171) or after.
      { ...shell("echo hi-from-tool", "call_1"), usage: { ...TOOL_USAGE[0] }, completeDelayMs: 2000 },
      { ...say("hello"), usage: { ...TOOL_USAGE[1] } },
    ],
  },
  {
    name: "failing_tool",
    prompt: "run the failing tool",
    replies: [shell("echo oops >&2; exit 3", "call_1"), say("the tool failed")],
  },
  {
    name: "interrupt",
    prompt: "take your time",
    replies: [{ items: [], hang: true }],
    interruptAfterRequests: 1,
  },
  { name: "model_error", prompt: "this request fails", replies: [failRequest(400)] },
];

/** A lifeline turn as the status JSON shows it. */
export interface StatusTurn {
  turn_id: string;
  outcome: string;
  hook_events: string[];
  tool_invocations: number;
  tokens?: { input: number; cached_input: number; output: number; reasoning: number; total: number } | null;
  [k: string]: unknown;
}

/** A lifeline session as the status JSON shows it. */
export interface StatusSession {
  session_id: string;
  status: string;
  end_reason: string | null;
  turns: StatusTurn[];
  failures: { error_class: string; tool: string }[];
  [k: string]: unknown;
}

/** What one session produced. */
export interface SessionResult {
  script: VersionScript["name"];
  exec: ExecResult;
  /** Hook payloads Codex sent to the recorder, in arrival order. */
  fired: Record<string, unknown>[];
  sessions: StatusSession[];
  journal: Observation[];
  installOutput: string;
  /** The rollout transcript's text (empty when there was none). */
  transcript: string;
  dir: string;
}

async function deno(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const o = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    cwd: LIFELINE_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: o.code, out: d.decode(o.stdout) + d.decode(o.stderr) };
}

/**
 * A recorder handler: one file per run, named by its start time in nanoseconds, since Codex runs
 * hooks of different events at once (0.171 runs tool hooks inside a model request) and appends
 * to one file would interleave.
 */
function recorderCommand(dir: string): string {
  return `t=$(date +%s%N); { printf '{"pid":%s,"payload":' "$PPID"; cat; echo '}'; } > ${
    shQuote(dir)
  }/$t-$$.json`;
}

async function readRecorded(dir: string): Promise<Record<string, unknown>[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".json")) files.push(e.name);
  files.sort((a, b) => {
    const [ta, tb] = [BigInt(a.split("-")[0]!), BigInt(b.split("-")[0]!)];
    return ta < tb ? -1 : ta > tb ? 1 : 0;
  });
  const out: Record<string, unknown>[] = [];
  for (const f of files) {
    const line = JSON.parse(await Deno.readTextFile(join(dir, f))) as { payload: Record<string, unknown> };
    out.push(line.payload);
  }
  return out;
}

/** Adds one recorder handler per event after lifeline's, with trust entries for them. */
async function addRecorder(codexHome: string, log: string): Promise<void> {
  const hooksPath = join(codexHome, "hooks.json");
  const file = JSON.parse(await Deno.readTextFile(hooksPath)) as HooksFile;
  file.hooks ??= {};
  const trust: string[] = [];
  for (const event of HOOK_EVENTS) {
    const groups = file.hooks[event] ??= [];
    const handler = { type: "command", command: recorderCommand(log), timeout: 3 } as const;
    groups.push({ hooks: [handler] });
    trust.push(
      `[hooks.state.${JSON.stringify(hookTrustKey(hooksPath, event, groups.length - 1, 0))}]\n` +
        `trusted_hash = "${hookTrustHash(event, {}, handler)}"\n`,
    );
  }
  await Deno.writeTextFile(hooksPath, JSON.stringify(file, null, 2) + "\n");
  const config = join(codexHome, "config.toml");
  await Deno.writeTextFile(config, `${await Deno.readTextFile(config)}\n${trust.join("\n")}`);
}

async function waitFor(ok: () => Promise<boolean>, tries = 30): Promise<void> {
  // notify is fire-and-forget and may land after `codex exec` exits: poll its effect briefly.
  for (let i = 0; i < tries && !(await ok()); i++) await new Promise((r) => setTimeout(r, 100));
}

/** Runs one scripted session on `version` (already installed in the cache). */
export async function runVersionSession(version: string, script: VersionScript): Promise<SessionResult> {
  const dir = await Deno.makeTempDir({ prefix: `lifeline-v${version}-${script.name}-` });
  const codexHome = join(dir, ".codex");
  const stateDir = join(dir, "state");
  const ws = join(dir, "ws");
  await Deno.mkdir(ws, { recursive: true });
  const mock = startMockResponses(script.replies);
  try {
    await writeOfflineConfig(codexHome, mock.url);
    const env = { HOME: dir, CODEX_HOME: codexHome, LIFELINE_STATE_DIR: stateDir, NO_COLOR: "1" };
    const inst = await deno(
      ["run", "-A", "installer/mod.ts", "install", "--yes", "--codex-version", version],
      env,
    );
    if (inst.code !== 0) throw new Error(`Cannot install lifeline for Codex ${version}: ${inst.out}`);
    const log = join(dir, "recorded");
    await Deno.mkdir(log);
    await addRecorder(codexHome, log);
    const interruptWhen = script.interruptAfterRequests
      // The request has arrived and its stream hangs; give Codex a moment to start reading it.
      ? mock.waitForRequests(script.interruptAfterRequests).then(() =>
        new Promise((r) => setTimeout(r, 1000))
      )
      : undefined;
    const exec = await runCodexExec({
      codexHome,
      prompt: script.prompt,
      cwd: ws,
      env: { HOME: dir, LIFELINE_STATE_DIR: stateDir },
      version,
      ...(interruptWhen ? { interruptWhen } : {}),
    });
    const journal = () => {
      try {
        const st = Store.open(stateDir);
        try {
          return st.journal();
        } finally {
          st.close();
        }
      } catch {
        return [];
      }
    };
    const completes = script.name === "tool" || script.name === "failing_tool";
    if (completes) await waitFor(() => Promise.resolve(journal().some((o) => o.event === "Notify")));
    const fired = await readRecorded(log);
    const report = JSON.parse(
      renderStatus({ stateDir, json: true, staleBusySeconds: 1800, now: new Date(), home: dir }),
    ) as { sessions: StatusSession[] };
    const tp = fired.find((p) => typeof p.transcript_path === "string")?.transcript_path as
      | string
      | undefined;
    const transcript = tp ? await Deno.readTextFile(tp).catch(() => "") : "";
    return {
      script: script.name,
      exec,
      fired,
      sessions: report.sessions,
      journal: journal(),
      installOutput: inst.out,
      transcript,
      dir,
    };
  } finally {
    await mock.close();
  }
}
