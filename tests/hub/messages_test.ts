/**
 * The hub with an app-server daemon (a fake on a real Unix socket): sessions
 * the daemon lists before any hook, delivery by `turn/start` framed as a
 * message, an ask answered by the turn's final message, a reply, expiry, a
 * refused message to an ended session, prefixes, and a dropped link that
 * changes `transport` only.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startHub } from "../../hub/server.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { startFakeAppServer } from "../harness/fake_app_server.ts";
import { resolveSession } from "../../hub/session_ref.ts";
import { observation } from "../harness/histories.ts";

const thread = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  sessionId: id,
  ephemeral: false,
  preview: "",
  cwd: "/work",
  model: "mock-model",
  status: { type: "idle" },
  source: "cli",
  ...extra,
});
let ms = Date.parse("2026-12-01T10:00:00Z");
const note = (method: string, params: Record<string, unknown>) => ({
  method,
  params,
  emittedAtMs: ms += 1000,
});

async function setup(threads: string[]) {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-msg-" });
  const stateDir = join(dir, "state");
  const fake = startFakeAppServer(join(dir, "app-server-control.sock"));
  fake.on("thread/loaded/list", () => ({ data: threads, nextCursor: null }));
  fake.on("thread/read", (p) => ({ thread: thread(String(p["threadId"])) }));
  fake.on("thread/resume", (p) => ({ thread: thread(String(p["threadId"])) }));
  fake.on("thread/turns/list", () => ({ data: [], nextCursor: null }));
  fake.on("thread/unsubscribe", () => ({}));
  let turns = 0;
  fake.on("turn/start", () => ({ turn: { id: `T${++turns}`, status: "inProgress", items: [] } }));
  let now = Date.parse("2026-12-01T10:00:00Z");
  const clock = { advance: (s: number) => (now += s * 1000) };
  const hub = startHub({
    stateDir,
    port: 0,
    pingMs: 60_000,
    now: () => new Date(now),
    appServer: { socketPath: fake.socketPath, bridge: { pollMs: 20 } },
  });
  const api = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(hub.url + path, {
      ...init,
      headers: { authorization: `Bearer ${hub.token}`, "content-type": "application/json" },
    });
    return { status: r.status, body: await r.json() };
  };
  const post = (path: string, body: unknown) => api(path, { method: "POST", body: JSON.stringify(body) });
  const until = async (what: string, pred: () => Promise<boolean>) => {
    // Polls the hub's own answer: the link works in the background, with no event to wait on.
    for (let i = 0; i < 200; i++) {
      if (await pred()) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.fail(`timed out waiting for ${what}`);
  };
  return {
    fake,
    hub,
    api,
    post,
    until,
    clock,
    stateDir,
    async close() {
      await hub.close();
      await fake.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("a thread the daemon lists is a session before any hook; a notify starts a turn, framed", async () => {
  const t = await setup(["s-alpha"]);
  try {
    await t.hub.appServer!.ready();
    const list = await t.api("/sessions");
    const s = list.body.sessions.find((x: { session_id: string }) => x.session_id === "s-alpha");
    assert.ok(s, "the session is listed");
    assert.deepEqual([s.status, s.turn_state, s.transport, s.sources], [
      "online",
      "pending_first_turn",
      "app-server",
      ["app-server"],
    ]);
    const sent = await t.post("/sessions/s-al/messages", {
      kind: "notify",
      text: "build <green>",
      from: "ci",
    });
    assert.equal(sent.status, 200);
    assert.deepEqual([sent.body.status, sent.body.via, sent.body.method], [
      "delivered",
      "app-server",
      "turn/start",
    ]);
    const start = await t.fake.waitFor((r) => r.msg["method"] === "turn/start");
    const text = (start.msg["params"] as { input: { text: string }[] }).input[0]!.text;
    assert.equal(
      text,
      `<lifeline-message from="ci" kind="notify" id="${sent.body.id}">build &lt;green&gt;</lifeline-message>`,
    );
    const got = await t.api(`/messages/${sent.body.id}`);
    assert.deepEqual(
      [got.body.session_id, got.body.kind, got.body.from, got.body.status, got.body.via, got.body.turn_id],
      ["s-alpha", "notify", "ci", "delivered", "app-server", "T1"],
    );
    const one = await t.api("/sessions/s-alpha");
    assert.deepEqual(one.body.messages.map((m: { id: string }) => m.id), [sent.body.id]);
  } finally {
    await t.close();
  }
});

Deno.test("an ask is answered by the final message of the turn it started; a reply answers one explicitly", async () => {
  const t = await setup(["s-beta"]);
  try {
    await t.hub.appServer!.ready();
    const ask = await t.post("/sessions/s-beta/messages", { kind: "ask", text: "status?", from: "lead" });
    assert.deepEqual([ask.status, ask.body.status], [200, "delivered"]);
    const start = await t.fake.waitFor((r) => r.msg["method"] === "turn/start");
    assert.match((start.msg["params"] as { input: { text: string }[] }).input[0]!.text, /final message/);
    t.fake.broadcast(
      note("thread/status/changed", { threadId: "s-beta", status: { type: "active", activeFlags: [] } }),
    );
    t.fake.broadcast(
      note("turn/started", { threadId: "s-beta", turn: { id: "T1", status: "inProgress", items: [] } }),
    );
    t.fake.broadcast(note("thread/status/changed", { threadId: "s-beta", status: { type: "idle" } }));
    t.fake.broadcast(note("turn/completed", {
      threadId: "s-beta",
      turn: {
        id: "T1",
        status: "completed",
        items: [{ type: "agentMessage", id: "i1", text: "all green, mail me at ann@example.com" }],
      },
    }));
    await t.until(
      "the answer",
      async () => (await t.api(`/messages/${ask.body.id}`)).body.status === "answered",
    );
    const m = (await t.api(`/messages/${ask.body.id}`)).body;
    assert.equal(m.reply, "all green, mail me at <EMAIL>", "the reply is scrubbed");
    const s = (await t.api("/sessions/s-beta")).body;
    assert.deepEqual([s.status, s.turn_state, s.turns.map((x: { outcome: string }) => x.outcome)], [
      "online",
      "idle",
      ["completed"],
    ]);

    const notify = await t.post("/sessions/s-beta/messages", { kind: "notify", text: "fyi" });
    assert.equal((await t.post(`/messages/${notify.body.id}/reply`, { text: "x" })).status, 409);
    const ask2 = await t.post("/sessions/s-beta/messages", { kind: "ask", text: "again?", timeout_s: 5 });
    t.clock.advance(6);
    await t.until("expiry", async () => (await t.api(`/messages/${ask2.body.id}`)).body.status === "expired");
    const replied = await t.post(`/messages/${ask2.body.id}/reply`, { text: "late but here" });
    assert.deepEqual(replied, { status: 200, body: { id: ask2.body.id, status: "answered" } });
    assert.equal((await t.api(`/messages/${ask2.body.id}`)).body.reply, "late but here");
    assert.equal((await t.api("/messages/nope")).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("an ended session refuses messages; a dropped link changes transport, never status", async () => {
  const t = await setup(["s-gamma"]);
  try {
    await t.hub.appServer!.ready();
    const before = (await t.api("/sessions/s-gamma")).body;
    assert.equal(before.transport, "app-server");
    t.fake.dropLinks();
    await t.until("the drop", async () => (await t.api("/sessions/s-gamma")).body.transport !== "app-server");
    const after = (await t.api("/sessions/s-gamma")).body;
    assert.deepEqual([after.status, after.turn_state, after.transport], [
      before.status,
      before.turn_state,
      "disconnected",
    ]);
    // The bridge reconnects on its own (backoff) and the session comes back on it.
    await t.until(
      "the reconnect",
      async () => (await t.api("/sessions/s-gamma")).body.transport === "app-server",
    );

    t.fake.broadcast(note("thread/closed", { threadId: "s-gamma" }));
    await t.until("the close", async () => (await t.api("/sessions/s-gamma")).body.status === "offline");
    const refused = await t.post("/sessions/s-gamma/messages", { kind: "notify", text: "hello?" });
    assert.equal(refused.status, 409);
    assert.deepEqual([refused.body.status, refused.body.error], [
      "refused",
      "session s-gamma has ended (thread_closed)",
    ]);
    const st = Store.open(t.stateDir);
    assert.equal(st.queued("s-gamma", new Date(0).toISOString()).length, 0, "never queued");
    st.close();
    const missing = await t.post("/sessions/zzz/messages", { kind: "notify", text: "x" });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body.candidates, ["s-gamma"]);
  } finally {
    await t.close();
  }
});

Deno.test("a notify queued while the daemon lacks the thread reaches it once the daemon has it", async () => {
  const listed: string[] = [];
  const t = await setup(listed);
  try {
    await t.hub.appServer!.ready();
    const st = Store.open(t.stateDir);
    st.record(observation("SessionStart", "s-delta", null, { source: "startup" }, ms));
    st.close();
    const q = await t.post("/sessions/s-delta/messages", { kind: "notify", text: "mail ann@example.com" });
    assert.deepEqual([q.status, q.body.status], [202, "queued"]);
    assert.equal((await t.api(`/messages/${q.body.id}`)).body.text, "mail <EMAIL>", "stored scrubbed");
    // The daemon restarts with the thread loaded (a TUI resumed it): the bridge reconnects and reconciles.
    listed.push("s-delta");
    t.fake.dropLinks();
    const start = await t.fake.waitFor((r) => r.msg["method"] === "turn/start");
    const text = (start.msg["params"] as { input: { text: string }[] }).input[0]!.text;
    assert.match(text, />mail ann@example.com<\/lifeline-message>$/, "sent as written, not scrubbed");
    await t.until(
      "delivery",
      async () => (await t.api(`/messages/${q.body.id}`)).body.status === "delivered",
    );
    const m = (await t.api(`/messages/${q.body.id}`)).body;
    assert.deepEqual([m.via, m.turn_id], ["app-server", "T1"]);
    const st2 = Store.open(t.stateDir);
    assert.deepEqual(st2.queued("s-delta", new Date(0).toISOString()), [], "dequeued");
    assert.deepEqual(st2.sources("s-delta"), ["hook", "app-server"]);
    st2.close();
  } finally {
    await t.close();
  }
});

Deno.test("session prefixes: unique, ambiguous, unknown", () => {
  assert.deepEqual(resolveSession("ab", ["abc", "xyz"]), { id: "abc" });
  assert.deepEqual(resolveSession("abc", ["abc", "abcd"]), { id: "abc" });
  const amb = resolveSession("a", ["abc", "abd", "x"]);
  assert.ok("status" in amb && amb.status === 409 && amb.body.candidates.join() === "abc,abd");
  const none = resolveSession("abz", ["abc", "x"]);
  assert.ok("status" in none && none.status === 404 && none.body.candidates[0] === "abc");
});
