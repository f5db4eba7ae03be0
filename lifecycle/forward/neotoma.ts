/**
 * Neotoma: one `POST {url}/store` of `{"entities":[…],"idempotency_key":"…"}`
 * per observation. The key is unique per observation (`codex-<observation
 * key>`), so a retry stores nothing twice; `(session_id, turn_id)` does the
 * merging on the server.
 *
 * @module
 */

import type { SessionRow, TurnRow, TurnTokens } from "../model.ts";
import type { ForwardConfig } from "./config.ts";
import type { OutboxRecord, RecordInput } from "./records.ts";

const PROVENANCE = { data_source: "codex-hook", harness: "codex-cli" } as const;

const turnKey = (sid: string, tid: string) => `${sid}:${tid}`;

function turnEntity(
  t: TurnRow,
  s: SessionRow | undefined,
  used: TurnTokens | undefined,
): Record<string, unknown> {
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
    // Running sums of the turn's model requests (Codex 0.169+); the last record of a turn has the total.
    ...(used
      ? {
        input_tokens: used.input,
        cached_input_tokens: used.cached_input,
        output_tokens: used.output,
        reasoning_output_tokens: used.reasoning,
        total_tokens: used.total,
      }
      : {}),
  };
}

/** The Neotoma record of one applied observation (none when it has nothing to say). */
export function neotomaRecords({ obs, changes, before, session, tokens }: RecordInput): OutboxRecord[] {
  const p = obs.payload;
  const provenance = { ...PROVENANCE, hook_event: obs.event, cwd: session?.cwd ?? null };
  const sid = obs.session_id;
  const tid = obs.turn_id ?? session?.current_turn_id ?? null;
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
  for (const t of changes.turns) entities.push(turnEntity(t, session, tokens(t.turn_id)));
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
  if (entities.length === 0) return [];
  const key = `codex-${obs.key}`;
  return [{
    target: "neotoma",
    key,
    body: { entities: entities.map((e) => ({ ...e, provenance })), idempotency_key: key },
  }];
}

/** The request that stores one Neotoma record. */
export function neotomaRequest(
  c: NonNullable<ForwardConfig["neotoma"]>,
  body: unknown,
): { url: string; headers: Record<string, string>; body: unknown } {
  return { url: `${c.url}/store`, headers: c.token ? { authorization: `Bearer ${c.token}` } : {}, body };
}
