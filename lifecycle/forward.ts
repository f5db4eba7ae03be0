/**
 * Forwarding: the same records into a Neotoma-compatible memory store and
 * any OpenTelemetry collector. This module maps an observation (and what it
 * changed) to outbox records; `lifecycle/flush.ts` sends them. Nothing here
 * imports from npm: hooks use it.
 *
 * - Neotoma (`LIFELINE_NEOTOMA_URL`, `LIFELINE_NEOTOMA_TOKEN`): one
 *   `POST {url}/store` of `{"entities":[…],"idempotency_key":"…"}` per
 *   observation. The key is unique per observation (`codex-<observation key>`);
 *   `(session_id, turn_id)` does the merging on the server.
 * - OTLP/HTTP JSON (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`):
 *   a span per turn (when it ends), a child span per tool call, log records
 *   for failures, context events and session start/end. Ids are derived from
 *   the session, turn and observation, so retries carry the same ids.
 *
 * @module
 */

import { sha256Hex } from "../codex/sha256.ts";
import type { Changes, Observation, SessionRow, TurnRow } from "./model.ts";

/** Where to forward, from the environment. */
export interface ForwardConfig {
  neotoma?: { url: string; token: string | undefined };
  otlp?: { endpoint: string; headers: Record<string, string> };
  /** `HOSTNAME`, the `host.name` of OTLP records (else the machine's hostname). */
  hostname?: string;
}

/** Reads the forwarding targets from environment variables; `undefined` when none is set. */
export function forwardConfig(env: (k: string) => string | undefined): ForwardConfig | undefined {
  const c: ForwardConfig = {};
  const n = env("LIFELINE_NEOTOMA_URL");
  if (n) c.neotoma = { url: n.replace(/\/+$/, ""), token: env("LIFELINE_NEOTOMA_TOKEN") };
  const o = env("OTEL_EXPORTER_OTLP_ENDPOINT");
  if (o) {
    c.otlp = {
      endpoint: o.replace(/\/+$/, ""),
      headers: parseOtlpHeaders(env("OTEL_EXPORTER_OTLP_HEADERS") ?? ""),
    };
  }
  if (!c.neotoma && !c.otlp) return undefined;
  const host = env("HOSTNAME");
  if (host) c.hostname = host;
  return c;
}

/** `k1=v1,k2=v2` with URL-encoded values, as the OpenTelemetry spec defines it. */
export function parseOtlpHeaders(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(",")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    try {
      out[decodeURIComponent(part.slice(0, i).trim())] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
  }
  return out;
}

/** One record for the outbox. */
export interface OutboxRecord {
  target: "neotoma" | "otlp_span" | "otlp_log";
  /** Unique per target: the idempotency key (Neotoma) or the span/log id (OTLP). */
  key: string;
  body: unknown;
}

const PROVENANCE = { data_source: "codex-hook", harness: "codex-cli" } as const;

const turnKey = (sid: string, tid: string) => `${sid}:${tid}`;

/** The OTLP trace id of a session and span id of a turn or tool call: stable hashes. */
export function traceId(sessionId: string): string {
  return sha256Hex(`trace:${sessionId}`).slice(0, 32);
}
/** The span id of a turn. */
export function turnSpanId(sessionId: string, turnId: string): string {
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

function turnEntity(t: TurnRow, s: SessionRow | undefined): Record<string, unknown> {
  return {
    entity_type: "conversation_turn",
    session_id: t.session_id,
    turn_id: t.turn_id,
    turn_key: turnKey(t.session_id, t.turn_id),
    status: t.outcome,
    hook_events: t.hook_events,
    tool_invocation_count: t.tool_invocations,
    tool_failure_count: t.tool_failures,
    started_at: t.started_at,
    ended_at: t.ended_at,
    model: s?.model ?? null,
    cwd: s?.cwd ?? null,
    safety_net_used: t.safety_net_used,
  };
}

/**
 * The outbox records of one applied observation. `before` is the turn as it
 * was before the observation (to tell when it ended), `session` the session
 * after it.
 */
export function outboxRecords(
  obs: Observation,
  changes: Changes,
  before: (turnId: string) => TurnRow | undefined,
  session: SessionRow | undefined,
  config: ForwardConfig,
): OutboxRecord[] {
  const out: OutboxRecord[] = [];
  const p = obs.payload;
  const provenance = { ...PROVENANCE, hook_event: obs.event, cwd: session?.cwd ?? null };
  const sid = obs.session_id;
  const tid = obs.turn_id ?? session?.current_turn_id ?? null;

  if (config.neotoma) {
    const entities: Record<string, unknown>[] = [];
    if (obs.event === "SessionStart") {
      entities.push({
        entity_type: "conversation",
        session_id: sid,
        title: `Codex session${session?.cwd ? ` in ${session.cwd}` : ""}`,
        started_at: session?.started_at ?? obs.observed_at,
        source: typeof p.source === "string" ? p.source : null,
        model: session?.model ?? null,
      });
    }
    for (const t of changes.turns) entities.push(turnEntity(t, session));
    if (obs.event === "PostToolUse") {
      entities.push({
        entity_type: "tool_invocation",
        session_id: sid,
        turn_key: tid ? turnKey(sid, tid) : null,
        tool_name: p.tool_name ?? null,
        tool_use_id: p.tool_use_id ?? null,
        ok: obs.failure === null,
        observed_at: obs.observed_at,
      });
    }
    for (const f of changes.failures) {
      entities.push({
        entity_type: "tool_invocation_failure",
        session_id: sid,
        turn_key: f.turn_id ? turnKey(sid, f.turn_id) : null,
        tool_name: f.tool,
        error_class: f.error_class,
        message: f.message,
        observed_at: f.observed_at,
      });
    }
    if (obs.event === "Notify") {
      entities.push({
        entity_type: "context_event",
        session_id: sid,
        turn_key: tid ? turnKey(sid, tid) : null,
        event: typeof p.type === "string" ? p.type : "notify",
        message: typeof p["last-assistant-message"] === "string" ? p["last-assistant-message"] : null,
        observed_at: obs.observed_at,
      });
      const t = changes.turns.find((x) => x.turn_id === tid);
      if (t?.safety_net_used && !before(t.turn_id)?.safety_net_used) {
        entities.push({
          entity_type: "conversation_message",
          session_id: sid,
          turn_key: turnKey(sid, t.turn_id),
          role: "assistant",
          content: t.last_assistant_message,
          observed_at: obs.observed_at,
        });
      }
    }
    if ((obs.event === "SessionEnd" || obs.event === "ProcessGone") && session?.status === "offline") {
      entities.push({
        entity_type: "session_end",
        session_id: sid,
        ended_at: session.ended_at,
        reason: session.end_reason,
      });
    }
    if (entities.length > 0) {
      const key = `codex-${obs.key}`;
      out.push({
        target: "neotoma",
        key,
        body: { entities: entities.map((e) => ({ ...e, provenance })), idempotency_key: key },
      });
    }
  }

  if (config.otlp) {
    const trace = traceId(sid);
    for (const t of changes.turns) {
      const was = before(t.turn_id);
      if (t.outcome === "open" || (was && was.outcome !== "open")) continue; // a span when the turn ends
      const ok = t.outcome === "completed" && t.tool_failures === 0;
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
  }
  return out;
}
