/**
 * What `status`, `show` and `watch` say about a session beyond the stored
 * report: how long it ran, its tokens, its last tool and command, its
 * repository and branch, what its end means, and the tool calls that never
 * ran. Pure: it takes the report and the session's journal and returns data.
 *
 * @module
 */

import type { Observation } from "../lifecycle/model.ts";
import type { SessionReport } from "../lifecycle/status.ts";
import type { RepoInfo } from "./git.ts";

/** One tool call seen by the hooks. */
export interface ToolCall {
  tool: string;
  tool_use_id: string | null;
  turn_id: string | null;
  /** The command (a shell command, or the input in short), already scrubbed when journaled. */
  command: string | null;
  at: string;
  /** `ran` (PostToolUse seen), `running` (turn still open), `blocked` (its turn ended without it). */
  state: "ran" | "running" | "blocked";
}

/** A session as the `lifeline` command shows it: the stored report plus what it derives. */
export type SessionView = SessionReport & {
  /** `busy`, `online`, `ended` (a SessionEnd), `gone` (its Codex process died) or `offline`. */
  state: "busy" | "online" | "ended" | "gone" | "offline";
  /** What ended it, in lifeline's words: `exit`, `clear`, `process_gone`, … (null while live). */
  end: string | null;
  duration_s: number;
  /** Summed over turns that carry tokens; null when none does. */
  tokens: number | null;
  last_tool: ToolCall | null;
  repo: string | null;
  branch: string | null;
  /** Tool calls with a PreToolUse and no PostToolUse in a turn that ended: a hook or the user denied them. */
  blocked: ToolCall[];
};

/**
 * What a stored end reason means. Codex sends `"other"` for every
 * SessionEnd it fires at exit, so that is a clean exit; lifeline itself
 * writes `process_gone` when the Codex process died without one.
 */
export function endOf(s: Pick<SessionReport, "status" | "end_reason">): string | null {
  if (s.status !== "offline") return null;
  if (s.end_reason === null || s.end_reason === "other") return "exit";
  return s.end_reason;
}

function stateOf(s: SessionReport): SessionView["state"] {
  if (s.status !== "offline") return s.status;
  if (s.end_reason === "process_gone") return "gone";
  return s.ended_at ? "ended" : "offline";
}

/** A turn's tokens, if it carries them: a number, or an object with a total or numeric parts. */
export function turnTokens(t: unknown): number | null {
  const v = (t as { tokens?: unknown }).tokens;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (!v || typeof v !== "object") return null;
  const o = v as Record<string, unknown>;
  const total = o.total ?? o.total_tokens;
  if (typeof total === "number") return total;
  const parts = Object.values(o).filter((x): x is number => typeof x === "number");
  return parts.length ? parts.reduce((a, x) => a + x, 0) : null;
}

function tokensOf(turns: readonly unknown[]): number | null {
  let sum: number | null = null;
  for (const t of turns) {
    const n = turnTokens(t);
    if (n !== null) sum = (sum ?? 0) + n;
  }
  return sum;
}

/** A tool input as one short line: the shell command when there is one. */
export function commandOf(input: unknown): string | null {
  if (input === undefined || input === null) return null;
  if (typeof input === "string") return input;
  if (typeof input === "object" && !Array.isArray(input)) {
    const c = (input as Record<string, unknown>).command;
    if (typeof c === "string") return c;
    if (Array.isArray(c)) return c.map(String).join(" ");
  }
  return JSON.stringify(input);
}

/** The session's tool calls, in order, from its journal. */
export function toolCalls(journal: readonly Observation[], openTurn: string | null): ToolCall[] {
  const calls: ToolCall[] = [];
  const byId = new Map<string, ToolCall>();
  for (const o of journal) {
    if (o.event !== "PreToolUse" && o.event !== "PostToolUse") continue;
    const p = o.payload;
    const id = typeof p.tool_use_id === "string" ? p.tool_use_id : null;
    const known = id ? byId.get(id) : undefined;
    if (o.event === "PostToolUse") {
      if (known) known.state = "ran";
      else {
        calls.push(callOf(o, id, "ran"));
      }
      continue;
    }
    if (known) continue;
    const c = callOf(o, id, o.turn_id !== null && o.turn_id === openTurn ? "running" : "blocked");
    calls.push(c);
    if (id) byId.set(id, c);
  }
  return calls;
}

function callOf(o: Observation, id: string | null, state: ToolCall["state"]): ToolCall {
  return {
    tool: typeof o.payload.tool_name === "string" ? o.payload.tool_name : "?",
    tool_use_id: id,
    turn_id: o.turn_id,
    command: commandOf(o.payload.tool_input),
    at: o.observed_at,
    state,
  };
}

/** The view of one session. */
export function sessionView(
  s: SessionReport,
  journal: readonly Observation[],
  repo: RepoInfo | undefined,
  now: Date,
): SessionView {
  const open = s.turns.find((t) => t.outcome === "open")?.turn_id ?? null;
  const calls = toolCalls(journal, open);
  const end = s.ended_at ? Date.parse(s.ended_at) : now.getTime();
  return {
    ...s,
    state: stateOf(s),
    end: endOf(s),
    duration_s: Math.max(0, Math.round((end - Date.parse(s.started_at)) / 1000)),
    tokens: tokensOf(s.turns),
    last_tool: calls.at(-1) ?? null,
    repo: repo?.repo ?? null,
    branch: repo?.branch ?? null,
    blocked: calls.filter((c) => c.state === "blocked"),
  };
}

/** `30s`, `15m`, `2h`, `7d` (a bare number is seconds) in milliseconds, or `undefined`. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? "s") as "s"];
  return Number(m[1]) * unit * 1000;
}

/** Filters of `status` and `watch`. */
export interface Filters {
  active?: boolean | undefined;
  /** Only sessions seen at or after this time. */
  since?: Date | undefined;
}

/** The sessions that pass the filters. */
export function filterSessions<T extends SessionReport>(sessions: readonly T[], f: Filters): T[] {
  return sessions.filter((s) =>
    (!f.active || s.status !== "offline") && (!f.since || Date.parse(s.last_seen) >= f.since.getTime())
  );
}

/** How an id or prefix resolved. */
export type Resolution =
  | { ok: true; id: string }
  | { ok: false; error: string };

/** Resolves a session id or a unique prefix of one. */
export function resolveId(ids: readonly string[], wanted: string): Resolution {
  if (wanted === "") return { ok: false, error: "The session id is empty." };
  if (ids.includes(wanted)) return { ok: true, id: wanted };
  const hits = ids.filter((i) => i.startsWith(wanted));
  if (hits.length === 1) return { ok: true, id: hits[0]! };
  if (hits.length === 0) {
    return { ok: false, error: `No session id starts with "${wanted}" (${ids.length} sessions recorded).` };
  }
  const shown = hits.slice(0, 5).map((h) => `"${h}"`).join(", ");
  return {
    ok: false,
    error: `"${wanted}" is ambiguous: ${hits.length} sessions start with it (${shown}${
      hits.length > 5 ? ", …" : ""
    }); give more of the id.`,
  };
}

/** The shortest prefix of each id (at least `min` characters) that no other id shares. */
export function shortIds(ids: readonly string[], min = 8): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of ids) {
    let n = Math.min(min, id.length);
    while (n < id.length && ids.some((o) => o !== id && o.startsWith(id.slice(0, n)))) n++;
    out.set(id, id.slice(0, n));
  }
  return out;
}
