/** Forwarding to Neotoma and OTLP, checked with msw (fetch intercepted in-process). */
import assert from "node:assert/strict";
import fc from "fast-check";
import { setupServer } from "msw/node";
import { delay, http, HttpResponse } from "msw";
import type { HookEventName } from "../../codex/events.ts";
import { parseHookInput } from "../../codex/payloads.ts";
import { parseNotifyObject } from "../../codex/notify.ts";
import { type ForwardConfig, parseOtlpHeaders } from "../../lifecycle/forward/config.ts";
import { forwarding } from "../../lifecycle/forward/records.ts";
import { flush } from "../../lifecycle/forward/flush.ts";
import type { Observation } from "../../lifecycle/model.ts";
import { observeHook, observeNotify } from "../../lifecycle/observe.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { statusReport, statusTable } from "../../lifecycle/status.ts";
import { readRecorded } from "../harness/sessions.ts";
import { history } from "../harness/histories.ts";

const NEO = "http://neotoma.test";
const OTLP = "http://otel.test:4318";
const neo: ForwardConfig = { neotoma: { url: NEO, token: "tok-123" } };
const otlp: ForwardConfig = {
  otlp: { endpoint: OTLP, headers: parseOtlpHeaders("x-api-key=k%201,tenant=acme") },
};

async function recordedObs(name: string): Promise<Observation[]> {
  let t = Date.parse("2026-11-21T00:00:00Z");
  const scrubber = makeScrubber("scrubbed", "/root");
  return (await readRecorded(name)).map((r) => {
    const transcript = Deno.readTextFileSync(
      new URL(`../testdata/recorded/${name}.transcript.jsonl`, import.meta.url),
    );
    const ctx = {
      now: () => new Date(t += 1000),
      scrubber,
      pid: r.pid,
      hintThreshold: 2,
      transcriptTail: () => transcript,
    };
    return r.kind === "hook"
      ? observeHook(
        parseHookInput(JSON.stringify(r.payload), r.payload.hook_event_name as HookEventName),
        ctx,
      )
      : observeNotify(parseNotifyObject(r.payload), ctx);
  });
}

function fill(obs: Observation[], config: ForwardConfig): Store {
  const store = Store.memory();
  for (const o of obs) store.recordAndClaim(o, undefined, false, forwarding(config));
  return store;
}

type Captured = { url: string; headers: Headers; body: Record<string, unknown> };
function server(handler: (req: Captured, n: number) => Response | Promise<Response>) {
  const seen: Captured[] = [];
  const capture = async ({ request }: { request: Request }) => {
    const c = {
      url: request.url,
      headers: request.headers,
      body: await request.json() as Record<string, unknown>,
    };
    seen.push(c);
    return handler(c, seen.length);
  };
  const s = setupServer(http.post(`${NEO}/store`, capture), http.post(`${OTLP}/v1/:signal`, capture));
  s.listen({ onUnhandledRequest: "error" });
  return { seen, close: () => s.close() };
}

Deno.test("Neotoma: entities and keys for a recorded real session; bearer token; provenance", async () => {
  const srv = server(() => HttpResponse.json({ ok: true }));
  try {
    const store = fill([...await recordedObs("failing_tool")], neo);
    const r = await flush(store, neo, { budgetMs: 5000 });
    assert.deepEqual(r, { sent: 7, retried: 0, parked: 0 });
    const bodies = srv.seen.map((s) =>
      s.body as { entities: Record<string, unknown>[]; idempotency_key: string }
    );
    assert.ok(srv.seen.every((s) => s.headers.get("authorization") === "Bearer tok-123"));
    const keys = bodies.map((b) => b.idempotency_key);
    assert.equal(new Set(keys).size, keys.length, "one key per observation");
    assert.ok(keys.every((k) => /^codex-[0-9a-f]{64}$/.test(k)));
    const types = bodies.flatMap((b) => b.entities.map((e) => e.entity_type));
    for (
      const t of [
        "conversation",
        "conversation_turn",
        "tool_invocation",
        "tool_invocation_failure",
        "context_event",
        "session_end",
      ]
    ) {
      assert.ok(types.includes(t), `no ${t} entity`);
    }
    const failure = bodies.flatMap((b) => b.entities).find((e) =>
      e.entity_type === "tool_invocation_failure"
    )!;
    assert.equal(failure.error_class, "exit_3");
    assert.equal(failure.tool_name, "Bash");
    assert.match(String(failure.turn_key), /^[0-9a-f-]+:[0-9a-f-]+$/);
    const turns = bodies.flatMap((b) => b.entities).filter((e) => e.entity_type === "conversation_turn");
    assert.ok(turns.length >= 4, "every hook accretes onto the turn");
    assert.deepEqual(turns.at(-1)!.status, "completed");
    assert.deepEqual(bodies[0]!.entities[0]!.provenance, {
      data_source: "codex-hook",
      harness: "codex-cli",
      hook_event: "SessionStart",
      cwd: bodies[0]!.entities[0]!.provenance && (bodies[0]!.entities[0]!.provenance as { cwd: string }).cwd,
    });
    assert.equal((bodies[0]!.entities[0]!.provenance as { data_source: string }).data_source, "codex-hook");
    assert.equal(store.outbox("sent").length, 7);
  } finally {
    srv.close();
  }
});

