import assert from "node:assert/strict";
import { join } from "node:path";
import { bundledScenarios, loadScenarios, parseScenario, runScenario } from "../../simulator/mod.ts";
import { LIFELINE_ROOT } from "../../hooks/handlers.ts";

const files = bundledScenarios();

Deno.test("the bundle covers the cases the simulator promises", () => {
  const names = loadScenarios(files).map((s) => s.header.name);
  for (
    const n of [
      "tool_calls",
      "failing_tool_hint",
      "late_session_start",
      "session_start_never",
      "session_start_overlap",
      "interrupt_0130_next_prompt",
      "interrupt_0130_stale_repair",
      "interrupt_0169",
      "stop_block_continuation",
      "hook_timeout",
      "compaction",
      "resume",
      "untrusted_hooks",
      "process_dies",
      "recorded_tool_call",
      "recorded_failing_tool",
      "recorded_interrupt",
      "recorded_two_turns",
      "hub_drop_reconnect",
      "hub_messages_while_disconnected",
      "hub_sidecar_restarted",
      "hub_codex_dies_disconnected",
      "tui_daemon",
      "tui_per_session",
      "tui_0.169.0_daemon_resume_twice",
      "tui_0.171.0_nodaemon_clear",
      "app_server_0.169.0_deliver_start_steer",
      "app_server_0.169.0_ask_idle",
      "app_server_0.169.0_drop_restore",
      "app_server_0.169.0_daemon_after_hub",
      "app_server_0.169.0_hub_after_daemon",
      "app_server_0.169.0_hooks_and_app_server",
      "app_server_0.169.0_hooks_only",
      "app_server_0.171.0_deliver_start_steer",
    ]
  ) assert.ok(names.includes(n), `missing bundled scenario ${n}`);
});

for (const sc of loadScenarios(files)) {
  Deno.test(`bundled scenario passes (subprocess hooks): ${sc.header.name}`, async () => {
    const r = await runScenario(sc);
    assert.deepEqual(r.failures, [], JSON.stringify(r.timeline, null, 1));
    assert.ok(r.passed);
    if (sc.header.app_server) {
      assert.ok((r.app_server?.notifications ?? 0) > 0, "an app-server scenario replays notifications");
    } else if (sc.header.trusted) assert.ok(r.hook_runs > 0, "a scenario with trusted hooks runs some");
  });
  Deno.test(`bundled scenario passes (in-process hooks): ${sc.header.name}`, async () => {
    const r = await runScenario(sc, { inProcess: true });
    assert.deepEqual(r.failures, []);
  });
}

