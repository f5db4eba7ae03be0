/**
 * lifeline's real hooks under the real Codex 0.169.0 (offline, mock model),
 * installed with the exact commands and least-privilege flags the installer
 * writes, trusted without any bypass.
 */
import assert from "node:assert/strict";
import { HOOK_EVENTS } from "../../codex/events.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { renderStatus } from "../../lifecycle/read.ts";
import type { StatusReport } from "../../lifecycle/status.ts";
import { say, shell } from "../harness/mock_responses.ts";
import { errorLog, sandbox } from "../harness/hook_process.ts";
import { runWithLifeline } from "../harness/lifeline_codex.ts";

/** Waits for notify (fire-and-forget) to land. */
async function settle(stateDir: string, sessionId: string, check: (s: Store) => boolean): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const store = Store.open(stateDir);
    const ok = store.session(sessionId) !== undefined && check(store);
    store.close();
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("real codex: a session with a tool call is online/idle with one completed turn, then offline once codex exits", async () => {
  const sb = await sandbox();
  try {
    const exec = await runWithLifeline(sb, [shell("echo hi-from-tool", "call_1"), say("hello")], {
      events: HOOK_EVENTS.filter((e) => e !== "SessionEnd"),
    });
    assert.equal(exec.code, 0, exec.stderr);
    let store = Store.open(sb.stateDir);
    const [s] = store.sessions();
    store.close();
    await settle(
      sb.stateDir,
      s!.session_id,
      (st) => st.turns(s!.session_id)[0]?.hook_events.includes("notify") ?? false,
    );
    store = Store.open(sb.stateDir);
    const session = store.session(s!.session_id)!;
    const turns = store.turns(s!.session_id);
    store.close();
    assert.equal(session.status, "online");
    assert.equal(session.turn_state, "idle");
    assert.equal(session.pid, exec.pid, "--codex-pid=$PPID names the codex process");
    assert.equal(turns.length, 1);
    assert.equal(turns[0]!.outcome, "completed");
    assert.equal(turns[0]!.tool_invocations, 1);
    assert.equal(turns[0]!.last_assistant_message, "hello");
    assert.deepEqual(turns[0]!.hook_events, [
      "UserPromptSubmit",
      "PreToolUse",
      "PostToolUse",
      "Stop",
      "notify",
    ]);
    // codex has exited: status (which checks processes) shows the session offline.
    const report = JSON.parse(
      renderStatus({ stateDir: sb.stateDir, json: true, staleBusySeconds: 1800, now: new Date() }),
    ) as StatusReport;
    assert.equal(report.sessions[0]!.status, "offline");
    assert.equal(report.sessions[0]!.end_reason, "process_gone");
    assert.equal(await errorLog(sb.stateDir), "");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("real codex: a failing shell command is a failure with exit_<code>", async () => {
  const sb = await sandbox();
  try {
    const exec = await runWithLifeline(sb, [shell("echo broken >&2; exit 3", "call_1"), say("it failed")]);
    assert.equal(exec.code, 0, exec.stderr);
    const store = Store.open(sb.stateDir);
    const [s] = store.sessions();
    const failures = store.failures(s!.session_id);
    const turns = store.turns(s!.session_id);
    store.close();
    assert.deepEqual(failures.map((f) => [f.tool, f.error_class]), [["Bash", "exit_3"]]);
    assert.equal(turns[0]!.tool_failures, 1);
    assert.equal(s!.status, "offline");
    assert.equal(await errorLog(sb.stateDir), "");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("real codex: SIGINT during a slow stream interrupts the turn; the session is offline after SessionEnd", async () => {
  const sb = await sandbox();
  try {
    await runWithLifeline(sb, [{ items: [], hang: true }], {
      interruptAfterRequests: 1,
      prompt: "take your time",
    });
    const store = Store.open(sb.stateDir);
    const [s] = store.sessions();
    const turns = store.turns(s!.session_id);
    const events = store.journal().map((o) => o.event);
    store.close();
    // PostModelRequest(cancelled) may not be journaled: Codex aborts the turn's running hooks on an
    // interrupt, and lifeline's takes longer than a shell recorder.
    assert.deepEqual(events.filter((e) => e !== "PostModelRequest"), [
      "SessionStart",
      "UserPromptSubmit",
      "PreModelRequest",
      "Interrupt",
      "SessionEnd",
    ]);
    assert.equal(turns[0]!.outcome, "interrupted");
    assert.equal(s!.status, "offline");
    assert.equal(s!.end_reason, "other");
    assert.equal(await errorLog(sb.stateDir), "");
  } finally {
    await sb.cleanup();
  }
});
