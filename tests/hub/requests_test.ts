/**
 * What the hub answers to odd requests: Host names other than its loopback names (DNS rebinding),
 * the page's security headers, oversized and malformed requests (never a stack trace), session id
 * prefixes, and the mode of the store's WAL files. A real hub on loopback, raw HTTP where a fetch
 * would normalise the request.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startHub } from "../../hub/server.ts";

/** The cap the README promises for a message post (`MAX_BODY_BYTES` in hub/routes.ts). */
const MAX_BODY_BYTES = 65_536;
import { Store } from "../../lifecycle/store/mod.ts";
import { materialise } from "../harness/histories.ts";
import { sandbox } from "../harness/hook_process.ts";
import { rawHttp } from "./_process.ts";

async function setup(sessions = 0) {
  const sb = await sandbox();
  if (sessions) {
    const store = Store.open(sb.stateDir);
    const steps = Array.from({ length: sessions }, (_, i) => ({ kind: "prompt" as const, session: i }));
    for (const o of materialise(steps, Date.now() - 60_000)) store.record(o);
    store.close();
  }
  const lines: string[] = [];
  const hub = startHub({ stateDir: sb.stateDir, port: 0, pingMs: 60_000, log: (l) => lines.push(l) });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(hub.url + path, { ...init, headers: { authorization: `Bearer ${hub.token}`, ...init.headers } });
  return { sb, hub, api, lines };
}