Deno.test("Neotoma: the safety net sends the assistant conversation_message", async () => {
  const obs = await recordedObs("tool_call");
  // Drop Stop: the answer comes only from notify.
  const store = fill(obs.filter((o) => o.event !== "Stop"), neo);
  const bodies = store.outbox().map((r) => JSON.parse(r.body) as { entities: Record<string, unknown>[] });
  const msg = bodies.flatMap((b) => b.entities).find((e) => e.entity_type === "conversation_message");
  assert.ok(msg);
  assert.equal(msg.role, "assistant");
  assert.equal(msg.content, "hello");
});

Deno.test("property: distinct observations never share an idempotency key", () => {
  fc.assert(
    fc.property(history, (obs) => {
      const store = fill(obs, neo);
      const keys = store.outbox().map((r) => r.key);
      assert.equal(new Set(keys).size, keys.length);
      const bodyKeys = store.outbox().map((r) =>
        (JSON.parse(r.body) as { idempotency_key: string }).idempotency_key
      );
      assert.deepEqual(bodyKeys, keys);
    }),
    { numRuns: 200 },
  );
});

Deno.test("5xx and timeouts are retried later with backoff; the record stays", async () => {
  let fail = true;
  // The first request hangs (a timeout), later ones get 503, until the target recovers.
  const srv = server(async (_c, n) => {
    if (!fail) return HttpResponse.json({});
    if (n === 1) await delay("infinite");
    return new HttpResponse("busy", { status: 503 });
  });
  try {
    const store = fill((await recordedObs("tool_call")).slice(0, 3), neo);
    const t0 = new Date("2026-11-21T01:00:00Z");
    const r1 = await flush(store, neo, { budgetMs: 300, now: () => t0 });
    assert.equal(r1.sent, 0);
    assert.ok(r1.retried >= 1);
    const pending = store.outbox("pending");
    assert.ok(pending.every((p) => p.attempts <= 1));
    assert.equal(pending[0]!.last_error, "timed out");
    assert.equal(pending[0]!.attempts, 1);
    assert.ok(pending.slice(1).every((p) => p.attempts === 0 || /HTTP 503|budget/.test(p.last_error ?? "")));
    // Not due yet: nothing is sent again before the backoff.
    const early = await flush(store, neo, { budgetMs: 300, now: () => new Date(t0.getTime() + 500) });
    assert.equal(early.sent + early.retried, 0);
    fail = false;
    const r2 = await flush(store, neo, { budgetMs: 5000, now: () => new Date(t0.getTime() + 3_600_000) });
    assert.equal(r2.sent, 3, JSON.stringify(store.outbox().map((x) => [x.status, x.last_error])));
    assert.equal(store.outbox("pending").length, 0);
  } finally {
    srv.close();
  }
});

Deno.test("offline then online: everything delivered, exactly once per key", async () => {
  let online = false;
  const delivered = new Map<string, number>();
  const srv = server((c) => {
    if (!online) return HttpResponse.error();
    const k = (c.body as { idempotency_key: string }).idempotency_key;
    delivered.set(k, (delivered.get(k) ?? 0) + 1);
    return HttpResponse.json({});
  });
  try {
    const store = fill([...await recordedObs("two_turns")], neo);
    const total = store.outbox().length;
    let t = Date.parse("2026-11-21T00:00:00Z");
    for (let i = 0; i < 3; i++) {
      await flush(store, neo, {
        budgetMs: 2000,
        now: () => new Date(t += 3_600_000),
      });
    }
    assert.equal(delivered.size, 0);
    assert.ok(store.outbox("pending").every((p) => /network/.test(p.last_error ?? "")));
    online = true;
    for (let i = 0; i < 3; i++) {
      await flush(store, neo, {
        budgetMs: 5000,
        now: () => new Date(t += 3_600_000),
      });
    }
    assert.equal(delivered.size, total);
    assert.ok([...delivered.values()].every((n) => n === 1));
  } finally {
    srv.close();
  }
});

