/**
 * What a release must do, from its profile, compared with what it did: pure
 * functions from the session results to one pass / fail / n/a cell per check.
 *
 * @module
 */

import type { HookEventName } from "../../../codex/events.ts";
import type { VersionProfile } from "../../../codex/profiles.ts";
import type { SessionResult } from "./sessions.ts";

/** One cell of the table. */
export interface Cell {
  status: "pass" | "fail" | "n/a";
  detail: string;
}

/** The checks, in table order. */
export const CHECKS = [
  "events",
  "turn_id",
  "order",
  "notify client",
  "tool turn",
  "exit_3",
  "interrupted",
  "session end",
  "model error",
  "tokens",
] as const;

/** A check's name. */
export type CheckName = typeof CHECKS[number];

const pass = (detail = ""): Cell => ({ status: "pass", detail });
const fail = (detail: string): Cell => ({ status: "fail", detail });
const na = (detail: string): Cell => ({ status: "n/a", detail });

const names = (r: SessionResult) => r.fired.map((p) => String(p.hook_event_name));

/** The events a scripted session should fire on a release with `profile`. */
export function expectedEvents(profile: VersionProfile, script: SessionResult["script"]): HookEventName[] {
  const has = (e: HookEventName) => profile.events.includes(e);
  const out: HookEventName[] = ["SessionStart"];
  if (has("UserPromptSubmit")) out.push("UserPromptSubmit");
  if (has("PreModelRequest")) out.push("PreModelRequest", "PostModelRequest");
  if ((script === "tool" || script === "failing_tool") && has("PreToolUse")) {
    out.push("PreToolUse", "PostToolUse");
  }
  if (script === "tool" || script === "failing_tool") out.push("Stop");
  if (script === "interrupt" && has("Interrupt")) out.push("Interrupt");
  if (has("SessionEnd")) out.push("SessionEnd");
  return out;
}

function setDiff(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set(a)].filter((x) => !b.includes(x));
}

const TURNLESS = new Set(["SessionStart", "SessionEnd"]);

