import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ContractError,
  HOOK_EVENTS,
  type HookEventName,
  parseHookInput,
  parseNotifyArgv,
  parsePayloadObject,
  serializeHookInput,
} from "../../codex/mod.ts";
import { readRecorded, RECORDED_NAMES } from "../harness/sessions.ts";

Deno.test("every recorded real payload parses, keeps every field, and names its event", async () => {
  let hooks = 0;
  let notifies = 0;
  for (const name of RECORDED_NAMES) {
    for (const r of await readRecorded(name)) {
      if (r.kind === "hook") {
        const text = JSON.stringify(r.payload); // compact, no trailing newline: as Codex writes it
        const event = r.payload.hook_event_name as HookEventName;
        const parsed = parseHookInput(text, event);
        assert.deepEqual({ ...parsed }, r.payload);
        hooks++;
      } else {
        const parsed = parseNotifyArgv(["node", "notify.js", JSON.stringify(r.payload)]);
        assert.equal(parsed["thread-id"], r.payload["thread-id"]);
        assert.equal(parsed["turn-id"], r.payload["turn-id"]);
        notifies++;
      }
    }
  }
  assert.ok(hooks >= 18, `expected the recordings to hold at least 18 hook payloads, got ${hooks}`);
  assert.ok(notifies >= 3);
});

Deno.test("the recordings cover the events Codex 0.169 fires in exec", async () => {
  const seen = new Set<string>();
  for (const name of RECORDED_NAMES) {
    for (const r of await readRecorded(name)) {
      if (r.kind === "hook") seen.add(String(r.payload.hook_event_name));
    }
  }
  for (
    const e of [
      "SessionStart",
      "UserPromptSubmit",
      "PreToolUse",
      "PostToolUse",
      "Stop",
      "Interrupt",
      "SessionEnd",
    ]
  ) {
    assert.ok(seen.has(e), `no recorded ${e}`);
  }
});

Deno.test("unknown fields are kept", () => {
  const p = parseHookInput(
    '{"session_id":"s","cwd":"/w","hook_event_name":"Stop","stop_hook_active":false,"new_field":{"x":1}}',
    "Stop",
  );
  assert.deepEqual(p.new_field, { x: 1 });
});

Deno.test("a missing or ill-typed field is an error naming the event and the field", () => {
  const cases: [string, HookEventName, string, string][] = [
    [
      '{"cwd":"/w","hook_event_name":"Stop"}',
      "Stop",
      "session_id",
      'Cannot parse Stop input: field "session_id" is missing',
    ],
    [
      '{"session_id":"s","cwd":"/w","hook_event_name":"UserPromptSubmit","prompt":5}',
      "UserPromptSubmit",
      "prompt",
      'Cannot parse UserPromptSubmit input: field "prompt" must be a string, got number',
    ],
    [
      '{"session_id":"s","cwd":"/w","hook_event_name":"PostToolUse"}',
      "PostToolUse",
      "tool_name",
      'Cannot parse PostToolUse input: field "tool_name" is missing',
    ],
    [
      '{"session_id":"s","cwd":"/w","hook_event_name":"Stop","stop_hook_active":"no"}',
      "Stop",
      "stop_hook_active",
      'Cannot parse Stop input: field "stop_hook_active" must be a boolean, got string',
    ],
    [
      '{"session_id":"s","cwd":"/w","hook_event_name":"SessionStart","source":"startup","turn_id":7}',
      "SessionStart",
      "turn_id",
      'Cannot parse SessionStart input: field "turn_id" must be a string, got number',
    ],
  ];
  for (const [text, event, field, message] of cases) {
    assert.throws(() => parseHookInput(text, event), (e: unknown) => {
      assert.ok(e instanceof ContractError);
      assert.equal(e.field, field);
      assert.equal(e.message, message);
      return true;
    });
  }
});

Deno.test("empty, non-object and invalid JSON input get clear errors with a place", () => {
  assert.throws(() => parseHookInput("", "Stop"), /Cannot parse Stop input: stdin is empty/);
  assert.throws(() => parseHookInput("[1]", "Stop"), /expected a JSON object, got array/);
  assert.throws(() => parseHookInput('{"a":\n  nope}', "Stop"), /invalid JSON at 2:3/);
  assert.throws(
    () => parseHookInput('{"session_id":"s","cwd":"/","hook_event_name":"Stop"}', "SessionEnd"),
    /field "hook_event_name" is "Stop", expected "SessionEnd"/,
  );
  assert.throws(
    () => parseHookInput('{"session_id":"s","cwd":"/","hook_event_name":"Nope"}'),
    /unknown event "Nope"/,
  );
});

Deno.test("notify: the payload is the last argument, kebab-case", () => {
  const p = parseNotifyArgv([
    "--state-dir=/x",
    '{"type":"agent-turn-complete","thread-id":"t","turn-id":"u","input-messages":["a"],"last-assistant-message":null}',
  ]);
  assert.equal(p["last-assistant-message"], null);
  assert.throws(() => parseNotifyArgv([]), /no argument was given/);
  assert.throws(() => parseNotifyArgv(['{"type":"x","thread-id":3}']), /field "thread-id" must be a string/);
});

const id = fc.stringMatching(/^[0-9a-f-]{1,36}$/);
const text = fc.string({ unit: "grapheme", maxLength: 40 });
const extra = fc.dictionary(fc.stringMatching(/^x_[a-z]{1,8}$/), fc.jsonValue({ maxDepth: 2 }), {
  maxKeys: 3,
});

