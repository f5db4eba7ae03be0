/** The hub on a real port with real WebSocket clients and real hook processes. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startHub } from "../../hub/server.ts";
import { CLOSE } from "../../hub/protocol.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { runHookProcess, sandbox } from "../harness/hook_process.ts";
import { connectSidecar } from "./_client.ts";

const prompt = (sid: string, turn: string) =>
  JSON.stringify({
    session_id: sid,
    turn_id: turn,
    cwd: "/w",
    hook_event_name: "UserPromptSubmit",
    prompt: "hi",
  });
const stop = (sid: string, turn: string, active = false) =>
  JSON.stringify({
    session_id: sid,
    turn_id: turn,
    cwd: "/w",
    hook_event_name: "Stop",
    stop_hook_active: active,
    last_assistant_message: "ok",
  });

async function setup() {
  const sb = await sandbox();
  // LIFELINE_SIDECAR=off: these tests drive the sidecar side themselves.
  const env = { LIFELINE_SIDECAR: "off" };
  const hub = startHub({ stateDir: sb.stateDir, port: 0, ackTimeoutMs: 2000, pingMs: 60_000 });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(hub.url + path, {
      ...init,
      headers: { authorization: `Bearer ${hub.token}`, "content-type": "application/json", ...init.headers },
    });
  return { sb, hub, api, env };
}

Deno.test("token and Origin: every request needs the token; other origins are refused; the token file is private", async () => {
  const { sb, hub, api } = await setup();
  try {
    assert.equal(Deno.statSync(join(sb.stateDir, "hub.token")).mode! & 0o777, 0o600);
    const none = await fetch(hub.url + "/sessions");
    assert.equal(none.status, 401);
    assert.match((await none.json()).error, /missing or wrong token/);
    const wrong = await fetch(hub.url + "/healthz", { headers: { authorization: "Bearer nope" } });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    const evil = await api("/sessions", { headers: { origin: "http://evil.example" } });
    assert.equal(evil.status, 403);
    await evil.body?.cancel();
    const same = await api("/sessions", { headers: { origin: `http://127.0.0.1:${hub.port}` } });
    assert.equal(same.status, 200);
    await same.body?.cancel();
    const page = await fetch(`${hub.url}/?token=${hub.token}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>lifeline hub<\/title>/);
    const noTokenPage = await fetch(`${hub.url}/`);
    assert.equal(noTokenPage.status, 401);
    await noTokenPage.body?.cancel();
    const health = await api("/healthz");
    assert.deepEqual(await health.json(), { ok: true, sessions_connected: 0, store_problem: null });
  } finally {
    await hub.close();
    await sb.cleanup();
  }
});

Deno.test("WebSocket: bad token, a first frame that is not connect, and malformed frames are closed with a code and reason", async () => {
  const { sb, hub } = await setup();
  try {
    const cases: [string, number, RegExp][] = [
      [
        JSON.stringify({ type: "connect", session_id: "s", pid: null, token: "nope" }),
        CLOSE.unauthorized,
        /bad token/,
      ],
      [JSON.stringify({ type: "ack", id: "x" }), CLOSE.connectFirst, /first frame must be/],
      ["{not json", CLOSE.badFrame, /not valid JSON/],
      [JSON.stringify({ type: "dance" }), CLOSE.badFrame, /unknown frame type "dance"/],
      [JSON.stringify({ type: "connect", session_id: "", token: hub.token }), CLOSE.badFrame, /session_id/],
    ];
    for (const [first, code, reason] of cases) {
      const c = connectSidecar(hub.url, hub.token, "s", sb.stateDir, first);
      const closed = await c.closed;
      assert.equal(closed.code, code, first);
      assert.match(closed.reason, reason);
    }
    const plain = await fetch(hub.url + "/ws", { headers: { authorization: `Bearer ${hub.token}` } });
    assert.equal(plain.status, 426);
    await plain.body?.cancel();
  } finally {
    await hub.close();
    await sb.cleanup();
  }
});

Deno.test("messages: unknown session 404; disconnected ask 503 and notify 202 queued; replayed once on connect; delivered at the next hook", async () => {
  const { sb, hub, api, env } = await setup();
  try {
    const unknown = await api("/sessions/nope/messages", {
      method: "POST",
      body: JSON.stringify({ kind: "notify", text: "x" }),
    });
    assert.equal(unknown.status, 404);
    await unknown.body?.cancel();
    assert.deepEqual((await runHookProcess("UserPromptSubmit", prompt("s1", "t1"), sb, { env })).code, 0);
    const bad = await api("/sessions/s1/messages", {
      method: "POST",
      body: JSON.stringify({ kind: "shout", text: "x" }),
    });
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /"kind" must be "notify" or "ask"/);
    const ask = await api("/sessions/s1/messages", {
      method: "POST",
      body: JSON.stringify({ kind: "ask", text: "are you there?" }),
    });
    assert.equal(ask.status, 503);
    assert.match((await ask.json()).error, /session s1 has no live connection: its sidecar is not connected/);
    const n = await api("/sessions/s1/messages", {
      method: "POST",
      body: JSON.stringify({ kind: "notify", text: "build is green" }),
    });
    assert.equal(n.status, 202);
    const queued = await n.json();
    assert.equal(queued.status, "queued");
    // The session is still busy: transport never changes status.
    const s = await (await api("/sessions/s1")).json();
    assert.deepEqual([s.status, s.transport], ["busy", "disconnected"]);

    const side = connectSidecar(hub.url, hub.token, "s1", sb.stateDir);
    await side.welcomed;
    for (
      let i = 0;
      i < 50 && side.frames.filter((f) => (f as { type: string }).type === "deliver").length === 0;
      i++
    ) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50));
    const st = Store.open(sb.stateDir);
    assert.deepEqual(st.deliveries("s1").map((d) => [d.id, d.status]), [[queued.id, "pending"]]);
    assert.deepEqual(st.queued("s1", new Date().toISOString()), [], "dequeued after the ack");
    st.close();
    assert.equal((await (await api("/sessions/s1")).json()).transport, "connected");

    // Connected: a message is handed over and acknowledged.
    const live = await api("/sessions/s1/messages", {
      method: "POST",
      body: JSON.stringify({ kind: "ask", text: "what changed?" }),
    });
    assert.equal(live.status, 200);
    assert.equal((await live.json()).status, "delivered");

    // The next delivery point (Stop) blocks with both messages; the continued Stop does not.
    const s1 = await runHookProcess("Stop", stop("s1", "t1"), sb, { env });
    const out = JSON.parse(s1.stdout);
    assert.deepEqual(Object.keys(out), ["decision", "reason"]);
    assert.equal(out.decision, "block");
    assert.match(out.reason, /build is green[\s\S]*kind="ask" id="[^"]+">what changed\?<\/lifeline-message>/);
    assert.doesNotMatch(out.reason, /hook|fail|error/i, "framed as a message, never as a failure");
    const s2 = await runHookProcess("Stop", stop("s1", "t1", true), sb, { env });
    assert.equal(s2.stdout, "");
    const st2 = Store.open(sb.stateDir);
    const ds = st2.deliveries("s1");
    assert.deepEqual(ds.map((d) => [d.status, d.delivered_event]), [["delivered", "Stop"], [
      "delivered",
      "Stop",
    ]]);
    assert.equal(st2.session("s1")!.status, "online", "the continued Stop completed the turn");
    st2.close();

    // Drop the WebSocket: transport changes, status does not.
    assert.equal((await runHookProcess("UserPromptSubmit", prompt("s1", "t2"), sb, { env })).code, 0);
    side.close();
    await side.closed;
    await new Promise((r) => setTimeout(r, 50));
    const after = await (await api("/sessions/s1")).json();
    assert.deepEqual([after.status, after.transport], ["busy", "disconnected"]);
  } finally {
    await hub.close();
    await sb.cleanup();
  }
});

Deno.test("UserPromptSubmit and SessionStart hand messages over as additionalContext", async () => {
  const { sb, hub, env } = await setup();
  try {
    const st = Store.open(sb.stateDir);
    st.addDelivery({
      id: "m1",
      session_id: "s2",
      kind: "notify",
      text: "hello from outside",
      created_at: new Date().toISOString(),
    });
    st.close();
    const r = await runHookProcess("UserPromptSubmit", prompt("s2", "t1"), sb, { env });
    const out = JSON.parse(r.stdout);
    assert.equal(out.hookSpecificOutput.hookEventName, "UserPromptSubmit");
    assert.match(out.hookSpecificOutput.additionalContext, /hello from outside/);
    const again = await runHookProcess("UserPromptSubmit", prompt("s2", "t2"), sb, { env });
    assert.equal(again.stdout, "", "exactly once");
  } finally {
    await hub.close();
    await sb.cleanup();
  }
});

Deno.test("the queue keeps at most the cap per session and drops expired messages", async () => {
  const sb = await sandbox();
  try {
    const st = Store.open(sb.stateDir);
    const t0 = Date.parse("2026-11-21T00:00:00Z");
    for (let i = 0; i < 5; i++) {
      st.enqueue({
        id: `q${i}`,
        session_id: "s",
        kind: "notify",
        text: `m${i}`,
        created_at: new Date(t0 + i * 1000).toISOString(),
        expires_at: new Date(t0 + i * 1000 + 10_000).toISOString(),
      }, 3);
    }
    assert.deepEqual(st.queued("s", new Date(t0 + 5000).toISOString()).map((q) => q.id), ["q2", "q3", "q4"]);
    assert.deepEqual(st.queued("s", new Date(t0 + 12_500).toISOString()).map((q) => q.id), ["q3", "q4"]);
    st.close();
  } finally {
    await sb.cleanup();
  }
});
