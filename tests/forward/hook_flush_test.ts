/**
 * A real hook process flushing its own records to a real loopback server
 * (child processes are not seen by msw): delivered when the target answers;
 * kept in the outbox, with the hook still exiting 0, when it hangs. How long
 * the hook takes against a hanging target is measured by `deno task bench`.
 */
import assert from "node:assert/strict";
import { Store } from "../../lifecycle/store/mod.ts";
import { forwardConfig } from "../../lifecycle/forward/config.ts";
import { flush } from "../../lifecycle/forward/flush.ts";
import { runHookProcess, sandbox } from "../harness/hook_process.ts";

function target(hang: boolean) {
  const got: unknown[] = [];
  const ac = new AbortController();
  let release: () => void = () => {};
  const hold = new Promise<void>((r) => (release = r));
  const srv = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      got.push(await req.json());
      if (hang) await hold;
      return Response.json({ ok: true });
    },
  );
  return {
    url: `http://127.0.0.1:${srv.addr.port}`,
    host: `127.0.0.1:${srv.addr.port}`,
    got,
    close: async () => (release(), ac.abort(), await srv.finished),
  };
}

const payload = JSON.stringify({
  session_id: "fwd",
  turn_id: "t1",
  cwd: "/",
  hook_event_name: "UserPromptSubmit",
  prompt: "hello",
});

Deno.test("a hook sends its own new record to a reachable Neotoma", async () => {
  const t = target(false);
  const sb = await sandbox();
  try {
    const r = await runHookProcess("UserPromptSubmit", payload, { ...sb, netHosts: [t.host] }, {
      env: { LIFELINE_NEOTOMA_URL: t.url, LIFELINE_SIDECAR: "off" },
    });
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    const st = Store.open(sb.stateDir);
    try {
      const [row, more] = st.outbox();
      assert.equal(more, undefined, "one record");
      // On a loaded machine the hook's flush budget may run out before the answer comes: then the
      // record waits in the outbox, tried at most once (how long the hook took is the bench's business).
      if (row!.status !== "sent") {
        assert.equal(row!.status, "pending");
        assert.ok(row!.attempts <= 1, `${row!.attempts} attempts`);
        assert.match(row!.last_error ?? "timed out", /^(timed out|flush budget used up before sending)$/);
        const config = forwardConfig((k) => ({ LIFELINE_NEOTOMA_URL: t.url })[k])!;
        await flush(st, config, { budgetMs: 60_000, ignoreBackoff: true });
        assert.deepEqual(st.outbox().map((o) => o.status), ["sent"]);
      }
      // What reached the target, from the hook or the later flush, is the record, once per attempt.
      assert.ok(t.got.length >= 1 && t.got.length <= 2, `${t.got.length} requests`);
      const keys = new Set(t.got.map((b) => (b as { idempotency_key: string }).idempotency_key));
      assert.equal(keys.size, 1, "every request carries the same idempotency key");
      const body = t.got.at(-1) as { idempotency_key: string; entities: { entity_type: string }[] };
      assert.deepEqual(body.entities.map((e) => e.entity_type), ["conversation_turn"]);
    } finally {
      st.close();
    }
  } finally {
    await t.close();
    await sb.cleanup();
  }
});

Deno.test("a hanging target: the hook still exits 0 and the record stays in the outbox", async () => {
  const t = target(true);
  const sb = await sandbox();
  try {
    const r = await runHookProcess("UserPromptSubmit", payload, { ...sb, netHosts: [t.host] }, {
      env: { LIFELINE_NEOTOMA_URL: t.url, LIFELINE_SIDECAR: "off" },
    });
    assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
    const st = Store.open(sb.stateDir);
    const [row] = st.outbox();
    st.close();
    assert.equal(row!.status, "pending");
    assert.equal(row!.last_error, "timed out");
  } finally {
    await t.close();
    await sb.cleanup();
  }
});

Deno.test("without network permission for the target, the hook records and leaves sending to `deno task flush`", async () => {
  const t = target(false);
  const sb = await sandbox();
  try {
    const r = await runHookProcess("UserPromptSubmit", payload, sb, {
      env: { LIFELINE_NEOTOMA_URL: t.url, LIFELINE_SIDECAR: "off" },
    });
    assert.equal(r.code, 0);
    assert.equal(t.got.length, 0);
    const st = Store.open(sb.stateDir);
    assert.deepEqual(st.outbox().map((o) => [o.status, o.attempts]), [["pending", 0]]);
    st.close();
  } finally {
    await t.close();
    await sb.cleanup();
  }
});
