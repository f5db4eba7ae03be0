/**
 * Evidence only the transcript holds, end to end through observe → reduce → store: exit codes that
 * releases before 0.148 write after PostToolUse, interrupts that releases before 0.150 fire no hook
 * for, and failed model requests (0.169+).
 */
import assert from "node:assert/strict";
import { parseHookInput } from "../../codex/payloads.ts";
import { commandLines, turnAbortedLine } from "../../codex/transcript.ts";
import { type ObserveContext, observeHook } from "../../lifecycle/observe.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { Store } from "../../lifecycle/store/mod.ts";

function harness() {
  const files = new Map<string, string>();
  let t = Date.parse("2026-12-01T10:00:00Z");
  const ctx: ObserveContext = {
    now: () => new Date(t += 1000),
    scrubber: makeScrubber("scrubbed", "/home/u"),
    pid: 4242,
    hintThreshold: 0,
    transcriptTail: (path, max) => files.get(path)?.slice(-max),
  };
  const store = Store.memory();
  const fire = (payload: Record<string, unknown>) =>
    store.record(
      observeHook(parseHookInput(JSON.stringify({ cwd: "/w", transcript_path: "/tr", ...payload })), ctx),
    );
  const write = (...lines: object[]) =>
    files.set("/tr", (files.get("/tr") ?? "") + lines.map((l) => JSON.stringify(l) + "\n").join(""));
  return { store, fire, write, ctx };
}

Deno.test("0.117-0.147: exit 3 written after PostToolUse is a failure exit_3 at Stop, once", () => {
  const { store, fire, write } = harness();
  fire({ hook_event_name: "UserPromptSubmit", session_id: "s", turn_id: "t1", prompt: "p" });
  fire({
    hook_event_name: "PreToolUse",
    session_id: "s",
    turn_id: "t1",
    tool_name: "Bash",
    tool_use_id: "c1",
  });
  fire({
    hook_event_name: "PostToolUse",
    session_id: "s",
    turn_id: "t1",
    tool_name: "Bash",
    tool_use_id: "c1",
  });
  assert.deepEqual(store.failures("s"), [], "the output line is not written yet");
  write(
    ...commandLines("function_call_output", {
      turnId: "t1",
      callId: "c1",
      command: "x",
      output: "oops\n",
      exitCode: 3,
    }),
  );
  fire({ hook_event_name: "Stop", session_id: "s", turn_id: "t1", stop_hook_active: false });
  fire({ hook_event_name: "Stop", session_id: "s", turn_id: "t1", stop_hook_active: true, x: 1 });
  assert.deepEqual(store.failures("s").map((f) => [f.tool, f.error_class, f.turn_id]), [[
    "Bash",
    "exit_3",
    "t1",
  ]]);
  assert.equal(store.turns("s")[0]!.tool_failures, 1);
  store.close();
});

Deno.test("0.148+: the CommandExecution failure at PostToolUse is not counted again at Stop", () => {
  const { store, fire, write } = harness();
  fire({ hook_event_name: "UserPromptSubmit", session_id: "s", turn_id: "t1", prompt: "p" });
  write(
    ...commandLines("command_execution", {
      turnId: "t1",
      callId: "c1",
      command: "x",
      output: "",
      exitCode: 3,
    }),
  );
  fire({
    hook_event_name: "PostToolUse",
    session_id: "s",
    turn_id: "t1",
    tool_name: "Bash",
    tool_use_id: "c1",
  });
  fire({ hook_event_name: "Stop", session_id: "s", turn_id: "t1", stop_hook_active: false });
  assert.deepEqual(store.failures("s").map((f) => f.error_class), ["exit_3"]);
  store.close();
});

Deno.test("before 0.150: an interrupted turn ends interrupted at SessionEnd or process death", () => {
  const { store, fire, write } = harness();
  fire({ hook_event_name: "UserPromptSubmit", session_id: "s", turn_id: "t1", prompt: "p" });
  write(turnAbortedLine("t1"));
  fire({ hook_event_name: "SessionEnd", session_id: "s", reason: "other" });
  assert.deepEqual(store.turns("s").map((t) => t.outcome), ["interrupted"]);

  fire({ hook_event_name: "UserPromptSubmit", session_id: "p", turn_id: "t2", prompt: "p" });
  write(turnAbortedLine("t2"));
  const gone = { now: "2026-12-01T11:00:00Z", staleBusyMs: Infinity, alive: () => false };
  store.maintain({ ...gone, interruptedTurns: () => ["t2"] });
  assert.deepEqual(store.turns("p").map((t) => t.outcome), ["interrupted"]);
  assert.equal(store.session("p")!.end_reason, "process_gone");
  store.close();
});

Deno.test("0.114-0.116: an interrupted turn no hook named is recorded from the transcript", () => {
  const { store, fire } = harness();
  fire({ hook_event_name: "SessionStart", session_id: "s", source: "startup" });
  store.maintain({
    now: "2026-12-01T11:00:00Z",
    staleBusyMs: Infinity,
    alive: () => false,
    interruptedTurns: (path) => (path === "/tr" ? ["t-old"] : []),
  });
  assert.deepEqual(store.turns("s").map((t) => [t.turn_id, t.outcome]), [["t-old", "interrupted"]]);
  store.close();
});

