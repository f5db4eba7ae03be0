/** Pure parts of the hub: the connection cap, id resolution, the update stream, the handshake's proofs. */
import assert from "node:assert/strict";
import { defaultMaxConnections } from "../../hub/front_door.ts";
import { resolveSession } from "../../hub/session_ref.ts";
import { updates } from "../../hub/updates.ts";
import { hubProof, parseSidecarFrame, sidecarProof } from "../../hub/protocol.ts";

Deno.test("the connection cap: 256, less under a low open-file limit, never below 8", () => {
  assert.equal(defaultMaxConnections(undefined), 256);
  assert.equal(defaultMaxConnections(1_048_576), 256);
  assert.equal(defaultMaxConnections(1024), 256);
  assert.equal(defaultMaxConnections(256), 52);
  assert.equal(defaultMaxConnections(64), 8);
});

Deno.test("session ids: exact, unique prefix, ambiguous, unknown", () => {
  const ids = ["abc-1", "abd-2", "xyz-3"];
  assert.deepEqual(resolveSession("abc-1", ids), { id: "abc-1" });
  assert.deepEqual(resolveSession("x", ids), { id: "xyz-3" });
  const amb = resolveSession("ab", ids);
  assert.deepEqual("status" in amb ? [amb.status, amb.body.candidates] : [], [409, ["abc-1", "abd-2"]]);
  assert.match("status" in amb ? amb.body.error : "", /prefix "ab" is ambiguous: it matches 2 sessions/);
  const none = resolveSession("xyq", ids);
  assert.deepEqual("status" in none ? [none.status, none.body.candidates[0]] : [], [404, "xyz-3"]);
  assert.ok("status" in resolveSession("a", []));
  assert.ok("status" in resolveSession("", ids), "an empty id matches nothing");
  assert.deepEqual(resolveSession("ab", ["ab", "abc"]), { id: "ab" }, "an exact id wins over a longer one");
  const many = Array.from({ length: 9 }, (_, i) => `id-${i}`);
  const far = resolveSession("zz", many);
  assert.equal("status" in far ? far.body.candidates.length : 0, 5, "at most 5 closest ids");
});

Deno.test("updates: a listener gets the snapshot at once, then only changes; close ends it", async () => {
  let digest = "a";
  const u = updates({
    snapshot: () => ({ data: `{"v":"${digest}"}`, digest }),
    intervalMs: 10,
    keepAliveMs: 60_000,
  });
  const got: string[] = [];
  let ended = false;
  u.subscribe((c) => got.push(c), () => (ended = true));
  assert.deepEqual(got, ['event: sessions\ndata: {"v":"a"}\n\n']);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(got.length, 1, "no change, no event");
  digest = "b";
  u.poke();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(got.at(-1), 'event: sessions\ndata: {"v":"b"}\n\n');
  const second: string[] = [];
  u.subscribe((c) => second.push(c), () => {});
  assert.deepEqual(
    second,
    ['event: sessions\ndata: {"v":"b"}\n\n'],
    "a late listener gets the current snapshot",
  );
  assert.equal(u.listeners(), 2);
  u.close();
  assert.equal(ended, true);
  assert.equal(u.listeners(), 0);
});

Deno.test("handshake: proofs depend on the token, the nonce and (for the hub) the port; frames parse", async () => {
  const n = "ab".repeat(32);
  const p = await hubProof("t", 7571, n);
  assert.match(p, /^[0-9a-f]{64}$/);
  assert.notEqual(p, await hubProof("u", 7571, n));
  assert.notEqual(p, await hubProof("t", 7572, n), "bound to the port");
  assert.notEqual(p, await sidecarProof("t", n), "the two directions differ");
  assert.deepEqual(parseSidecarFrame(JSON.stringify({ type: "connect", session_id: "s", nonce: n })), {
    type: "connect",
    session_id: "s",
    pid: null,
    nonce: n,
  });
  assert.match(
    String(parseSidecarFrame(JSON.stringify({ type: "connect", session_id: "s", nonce: "xyz" }))),
    /nonce/,
  );
  assert.match(
    String(parseSidecarFrame(JSON.stringify({ type: "connect", session_id: "s" }))),
    /"nonce" \(or "token"\)/,
  );
  assert.deepEqual(parseSidecarFrame('{"type":"auth","proof":"ff"}'), { type: "auth", proof: "ff" });
});
