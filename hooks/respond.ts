/**
 * What a hook answers Codex, beyond the empty answer: hub messages (as
 * context at SessionStart and UserPromptSubmit, as a Stop block that
 * continues the turn) and the one-time failure hint after PostToolUse. Each
 * is shown to Codex as a message from its sender, not as a failure.
 *
 * @module
 */

import { EMPTY_RESULT, hookOutput, type HookResult } from "../codex/outputs.ts";
import type { HintRow } from "../lifecycle/model.ts";
import type { DeliveryRow } from "../lifecycle/store/mod.ts";

/** How hub messages reach Codex at one of the delivery events. */
function deliveryOutput(
  event: "SessionStart" | "UserPromptSubmit" | "Stop",
  messages: readonly DeliveryRow[],
): HookResult {
  const text = messages.map((m) =>
    m.kind === "ask"
      ? `A question for you, sent through lifeline's hub; please answer it: ${m.text}`
      : `A message for you, sent through lifeline's hub: ${m.text}`
  ).join("\n\n");
  if (event === "Stop") return hookOutput("Stop", { decision: "block", reason: text });
  if (event === "SessionStart") {
    return hookOutput("SessionStart", {
      hookSpecificOutput: { hookEventName: "SessionStart", additionalContext: text },
    });
  }
  return hookOutput("UserPromptSubmit", {
    hookSpecificOutput: { hookEventName: "UserPromptSubmit", additionalContext: text },
  });
}

/** The text of the one-time failure hint. */
function hintText(h: HintRow): string {
  return `lifeline: the tool "${h.tool}" has failed ${h.count} times with ${h.error_class} in this session ` +
    `in the last 24 hours. Check the command and its inputs before retrying it the same way.`;
}

/**
 * The answer to one recorded event: its deliveries if it claimed any, else
 * the hint a PostToolUse earned, else nothing.
 *
 * @example
 * ```ts
 * import { respond } from "./respond.ts";
 * const r = respond("PostToolUse", [], [
 *   { session_id: "s", tool: "Bash", error_class: "exit_1", count: 2, observed_at: "2026-01-01T00:00:00Z" },
 * ]);
 * if (!r.stdout.includes("has failed 2 times with exit_1")) throw new Error(r.stdout);
 * ```
 */
export function respond(
  event: string,
  delivered: readonly DeliveryRow[],
  hints: readonly HintRow[],
): HookResult {
  if (
    delivered.length > 0 && (event === "SessionStart" || event === "UserPromptSubmit" || event === "Stop")
  ) {
    return deliveryOutput(event, delivered);
  }
  const hint = hints[0];
  if (event === "PostToolUse" && hint) {
    return hookOutput("PostToolUse", {
      hookSpecificOutput: { hookEventName: "PostToolUse", additionalContext: hintText(hint) },
    });
  }
  return EMPTY_RESULT;
}
