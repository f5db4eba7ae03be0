/**
 * `lifeline flush` right after an outage: the target fails (every row goes
 * into backoff), then recovers; one flush sends everything pending, backoff
 * or not. Parked rows are retried or dropped on request.
 */
import assert from "node:assert/strict";
import { forwarding } from "../../lifecycle/forward/records.ts";
import { flush } from "../../lifecycle/forward/flush.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { flushNow } from "../../cli/flush.ts";
import { lifeline, sessionsOf, writeStore } from "./_fixture.ts";

function target() {
  let status = 503;
  const got: string[] = [];
  const ac = new AbortController();
  const srv = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    async (req) => {
      got.push(await req.text());
      return new Response(status === 200 ? "{}" : "down", { status });
    },
  );
  return {
    url: `http://127.0.0.1:${srv.addr.port}`,
    got,
    set: (s: number) => (status = s),
    close: async () => (ac.abort(), await srv.finished),
  };
}

Deno.test("lifeline flush after an outage delivers every pending record, backoff or not", async () => {
  const t = target();
  const dir = await Deno.makeTempDir();
  const config = { neotoma: { url: t.url, token: undefined } };
  try {
    writeStore(dir, sessionsOf("f1", "f2", "/"), forwarding(config));
    const store = Store.open(dir);
    const total = store.outbox("pending").length;
    assert.ok(total > 0, "the fixture writes outbox rows");
    // The outage: each row that is tried goes into backoff.
    const failed = await flush(store, config, { budgetMs: 10_000 });
    assert.ok(failed.retried > 0);
    // A plain flush now sends nothing: every tried row waits for its backoff.
    t.set(200);
    const early = await flush(store, config, { budgetMs: 10_000 });
    assert.equal(early.sent, total - failed.retried, "only the rows never tried were due");
    assert.ok(store.outbox("pending").length > 0, "rows in backoff are still pending");
    store.close();
    const r = await lifeline(["flush", "--json", "--state-dir", dir], { LIFELINE_NEOTOMA_URL: t.url });
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { sent: number; pending_after: number };
    assert.equal(s.pending_after, 0);
    assert.equal(s.sent, failed.retried);
    const after = Store.open(dir);
    assert.equal(after.outbox("sent").length, total);
    after.close();
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parked records: --retry-parked sends them again, --drop-parked deletes them", async () => {
  const t = target();
  const dir = await Deno.makeTempDir();
  const config = { neotoma: { url: t.url, token: undefined } };
  try {
    writeStore(dir, sessionsOf("p1", "p2", "/"), forwarding(config));
    t.set(400); // refused for good: parked
    const parked = await flushNow({ stateDir: dir, config });
    assert.ok(parked.parked > 0);
    assert.equal(parked.parked_after.length, parked.parked);
    t.set(200);
    const plain = await flushNow({ stateDir: dir, config });
    assert.equal(plain.parked_after.length, parked.parked, "a plain flush leaves parked rows alone");
    const retried = await flushNow({ stateDir: dir, config, retryParked: true });
    assert.deepEqual([retried.requeued, retried.sent, retried.parked_after.length], [
      parked.parked,
      parked.parked,
      0,
    ]);
    writeStore(dir, sessionsOf("p3", "p4", "/"), forwarding(config));
    t.set(400);
    const again = await flushNow({ stateDir: dir, config });
    const dropped = await flushNow({ stateDir: dir, config, dropParked: true });
    assert.deepEqual([dropped.dropped, dropped.parked_after.length], [again.parked, 0]);
    const usage = await lifeline(["flush", "--retry-parked", "--drop-parked", "--state-dir", dir]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /exclude each other/);
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});
