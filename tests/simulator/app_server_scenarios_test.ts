/**
 * The app-server part of the scenario format, run for real (the stand-in
 * daemon on a Unix socket, the hub attached): wrong expectations about a
 * session's sources, transport and turn state, and about a message, fail
 * with what was seen; app-server steps without the header fail clearly; the
 * stand-in daemon answers a steer like the real one (the running turn, or
 * the refusal that names it); the converter reads the framed messages back,
 * its output is what is committed, and the hooks-only scenario expects at
 * every hook what the scenario with both sources expects there.
 */
import assert from "node:assert/strict";
import { parseScenario, runScenario } from "../../simulator/mod.ts";
import { DaemonModel } from "../../simulator/daemon_model.ts";
import { steerFoundNoTurn, steerFoundTurnId } from "../../codex/app_server/requests.ts";
import { unframe } from "../harness/app_server_recording.ts";
import { recordings, SCENARIO_DIR, toScenario, variants } from "../harness/app_server_to_scenario.ts";
import { frameMessage } from "../../hub/app_server/frame.ts";

const thread = { id: "t1", sessionId: "t1", ephemeral: false, preview: "", cwd: "/w", model: "m" };
const lines = (...l: unknown[]) => l.map((x) => JSON.stringify(x)).join("\n");

Deno.test("wrong app-server expectations fail with what the hub and the store say", async () => {
  const sc = parseScenario(
    lines(
      { lifeline_scenario: 1, name: "wrong", app_server: true },
      { step: "daemon", action: "start", threads: [thread] },
      { step: "hub_start" },
      { step: "expect", session: "t1", sources: ["hook"], turn_state: "idle" },
      { step: "message", session: "t1", kind: "ask", text: "hi", as: "m1", expect: { method: "turn/steer" } },
      { step: "expect_message", message: "m1", status: "answered" },
      { step: "hub_start" },
    ),
    "wrong.jsonl",
  );
  const r = await runScenario(sc);
  assert.equal(r.passed, false);
  const byLine = (n: number) => r.failures.filter((f) => f.step === n);
  assert.deepEqual(byLine(4).map((f) => f.actual), [{ turn_state: "pending_first_turn" }, {
    sources: ["app-server"],
  }]);
  assert.match(String(byLine(5)[0]?.actual), /expected method "turn\/steer" for the ask, got "turn\/start"/);
  assert.match(String(byLine(6)[0]?.actual), /message "m1": status is "delivered", expected "answered"/);
  assert.match(String(byLine(7)[0]?.actual), /the hub already runs/);
  assert.equal(r.failures.length, 5);
  assert.equal(r.app_server?.notifications, 0);
  assert.ok((r.app_server?.requests ?? 0) >= 3, "initialize, thread/loaded/list, thread/read at least");
});

Deno.test("app-server steps need the header", async () => {
  const sc = parseScenario(
    lines({ lifeline_scenario: 1, name: "no_daemon" }, { step: "daemon", action: "start" }),
    "x.jsonl",
  );
  const r = await runScenario(sc);
  assert.deepEqual(r.failures.map((f) => f.actual), [
    'step "daemon" needs the app-server: add "app_server": true to the header',
  ]);
});

Deno.test("the stand-in daemon steers the running turn and refuses like the real one otherwise", () => {
  const m = new DaemonModel({ now: () => 5 });
  assert.equal(
    steerFoundNoTurn(errorOf(m.answer("turn/steer", { threadId: "t1", expectedTurnId: "" }))),
    true,
  );
  m.notify({ method: "thread/started", params: { thread } });
  assert.deepEqual(m.answer("thread/loaded/list", {}), { result: { data: ["t1"], nextCursor: null } });
  const started = m.answer("turn/start", { threadId: "t1", input: [] }) as {
    result: { turn: { id: string } };
  };
  const id = started.result.turn.id;
  assert.equal(
    steerFoundTurnId(errorOf(m.answer("turn/steer", { threadId: "t1", expectedTurnId: "x" }))),
    id,
  );
  assert.deepEqual(m.answer("turn/steer", { threadId: "t1", expectedTurnId: id }), {
    result: { turnId: id },
  });
  m.notify({
    method: "item/completed",
    params: { threadId: "t1", item: { type: "userMessage", content: [{ text: "go" }] } },
  });
  m.notify({ method: "turn/completed", params: { threadId: "t1", turn: { id, status: "completed" } } });
  assert.equal(
    steerFoundNoTurn(errorOf(m.answer("turn/steer", { threadId: "t1", expectedTurnId: id }))),
    true,
  );
  assert.equal(
    (m.answer("thread/read", { threadId: "t1" }) as { result: { thread: { preview: string } } })
      .result.thread.preview,
    "go",
    "the preview is the first user message, as the daemon's",
  );
  m.notify({ method: "thread/closed", params: { threadId: "t1" } });
  assert.ok("error" in m.answer("thread/read", { threadId: "t1" }), "a closed thread is not loaded");
  const b = m.barrier();
  const read = m.answer("thread/read", { threadId: b.notification.params.threadId as string });
  assert.deepEqual((read as { result: { thread: { ephemeral: boolean } } }).result.thread.ephemeral, true);
});

function errorOf(a: ReturnType<DaemonModel["answer"]>): string {
  assert.ok("error" in a, `expected an error, got ${JSON.stringify(a)}`);
  return a.error.message;
}

Deno.test("the converter reads back what the hub framed", () => {
  const framed = frameMessage(`a <b> & "c"`, { from: 'x"y', kind: "ask", id: "m1" });
  assert.deepEqual(unframe(framed), { from: 'x"y', kind: "ask", text: `a <b> & "c"` });
  assert.equal(unframe("plain text"), undefined);
});

Deno.test("the converted app-server scenarios are the converter's output; both sources agree at every hook", () => {
  for (const { version, events } of recordings()) {
    const byName = new Map<string, Record<string, unknown>[]>();
    for (const v of variants(events)) {
      const lines = toScenario(events, version, v);
      byName.set(v.name, lines);
      const text = lines.map((x) => JSON.stringify(x)).join("\n") + "\n";
      assert.equal(
        Deno.readTextFileSync(`${SCENARIO_DIR}${version}/${v.name}.jsonl`),
        text,
        `${version}/${v.name}.jsonl is stale: run deno run -A tests/harness/app_server_to_scenario.ts`,
      );
    }
    // The hook steps and the expectation right after each, in order.
    const atHooks = (lines: Record<string, unknown>[]) =>
      lines.flatMap((l, i) => l.step === "raw" ? [[l, lines[i + 1]]] : []);
    const both = atHooks(byName.get("hooks_and_app_server")!);
    assert.ok(both.length >= 6, "SessionStart, a UserPromptSubmit and a Stop per turn");
    assert.deepEqual(atHooks(byName.get("hooks_only")!), both);
  }
});