async function simulate(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(LIFELINE_ROOT, "simulator/mod.ts"), ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("a deliberately wrong expectation makes simulate exit 1 and say why", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = await Deno.readTextFile(join(LIFELINE_ROOT, "simulator/scenarios/interrupt_0169.jsonl"));
    const wrong = good.replace(
      '"status": "online", "turn_state": "idle", "turns": ["interrupted"]',
      '"status": "busy", "turn_state": "idle", "turns": ["interrupted"]',
    );
    assert.notEqual(wrong, good);
    const file = join(dir, "wrong.jsonl");
    await Deno.writeTextFile(file, wrong);
    const text = await simulate([file]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, /FAIL interrupt_0169/);
    assert.match(text.stdout, /✗ line 6: expected \{"status":"busy"\}, got \{"status":"online"\}/);
    assert.match(text.stdout, /0 passed, 1 failed/);
    const json = await simulate([file, "--json"]);
    assert.equal(json.code, 1);
    const doc = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(doc), ["passed", "failed", "scenarios"]);
    assert.deepEqual([doc.passed, doc.failed], [0, 1]);
    const [s] = doc.scenarios;
    assert.deepEqual(Object.keys(s), ["name", "file", "profile", "passed", "failures", "hook_runs"]);
    assert.deepEqual(s.failures, [{ step: 6, expected: { status: "busy" }, actual: { status: "online" } }]);
    assert.equal(s.profile, "0.169");
    assert.ok(s.hook_runs >= 4);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("simulate --html writes a self-contained page with the timeline as a picture", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const html = join(dir, "report.html");
    const r = await simulate([join(LIFELINE_ROOT, "simulator/scenarios/process_dies.jsonl"), "--html", html]);
    assert.equal(r.code, 0, r.stderr);
    const page = await Deno.readTextFile(html);
    assert.match(page, /<svg [^>]*aria-label="timeline of process_dies"/);
    assert.match(page, /fill="#9aa0a6"/, "an offline band");
    assert.match(page, /fill="#e8a33d"/, "a busy band");
    assert.doesNotMatch(page, /<script|<link|src="http/, "self-contained");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad scenario files get errors with file:line and the field", () => {
  const h = '{"lifeline_scenario": 1, "name": "x"}';
  const cases: [string, RegExp][] = [
    ["", /Cannot read scenario f\.jsonl:1: the file is empty/],
    ['{"name": "x"}', /f\.jsonl:1: the first line must be a header with "lifeline_scenario": 1/],
    [
      '{"lifeline_scenario": 2, "name": "x"}',
      /f\.jsonl:1: field "lifeline_scenario" is 2; this simulator reads version 1/,
    ],
    [
      '{"lifeline_scenario": 1, "name": "x", "profile": "0.99"}',
      /f\.jsonl:1: field "profile" is "0\.99"; known profiles: 0\.114, /,
    ],
    [
      `${h}\n\n// comment\n{"step": "prompt", "session": "a"}`,
      /f\.jsonl:4: field "text" is missing in step "prompt"/,
    ],
    [
      `${h}\n{"step": "tool", "session": "a", "exit_code": "1"}`,
      /f\.jsonl:2: field "exit_code" must be a number in step "tool", got string/,
    ],
    [`${h}\n{"step": "jump"}`, /f\.jsonl:2: field "step" is "jump"; known steps: start, /],
    [
      `${h}\n{"step": "expect", "session": "a", "colour": "red"}`,
      /f\.jsonl:2: field "colour" is not an expectation/,
    ],
    [
      `${h}\n{"step": "raw", "event": "Nope", "payload": {}}`,
      /f\.jsonl:2: field "event" in step "raw" is "Nope"/,
    ],
    [`${h}\n{"step": "prompt", "session": "a", "text": "x"`, /f\.jsonl:2: invalid JSON/],
    [
      `${h}\n{"step": "message", "session": "a", "kind": "shout", "text": "x"}`,
      /f\.jsonl:2: field "kind" in step "message" must be "notify" or "ask"/,
    ],
    [
      `${h}\n{"step": "daemon", "action": "explode"}`,
      /f\.jsonl:2: field "action" in step "daemon" must be one of start, drop, restore, stop, got "explode"/,
    ],
    [
      `${h}\n{"step": "app_server", "notify": {"params": {}}}`,
      /f\.jsonl:2: field "notify\.method" in step "app_server" must be a method name/,
    ],
    [
      `${h}\n{"step": "app_server"}`,
      /f\.jsonl:2: step "app_server" needs exactly one of "notify" \(a notification\) or "answer"/,
    ],
    [
      `${h}\n{"step": "app_server", "answer": {"method": "turn/start", "result": {}, "error": {}}}`,
      /f\.jsonl:2: field "answer" in step "app_server" needs exactly one of "result" or "error"/,
    ],
    [
      `${h}\n{"step": "expect_message", "message": "m1", "colour": "red"}`,
      /f\.jsonl:2: field "colour" is not a message field; known: status, via/,
    ],
    [
      `${h}\n{"step": "message", "session": "a", "kind": "ask", "text": "x", "as": 3}`,
      /f\.jsonl:2: field "as" in step "message" must be a string, got number/,
    ],
    [
      '{"lifeline_scenario": 1, "name": "x", "app_server": "yes"}',
      /f\.jsonl:1: field "app_server" must be true or false in the header, got string/,
    ],
  ];
  for (const [text, re] of cases) assert.throws(() => parseScenario(text, "f.jsonl"), re, text);
});

Deno.test("a bad scenario file makes simulate exit 2 with the place", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "bad.jsonl");
    await Deno.writeTextFile(file, '{"lifeline_scenario": 1, "name": "x"}\n{"step": "advance"}\n');
    const r = await simulate([file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.jsonl:2: field "seconds" must be a number in step "advance"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a hub step in a scenario without a hub fails with a clear reason", async () => {
  const sc = parseScenario(
    '{"lifeline_scenario": 1, "name": "x"}\n{"step": "start", "session": "a"}\n{"step": "drop", "session": "a"}',
    "x.jsonl",
  );
  const r = await runScenario(sc);
  assert.deepEqual(r.failures, [{
    step: 3,
    expected: 'step "drop" runs',
    actual: 'step "drop" needs a hub: add "hub": true to the header',
  }]);
});
