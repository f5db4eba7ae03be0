/**
 * `send` and `ask` through a real hub on loopback: the command finds the hub
 * from the files it leaves in the state dir, resolves the id prefix, and an
 * ask's answer is the turn that ended after Codex got the question.
 */
import assert from "node:assert/strict";
import { startHub } from "../../hub/server.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { findAnswer } from "../../cli/messages.ts";
import { ev, lifeline, sessionsOf, writeStore } from "./_fixture.ts";

Deno.test("send finds the hub by an id prefix; the hub queues it for an unconnected session", async () => {
  const dir = await Deno.makeTempDir();
  writeStore(dir, sessionsOf("bbbb1111-0001", "bbbb2222-0002", "/"));
  const hub = startHub({ stateDir: dir, port: 0, alive: () => true });
  try {
    const r = await lifeline(["send", "bbbb1", "hello", "--json", "--state-dir", dir]);
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { session_id: string; status: string };
    assert.deepEqual([body.session_id, body.status], ["bbbb1111-0001", "queued"]);
    const st = Store.open(dir);
    // Queued as Codex will see it: framed as a message from its sender, never as a hook failure.
    const queued = st.queued("bbbb1111-0001", new Date().toISOString()).map((q) => q.text);
    assert.equal(queued.length, 1);
    assert.match(
      queued[0]!,
      /^<lifeline-message from="[^"]+" kind="notify" id="[^"]+">hello<\/lifeline-message>$/,
    );
    st.close();
    const ask = await lifeline(["ask", "bbbb1", "why?", "--state-dir", dir]);
    assert.equal(ask.code, 1);
    assert.match(ask.stderr, /HTTP 503.*an ask needs an answer now/);
  } finally {
    await hub.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an ask's answer: the last assistant message of the turn that ended after its delivery", () => {
  const dir = Deno.makeTempDirSync();
  try {
    writeStore(dir, [ev("q", "SessionStart", { cwd: "/", model: "m", source: "startup" }, 0)]);
    const store = Store.open(dir);
    store.addDelivery({
      id: "m1",
      session_id: "q",
      kind: "ask",
      text: "what is 6×7?",
      created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 1)).toISOString(),
    });
    const o = { stateDir: dir, staleBusySeconds: 1800, now: new Date(Date.UTC(2026, 0, 1, 0, 0, 2)) };
    store.close();
    assert.deepEqual(findAnswer(o, "q", "m1"), { delivered_at: null, answer: null });
    const st = Store.open(dir);
    st.recordAndClaim(ev("q", "UserPromptSubmit", { cwd: "/", prompt: "hi" }, 3, "t1"), undefined, true);
    st.close();
    const pending = findAnswer(o, "q", "m1");
    assert.notEqual(pending.delivered_at, null);
    assert.equal(pending.answer, null, "the turn is still open");
    writeStore(dir, [ev("q", "Stop", { stop_hook_active: false, last_assistant_message: "42" }, 4, "t1")]);
    assert.equal(findAnswer(o, "q", "m1").answer, "42");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
