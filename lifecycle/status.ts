/**
 * The queries behind `deno task status`: the `--json` report (a stable,
 * documented shape) and the table a person reads at a glance.
 *
 * @module
 */

import type { Store } from "./store/mod.ts";
import type {
  ObservationSource,
  Outcome,
  SessionRow,
  Status,
  ToolRun,
  TurnState,
  TurnTokens,
} from "./model.ts";
import { type ProcessModel, processModelOf, sharedPids } from "./process_model.ts";

/** One turn in the report. */
export interface TurnReport {
  turn_id: string;
  outcome: Outcome;
  started_at: string;
  ended_at: string | null;
  prompt: string | null;
  last_assistant_message: string | null;
  tool_invocations: number;
  tool_failures: number;
  safety_net_used: boolean;
  hook_events: string[];
  /** The app-server's token counts of the turn, when it reported them. */
  tokens: TurnTokens | null;
  /** The app-server's tool runs, with exit codes. */
  tools: ToolRun[];
  /** Why the turn failed, as the app-server said (`failed` turns). */
  error_class: string | null;
}

/** A tool run failed: a non-zero exit code or a status other than completed. */
export function toolRunFailed(t: ToolRun): boolean {
  return (t.exit_code !== null && t.exit_code !== 0) || (t.status !== "completed" && t.status !== "");
}

/** Failures of one tool and class in a session. */
export interface FailureReport {
  tool: string;
  error_class: string;
  count: number;
  first_at: string;
  last_at: string;
}

/** One contradiction: an event that did not fit the state machine. */
export interface ContradictionReport {
  event: string;
  turn_id: string | null;
  reason: string;
  observed_at: string;
}

/** One session in the report. */
export interface SessionReport {
  session_id: string;
  status: Status;
  turn_state: TurnState;
  cwd: string | null;
  model: string | null;
  source: string | null;
  started_at: string;
  last_seen: string;
  ended_at: string | null;
  end_reason: string | null;
  pid: number | null;
  /** `daemon` when `pid` is a Codex app-server daemon shared by sessions, else `process-per-session`. */
  process_model: ProcessModel;
  /** Which sources saw the session. */
  sources: ObservationSource[];
  /** The app-server reported this session's hooks running (lifeline's hooks are installed and trusted). */
  hooks_seen_running: boolean;
  turns: TurnReport[];
  failures: FailureReport[];
  contradictions: ContradictionReport[];
}

/** The forwarding outbox at a glance. */
export interface ForwardingReport {
  pending: number;
  sent: number;
  parked: { target: string; key: string; error: string | null; attempts: number }[];
}

/** The `deno task status --json` document. */
export interface StatusReport {
  sessions: SessionReport[];
  forwarding?: ForwardingReport;
}

/** One session's report. */
export function sessionReport(
  store: Store,
  s: SessionRow,
  processModel: ProcessModel = processModelOf(s, sharedPids(store.sessions())),
): SessionReport {
  const facts = store.turnFacts(s.session_id);
  const seenAt = store.sessionFact(s.session_id)?.app_server_seen_at;
  const hookTokens = store.turnTokens(s.session_id);
  const groups = new Map<string, FailureReport>();
  for (const f of store.failures(s.session_id)) {
    const k = `${f.tool}\u0000${f.error_class}`;
    const g = groups.get(k);
    if (!g) {
      groups.set(k, {
        tool: f.tool,
        error_class: f.error_class,
        count: 1,
        first_at: f.observed_at,
        last_at: f.observed_at,
      });
    } else {
      g.count++;
      if (f.observed_at < g.first_at) g.first_at = f.observed_at;
      if (f.observed_at > g.last_at) g.last_at = f.observed_at;
    }
  }
  return {
    session_id: s.session_id,
    status: s.status,
    turn_state: s.turn_state,
    cwd: s.cwd,
    model: s.model,
    source: s.source,
    started_at: s.started_at,
    last_seen: seenAt && seenAt > s.last_seen ? seenAt : s.last_seen,
    ended_at: s.ended_at,
    end_reason: s.end_reason,
    pid: s.pid,
    process_model: processModel,
    sources: store.sources(s.session_id),
    hooks_seen_running: store.sessionFact(s.session_id)?.hooks_seen_running ?? false,
    turns: store.turns(s.session_id).map((t) => {
      const f = facts.get(t.turn_id);
      const tools = f?.tools ?? [];
      // Both sources count the same runs: the larger count is the one that saw more of them.
      return {
        turn_id: t.turn_id,
        outcome: t.outcome,
        started_at: t.started_at,
        ended_at: t.ended_at,
        prompt: t.prompt,
        last_assistant_message: t.last_assistant_message ?? f?.last_message ?? null,
        tool_invocations: Math.max(t.tool_invocations, tools.length),
        tool_failures: Math.max(t.tool_failures, tools.filter(toolRunFailed).length),
        safety_net_used: t.safety_net_used,
        hook_events: t.hook_events,
        // The model-request hooks count every request; the app-server's count stands in without them.
        tokens: hookTokens.get(t.turn_id) ?? f?.tokens ?? null,
        tools,
        error_class: f?.error_class ?? null,
      };
    }),
    failures: [...groups.values()],
    contradictions: store.contradictions(s.session_id).map((c) => ({
      event: c.event,
      turn_id: c.turn_id,
      reason: c.reason,
      observed_at: c.observed_at,
    })),
  };
}

