/** Tokens per turn in forwarding: the OTLP turn span's usage attributes and Neotoma's conversation_turn. */
import assert from "node:assert/strict";
import type { HookEventName } from "../../codex/events.ts";
import { modelRequestPayload, type ModelTokenUsage, parseHookInput } from "../../codex/payloads.ts";
import type { JsonObject } from "../../codex/json.ts";
import type { ForwardConfig } from "../../lifecycle/forward/config.ts";
import { forwarding } from "../../lifecycle/forward/records.ts";
import { observeHook } from "../../lifecycle/observe.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { Store } from "../../lifecycle/store/mod.ts";

const config: ForwardConfig = {
  neotoma: { url: "http://neotoma.test", token: undefined },
  otlp: { endpoint: "http://otel.test:4318", headers: {} },
};

const usage = (input: number, cached: number, output: number, reasoning: number): ModelTokenUsage => ({
  input_tokens: input,
  cached_input_tokens: cached,
  cache_write_input_tokens: 0,
  output_tokens: output,
  reasoning_output_tokens: reasoning,
  total_tokens: input + output,
});

/** One session: turn t1 with two model requests (0.171 shape), turn t2 with none (an older release). */
function session(): Store {
  const base = { session_id: "s1", cwd: "/ws", transcript_path: null, model: "gpt-5.4" };
  const mr = (event: "PreModelRequest" | "PostModelRequest", n: number, u?: ModelTokenUsage) =>
    modelRequestPayload("0.171", event, {
      ...base,
      turn_id: "t1",
      request_id: `req_${n}`,
      status: "completed",
      token_usage: u ?? null,
      response_id: `resp_${n}`,
    });
  const hook = (event: string, extra: JsonObject) => ({ ...base, hook_event_name: event, ...extra });
  const payloads: JsonObject[] = [
    hook("SessionStart", { source: "startup", permission_mode: "default" }),
    hook("UserPromptSubmit", { turn_id: "t1", prompt: "hi", permission_mode: "default" }),
    mr("PreModelRequest", 1),
    mr("PostModelRequest", 1, usage(100, 20, 30, 5)),
    mr("PreModelRequest", 2),
    mr("PostModelRequest", 2, usage(50, 0, 10, 0)),
    hook("Stop", { turn_id: "t1", stop_hook_active: false, last_assistant_message: "done" }),
    hook("UserPromptSubmit", { turn_id: "t2", prompt: "again", permission_mode: "default" }),
    hook("Stop", { turn_id: "t2", stop_hook_active: false, last_assistant_message: "ok" }),
  ];
  const store = Store.memory();
  let t = Date.parse("2026-11-21T00:00:00Z");
  const ctx = { now: () => new Date(t += 1000), scrubber: makeScrubber("scrubbed", "/root"), pid: null };
  for (const p of payloads) {
    const obs = observeHook(
      parseHookInput(JSON.stringify(p), p.hook_event_name as HookEventName),
      { ...ctx, hintThreshold: 0 },
    );
    store.recordAndClaim(obs, undefined, false, forwarding(config));
  }
  return store;
}

type Attr = { key: string; value: { intValue?: string; stringValue?: string } };

Deno.test("OTLP: a turn span carries the turn's summed token usage; a turn without model requests none", () => {
  const store = session();
  try {
    const spans = store.outbox().filter((r) => r.target === "otlp_span").map((r) =>
      JSON.parse(r.body) as { name: string; attributes: Attr[] }
    ).filter((s) => s.name === "invoke_agent codex");
    assert.equal(spans.length, 2);
    const attr = (s: { attributes: Attr[] }, k: string) => s.attributes.find((a) => a.key === k)?.value;
    const byTurn = (id: string) => spans.find((s) => attr(s, "codex.turn_id")?.stringValue === id)!;
    const t1 = byTurn("t1");
    assert.deepEqual(attr(t1, "gen_ai.usage.input_tokens"), { intValue: "150" });
    assert.deepEqual(attr(t1, "gen_ai.usage.output_tokens"), { intValue: "40" });
    assert.deepEqual(attr(t1, "gen_ai.usage.cache_read.input_tokens"), { intValue: "20" });
    assert.deepEqual(attr(t1, "codex.usage.reasoning_output_tokens"), { intValue: "5" });
    assert.deepEqual(attr(t1, "codex.usage.total_tokens"), { intValue: "190" });
    const t2 = byTurn("t2");
    assert.equal(t2.attributes.some((a) => a.key.includes("usage")), false, JSON.stringify(t2.attributes));
  } finally {
    store.close();
  }
});

Deno.test("Neotoma: conversation_turn carries the running token sums; the Stop record has the turn's total", () => {
  const store = session();
  try {
    type Entity = Record<string, unknown>;
    const turnsOf = (r: { body: string }) =>
      (JSON.parse(r.body) as { entities: Entity[] }).entities.filter((e) =>
        e.entity_type === "conversation_turn"
      );
    const records = store.outbox().filter((r) => r.target === "neotoma");
    const t1 = records.flatMap(turnsOf).filter((e) => e.turn_id === "t1");
    // After the first request the entity has its counts; after Stop, the sums of both.
    assert.equal(t1.find((e) => e.input_tokens === 100)?.output_tokens, 30);
    const last = t1.at(-1)!;
    assert.equal(last.status, "completed");
    assert.deepEqual(
      [last.input_tokens, last.cached_input_tokens, last.output_tokens, last.reasoning_output_tokens],
      [150, 20, 40, 5],
    );
    assert.equal(last.total_tokens, 190);
    const t2 = records.flatMap(turnsOf).filter((e) => e.turn_id === "t2");
    assert.ok(t2.length > 0);
    assert.ok(t2.every((e) => !("input_tokens" in e)), JSON.stringify(t2));
  } finally {
    store.close();
  }
});
