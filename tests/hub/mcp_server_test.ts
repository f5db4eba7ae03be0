/**
 * lifeline's MCP server as Codex runs it: the real entry over stdio, started
 * with the installer's `deno run` flags and only the environment an MCP
 * client passes (no `LIFELINE_*`, no `CODEX_*`), driven by the SDK's client.
 * The hub is the fake of `tests/harness/fake_message_hub.ts`, which
 * implements the message API over a real store.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
// The package's "./*" export points types at "*.js.d.ts"; the types are at "*.d.ts".
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { mcpServerArgs } from "../../installer/edits/mcp.ts";
import { TOOL_NAMES } from "../../hub/mcp/names.ts";
import { observeHook } from "../../lifecycle/observe.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import type { HookPayload } from "../../codex/payloads.ts";
import { startFakeMessageHub } from "../harness/fake_message_hub.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const A = "019a0000-aaaa-7000-8000-000000000001";
const B = "019a0000-bbbb-7000-8000-000000000002";
const C = "019a0000-cccc-7000-8000-000000000003";
const metaOf = (sid: string, turn = "turn-1") => ({
  threadId: sid,
  sessionId: sid,
  callId: `call-${crypto.randomUUID()}`,
  "x-codex-turn-metadata": { session_id: sid, thread_id: sid, turn_id: turn, model: "mock-model" },
});

function seed(stateDir: string, payloads: Record<string, unknown>[]): void {
  const store = Store.open(stateDir);
  let t = Date.parse("2026-12-01T10:00:00Z");
  for (const p of payloads) {
    const ctx = {
      now: () => new Date(t++),
      scrubber: makeScrubber("scrubbed", undefined),
      pid: null,
      hintThreshold: 0,
    };
    store.record(observeHook(p as unknown as HookPayload, ctx));
  }
  store.close();
}

/** B is live (a turn open), C has ended. */
const seedBC = (stateDir: string) =>
  seed(stateDir, [
    { session_id: B, hook_event_name: "SessionStart", cwd: "/w/b", source: "startup", model: "m" },
    { session_id: B, hook_event_name: "UserPromptSubmit", cwd: "/w/b", turn_id: "tb", prompt: "work" },
    { session_id: C, hook_event_name: "SessionStart", cwd: "/w/c", source: "startup" },
    { session_id: C, hook_event_name: "SessionEnd", cwd: "/w/c", reason: "exit" },
  ]);

async function server(stateDir: string) {
  const client = new Client({ name: "lifeline-test", version: "1" });
  // The transport passes only HOME, LOGNAME, PATH, SHELL, TERM and USER, as Codex does.
  const transport = new StdioClientTransport({
    command: Deno.execPath(),
    args: mcpServerArgs({ root: ROOT, stateDir }, true),
    cwd: stateDir,
    stderr: "pipe",
  });
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown>, meta?: Record<string, unknown>) => {
    const r = await client.callTool({ name, arguments: args, ...(meta ? { _meta: meta } : {}) });
    const content = r.content as { type: string; text: string }[];
    return { isError: r.isError === true, text: content.map((c) => c.text).join("\n") };
  };
  return { client, call, close: () => client.close() };
}

async function tmp(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "lifeline-mcp-" });
}