Deno.test("Host: only 127.0.0.1, localhost and [::1] with the hub's port; a rebound DNS name is refused", async () => {
  const { sb, hub } = await setup();
  try {
    const get = (host: string) =>
      rawHttp(
        hub.port,
        `GET /healthz HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${hub.token}\r\nconnection: close\r\n\r\n`,
      );
    for (
      const ok of [
        `127.0.0.1:${hub.port}`,
        `localhost:${hub.port}`,
        `[::1]:${hub.port}`,
        `LOCALHOST:${hub.port}`,
      ]
    ) {
      assert.match(await get(ok), /^HTTP\/1\.1 200 /, ok);
    }
    for (const bad of [`evil.example:${hub.port}`, "127.0.0.1", `127.0.0.1:${hub.port + 1}`, `rebind.test`]) {
      const r = await get(bad);
      assert.match(r, /^HTTP\/1\.1 403 /, bad);
      assert.match(r, /is not allowed: use 127\.0\.0\.1:/);
    }
    const ws = await rawHttp(
      hub.port,
      `GET /ws HTTP/1.1\r\nhost: evil.example:${hub.port}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
        "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n",
    );
    assert.match(ws, /^HTTP\/1\.1 403 /, "no WebSocket for a rebound name either");
  } finally {
    await hub.close();
    await sb.cleanup();
  }
});

Deno.test("security headers: the ?token= page has CSP, X-Frame-Options, no-store, no-referrer; nosniff everywhere", async () => {
  const { sb, hub, api } = await setup();
  try {
    const page = await fetch(`${hub.url}/?token=${hub.token}`);
    const html = await page.text();
    const h = page.headers;
    assert.equal(h.get("x-frame-options"), "DENY");
    assert.equal(h.get("cache-control"), "no-store");
    assert.equal(h.get("referrer-policy"), "no-referrer");
    assert.equal(h.get("x-content-type-options"), "nosniff");
    const csp = h.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    const nonce = /script-src 'nonce-([0-9a-f]+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(html, new RegExp(`<script nonce="${nonce}">`), "the page's script carries the nonce");
    const again = await fetch(`${hub.url}/?token=${hub.token}`);
    await again.body?.cancel();
    assert.notEqual(again.headers.get("content-security-policy"), csp, "a fresh nonce per answer");
    for (const r of [await api("/healthz"), await fetch(hub.url + "/sessions"), await api("/nowhere")]) {
      assert.equal(r.headers.get("x-content-type-options"), "nosniff", r.url);
      assert.equal(r.headers.get("cache-control"), "no-store", r.url);
      await r.body?.cancel();
    }
  } finally {
    await hub.close();
    await sb.cleanup();
  }
});

Deno.test("bodies: a message post over 64 KiB gets 413, declared or streamed, without the hub reading it all", async () => {
  const { sb, hub, api } = await setup(1);
  try {
    const huge = "x".repeat(MAX_BODY_BYTES + 1);
    const declared = await api("/sessions/s0/messages", { method: "POST", body: huge });
    assert.equal(declared.status, 413);
    assert.match((await declared.json()).error, /larger than 65536 bytes/);
    // Streamed without a length: the hub stops reading after the cap, though the sender has 100 MB more.
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= 100 * 1024 * 1024) return c.close();
        sent += 65_536;
        c.enqueue(new Uint8Array(65_536).fill(0x78));
      },
    });
    const streamed = await api(
      "/sessions/s0/messages",
      { method: "POST", body, duplex: "half" } as RequestInit,
    )
      .catch(() => undefined);
    if (streamed) {
      assert.equal(streamed.status, 413);
      await streamed.body?.cancel();
    }
    assert.ok(sent < 50 * 1024 * 1024, `the hub read ${sent} bytes of a 100 MB body`);
    const ok = await api("/sessions/s0/messages", {
      method: "POST",
      body: JSON.stringify({ kind: "notify", text: "small" }),
    });
    assert.equal(ok.status, 202, "an ordinary post still works");
    await ok.body?.cancel();
  } finally {
    await hub.close();
    await sb.cleanup();
  }
});

Deno.test("a malformed %-encoding is answered 400; no answer or log line carries a stack trace", async () => {
  const { sb, hub, api, lines } = await setup(1);
  try {
    for (const path of ["/sessions/%E0%A4%A", "/sessions/%ZZ/messages", "/sessions/%"]) {
      const r = await api(path, path.endsWith("messages") ? { method: "POST", body: "{}" } : {});
      const text = await r.text();
      assert.equal(r.status, 400, path);
      assert.match(JSON.parse(text).error, /is not valid %-encoding/);
      assert.doesNotMatch(text, /\bat .*\.ts:\d+|URIError/);
    }
    assert.doesNotMatch(lines.join("\n"), /\bat .*\.ts:\d+/);
  } finally {
    await hub.close();
    await sb.cleanup();
  }
});

Deno.test("session ids: a unique prefix works for GET and message posts; ambiguous 409 with candidates; none 404 with the closest", async () => {
  const sb = await sandbox();
  const store = Store.open(sb.stateDir);
  const ids = ["019a-aaaa-1111", "019a-aaab-2222", "019b-cccc-3333"];
  const obs = materialise(
    [0, 1, 2].map((i) => ({ kind: "prompt" as const, session: i })),
    Date.now() - 60_000,
  );
  // No pid: the sessions stay live (a message to an ended session is refused, not queued).
  for (const o of obs) store.record({ ...o, session_id: ids[Number(o.session_id.slice(1))]!, pid: null });
  store.close();
  const hub = startHub({ stateDir: sb.stateDir, port: 0, pingMs: 60_000 });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(hub.url + path, { ...init, headers: { authorization: `Bearer ${hub.token}`, ...init.headers } });
  try {
    const one = await api("/sessions/019b");
    assert.equal(one.status, 200);
    const detail = await one.json();
    assert.equal(detail.session_id, "019b-cccc-3333");
    assert.deepEqual(detail.messages, []);
    assert.ok(Array.isArray(detail.tools));
    assert.equal((await (await api("/sessions/019a-aaab")).json()).session_id, "019a-aaab-2222");
    const amb = await api("/sessions/019a");
    assert.equal(amb.status, 409);
    const a = await amb.json();
    assert.match(a.error, /prefix "019a" is ambiguous: it matches 2 sessions/);
    assert.deepEqual(a.candidates, ["019a-aaaa-1111", "019a-aaab-2222"]);
    const none = await api("/sessions/019b-cccx");
    assert.equal(none.status, 404);
    const n = await none.json();
    assert.match(n.error, /unknown session "019b-cccx"/);
    assert.equal(n.closest.length, 3);
    assert.equal(n.closest[0], "019b-cccc-3333", "the nearest id first");
    const post = await api("/sessions/019b-c/messages", {
      method: "POST",
      body: JSON.stringify({ kind: "notify", text: "by prefix" }),
    });
    assert.equal(post.status, 202);
    assert.equal((await post.json()).session_id, "019b-cccc-3333");
    const msgs = (await (await api("/sessions/019b")).json()).messages;
    assert.deepEqual(msgs.map((m: { text: string; status: string }) => [m.text, m.status]), [[
      "by prefix",
      "queued",
    ]]);
    const ambPost = await api("/sessions/019a/messages", {
      method: "POST",
      body: JSON.stringify({ kind: "notify", text: "x" }),
    });
    assert.equal(ambPost.status, 409);
    assert.equal((await ambPost.json()).candidates.length, 2);
  } finally {
    await hub.close();
    await sb.cleanup();
  }
});

Deno.test("a fresh store's -wal and -shm files are 0600 while the hub holds it", async () => {
  const sb = await sandbox();
  const umask = Deno.umask(0o022);
  try {
    const hub = startHub({ stateDir: sb.stateDir, port: 0, pingMs: 60_000 });
    try {
      for (const f of ["lifeline.db", "lifeline.db-wal", "lifeline.db-shm"]) {
        const mode = Deno.statSync(join(sb.stateDir, f)).mode! & 0o777;
        assert.equal(mode.toString(8), "600", f);
      }
    } finally {
      await hub.close();
    }
  } finally {
    Deno.umask(umask);
    await sb.cleanup();
  }
});
