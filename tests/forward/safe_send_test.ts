/**
 * Forwarding never stores a credential and never reads an unbounded answer:
 * checked against a real loopback server (the hooks' fetch is real, so an
 * in-process interceptor would hide what the network does).
 */
import assert from "node:assert/strict";
import type { ForwardConfig } from "../../lifecycle/forward/config.ts";
import { parseOtlpHeaders } from "../../lifecycle/forward/config.ts";
import { forwarding } from "../../lifecycle/forward/records.ts";
import { flush } from "../../lifecycle/forward/flush.ts";
import { headerProblem, redactError } from "../../lifecycle/forward/safe_send.ts";
import type { Observation } from "../../lifecycle/model.ts";
import { observeHook } from "../../lifecycle/observe.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { parseHookInput } from "../../codex/payloads.ts";
import { Store } from "../../lifecycle/store/mod.ts";

const TOKEN = "tok-9f8e7d6c5b4a39281706";

/** A loopback server; `handler` answers every request. */
function serve(handler: (req: Request) => Response) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

function obs(): Observation[] {
  let t = Date.parse("2026-11-21T00:00:00Z");
  const ctx = {
    now: () => new Date(t += 1000),
    scrubber: makeScrubber("scrubbed", "/root"),
    pid: null,
    hintThreshold: 0,
    transcriptTail: () => undefined,
  };
  const p = (o: Record<string, unknown>) => observeHook(parseHookInput(JSON.stringify(o)), ctx);
  return [
    p({ session_id: "f1", hook_event_name: "SessionStart", cwd: "/w", source: "startup" }),
    p({ session_id: "f1", turn_id: "t1", hook_event_name: "UserPromptSubmit", cwd: "/w", prompt: "hi" }),
    p({ session_id: "f1", turn_id: "t1", hook_event_name: "Stop", cwd: "/w", stop_hook_active: false }),
  ];
}

function filled(config: ForwardConfig): Store {
  const store = Store.memory();
  for (const o of obs()) store.recordAndClaim(o, undefined, false, forwarding(config));
  assert.ok(store.outbox().length > 0, "the observations wrote no outbox rows");
  return store;
}

Deno.test("a 4xx body echoing the Authorization header: the token is not stored", async () => {
  const srv = serve((req) =>
    new Response(
      `denied for ${req.headers.get("authorization")} (authorization: ${req.headers.get("authorization")})`,
      {
        status: 401,
      },
    )
  );
  try {
    const config: ForwardConfig = { neotoma: { url: srv.url, token: TOKEN } };
    const store = filled(config);
    const r = await flush(store, config, { budgetMs: 5000 });
    assert.ok(r.parked > 0);
    const errors = store.outbox().map((row) => row.last_error ?? "");
    assert.ok(errors.every((e) => e.startsWith("HTTP 401")), errors.join("\n"));
    for (const e of errors) assert.ok(!e.includes(TOKEN) && !e.includes(TOKEN.slice(4, 16)), e);
    store.close();
  } finally {
    await srv.close();
  }
});

Deno.test("an OTLP header with CRLF is parked at once, its value not stored", async () => {
  let requests = 0;
  const srv = serve(() => (requests++, new Response("{}")));
  try {
    const config: ForwardConfig = {
      otlp: { endpoint: srv.url, headers: parseOtlpHeaders(`x-api-key=${TOKEN}%0D%0AX-Evil:%201`) },
    };
    const store = filled(config);
    const r = await flush(store, config, { budgetMs: 5000 });
    assert.equal(r.retried, 0, "a request that can never succeed is not retried");
    assert.ok(r.parked > 0);
    const rows = store.outbox();
    assert.ok(rows.every((row) => row.status === "parked"), rows.map((x) => x.status).join());
    for (const row of rows) {
      assert.match(row.last_error ?? "", /header "x-api-key" contains CR, LF or NUL/);
      assert.ok(!(row.last_error ?? "").includes(TOKEN), row.last_error!);
    }
    assert.equal(requests, 0);
    store.close();
  } finally {
    await srv.close();
  }
});

Deno.test("a 256 MB error body is read to 4 KiB and the rest cancelled", async () => {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const srv = serve(() =>
    new Response(
      new ReadableStream({
        pull(c) {
          if (sent > 256 * 1024 * 1024) return c.close();
          sent += chunk.length;
          c.enqueue(chunk);
        },
      }),
      { status: 500 },
    )
  );
  try {
    const config: ForwardConfig = { neotoma: { url: srv.url, token: TOKEN } };
    const store = filled(config);
    const r = await flush(store, config, { budgetMs: 10_000 });
    assert.ok(r.retried > 0);
    const err = store.outbox().find((row) => row.last_error)?.last_error ?? "";
    assert.ok(err.startsWith("HTTP 500: aaa") && err.length < 400, `${err.length} characters stored`);
    assert.ok(sent < 64 * 1024 * 1024, `${sent} bytes were sent before the client stopped reading`);
    store.close();
  } finally {
    await srv.close();
  }
});

Deno.test("headerProblem and redactError", () => {
  assert.equal(headerProblem({ "x-api-key": "abc", tenant: "a b" }), undefined);
  assert.match(headerProblem({ "x a": "1" })!, /header name "x a" is not valid/);
  assert.match(headerProblem({ k: "a\nb" })!, /"k" contains CR, LF or NUL/);
  assert.match(headerProblem({ k: "snow ☃" })!, /beyond Latin-1/);
  const out = redactError(
    `got Authorization: Bearer ${TOKEN}, api-key=zzzzzzzz; x ${encodeURIComponent(TOKEN)}`,
    {
      authorization: `Bearer ${TOKEN}`,
    },
  );
  assert.ok(!out.includes(TOKEN) && !out.includes("zzzzzzzz"), out);
  assert.match(out, /<REDACTED>/);
});