Deno.test("tools/list: the eight tools with descriptions and typed input schemas", async () => {
  const dir = await tmp();
  const s = await server(dir);
  try {
    const { tools } = await s.client.listTools();
    assert.deepEqual(tools.map((t) => t.name), [...TOOL_NAMES]);
    for (const t of tools) assert.ok((t.description ?? "").length > 20, t.name);
    const by = Object.fromEntries(tools.map((t) => [t.name, t.inputSchema]));
    assert.deepEqual(by.whoami!.required ?? [], []);
    assert.deepEqual(by.list_sessions!.required ?? [], []);
    assert.deepEqual(Object.keys(by.list_sessions!.properties ?? {}).sort(), ["active_only", "cwd"]);
    assert.deepEqual([...by.ask_session!.required ?? []].sort(), ["session_id", "text"]);
    assert.equal(
      (by.ask_session!.properties as Record<string, { default?: unknown }>).timeout_s!.default,
      120,
    );
    assert.deepEqual([...by.spawn_session!.required ?? []].sort(), ["cwd", "message"]);
    assert.deepEqual([...by.reply!.required ?? []].sort(), ["message_id", "text"]);
  } finally {
    await s.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("no hub: whoami registers the caller lazily; list_sessions reads the store; messages say how to start a hub", async () => {
  const dir = await tmp();
  seedBC(dir);
  const s = await server(dir);
  try {
    const me = await s.call("whoami", {}, metaOf(A, "ta"));
    assert.equal(me.isError, false, me.text);
    assert.equal(JSON.parse(me.text).session_id, A);
    assert.equal(JSON.parse(me.text).turn_id, "ta");
    const store = Store.open(dir);
    const row = store.session(A);
    assert.equal(row?.turn_state, "working", "registered with its open turn");
    assert.deepEqual(store.turns(A).map((t) => t.turn_id), ["ta"]);
    store.close();

    const list = await s.call("list_sessions", {}, metaOf(A, "ta"));
    const body = JSON.parse(list.text);
    assert.deepEqual(body.sessions.map((x: { session_id: string }) => x.session_id).sort(), [A, B, C].sort());
    assert.equal(body.sessions.find((x: { session_id: string }) => x.session_id === A).you, true);
    assert.match(body.note, /No lifeline hub is running/);
    const active = JSON.parse((await s.call("list_sessions", { active_only: true, cwd: "/w" })).text);
    assert.deepEqual(active.sessions.map((x: { session_id: string }) => x.session_id), [B]);

    const sent = await s.call("send_message", { session_id: B, text: "hi" }, metaOf(A));
    assert.equal(sent.isError, true);
    assert.match(sent.text, /No lifeline hub is running/);
    assert.match(sent.text, /lifeline hub/);

    const anon = await s.call("whoami", {});
    assert.equal(anon.isError, true);
    assert.match(anon.text, /did not say which session is calling/);
  } finally {
    await s.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with the hub: notify by prefix, unknown and ended sessions, ask answered by reply, spawn", async () => {
  const dir = await tmp();
  seedBC(dir);
  const hub = startFakeMessageHub(dir);
  const s = await server(dir);
  try {
    const sent = await s.call("send_message", { session_id: "019a0000-bbbb", text: "heads up" }, metaOf(A));
    assert.equal(sent.isError, false, sent.text);
    assert.equal(JSON.parse(sent.text).status, "queued");
    assert.deepEqual(
      [hub.messages[0]!.session_id, hub.messages[0]!.from, hub.messages[0]!.kind],
      [B, A, "notify"],
    );

    const unknown = await s.call("send_message", { session_id: "019a0000-bbbx", text: "x" }, metaOf(A));
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /unknown session "019a0000-bbbx"/);
    assert.match(unknown.text, new RegExp(`Closest ids: .*${B}`));
    const ambiguous = await s.call("send_message", { session_id: "019a", text: "x" }, metaOf(A));
    assert.equal(ambiguous.isError, true);
    assert.match(ambiguous.text, /ambiguous.*give more of the id/);
    const ended = await s.call("ask_session", { session_id: C, text: "x" }, metaOf(A));
    assert.equal(ended.isError, true);
    assert.match(
      ended.text,
      /has ended \(exit\); it cannot take messages \(spawn_session starts a new one\)/,
    );

    const asking = s.call("ask_session", { session_id: B, text: "what is 6*7?", timeout_s: 60 }, metaOf(A));
    const ask = await hub.message(2);
    assert.deepEqual([ask.kind, ask.from, ask.timeout_s], ["ask", A, 60]);
    const replied = await s.call("reply", { message_id: ask.id, text: "42" }, metaOf(B, "tb"));
    assert.equal(replied.isError, false, replied.text);
    const answer = await asking;
    assert.equal(answer.isError, false, answer.text);
    assert.equal(JSON.parse(answer.text).answer, "42");

    const got = JSON.parse((await s.call("get_message", { message_id: ask.id }, metaOf(A))).text);
    assert.deepEqual([got.status, got.from, got.reply], ["answered", A, "42"]);
    const detail = JSON.parse((await s.call("get_session", { session_id: "019a0000-bb" }, metaOf(A))).text);
    assert.equal(detail.session_id, B);
    assert.equal(detail.messages.length, 2);

    const spawned = await s.call(
      "spawn_session",
      { cwd: "/w/new", message: "start", model: "m2" },
      metaOf(A),
    );
    assert.equal(spawned.isError, false, spawned.text);
    assert.ok(JSON.parse(spawned.text).session_id);
    assert.deepEqual(hub.spawned, [{ cwd: "/w/new", message: "start", model: "m2", from: A }]);
  } finally {
    await s.close();
    await hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an ask nobody answers returns its id and status when timeout_s passes", async () => {
  const dir = await tmp();
  seedBC(dir);
  const hub = startFakeMessageHub(dir);
  const s = await server(dir);
  try {
    const r = await s.call("ask_session", { session_id: B, text: "anyone?", timeout_s: 1 }, metaOf(A));
    assert.equal(r.isError, true);
    assert.match(r.text, /No answer within 1 s/);
    assert.ok(r.text.includes(hub.messages[0]!.id), r.text);
    assert.match(r.text, /get_message/);
  } finally {
    await s.close();
    await hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a hub that dies while the server runs is reported per call; the server keeps serving", async () => {
  const dir = await tmp();
  seedBC(dir);
  const hub = startFakeMessageHub(dir);
  const s = await server(dir);
  try {
    assert.equal((await s.call("send_message", { session_id: B, text: "one" }, metaOf(A))).isError, false);
    await hub.close(true); // hub.json stays behind, as when a hub is killed
    const dead = await s.call("send_message", { session_id: B, text: "two" }, metaOf(A));
    assert.equal(dead.isError, true);
    assert.match(dead.text, /does not answer/);
    assert.match(dead.text, /lifeline hub/);
    const list = await s.call("list_sessions", {}, metaOf(A));
    assert.equal(list.isError, false, list.text);
    const again = startFakeMessageHub(dir);
    try {
      const back = await s.call("send_message", { session_id: B, text: "three" }, metaOf(A));
      assert.equal(back.isError, false, back.text);
      assert.equal(again.messages[0]!.text, "three");
    } finally {
      await again.close();
    }
  } finally {
    await s.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the server refuses to start without --state-dir, naming the flag", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...mcpServerArgs({ root: ROOT, stateDir: "/nonexistent" }, true).slice(0, -1)],
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "", HOME: Deno.env.get("HOME") ?? "" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /--state-dir=<dir> is required/);
});
