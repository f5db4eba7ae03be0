/**
 * The app-server half of the reducer, through the store: a session before its
 * first prompt, busy/idle, turn outcomes with error classes, tool runs with
 * exit codes, tokens, a closed thread, the hooks' word winning, contradictions
 * naming both sources, and what the status report shows of it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { AppServerObservation } from "../../lifecycle/app_server_observations.ts";
import { observeAppServer } from "../../lifecycle/app_server_observe.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { statusReport } from "../../lifecycle/status.ts";
import { observation } from "../harness/histories.ts";

const scrubber = makeScrubber("scrubbed", "/home/ann");
const T0 = Date.parse("2026-12-01T10:00:00Z");
let tick = 0;
type Body<K extends AppServerObservation["kind"]> = Omit<
  Extract<AppServerObservation, { kind: K }>,
  "source" | "at" | "kind" | "threadId"
>;
function app<K extends AppServerObservation["kind"]>(kind: K, body: Body<K>, thread = "s1") {
  const o = { source: "app-server", at: T0 + ++tick * 1000, kind, threadId: thread, ...body };
  return observeAppServer(o as unknown as AppServerObservation, thread, scrubber)!;
}
const seen = (turnState: "pending_first_turn" | "idle" | "working" = "pending_first_turn") =>
  app("session_seen", {
    sessionId: "s1",
    cwd: "/home/ann/w",
    model: "m",
    turnState,
    via: "thread/loaded/list",
  });
const busy = () => app("activity", { state: "busy", flags: [] });
const idle = () => app("activity", { state: "idle", flags: [] });
const started = (turnId: string) => app("turn_started", { turnId });
const ended = (turnId: string, outcome: "completed" | "interrupted" | "failed", extra = {}) =>
  app("turn_ended", {
    turnId,
    outcome,
    error: null,
    durationMs: 5,
    lastAssistantMessage: "done, mail ann@example.com",
    ...extra,
  });
const hook = (event: "SessionStart" | "UserPromptSubmit" | "Stop", turn: string | null, payload = {}) =>
  observation(event, "s1", turn, payload, T0 + ++tick * 1000);

function fold(...obs: ReturnType<typeof seen>[]): Store {
  const s = Store.memory();
  for (const o of obs) s.record(o);
  return s;
}

Deno.test("app-server: a thread listed before its first prompt is a session in pending_first_turn", () => {
  const s = fold(seen());
  const row = s.session("s1")!;
  assert.deepEqual([row.status, row.turn_state, row.cwd, row.model], [
    "online",
    "pending_first_turn",
    "~/w",
    "m",
  ]);
  assert.deepEqual(s.sources("s1"), ["app-server"]);
  assert.equal(s.journal()[0]!.source, "app-server");
  // The same notification twice is journaled once.
  const again = seen();
  s.record(again);
  assert.equal(s.record(again).inserted, false);
  s.close();
});

Deno.test("app-server: busy/idle, a turn, its command runs, tokens and its end", () => {
  const tokens = {
    inputTokens: 100,
    cachedInputTokens: 40,
    outputTokens: 7,
    reasoningOutputTokens: 3,
    totalTokens: 110,
  };
  const s = fold(
    seen(),
    busy(),
    started("T1"),
    app("tool_invocation", {
      turnId: "T1",
      itemId: "c1",
      command: "ls",
      status: "completed",
      exitCode: 0,
      durationMs: 1,
    }),
    app("tool_invocation", {
      turnId: "T1",
      itemId: "c2",
      command: "false",
      status: "failed",
      exitCode: 1,
      durationMs: 1,
    }),
    app("tokens", { turnId: "T1", total: tokens, last: tokens, modelContextWindow: null }),
  );
  assert.deepEqual([s.session("s1")!.status, s.session("s1")!.current_turn_id], ["busy", "T1"]);
  s.record(ended("T1", "completed"));
  s.record(idle());
  const r = statusReport(s).sessions[0]!;
  assert.deepEqual([r.status, r.turn_state], ["online", "idle"]);
  const t = r.turns[0]!;
  assert.deepEqual([t.outcome, t.tool_invocations, t.tool_failures], ["completed", 2, 1]);
  assert.deepEqual(t.tools.map((x) => [x.id, x.exit_code]), [["c1", 0], ["c2", 1]]);
  assert.deepEqual(t.tokens, { input: 100, cached_input: 40, output: 7, reasoning: 3, total: 110 });
  assert.equal(t.last_assistant_message, "done, mail <EMAIL>", "the daemon's text is scrubbed too");
  assert.deepEqual(t.hook_events, [], "no hook saw it");
  s.close();
});

Deno.test("app-server: a failed turn keeps its error class; a closed thread is offline until a hook shows life", () => {
  const s = fold(
    seen("idle"),
    started("T1"),
    ended("T1", "failed", { error: { message: "quota", errorClass: "usageLimitExceeded" } }),
    app("offline", { reason: "thread_closed" }),
  );
  const r = statusReport(s).sessions[0]!;
  assert.deepEqual([r.turns[0]!.outcome, r.turns[0]!.error_class], ["failed", "usageLimitExceeded"]);
  assert.deepEqual([r.status, r.end_reason], ["offline", "thread_closed"]);
  s.record(hook("UserPromptSubmit", "T2", { prompt: "again" }));
  assert.deepEqual([s.session("s1")!.status, s.session("s1")!.current_turn_id], ["busy", "T2"]);
  s.close();
});

Deno.test("app-server: the hooks' end of a turn wins, and a daemon idle against a hook turn is a contradiction", () => {
  const s = fold(seen(), hook("SessionStart", null), hook("UserPromptSubmit", "T1", { prompt: "p" }), idle());
  const c = s.contradictions("s1");
  assert.equal(c.length, 1);
  assert.match(c[0]!.reason, /app-server says idle, the hooks say busy/);
  assert.equal(s.session("s1")!.status, "busy", "the contradiction changes nothing");
  s.record(ended("T1", "interrupted"));
  assert.equal(s.turn("s1", "T1")!.outcome, "interrupted");
  s.record(hook("Stop", "T1", { last_assistant_message: "finished" }));
  const t = s.turn("s1", "T1")!;
  assert.deepEqual([t.outcome, t.last_assistant_message, t.hook_events], ["completed", "finished", [
    "UserPromptSubmit",
    "Stop",
  ]]);
  assert.deepEqual(
    s.contradictions("s1").length,
    1,
    "the Stop of a turn the daemon closed is no contradiction",
  );
  assert.deepEqual(s.sources("s1"), ["hook", "app-server"]);
  s.close();
});

Deno.test("app-server: a daemon's end that disagrees with the hooks' is a contradiction naming both", () => {
  const s = fold(
    hook("UserPromptSubmit", "T1", { prompt: "p" }),
    hook("Stop", "T1", {}),
    ended("T1", "interrupted"),
  );
  assert.match(
    s.contradictions("s1")[0]!.reason,
    /app-server says turn T1 interrupted, the hooks say completed/,
  );
  assert.equal(s.turn("s1", "T1")!.outcome, "completed");
  s.close();
});

Deno.test("app-server: the daemon seeing hooks run is a fact of the session; an ended session is not reopened", () => {
  const s = fold(
    hook("SessionStart", null),
    app("hook_ran", {
      turnId: null,
      phase: "completed",
      event: "sessionStart",
      status: "completed",
      runId: "r1",
      sourcePath: null,
    }),
  );
  assert.equal(statusReport(s).sessions[0]!.hooks_seen_running, true);
  s.record(observation("SessionEnd", "s1", null, { reason: "exit" }, T0 + ++tick * 1000));
  s.record(seen("idle"));
  assert.deepEqual([s.session("s1")!.status, s.session("s1")!.end_reason], ["offline", "exit"]);
  assert.match(s.contradictions("s1")[0]!.reason, /app-server lists the thread, the hooks ended the session/);
  s.close();
});

Deno.test("app-server: a transport event is not journaled", () => {
  assert.equal(
    observeAppServer(
      { source: "app-server", at: T0, kind: "transport", state: "down", socketPath: "/x", detail: null },
      "",
      scrubber,
    ),
    undefined,
  );
});

Deno.test("migration 4: a store written before it gets each event's source from its event", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-mig4-" });
  try {
    const s = Store.open(dir);
    s.record(hook("SessionStart", null));
    s.record(observation("Notify", "s1", "T1", { type: "agent-turn-complete" }, T0 + ++tick * 1000));
    s.close();
    // Back to version 3, as a store of the previous release is.
    const db = new DatabaseSync(join(dir, "lifeline.db"));
    db.exec(`DROP INDEX events_source; ALTER TABLE events DROP COLUMN source;
      DROP TABLE turn_facts; DROP TABLE session_facts; DROP TABLE messages; PRAGMA user_version = 3`);
    db.close();
    const again = Store.open(dir);
    assert.deepEqual(again.sources("s1"), ["hook", "notify"]);
    assert.equal(again.sessionFact("s1"), undefined);
    again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
