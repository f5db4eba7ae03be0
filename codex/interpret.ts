/**
 * How Codex interprets one finished hook run: its exit code, stdout and
 * stderr become a status (`HookCompleted`) and effects. Exit 0 with empty
 * stdout is success; exit 2 blocks (with the reason on stderr) where the event
 * can block, and adds context on PostToolUse; any other code fails the run.
 * Plain-text stdout is context for SessionStart, UserPromptSubmit and
 * SubagentStart, a failure for Stop, SubagentStop and Interrupt, ignored
 * elsewhere; JSON stdout must hold only the fields the event accepts. Pure.
 *
 * @module
 */

import type { HookEventName } from "./events.ts";
import { outputProblems } from "./outputs.ts";
import { isObject } from "./json.ts";

/** The status Codex reports for a run (`HookCompleted`). */
export type RunStatus = "completed" | "failed" | "blocked" | "timed_out";

/** What one run means to Codex. */
export interface Interpretation {
  status: RunStatus;
  /** Why the run failed, in Codex's words where known. */
  error?: string;
  /** Context added for the model (SessionStart, UserPromptSubmit, PostToolUse, …). */
  context?: string;
  /** A block: prompt dropped, tool denied, or (Stop) turn continued. */
  block?: { reason: string };
  /** `continue: false`: stop the turn. */
  stop?: boolean;
  systemMessage?: string;
}

const PLAIN_TEXT_CONTEXT = new Set<HookEventName>(["SessionStart", "UserPromptSubmit", "SubagentStart"]);
const PLAIN_TEXT_FAILS = new Set<HookEventName>(["Stop", "SubagentStop", "Interrupt"]);
const EXIT2_BLOCKS = new Set<HookEventName>(["UserPromptSubmit", "PreToolUse", "Stop", "SubagentStop"]);

/**
 * Interprets a finished run. `code` is `null` when the process died from a
 * signal.
 *
 * @example
 * ```ts
 * import { interpretRun } from "./interpret.ts";
 * const r = interpretRun("Stop", 0, '{"decision":"block","reason":"go on"}', "");
 * if (r.block?.reason !== "go on") throw new Error("expected a block");
 * ```
 */
export function interpretRun(
  event: HookEventName,
  code: number | null,
  stdout: string,
  stderr: string,
): Interpretation {
  if (code === null) return { status: "failed", error: "hook exited without a status code" };
  if (code === 2) {
    if (stderr.trim() === "") {
      return { status: "failed", error: "hook exited with code 2 but wrote no reason to stderr" };
    }
    if (EXIT2_BLOCKS.has(event)) return { status: "blocked", block: { reason: stderr.trim() } };
    if (event === "PostToolUse") return { status: "completed", context: stderr.trim() };
    return { status: "failed", error: "hook exited with code 2" };
  }
  if (code !== 0) return { status: "failed", error: `hook exited with code ${code}` };
  const out = stdout.trim();
  if (out === "") return { status: "completed" };
  if (!out.startsWith("{") && !out.startsWith("[")) {
    if (PLAIN_TEXT_CONTEXT.has(event)) return { status: "completed", context: out };
    if (PLAIN_TEXT_FAILS.has(event)) {
      return { status: "failed", error: `hook returned plain text; ${event} needs JSON output` };
    }
    return { status: "completed" };
  }
  let value: unknown;
  try {
    value = JSON.parse(out);
  } catch {
    return { status: "failed", error: `hook returned invalid ${event} JSON output` };
  }
  const problems = outputProblems(event, value);
  if (problems.length > 0) {
    return { status: "failed", error: `hook returned invalid ${event} JSON output: ${problems.join("; ")}` };
  }
  const v = value as Record<string, unknown>;
  const r: Interpretation = { status: "completed" };
  if (typeof v.systemMessage === "string") r.systemMessage = v.systemMessage;
  const hso = isObject(v.hookSpecificOutput) ? v.hookSpecificOutput : undefined;
  if (typeof hso?.additionalContext === "string") r.context = hso.additionalContext;
  if (v.decision === "block") {
    r.status = "blocked";
    r.block = { reason: String(v.reason) };
  }
  if (event === "PreToolUse" && hso?.permissionDecision === "deny") {
    r.status = "blocked";
    r.block = { reason: String(hso.permissionDecisionReason) };
  }
  if (v.continue === false) {
    r.stop = true;
    r.status = "blocked";
  }
  return r;
}
