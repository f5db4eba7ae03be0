/**
 * The text a person reads: the status table (also what `watch` redraws) and
 * one session in detail.
 *
 * @module
 */

import { ago } from "../lifecycle/status.ts";
import type { CliReport } from "./report.ts";
import { type SessionView, shortIds, type ToolCall, turnTokens } from "./sessions.ts";
import { type Style, visibleLength } from "./style.ts";

/** `45s`, `12m`, `3h05m`, `2d04h`. */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
  return `${Math.floor(s / 86400)}d${String(Math.floor(s / 3600) % 24).padStart(2, "0")}h`;
}

/** `1234` → `1.2k`. */
export function count(n: number | null): string {
  if (n === null) return "-";
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

function cut(s: string, n: number): string {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length <= n ? one : `${one.slice(0, n - 1)}…`;
}

function stateText(s: SessionView, st: Style): string {
  switch (s.state) {
    case "busy":
      return st.yellow("busy");
    case "online":
      return st.green("online");
    case "ended":
      return st.dim(s.end && s.end !== "exit" ? `ended (${s.end})` : "ended");
    case "gone":
      return st.red("gone");
    default:
      return st.dim(`offline${s.end ? ` (${s.end})` : ""}`);
  }
}

/** A tool call in one short line: `Bash: git status`. */
export function toolText(c: ToolCall | null, width = 40): string {
  if (!c) return "-";
  return cut(c.command ? `${c.tool}: ${c.command}` : c.tool, width);
}

function table(head: string[], rows: string[][], st: Style): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i]!))));
  const line = (r: string[]) =>
    r.map((c, i) => c + " ".repeat(Math.max(0, widths[i]! - visibleLength(c)))).join("  ").trimEnd();
  return [st.bold(line(head)), ...rows.map(line)];
}

/** What to say when there is no session to show. */
export interface EmptyHint {
  installed: boolean;
  filtered: boolean;
}

/** The status table: one line per session. */
export function statusText(r: CliReport, now: Date, st: Style, hint: EmptyHint): string {
  const f = r.forwarding;
  const p0 = f.parked[0];
  const fwd = f.pending || p0
    ? [
      `forwarding: ${f.pending} pending, ${f.parked.length} parked${
        p0 ? ` (${p0.target} ${p0.key}: ${p0.error})` : ""
      } — send now with: lifeline flush`,
    ]
    : [];
  if (r.sessions.length === 0) {
    const why = hint.filtered
      ? "No session matches the filters."
      : hint.installed
      ? `No sessions recorded yet in ${r.state_dir}: lifeline is installed, ` +
        "so the next Codex session shows up here."
      : `No sessions recorded yet in ${r.state_dir}.\nInstall lifeline into Codex with: lifeline install`;
    return [why, ...fwd].join("\n");
  }
  const short = shortIds(r.sessions.map((s) => s.session_id));
  const head = ["SESSION", "STATE", "REPO", "MODEL", "TURNS", "TOKENS", "TIME", "LAST TOOL", "SEEN"];
  const rows = r.sessions.map((s) => {
    const fails = s.failures.reduce((n, x) => n + x.count, 0);
    const open = s.turns.some((t) => t.outcome === "open");
    const turns = `${s.turns.length}${open ? "+" : ""}` +
      (fails ? st.red(` ${fails}✗`) : "") + (s.blocked.length ? st.yellow(` ${s.blocked.length}⊘`) : "");
    const where = s.repo ? `${s.repo}@${s.branch}` : (s.cwd?.split("/").at(-1) || "-");
    return [
      st.cyan(short.get(s.session_id)!),
      stateText(s, st),
      cut(where, 28),
      cut(s.model ?? "-", 16),
      turns,
      count(s.tokens),
      duration(s.duration_s),
      toolText(s.last_tool),
      ago(now, s.last_seen),
    ];
  });
  const contradictions = r.sessions.reduce((n, s) => n + s.contradictions.length, 0);
  return [
    ...table(head, rows, st),
    ...(contradictions ? [`${contradictions} contradiction(s): see lifeline show <id> --json`] : []),
    ...fwd,
  ].join("\n");
}

/** One session in detail. */
export function showText(s: SessionView, now: Date, st: Style): string {
  const kv = (k: string, v: string) => `${st.bold(k.padEnd(10))} ${v}`;
  const out = [
    kv("session", s.session_id),
    kv(
      "state",
      `${stateText(s, st)}${s.state === "busy" || s.state === "online" ? ` (${s.turn_state})` : ""}`,
    ),
    kv("cwd", s.cwd ?? "-"),
    kv("repo", s.repo ? `${s.repo} on ${s.branch}` : "-"),
    kv("model", s.model ?? "-"),
    kv("started", `${s.started_at} (${ago(now, s.started_at)}), ran ${duration(s.duration_s)}`),
    kv("seen", `${s.last_seen} (${ago(now, s.last_seen)})`),
    ...(s.ended_at ? [kv("ended", `${s.ended_at}: ${s.end}`)] : []),
    kv("tokens", count(s.tokens)),
    kv("last tool", toolText(s.last_tool, 100)),
  ];
  out.push("", st.bold(`turns (${s.turns.length})`));
  for (const [i, t] of s.turns.entries()) {
    const took = t.ended_at ? duration((Date.parse(t.ended_at) - Date.parse(t.started_at)) / 1000) : "…";
    const tokens = turnTokens(t);
    out.push(
      `  ${String(i + 1).padStart(3)}  ${t.outcome.padEnd(11)} ${
        took.padStart(7)
      }  tools ${t.tool_invocations}` +
        (t.tool_failures ? st.red(` (${t.tool_failures} failed)`) : "") +
        (tokens !== null ? `  ${count(tokens)} tokens` : "") +
        `  ${cut(t.prompt ?? "", 60)}`,
    );
  }
  if (s.failures.length) {
    out.push("", st.bold("failures"));
    for (const f of s.failures) {
      out.push(`  ${st.red(`${f.count}×`)} ${f.tool} ${f.error_class} (last ${f.last_at})`);
    }
  }
  if (s.blocked.length) {
    out.push("", st.bold("blocked tool calls (PreToolUse seen, never run: denied by a hook or the user)"));
    for (const c of s.blocked) out.push(`  ${st.yellow("⊘")} ${c.at} ${toolText(c, 90)}`);
  }
  if (s.contradictions.length) {
    out.push("", st.bold("contradictions"));
    for (const c of s.contradictions) out.push(`  ${c.observed_at} ${c.event}: ${c.reason}`);
  }
  return out.join("\n");
}
