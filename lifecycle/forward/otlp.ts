/**
 * OpenTelemetry over OTLP/HTTP JSON: a span per turn (written when the turn
 * ends), a child span per tool call (from its PreToolUse to its
 * PostToolUse), and log records for failures, context
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

/**
 * The attributes every span shares, named by the OpenTelemetry GenAI semantic
 * conventions: the operation, the provider (Codex's default, OpenAI: a hook
 * does not see a custom `model_provider`) and the conversation (the session).
 */
function genAi(operation: "invoke_agent" | "execute_tool", sessionId: string) {
  return {
    "gen_ai.operation.name": operation,
    "gen_ai.provider.name": "openai",
    "gen_ai.conversation.id": sessionId,
  };
}

/**
 * The OTLP spans and log records of one applied observation: a turn is an
 * `invoke_agent codex` span, each tool call an `execute_tool <tool>` child.
 */
export function otlpRecords(
  { obs, changes, before, session, tokens, toolStartedAt }: RecordInput,
): OutboxRecord[] {
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
        name: "invoke_agent codex",
        kind: 1,
        startTimeUnixNano: nanos(t.started_at),
        endTimeUnixNano: nanos(t.ended_at ?? obs.observed_at),
        attributes: attrs({
          ...genAi("invoke_agent", sid),
          "gen_ai.agent.name": "codex",
          "gen_ai.request.model": session?.model,
          "error.type": ok ? undefined : t.outcome !== "completed" ? t.outcome : "tool_failure",
          // Input includes the cached tokens, as the conventions ask.
          "gen_ai.usage.input_tokens": used?.input,
          "gen_ai.usage.output_tokens": used?.output,
          "gen_ai.usage.cache_read.input_tokens": used?.cached_input,
          // No convention names these: Codex's own.
          "codex.turn_id": t.turn_id,
          "codex.outcome": t.outcome,
          "codex.tool_invocations": t.tool_invocations,
          "codex.tool_failures": t.tool_failures,
          "codex.safety_net_used": t.safety_net_used,
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
    const callId = typeof p.tool_use_id === "string" ? p.tool_use_id : undefined;
    // The call ran from its PreToolUse to this PostToolUse, both as the hooks recorded them; without a
    // recorded PreToolUse (that hook not installed) the span can only mark the end.
    const started = (callId && toolStartedAt(callId)) || obs.observed_at;
    out.push({
      target: "otlp_span",
      key: spanId,
      body: {
        traceId: trace,
        spanId,
        parentSpanId: turnSpanId(sid, tid),
        name: `execute_tool ${String(p.tool_name)}`,
        kind: 1,
        // A clock that stepped back between the two hooks must not make a span end before it starts.
        startTimeUnixNano: nanos(
          Date.parse(started) < Date.parse(obs.observed_at) ? started : obs.observed_at,
        ),
        endTimeUnixNano: nanos(obs.observed_at),
        attributes: attrs({
          ...genAi("execute_tool", sid),
          "gen_ai.tool.name": String(p.tool_name),
          "gen_ai.tool.call.id": callId,
          "gen_ai.tool.type": "function",
          "error.type": obs.failure?.error_class,
          "codex.turn_id": tid,
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
          "gen_ai.conversation.id": sid,
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
      "gen_ai.tool.name": f.tool,
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