/** Every check for one release's sessions. */
export function checkRelease(
  profile: VersionProfile,
  results: readonly SessionResult[],
): Record<CheckName, Cell> {
  const by = (name: SessionResult["script"]) => results.find((r) => r.script === name);
  const cells = {} as Record<CheckName, Cell>;

  // events: exactly the profile's events for each session, nothing the profile says is not fired.
  const eventProblems: string[] = [];
  for (const r of results) {
    const fired = names(r);
    const expected = expectedEvents(profile, r.script);
    const missing = setDiff(expected, fired);
    const extra = setDiff(fired, expected);
    if (missing.length) eventProblems.push(`${r.script}: missing ${missing.join(",")}`);
    if (extra.length) eventProblems.push(`${r.script}: unexpected ${extra.join(",")}`);
  }
  cells.events = eventProblems.length ? fail(eventProblems.join("; ")) : pass();

  // turn_id: present exactly where the profile says.
  const idProblems = new Set<string>();
  for (const r of results) {
    for (const p of r.fired) {
      const e = String(p.hook_event_name) as HookEventName;
      const want = !TURNLESS.has(e) && !profile.eventsWithoutTurnId.includes(e);
      if (want !== (typeof p.turn_id === "string")) {
        idProblems.add(`${e} ${want ? "without" : "with"} turn_id`);
      }
    }
  }
  cells.turn_id = idProblems.size ? fail([...idProblems].join("; ")) : pass();

  // order: model-request hooks around the tool hooks.
  const tool = by("tool");
  if (!profile.modelRequestOrder) cells.order = na("no model-request hooks");
  else if (!tool) cells.order = fail("no tool session");
  else {
    // The first request's stream is held open after its tool call: 0.171 starts the tool (and
    // its hooks) at once, 0.169 only after the request completed.
    const seq = names(tool).filter((e) => /ModelRequest|ToolUse/.test(e));
    const toolFirst = seq.indexOf("PreToolUse") < seq.indexOf("PostModelRequest");
    const ok = seq[0] === "PreModelRequest" && seq.includes("PreToolUse") &&
      seq.includes("PostModelRequest") &&
      toolFirst === (profile.modelRequestOrder === "tools_within_request");
    cells.order = ok ? pass(profile.modelRequestOrder) : fail(seq.slice(0, 4).join(" → "));
  }

  // notify client, as lifeline journaled it.
  const clients = results.flatMap((r) => r.journal.filter((o) => o.event === "Notify"))
    .map((o) => String(o.payload.client));
  cells["notify client"] = clients.length === 0
    ? fail("no notify journaled")
    : clients.every((c) => c === profile.notifyExecClient)
    ? pass(profile.notifyExecClient)
    : fail(`got ${[...new Set(clients)].join(",")}, profile says ${profile.notifyExecClient}`);

  // tool turn: lifeline records one completed turn (with the tool where tool hooks exist).
  const toolTurns = tool?.sessions.flatMap((s) => s.turns) ?? [];
  const withTools = profile.events.includes("PreToolUse");
  cells["tool turn"] = toolTurns.length === 1 && toolTurns[0]!.outcome === "completed" &&
      (!withTools || toolTurns[0]!.tool_invocations === 1)
    ? pass()
    : fail(JSON.stringify(toolTurns.map((t) => [t.outcome, t.tool_invocations])));

  // exit_3: the failing tool is a failure exit_3 wherever PostToolUse fires.
  const failing = by("failing_tool");
  const classes = failing?.sessions.flatMap((s) => s.failures.map((f) => f.error_class)) ?? [];
  cells.exit_3 = !profile.events.includes("PostToolUse")
    ? na("no PostToolUse")
    : classes.includes("exit_3")
    ? pass()
    : fail(`failures: ${JSON.stringify(classes)}`);

  // interrupted: the interrupted turn ends interrupted, not abandoned.
  const intr = by("interrupt");
  const intrTurns = intr?.sessions.flatMap((s) => s.turns) ?? [];
  cells.interrupted = intrTurns.length === 1 && intrTurns[0]!.outcome === "interrupted"
    ? pass()
    : fail(JSON.stringify(intrTurns.map((t) => t.outcome)));

  // session end: by SessionEnd where the release fires it, else the process is gone.
  const wantEnd = profile.events.includes("SessionEnd") ? "other" : "process_gone";
  const ends = results.flatMap((r) => r.sessions.map((s) => s.end_reason));
  cells["session end"] = ends.length > 0 && ends.every((e) => e === wantEnd)
    ? pass(wantEnd)
    : fail(`end reasons ${JSON.stringify(ends)}, want ${wantEnd}`);

  // model error: PostModelRequest(status failed), no Stop, and lifeline's turn is not left open.
  const err = by("model_error");
  if (!profile.events.includes("PostModelRequest")) cells["model error"] = na("no model-request hooks");
  else if (!err) cells["model error"] = fail("no model_error session");
  else {
    const post = err.fired.find((p) => p.hook_event_name === "PostModelRequest");
    const turns = err.sessions.flatMap((s) => s.turns);
    const problems: string[] = [];
    if (post?.status !== "failed") problems.push(`PostModelRequest status ${String(post?.status)}`);
    if (names(err).includes("Stop")) problems.push("Stop fired");
    if (turns.length !== 1 || turns[0]!.outcome !== "failed") {
      problems.push(`turns ${JSON.stringify(turns.map((t) => t.outcome))}`);
    }
    const errClasses = err.sessions.flatMap((s) => s.failures.map((f) => f.error_class));
    if (!errClasses.includes("invalid_request_error")) {
      problems.push(`failures ${JSON.stringify(errClasses)}`);
    }
    cells["model error"] = problems.length ? fail(problems.join("; ")) : pass();
  }
  // tokens: the tool turn's tokens are the sums of what the mock model reported.
  const want = { input: 74, cached_input: 3, output: 12, reasoning: 2, total: 86 };
  const got = toolTurns[0]?.tokens;
  cells.tokens = !profile.events.includes("PostModelRequest")
    ? na("no model-request hooks")
    : JSON.stringify(got) === JSON.stringify(want)
    ? pass()
    : fail(`tokens ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  return cells;
}

/** The table: one row per release, one column per check. */
export function renderTable(
  rows: { version: string; seconds: number; cells: Record<CheckName, Cell> }[],
): string {
  const head = ["release", ...CHECKS, "time"];
  const body = rows.map((r) => [r.version, ...CHECKS.map((c) => r.cells[c].status), `${r.seconds}s`]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join(" | ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("-|-"), ...body.map(line)].join("\n");
}