Deno.test("a permanent 4xx is parked with its error, never retried, and status shows it", async () => {
  const srv = server(() =>
    HttpResponse.json({ error: "ERR_VALIDATION", detail: "bad entity" }, { status: 422 })
  );
  try {
    const store = fill((await recordedObs("plain_answer")).slice(0, 1), neo);
    const r = await flush(store, neo, { budgetMs: 5000 });
    assert.deepEqual(r, { sent: 0, retried: 0, parked: 1 });
    const again = await flush(store, neo, { budgetMs: 5000, now: () => new Date(Date.now() + 86_400_000) });
    assert.equal(again.sent + again.retried + again.parked, 0, "parked rows are not retried");
    const report = statusReport(store);
    assert.equal(report.forwarding!.parked.length, 1);
    assert.match(report.forwarding!.parked[0]!.error!, /^HTTP 422: .*ERR_VALIDATION/);
    assert.match(
      statusTable(report, new Date()),
      /forwarding: 0 pending, 1 parked \(neotoma codex-[0-9a-f]+: HTTP 422/,
    );
  } finally {
    srv.close();
  }
});

Deno.test("OTLP: resourceSpans/scopeSpans/spans and resourceLogs; ids stable across retries; headers sent", async () => {
  let n = 0;
  const srv = server(() =>
    ++n <= 2 ? new HttpResponse("unavailable", { status: 503 }) : HttpResponse.json({})
  );
  try {
    const store = fill([...await recordedObs("failing_tool")], otlp);
    const t0 = Date.parse("2026-11-21T00:00:00Z");
    await flush(store, otlp, {
      budgetMs: 5000,
      now: () => new Date(t0 + 60_000),
      resource: { "service.name": "lifeline", "host.name": "box" },
    });
    await flush(store, otlp, {
      budgetMs: 5000,
      now: () => new Date(t0 + 3_600_000),
      resource: { "service.name": "lifeline", "host.name": "box" },
    });
    const traces = srv.seen.filter((s) => s.url.endsWith("/v1/traces"));
    const logs = srv.seen.filter((s) => s.url.endsWith("/v1/logs"));
    assert.equal(traces.length, 2, `a failed batch and its retry: ${srv.seen.map((x) => x.url)}`);
    const spanIds = (b: Record<string, unknown>) =>
      (b as { resourceSpans: { scopeSpans: { spans: { spanId: string }[] }[] }[] }).resourceSpans[0]!
        .scopeSpans[0]!.spans.map((s) => s.spanId);
    assert.deepEqual(spanIds(traces[0]!.body), spanIds(traces[1]!.body), "the same ids on retry");
    const rs = (traces[1]!.body as {
      resourceSpans: {
        resource: { attributes: { key: string }[] };
        scopeSpans: { scope: { name: string }; spans: Record<string, unknown>[] }[];
      }[];
    }).resourceSpans[0]!;
    assert.deepEqual(rs.resource.attributes.map((a) => a.key), ["service.name", "host.name"]);
    assert.equal(rs.scopeSpans[0]!.scope.name, "lifeline");
    const turn = rs.scopeSpans[0]!.spans.find((s) => s.name === "invoke_agent codex")!;
    const tool = rs.scopeSpans[0]!.spans.find((s) => String(s.name).startsWith("execute_tool "))!;
    assert.match(String(turn.traceId), /^[0-9a-f]{32}$/);
    assert.match(String(turn.spanId), /^[0-9a-f]{16}$/);
    assert.equal(tool.parentSpanId, turn.spanId);
    assert.equal(tool.traceId, turn.traceId);
    assert.deepEqual(tool.status, { code: 2, message: "exit_3" });
    // The recording's PreToolUse and PostToolUse are consecutive: one tick (1 s) of the test clock apart.
    assert.equal(
      BigInt(String(tool.endTimeUnixNano)) - BigInt(String(tool.startTimeUnixNano)),
      1_000_000_000n,
    );
    assert.deepEqual(turn.status, { code: 2, message: "1 tool failure(s)" });
    assert.match(String(turn.startTimeUnixNano), /^\d{19}$/);
    const lr = (logs.at(-1)!.body as {
      resourceLogs: {
        scopeLogs: { logRecords: { severityText: string; body: { stringValue: string } }[] }[];
      }[];
    }).resourceLogs[0]!.scopeLogs[0]!.logRecords;
    assert.ok(
      lr.some((l) => l.severityText === "ERROR" && /tool Bash failed: exit_3/.test(l.body.stringValue)),
    );
    assert.ok(
      lr.some((l) => /session start/.test(l.body.stringValue)) &&
        lr.some((l) => /session end/.test(l.body.stringValue)),
    );
    for (const s of srv.seen) {
      assert.equal(s.headers.get("x-api-key"), "k 1");
      assert.equal(s.headers.get("tenant"), "acme");
    }
    assert.equal(store.outbox("pending").length, 0);
  } finally {
    srv.close();
  }
});
