/**
 * OTLP spans as a collector reads them: a tool span lasts from the call's
 * PreToolUse to its PostToolUse (the times the hooks recorded, not the time
 * of sending), and spans and logs use the OpenTelemetry GenAI semantic
 * conventions' names.
 */
import assert from "node:assert/strict";
import type { HookEventName } from "../../codex/events.ts";
import type { JsonObject } from "../../codex/json.ts";
import { parseHookInput } from "../../codex/payloads.ts";
import type { ForwardConfig } from "../../lifecycle/forward/config.ts";
import { forwarding } from "../../lifecycle/forward/records.ts";
import { observeHook } from "../../lifecycle/observe.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { Store } from "../../lifecycle/store/mod.ts";

const config: ForwardConfig = { otlp: { endpoint: "http://otel.test:4318", headers: {} } };
const T0 = Date.parse("2026-11-21T10:00:00Z");

type Attr = { key: string; value: { intValue?: string; stringValue?: string; boolValue?: boolean } };
interface Span {
  name: string;
  spanId: string;
  parentSpanId?: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Attr[];
  status: { code: number; message?: string };
}

/** Records each payload at its millisecond offset from T0 (the hook's clock), with OTLP forwarding on. */
function record(steps: [number, string, JsonObject][]): Store {
  const store = Store.memory();
  const base = { session_id: "s1", cwd: "/ws", transcript_path: null, model: "gpt-5.4" };
  for (const [ms, event, extra] of steps) {
    const p = { ...base, hook_event_name: event, ...extra };
    const obs = observeHook(parseHookInput(JSON.stringify(p), event as HookEventName), {
      now: () => new Date(T0 + ms),
      scrubber: makeScrubber("scrubbed", "/root"),
      pid: null,
      hintThreshold: 0,
    });
    store.recordAndClaim(obs, undefined, false, forwarding(config));
  }
  return store;
}

const spansOf = (store: Store): Span[] =>
  store.outbox().filter((r) => r.target === "otlp_span").map((r) => JSON.parse(r.body) as Span);
const attr = (s: { attributes: Attr[] }, k: string) => s.attributes.find((a) => a.key === k)?.value;
const ms = (ns: string) => Number(BigInt(ns) / 1_000_000n);

const tool = (id: string, command: string) => ({
  turn_id: "t1",
  tool_name: "Bash",
  tool_use_id: id,
  tool_input: { command },
});

Deno.test("OTLP: a tool span lasts from its PreToolUse to its PostToolUse as recorded (250 ms)", () => {
  const store = record([
    [0, "SessionStart", { source: "startup" }],
    [1_000, "UserPromptSubmit", { turn_id: "t1", prompt: "list" }],
    [2_000, "PreToolUse", tool("call_a", "ls")],
    [2_250, "PostToolUse", { ...tool("call_a", "ls"), tool_response: "a b" }],
    // A second call whose PreToolUse came before the first one's PostToolUse: each span finds its own.
    [3_000, "PreToolUse", tool("call_b", "sleep 1")],
    [4_500, "PostToolUse", { ...tool("call_b", "sleep 1"), tool_response: "" }],
    [5_000, "Stop", { turn_id: "t1", stop_hook_active: false, last_assistant_message: "done" }],
  ]);
  try {
    const spans = spansOf(store);
    const byCall = (id: string) => spans.find((s) => attr(s, "gen_ai.tool.call.id")?.stringValue === id)!;
    const a = byCall("call_a");
    assert.equal(ms(a.startTimeUnixNano), T0 + 2_000);
    assert.equal(ms(a.endTimeUnixNano) - ms(a.startTimeUnixNano), 250);
    const b = byCall("call_b");
    assert.equal(ms(b.endTimeUnixNano) - ms(b.startTimeUnixNano), 1_500);
    const turn = spans.find((s) => s.name === "invoke_agent codex")!;
    assert.equal(a.parentSpanId, turn.spanId);
    assert.deepEqual([ms(turn.startTimeUnixNano), ms(turn.endTimeUnixNano)], [T0 + 1_000, T0 + 5_000]);
  } finally {
    store.close();
  }
});

Deno.test("OTLP: a PostToolUse without a recorded PreToolUse gives a span that only marks its end", () => {
  const store = record([
    [0, "SessionStart", { source: "startup" }],
    [1_000, "UserPromptSubmit", { turn_id: "t1", prompt: "list" }],
    [2_000, "PostToolUse", { ...tool("call_c", "ls"), tool_response: "" }],
  ]);
  try {
    const s = spansOf(store).find((x) => x.name === "execute_tool Bash")!;
    assert.deepEqual([ms(s.startTimeUnixNano), ms(s.endTimeUnixNano)], [T0 + 2_000, T0 + 2_000]);
  } finally {
    store.close();
  }
});

Deno.test("OTLP: spans and logs use the GenAI semantic conventions' attribute names", () => {
  const store = record([
    [0, "SessionStart", { source: "startup" }],
    [1_000, "UserPromptSubmit", { turn_id: "t1", prompt: "build" }],
    [2_000, "PreToolUse", tool("call_f", "make")],
    [2_400, "PostToolUse", {
      ...tool("call_f", "make"),
      tool_response: { exit_code: 2, stdout: "", stderr: "make: *** no rule" },
    }],
    [3_000, "Stop", { turn_id: "t1", stop_hook_active: false, last_assistant_message: "failed" }],
  ]);
  try {
    const spans = spansOf(store);
    const turn = spans.find((s) => s.name === "invoke_agent codex")!;
    const call = spans.find((s) => s.name === "execute_tool Bash")!;
    const strings = (s: Span, keys: string[]) => keys.map((k) => attr(s, k)?.stringValue);
    assert.deepEqual(
      strings(turn, [
        "gen_ai.operation.name",
        "gen_ai.provider.name",
        "gen_ai.agent.name",
        "gen_ai.conversation.id",
        "gen_ai.request.model",
      ]),
      ["invoke_agent", "openai", "codex", "s1", "gpt-5.4"],
    );
    assert.deepEqual(
      strings(call, [
        "gen_ai.operation.name",
        "gen_ai.tool.name",
        "gen_ai.tool.call.id",
        "gen_ai.conversation.id",
      ]),
      ["execute_tool", "Bash", "call_f", "s1"],
    );
    const errorType = attr(call, "error.type")?.stringValue;
    assert.ok(errorType, JSON.stringify(call.attributes));
    assert.deepEqual(call.status, { code: 2, message: errorType });
    assert.equal(attr(turn, "error.type")?.stringValue, "tool_failure");
    // The names the conventions replace are gone.
    for (const s of spans) {
      for (const old of ["codex.session_id", "codex.model", "codex.tool_name", "codex.tool_use_id"]) {
        assert.equal(attr(s, old), undefined, `${s.name} still has ${old}`);
      }
    }
    const logs = store.outbox().filter((r) => r.target === "otlp_log").map((r) =>
      JSON.parse(r.body) as { attributes: Attr[]; body: { stringValue: string } }
    );
    const failure = logs.find((l) => /failed/.test(l.body.stringValue))!;
    assert.deepEqual(
      [attr(failure, "gen_ai.tool.name")?.stringValue, attr(failure, "gen_ai.conversation.id")?.stringValue],
      ["Bash", "s1"],
    );
    assert.equal(attr(failure, "error.type")?.stringValue, errorType);
  } finally {
    store.close();
  }
});
