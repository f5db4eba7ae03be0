/**
 * Every hook as a `deno run` subprocess with exactly the installer's flags,
 * fed real recorded payloads; stdout, stderr and exit code asserted. This test
 * is also the permission manifest: a hook needing more than
 * `hooks/permissions.ts` grants fails here.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { HOOK_EVENTS, type HookEventName } from "../../codex/events.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { statusReport } from "../../lifecycle/status.ts";
import { readRecorded } from "../harness/sessions.ts";
import { errorLog, runHookProcess, runNotifyProcess, sandbox } from "../harness/hook_process.ts";

/** Replays a recorded fixture through the real hook processes, pointing transcripts into the sandbox. */
async function replayRecorded(name: string, sb: Awaited<ReturnType<typeof sandbox>>) {
  const transcript = join(sb.codexHome, "sessions", `${name}.jsonl`);
  await Deno.copyFile(new URL(`../testdata/recorded/${name}.transcript.jsonl`, import.meta.url), transcript);
  const runs = [];
  for (const r of await readRecorded(name)) {
    const p = { ...r.payload };
    if (typeof p.transcript_path === "string") p.transcript_path = transcript;
    if (r.kind === "hook") {
      runs.push(await runHookProcess(p.hook_event_name as HookEventName, JSON.stringify(p), sb));
    } else runs.push(await runNotifyProcess(JSON.stringify(p), sb));
  }
  return runs;
}