/** An arbitrary valid payload for any event. */
export const arbPayload = fc.constantFrom(...HOOK_EVENTS).chain((event) =>
  fc.record({ session_id: id, turn_id: id, cwd: text, model: text, prompt: text, extra }).map((r) => {
    const base: Record<string, unknown> = {
      session_id: r.session_id,
      cwd: r.cwd,
      hook_event_name: event,
      ...r.extra,
    };
    if (event !== "SessionStart" && event !== "SessionEnd") base.turn_id = r.turn_id;
    if (event !== "SessionEnd") base.model = r.model;
    const specific: Record<HookEventName, Record<string, unknown>> = {
      SessionStart: { source: "startup" },
      UserPromptSubmit: { prompt: r.prompt },
      PreToolUse: { tool_name: "Bash", tool_input: { command: r.prompt }, tool_use_id: "call_1" },
      PermissionRequest: { tool_name: "Bash", tool_input: { command: r.prompt } },
      PostToolUse: {
        tool_name: "Bash",
        tool_input: { command: r.prompt },
        tool_response: r.prompt,
        tool_use_id: "c",
      },
      PreCompact: { trigger: "auto" },
      PostCompact: { trigger: "manual" },
      SubagentStart: { agent_type: "worker", agent_id: r.turn_id },
      SubagentStop: {
        agent_type: "worker",
        agent_id: r.turn_id,
        stop_hook_active: false,
        last_assistant_message: null,
      },
      Stop: { stop_hook_active: false, last_assistant_message: r.prompt },
      Interrupt: {},
      SessionEnd: { reason: "other" },
      PreModelRequest: {
        kind: "sampling",
        request_id: r.turn_id,
        attempt_number: 1,
        thread_id: r.session_id,
      },
      PostModelRequest: {
        status: "completed",
        error: null,
        token_usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
        response_id: "resp_1",
      },
    };
    return { ...base, ...specific[event] };
  })
);

Deno.test("property: parse ∘ serialise is the identity on valid payloads", () => {
  fc.assert(
    fc.property(arbPayload, (generated) => {
      // JSON cannot carry -0 (fc.jsonValue makes it): compare with what JSON can say.
      const p = JSON.parse(JSON.stringify(generated)) as typeof generated;
      const text = serializeHookInput(p);
      assert.ok(!text.endsWith("\n"));
      const parsed = parseHookInput(text, p.hook_event_name as HookEventName);
      assert.deepEqual({ ...parsed }, p);
      assert.equal(serializeHookInput(parsed), text);
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: a payload without session_id never parses", () => {
  fc.assert(
    fc.property(arbPayload, (p) => {
      const { session_id: _, ...rest } = p;
      assert.throws(() => parsePayloadObject(rest), /field "session_id" is missing/);
    }),
    { numRuns: 100 },
  );
});

// Recorded from the real Codex 0.171.0 (`codex exec`, mock model; paths shortened).
const POST_0171 =
  `{"kind":"sampling","request_id":"861411e3-4f28-4be0-89bf-7aa73c9529af","attempt_number":1,` +
  `"session_id":"01a232a5-8d82-7fd1-851f-8a8c59a4ab24","thread_id":"01a232a5-8d82-7fd1-851f-8a8c59a4ab24",` +
  `"turn_id":"01a232a5-8e33-7b62-9f74-554212887b54","cwd":"/tmp/ws","transcript_path":"/tmp/rollout.jsonl",` +
  `"model":"mock-model","hook_event_name":"PostModelRequest","status":"completed","error":null,` +
  `"token_usage":{"input_tokens":31,"cached_input_tokens":3,"cache_write_input_tokens":0,"output_tokens":7,` +
  `"reasoning_output_tokens":2,"total_tokens":38},"response_id":"resp_1"}`;
const FAILED_0171 =
  `{"kind":"sampling","request_id":"671df9fc-5f81-4c95-9eac-093a7989b3c8","attempt_number":1,` +
  `"session_id":"01a2329f-b583-7d52-afae-b755aa76b1d3","thread_id":"01a2329f-b583-7d52-afae-b755aa76b1d3",` +
  `"turn_id":"01a2329f-b630-7210-97ba-f857566201ec","cwd":"/tmp/ws","transcript_path":"/tmp/rollout.jsonl",` +
  `"model":"mock-model","hook_event_name":"PostModelRequest","status":"failed","error":"{\\"error\\":` +
  `{\\"message\\":\\"Invalid request: the mock refuses it\\",\\"type\\":\\"invalid_request_error\\",` +
  `\\"param\\":null,\\"code\\":\\"invalid_value\\"}}","token_usage":null,"response_id":null}`;

Deno.test("model-request payloads (0.171): token usage, a failed request's provider body", () => {
  const post = parseHookInput(POST_0171, "PostModelRequest");
  assert.equal(post.status, "completed");
  assert.equal(post.token_usage?.total_tokens, 38);
  assert.equal(post.thread_id, post.session_id);
  assert.deepEqual({ ...post }, JSON.parse(POST_0171), "every field is kept");
  const failed = parseHookInput(FAILED_0171, "PostModelRequest");
  assert.equal(failed.status, "failed");
  assert.equal(failed.token_usage, null);
  assert.match(String(failed.error), /invalid_request_error/);
  const pre = parseHookInput(
    POST_0171.replace(/,"status".*$/, "}").replace("PostModelRequest", "PreModelRequest"),
    "PreModelRequest",
  );
  assert.equal(pre.request_id, "861411e3-4f28-4be0-89bf-7aa73c9529af");
  assert.throws(
    () => parseHookInput(POST_0171.replace('"total_tokens":38', '"total_tokens":"38"'), "PostModelRequest"),
    /PostModelRequest input: field "token_usage": field "total_tokens" must be a number, got string/,
  );
  assert.throws(
    () => parseHookInput(POST_0171.replace('"attempt_number":1', '"attempt_number":"1"'), "PostModelRequest"),
    /field "attempt_number" must be a number/,
  );
});