/** Every session, most recently seen first. */
export function statusReport(store: Store, isDaemon?: (pid: number) => boolean | undefined): StatusReport {
  const all = store.sessions();
  const shared = sharedPids(all);
  return {
    sessions: all.map((s) => sessionReport(store, s, processModelOf(s, shared, isDaemon))),
    forwarding: {
      pending: store.outbox("pending").length,
      sent: store.outbox("sent").length,
      parked: store.outbox("parked").map((r) => ({
        target: r.target,
        key: r.key,
        error: r.last_error,
        attempts: r.attempts,
      })),
    },
  };
}

/** "12s ago", "5m ago", "3h ago", "2d ago". */
export function ago(now: Date, iso: string): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

function cut(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/**
 * The table a person reads: one line per session.
 *
 * @example
 * ```ts
 * import { statusTable } from "./status.ts";
 * const table = statusTable({ sessions: [] }, new Date());
 * if (!table.includes("No sessions")) throw new Error(table);
 * ```
 */
export function statusTable(report: StatusReport, now: Date): string {
  const f = report.forwarding;
  const p0 = f?.parked[0];
  const fwd = f && (f.pending || p0)
    ? `\nforwarding: ${f.pending} pending, ${f.parked.length} parked${
      p0 ? ` (${p0.target} ${p0.key}: ${p0.error})` : ""
    }`
    : "";
  if (report.sessions.length === 0) return "No sessions recorded yet." + fwd;
  const head = ["SESSION", "STATUS", "TURN", "CWD", "MODEL", "TURNS", "FAILURES", "LAST SEEN"];
  const rows = report.sessions.map((s) => {
    const open = s.turns.filter((t) => t.outcome === "open").length;
    const interrupted = s.turns.filter((t) => t.outcome === "interrupted").length;
    const extra = [open ? `${open} open` : "", interrupted ? `${interrupted} interrupted` : ""].filter(
      Boolean,
    );
    const fails = s.failures.reduce((n, f) => n + f.count, 0);
    return [
      cut(s.session_id, 13),
      s.status + (s.status === "offline" && s.end_reason ? ` (${s.end_reason})` : ""),
      s.turn_state,
      cut(s.cwd ?? "-", 32),
      cut(s.model ?? "-", 16),
      `${s.turns.length}${extra.length ? ` (${extra.join(", ")})` : ""}`,
      fails
        ? `${fails} (${
          [...new Set(s.failures.map((f) => `${f.tool} ${f.error_class}`))].slice(0, 2).join(", ")
        })`
        : "0",
      ago(now, s.last_seen),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  const contradictions = report.sessions.reduce((n, s) => n + s.contradictions.length, 0);
  return [
    line(head),
    ...rows.map(line),
    ...(contradictions ? [`\n${contradictions} contradiction(s): see --json`] : []),
  ]
    .join("\n") + fwd;
}
