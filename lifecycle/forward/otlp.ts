/**
 * OpenTelemetry over OTLP/HTTP JSON: a span per turn (written when the turn
 * ends), a child span per tool call, and log records for failures, context
 * events and session start and end. Ids are hashes of the session, turn and
 * observation, so a retried record carries the same ids and the collector can
 * drop the duplicate.
 *
 * @module
 */

import { sha256Hex } from "../../codex/sha256.ts";
import type { OutboxRecord, RecordInput } from "./records.ts";

/** The OTLP trace id of a session: a stable hash. */
function traceId(sessionId: string): string {
  return sha256Hex(`trace:${sessionId}`).slice(0, 32);
}

/** The span id of a turn: a stable hash. */
function turnSpanId(sessionId: string, turnId: string): string {
  return sha256Hex(`turn:${sessionId}:${turnId}`).slice(0, 16);
}

function nanos(iso: string): string {
  return `${BigInt(Date.parse(iso)) * 1_000_000n}`;
}

type Attr = { key: string; value: { stringValue: string } | { intValue: string } | { boolValue: boolean } };
function attrs(o: Record<string, string | number | boolean | null | undefined>): Attr[] {
  const out: Attr[] = [];
  for (const [key, v] of Object.entries(o)) {
    if (v === null || v === undefined) continue;
    out.push({
      key,
      value: typeof v === "number"
        ? { intValue: String(v) }
        : typeof v === "boolean"
        ? { boolValue: v }
        : { stringValue: v },
    });
  }
  return out;
}

/** The OTLP spans and log records of one applied observation. */
export function otlpRecords({ obs, changes, before, session, tokens }: RecordInput): OutboxRecord[] {
  const out: OutboxRecord[] = [];
  const p = obs.payload;
  const sid = obs.session_id;
  const tid = obs.turn_id ?? session?.current_turn_id ?? null;
  const trace = traceId(sid);
  for (const t of changes.turns) {
    const was = before(t.turn_id);
    if (t.outcome === "open" || (was && was.outcome !== "open")) continue; // a span when the turn ends
    const ok = t.outcome === "completed" && t.tool_failures === 0;
    const used = tokens(t.turn_id);
    out.push({
      target: "otlp_span",
      key: turnSpanId(sid, t.turn_id),
      body: {
        traceId: trace,
        spanId: turnSpanId(sid, t.turn_id),
        name: "codex.turn",
        kind: 1,
        startTimeUnixNano: nanos(t.started_at),
        endTimeUnixNano: nanos(t.ended_at ?? obs.observed_at),
        attributes: attrs({
          "codex.session_id": sid,
          "codex.turn_id": t.turn_id,
          "codex.model": session?.model,
          "codex.outcome": t.outcome,
          "codex.tool_invocations": t.tool_invocations,
          "codex.tool_failures": t.tool_failures,
          "codex.safety_net_used": t.safety_net_used,
          // The GenAI semantic conventions' names; input includes the cached tokens, as they ask.
          "gen_ai.usage.input_tokens": used?.input,
          "gen_ai.usage.output_tokens": used?.output,
          "gen_ai.usage.cache_read.input_tokens": used?.cached_input,
          "codex.usage.reasoning_output_tokens": used?.reasoning,
          "codex.usage.total_tokens": used?.total,
        }),
        status: ok ? { code: 1 } : {
          code: 2,
          message: t.outcome !== "completed" ? `turn ${t.outcome}` : `${t.tool_failures} tool failure(s)`,
        },
      },
    });
  }
  if (obs.event === "PostToolUse" && tid) {
    const spanId = sha256Hex(`tool:${obs.key}`).slice(0, 16);
    out.push({
      target: "otlp_span",
      key: spanId,
      body: {
        traceId: trace,
        spanId,
        parentSpanId: turnSpanId(sid, tid),
        name: `codex.tool ${String(p.tool_name)}`,
        kind: 1,
        startTimeUnixNano: nanos(obs.observed_at),
        endTimeUnixNano: nanos(obs.observed_at),
        attributes: attrs({
          "codex.tool_name": String(p.tool_name),
          "codex.tool_use_id": p.tool_use_id as string | undefined,
          "error.type": obs.failure?.error_class,
        }),
        status: obs.failure ? { code: 2, message: obs.failure.error_class } : { code: 1 },
      },
    });
  }
  const log = (
    severity: "INFO" | "ERROR",
    body: string,
    extra: Record<string, string | number | boolean | null | undefined>,
    uid: string,
  ) => {
    out.push({
      target: "otlp_log",
      key: uid,
      body: {
        timeUnixNano: nanos(obs.observed_at),
        observedTimeUnixNano: nanos(obs.observed_at),
        severityNumber: severity === "ERROR" ? 17 : 9,
        severityText: severity,
        body: { stringValue: body },
        attributes: attrs({
          "log.record.uid": uid,
          "codex.session_id": sid,
          "codex.turn_id": tid,
          "codex.event": obs.event,
          ...extra,
        }),
        traceId: trace,
        ...(tid ? { spanId: turnSpanId(sid, tid) } : {}),
      },
    });
  };
  for (const f of changes.failures) {
    log("ERROR", `tool ${f.tool} failed: ${f.error_class}`, {
      "codex.tool_name": f.tool,
      "error.type": f.error_class,
      "codex.message": f.message,
    }, sha256Hex(`log:fail:${f.key}`).slice(0, 32));
  }
  if (obs.event === "Notify") {
    log("INFO", `context event: ${String(p.type)}`, {}, sha256Hex(`log:ctx:${obs.key}`).slice(0, 32));
  }
  if (obs.event === "SessionStart") {
    log(
      "INFO",
      `session start (${String(p.source)})`,
      { "codex.source": String(p.source) },
      sha256Hex(`log:start:${obs.key}`).slice(0, 32),
    );
  }
  if ((obs.event === "SessionEnd" || obs.event === "ProcessGone") && session?.status === "offline") {
    log(
      "INFO",
      `session end (${session.end_reason})`,
      { "codex.end_reason": session.end_reason },
      sha256Hex(`log:end:${obs.key}`).slice(0, 32),
    );
  }
  return out;
}

/** The default OTLP resource; `host.name` from `HOSTNAME` (in the config), else the machine's hostname. */
export function defaultResource(hostname?: string): Record<string, string> {
  let host = hostname;
  try {
    host ??= Deno.hostname();
  } catch { /* not permitted: leave it out */ }
  return { "service.name": "lifeline", "service.version": "0.1.0", ...(host ? { "host.name": host } : {}) };
}

const SCOPE = { name: "lifeline", version: "0.1.0" };

/** One batch per signal: spans to `/v1/traces`, log records to `/v1/logs`. */
export const OTLP_BATCHES = [
  {
    target: "otlp_span",
    path: "/v1/traces",
    wrap: (resource: unknown, items: unknown[]) => ({
      resourceSpans: [{ resource, scopeSpans: [{ scope: SCOPE, spans: items }] }],
    }),
  },
  {
    target: "otlp_log",
    path: "/v1/logs",
    wrap: (resource: unknown, items: unknown[]) => ({
      resourceLogs: [{ resource, scopeLogs: [{ scope: SCOPE, logRecords: items }] }],
    }),
  },
] as const;

/** The OTLP `resource` of a batch. */
export function resourceOf(r: Record<string, string>): { attributes: unknown[] } {
  return { attributes: Object.entries(r).map(([key, v]) => ({ key, value: { stringValue: v } })) };
}