Deno.test("a turn without a turn_aborted line still ends abandoned", () => {
  const { store, fire } = harness();
  fire({ hook_event_name: "UserPromptSubmit", session_id: "s", turn_id: "t1", prompt: "p" });
  fire({ hook_event_name: "SessionEnd", session_id: "s", reason: "other" });
  assert.deepEqual(store.turns("s").map((t) => t.outcome), ["abandoned"]);
  store.close();
});

Deno.test("0.169+: PostModelRequest(status failed) ends the turn failed with the provider's class", () => {
  const { store, fire } = harness();
  fire({ hook_event_name: "UserPromptSubmit", session_id: "s", turn_id: "t1", prompt: "p" });
  fire({ hook_event_name: "PreModelRequest", session_id: "s", turn_id: "t1" });
  fire({
    hook_event_name: "PostModelRequest",
    session_id: "s",
    turn_id: "t1",
    status: "failed",
    error: JSON.stringify({
      error: { message: "Bad model for ann@example.com", type: "invalid_request_error" },
    }),
    token_usage: null,
  });
  fire({ hook_event_name: "SessionEnd", session_id: "s", reason: "other" });
  assert.deepEqual(store.turns("s").map((t) => t.outcome), ["failed"]);
  const [f] = store.failures("s");
  assert.equal(f?.tool, "model");
  assert.equal(f?.error_class, "invalid_request_error");
  assert.ok(!f?.message?.includes("ann@example.com"), `the message is scrubbed: ${f?.message}`);
  assert.equal(store.session("s")!.end_reason, "other");
  store.close();
});

Deno.test("a completed or cancelled model request leaves the turn open", () => {
  const { store, fire } = harness();
  fire({ hook_event_name: "UserPromptSubmit", session_id: "s", turn_id: "t1", prompt: "p" });
  fire({ hook_event_name: "PostModelRequest", session_id: "s", turn_id: "t1", status: "completed" });
  fire({ hook_event_name: "PostModelRequest", session_id: "s", turn_id: "t1", status: "cancelled", x: 2 });
  assert.deepEqual(store.turns("s").map((t) => t.outcome), ["open"]);
  assert.equal(store.session("s")!.status, "busy");
  fire({ hook_event_name: "Interrupt", session_id: "s", turn_id: "t1" });
  assert.deepEqual(store.turns("s").map((t) => t.outcome), ["interrupted"]);
  store.close();
});

Deno.test("a cancelled request's PostModelRequest after Interrupt is no contradiction and changes nothing", () => {
  const { store, fire } = harness();
  fire({ hook_event_name: "UserPromptSubmit", session_id: "s", turn_id: "t1", prompt: "p" });
  fire({ hook_event_name: "Interrupt", session_id: "s", turn_id: "t1" });
  fire({ hook_event_name: "PostModelRequest", session_id: "s", turn_id: "t1", status: "cancelled" });
  assert.deepEqual(store.turns("s").map((t) => t.outcome), ["interrupted"]);
  assert.deepEqual(store.contradictions("s"), []);
  assert.equal(store.session("s")!.status, "online");
  // Any other event for the closed turn still is one.
  fire({
    hook_event_name: "PreToolUse",
    session_id: "s",
    turn_id: "t1",
    tool_name: "Bash",
    tool_use_id: "c",
  });
  assert.equal(store.contradictions("s").length, 1);
  store.close();
});

Deno.test("tokens per turn are the sums of the turn's PostModelRequest token_usage", () => {
  const { store, fire } = harness();
  fire({ hook_event_name: "UserPromptSubmit", session_id: "s", turn_id: "t1", prompt: "p" });
  const usage = (i: number, o: number, c: number, r: number) => ({
    input_tokens: i,
    cached_input_tokens: c,
    cache_write_input_tokens: 0,
    output_tokens: o,
    reasoning_output_tokens: r,
    total_tokens: i + o,
  });
  const post = (u: unknown, id: string) =>
    fire({
      hook_event_name: "PostModelRequest",
      session_id: "s",
      turn_id: "t1",
      status: "completed",
      token_usage: u,
      response_id: id,
    });
  post(usage(31, 7, 3, 2), "r1");
  post(usage(43, 5, 0, 0), "r2");
  post(null, "r3");
  fire({ hook_event_name: "UserPromptSubmit", session_id: "s", turn_id: "t2", prompt: "q" });
  const tokens = store.turnTokens("s");
  assert.deepEqual(tokens.get("t1"), { input: 74, cached_input: 3, output: 12, reasoning: 2, total: 86 });
  assert.equal(tokens.get("t2"), undefined);
  store.close();
});

Deno.test("a stale-busy repair of a turn the transcript says was interrupted ends it interrupted", () => {
  const { store, fire } = harness();
  fire({ hook_event_name: "UserPromptSubmit", session_id: "s", turn_id: "t1", prompt: "p" });
  fire({ hook_event_name: "UserPromptSubmit", session_id: "q", turn_id: "t2", prompt: "p" });
  store.maintain({
    now: "2026-12-01T12:00:00Z",
    staleBusyMs: 60_000,
    interruptedTurns: () => ["t1"],
  });
  assert.deepEqual(store.turns("s").map((t) => t.outcome), ["interrupted"]);
  assert.deepEqual(store.turns("q").map((t) => t.outcome), ["abandoned"], "no turn_aborted: a guess");
  assert.equal(store.session("s")!.status, "online");
  store.close();
});
