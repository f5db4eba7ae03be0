/**
 * What the hub adds to a session beyond the status report: the messages sent
 * to it (queued, waiting in its inbox, delivered to Codex) and its recent tool
 * calls, both read with the store's public methods. (A session id typed as a
 * prefix is resolved in `hub/session_ref.ts`.)
 *
 * @module
 */

import type { Store } from "../lifecycle/store/mod.ts";

/** A message sent to a session, wherever it is now. */
export interface MessageView {
  id: string;
  kind: string;
  /** `queued`: the hub holds it (no sidecar); `pending`: in the session's inbox; `delivered`: Codex got it. */
  status: "queued" | "pending" | "delivered";
  text: string;
  created_at: string;
  delivered_at: string | null;
  /** The hook point that handed it to Codex (`UserPromptSubmit`, `SessionStart`, `Stop`). */
  delivered_event: string | null;
}

/** One finished tool call. */
export interface ToolView {
  turn_id: string | null;
  tool: string;
  at: string;
  /** The scrubbed command or input, cut to 200 characters. */
  input: string | null;
  failed: boolean;
}

/** A session's messages, oldest first. */
export function sessionMessages(store: Store, sessionId: string, now: string): MessageView[] {
  const out: MessageView[] = store.deliveries(sessionId).map((d) => ({
    id: d.id,
    kind: d.kind,
    status: d.status,
    text: d.text,
    created_at: d.created_at,
    delivered_at: d.delivered_at,
    delivered_event: d.delivered_event,
  }));
  const known = new Set(out.map((m) => m.id));
  for (const q of store.queued(sessionId, now)) {
    if (known.has(q.id)) continue;
    out.push({
      id: q.id,
      kind: q.kind,
      status: "queued",
      text: q.text,
      created_at: q.created_at,
      delivered_at: null,
      delivered_event: null,
    });
  }
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

const TOOL_LIMIT = 50;

/** A session's last tool calls (at most 50), oldest first, from the journal's `PostToolUse` entries. */
export function sessionTools(store: Store, sessionId: string): ToolView[] {
  const rows = store.journalBodies(sessionId, "PostToolUse", TOOL_LIMIT).map((body) => ({ body }));
  return rows.reverse().map((r) => {
    let o: Record<string, unknown> = {};
    try {
      o = JSON.parse(r.body);
    } catch { /* a torn row: shown without details */ }
    const p = (o.payload ?? {}) as Record<string, unknown>;
    const input = p.tool_input as Record<string, unknown> | string | undefined;
    const cmd = typeof input === "string"
      ? input
      : input && typeof input.command === "string"
      ? input.command
      : input
      ? JSON.stringify(input)
      : null;
    return {
      turn_id: typeof o.turn_id === "string" ? o.turn_id : null,
      tool: typeof p.tool_name === "string" ? p.tool_name : "?",
      at: typeof o.observed_at === "string" ? o.observed_at : "",
      input: cmd === null ? null : cmd.length > 200 ? cmd.slice(0, 199) + "…" : cmd,
      failed: o.failure !== null && o.failure !== undefined,
    };
  });
}
