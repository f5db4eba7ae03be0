/**
 * What the hub adds to a session beyond the status report: the messages sent
 * to it (queued, waiting in its inbox, delivered to Codex) and its recent tool
 * calls, both read with the store's public methods; and how a session id the
 * user typed, possibly a unique prefix, is resolved.
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

/** How a typed session id resolved. */
export type Resolved =
  | { ok: true; id: string }
  | { ok: false; status: 404 | 409; error: string; candidates?: string[]; closest?: string[] };

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Resolves `given` against the known ids: the id itself, or the one id it is a prefix of. Several
 * matches are a conflict (409, with the candidates); none is unknown (404, with the closest ids).
 */
export function resolveSessionId(ids: readonly string[], given: string): Resolved {
  if (ids.includes(given)) return { ok: true, id: given };
  const matches = given === "" ? [] : ids.filter((id) => id.startsWith(given));
  if (matches.length === 1) return { ok: true, id: matches[0]! };
  if (matches.length > 1) {
    const candidates = [...matches].sort().slice(0, 20);
    return {
      ok: false,
      status: 409,
      error: `session id prefix ${JSON.stringify(given)} is ambiguous: it matches ${matches.length} sessions`,
      candidates,
    };
  }
  const closest = [...ids]
    .map((id) => ({ id, d: distance(given, id.slice(0, Math.max(given.length, 1))) }))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, 3)
    .map((x) => x.id);
  return {
    ok: false,
    status: 404,
    error: `unknown session ${JSON.stringify(given)}`,
    ...(closest.length ? { closest } : {}),
  };
}