Deno.test("recorded tool_call session: exit 0, no output, one completed turn with one tool invocation", async () => {
  const sb = await sandbox();
  try {
    const runs = await replayRecorded("tool_call", sb);
    for (const r of runs) assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    assert.equal(await errorLog(sb.stateDir), "");
    const store = Store.open(sb.stateDir);
    const [s] = statusReport(store).sessions;
    store.close();
    assert.equal(s!.status, "offline");
    assert.equal(s!.end_reason, "other");
    assert.equal(s!.source, "startup");
    assert.equal(s!.turns.length, 1);
    const t = s!.turns[0]!;
    assert.equal(t.outcome, "completed");
    assert.equal(t.tool_invocations, 1);
    assert.equal(t.last_assistant_message, "hello");
    assert.equal(t.safety_net_used, false);
    assert.deepEqual(t.hook_events, ["UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "notify"]);
    assert.ok(s!.cwd!.startsWith("/tmp/lifeline-ws-"));
  } finally {
    await sb.cleanup();
  }
});

Deno.test("recorded failing tool: exit_3 read from the transcript, scrubbed message", async () => {
  const sb = await sandbox();
  try {
    await replayRecorded("failing_tool", sb);
    const store = Store.open(sb.stateDir);
    const [s] = statusReport(store).sessions;
    store.close();
    assert.deepEqual(s!.failures.map((f) => [f.tool, f.error_class, f.count]), [["Bash", "exit_3", 1]]);
    assert.equal(s!.turns[0]!.tool_failures, 1);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("recorded interrupt: the turn is interrupted, then the session is offline", async () => {
  const sb = await sandbox();
  try {
    await replayRecorded("interrupt", sb);
    const store = Store.open(sb.stateDir);
    const [s] = statusReport(store).sessions;
    store.close();
    assert.equal(s!.turns[0]!.outcome, "interrupted");
    assert.equal(s!.status, "offline");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a second failure of the same kind gives Codex a one-time hint through additionalContext", async () => {
  const sb = await sandbox();
  try {
    const post = (id: string) =>
      JSON.stringify({
        session_id: "s-hint",
        turn_id: "t1",
        cwd: "/w",
        hook_event_name: "PostToolUse",
        tool_name: "Bash",
        tool_use_id: id,
        tool_input: { command: "false" },
        tool_response: { exit_code: 1, stderr: "nope" },
      });
    const a = await runHookProcess("PostToolUse", post("c1"), sb);
    const b = await runHookProcess("PostToolUse", post("c2"), sb);
    const c = await runHookProcess("PostToolUse", post("c3"), sb);
    assert.equal(a.stdout, "");
    const out = JSON.parse(b.stdout);
    assert.deepEqual(Object.keys(out), ["hookSpecificOutput"]);
    assert.equal(out.hookSpecificOutput.hookEventName, "PostToolUse");
    assert.match(out.hookSpecificOutput.additionalContext, /"Bash" has failed 2 times with exit_1/);
    assert.equal(c.stdout, "", "the hint is given once");
    const off = await runHookProcess("PostToolUse", post("c4").replace("s-hint", "s-off"), sb, {
      env: { LIFELINE_FAILURE_HINT_THRESHOLD: "0" },
    });
    assert.equal(off.stdout, "");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("bad input: exit 0, nothing stored, a clear line in hook-errors.log", async () => {
  const cases: [string, string | Uint8Array, RegExp][] = [
    ["empty stdin", "", /^\S+Z Stop pid=\d+: Cannot parse Stop input: stdin is empty$/m],
    ["invalid JSON", '{"session_id": ', /invalid JSON at 1:16/],
    [
      "wrong types",
      '{"session_id":5,"cwd":"/","hook_event_name":"Stop"}',
      /field "session_id" must be a string, got number/,
    ],
    ["binary garbage", new Uint8Array([0xff, 0xfe, 0x00, 0x9c, 0x80]), /Stop .*(decode|invalid|encoded)/i],
  ];
  for (const [what, input, line] of cases) {
    const sb = await sandbox();
    try {
      const r = await runHookProcess("Stop", input, sb);
      assert.deepEqual(r, { code: 0, stdout: "", stderr: "" }, what);
      assert.match(await errorLog(sb.stateDir), line, what);
      let sessions = 0;
      try {
        const store = Store.open(sb.stateDir);
        sessions = store.sessions().length;
        store.close();
      } catch { /* no store at all is fine too */ }
      assert.equal(sessions, 0, what);
    } finally {
      await sb.cleanup();
    }
  }
});

Deno.test("a 5 MB payload is recorded with its text cut, and the hook still exits 0", async () => {
  const sb = await sandbox();
  try {
    const big = JSON.stringify({
      session_id: "s-big",
      turn_id: "t",
      cwd: "/w",
      hook_event_name: "UserPromptSubmit",
      prompt: "x".repeat(5 * 1024 * 1024),
    });
    const r = await runHookProcess("UserPromptSubmit", big, sb);
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    const store = Store.open(sb.stateDir);
    const t = store.turns("s-big")[0]!;
    store.close();
    assert.ok(t.prompt!.length < 20_000 && t.prompt!.includes("more characters]"));
  } finally {
    await sb.cleanup();
  }
});

Deno.test("every event's hook runs under the least-privilege flags", async () => {
  const sb = await sandbox();
  try {
    for (const event of HOOK_EVENTS) {
      const payload: Record<string, unknown> = {
        session_id: "s-all",
        cwd: sb.home + "/proj",
        hook_event_name: event,
        turn_id: "t1",
        source: "startup",
        prompt: "p",
        tool_name: "Bash",
        tool_use_id: "c1",
        trigger: "auto",
        agent_type: "w",
        reason: "other",
        stop_hook_active: false,
        status: "completed",
      };
      const r = await runHookProcess(event, JSON.stringify(payload), sb);
      assert.deepEqual(r, { code: 0, stdout: "", stderr: "" }, event);
    }
    assert.equal(await errorLog(sb.stateDir), "");
    const store = Store.open(sb.stateDir);
    assert.equal(store.journal().length, HOOK_EVENTS.length);
    const s = store.session("s-all")!;
    store.close();
    assert.equal(s.cwd, "~/proj", "the home directory is scrubbed to ~");
    assert.equal(s.status, "offline");
  } finally {
    await sb.cleanup();
  }
});

Deno.test("16 hook processes of one event at once on one session: every event stored, none failed", async () => {
  const sb = await sandbox();
  try {
    const runs = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        runHookProcess(
          "PostToolUse",
          JSON.stringify({
            session_id: "s-16",
            turn_id: "t1",
            cwd: "/w",
            hook_event_name: "PostToolUse",
            tool_name: "Bash",
            tool_use_id: `call_${i}`,
            tool_response: { exit_code: 2 },
          }),
          sb,
          { env: { LIFELINE_FAILURE_HINT_THRESHOLD: "0" } },
        )),
    );
    for (const r of runs) assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    assert.equal(await errorLog(sb.stateDir), "");
    const store = Store.open(sb.stateDir);
    assert.equal(store.journal().length, 16);
    const t = store.turns("s-16")[0]!;
    assert.equal(t.tool_invocations, 16);
    assert.equal(t.tool_failures, 16);
    assert.equal(store.failures("s-16").length, 16);
    store.close();
  } finally {
    await sb.cleanup();
  }
});

Deno.test("notify chains the user's previous notify program with the same payload", async () => {
  const sb = await sandbox();
  try {
    const out = join(sb.home, "chained.txt");
    const payload = JSON.stringify({ type: "agent-turn-complete", "thread-id": "s-n", "turn-id": "t-n" });
    const r = await runNotifyProcess(payload, sb, ["/bin/sh", "-c", `printf '%s' "$1" > '${out}'`, "sh"]);
    assert.equal(r.code, 0);
    let chained = "";
    for (let i = 0; i < 50 && chained === ""; i++) {
      chained = await Deno.readTextFile(out).catch(() => "");
      if (!chained) await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(chained, payload);
  } finally {
    await sb.cleanup();
  }
});

Deno.test("notify starts no sidecar even when a hub runs: it cannot deliver, and the event hooks do it", async () => {
  const sb = await sandbox();
  try {
    await Deno.mkdir(sb.stateDir, { recursive: true });
    const hub = { url: "http://127.0.0.1:9", pid: Deno.pid, started_at: new Date().toISOString() };
    await Deno.writeTextFile(join(sb.stateDir, "hub.json"), JSON.stringify(hub));
    const payload = JSON.stringify({ type: "agent-turn-complete", "thread-id": "s-hub", "turn-id": "t-hub" });
    assert.deepEqual(await runNotifyProcess(payload, sb), { code: 0, stdout: "", stderr: "" });
    assert.equal(await errorLog(sb.stateDir), "");
    // No "starting" heartbeat either: one would keep the next event hook from starting the sidecar.
    await assert.rejects(Deno.stat(join(sb.stateDir, "sidecars")), Deno.errors.NotFound);
    const store = Store.open(sb.stateDir);
    assert.equal(store.turns("s-hub")[0]!.outcome, "completed");
    store.close();
  } finally {
    await sb.cleanup();
  }
});
