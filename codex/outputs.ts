/**
 * Hook outputs, per event: what a hook may print on stdout (JSON), and the
 * exit-code conventions (exit 2 with a reason on stderr).
 *
 * Codex's output structs use `deny_unknown_fields`: any field that is not
 * listed for the event fails the hook run. The builders here can only produce
 * listed fields: an unlisted field is a type error (excess property check)
 * and, for values built at run time, a {@link ContractError}.
 *
 * @module
 */

import type { HookEventName } from "./events.ts";
import { ContractError, isObject, type JsonObject, typeName } from "./json.ts";

/** Fields every event except PreToolUse, PermissionRequest and Interrupt accepts. */
export interface UniversalOutput {
  continue?: boolean;
  stopReason?: string;
  systemMessage?: string;
  suppressOutput?: boolean;
}

/** `hookSpecificOutput` carrying `additionalContext`. */
export interface ContextSpecific<E extends HookEventName> {
  hookEventName: E;
  additionalContext?: string;
}

/** Allowed output per event. */
export interface OutputByEvent {
  SessionStart: UniversalOutput & { hookSpecificOutput?: ContextSpecific<"SessionStart"> };
  SubagentStart: UniversalOutput & { hookSpecificOutput?: ContextSpecific<"SubagentStart"> };
  UserPromptSubmit: UniversalOutput & {
    decision?: "block";
    reason?: string;
    hookSpecificOutput?: ContextSpecific<"UserPromptSubmit">;
  };
  PreToolUse: {
    systemMessage?: string;
    decision?: "block";
    reason?: string;
    hookSpecificOutput?: {
      hookEventName: "PreToolUse";
      permissionDecision?: "deny" | "allow";
      permissionDecisionReason?: string;
      updatedInput?: JsonObject;
      additionalContext?: string;
    };
  };
  PermissionRequest: {
    systemMessage?: string;
    hookSpecificOutput?: {
      hookEventName: "PermissionRequest";
      decision?: { behavior: "allow" | "deny"; message?: string };
    };
  };
  PostToolUse: Omit<UniversalOutput, "suppressOutput"> & {
    decision?: "block";
    reason?: string;
    hookSpecificOutput?: ContextSpecific<"PostToolUse">;
  };
  PreCompact: UniversalOutput;
  PostCompact: UniversalOutput;
  Stop: UniversalOutput & { decision?: "block"; reason?: string };
  SubagentStop: UniversalOutput & { decision?: "block"; reason?: string };
  Interrupt: { systemMessage?: string };
  SessionEnd: UniversalOutput;
  /** Only `systemMessage` (shown for every event); anything else from these hooks is unmeasured. */
  PreModelRequest: { systemMessage?: string };
  PostModelRequest: { systemMessage?: string };
}

const UNIVERSAL = ["continue", "stopReason", "systemMessage", "suppressOutput"] as const;

interface Shape {
  top: readonly string[];
  specific?: readonly string[];
}

/** The top-level and `hookSpecificOutput` fields Codex accepts, per event. */
export const OUTPUT_FIELDS: Readonly<Record<HookEventName, Shape>> = {
  SessionStart: {
    top: [...UNIVERSAL, "hookSpecificOutput"],
    specific: ["hookEventName", "additionalContext"],
  },
  SubagentStart: {
    top: [...UNIVERSAL, "hookSpecificOutput"],
    specific: ["hookEventName", "additionalContext"],
  },
  UserPromptSubmit: {
    top: [...UNIVERSAL, "decision", "reason", "hookSpecificOutput"],
    specific: ["hookEventName", "additionalContext"],
  },
  PreToolUse: {
    top: ["systemMessage", "decision", "reason", "hookSpecificOutput"],
    specific: [
      "hookEventName",
      "permissionDecision",
      "permissionDecisionReason",
      "updatedInput",
      "additionalContext",
    ],
  },
  PermissionRequest: {
    top: ["systemMessage", "hookSpecificOutput"],
    specific: ["hookEventName", "decision"],
  },
  PostToolUse: {
    top: ["continue", "stopReason", "systemMessage", "decision", "reason", "hookSpecificOutput"],
    specific: ["hookEventName", "additionalContext"],
  },
  PreCompact: { top: UNIVERSAL },
  PostCompact: { top: UNIVERSAL },
  Stop: { top: [...UNIVERSAL, "decision", "reason"] },
  SubagentStop: { top: [...UNIVERSAL, "decision", "reason"] },
  Interrupt: { top: ["systemMessage"] },
  SessionEnd: { top: UNIVERSAL },
  // These hooks run around every model request; Codex shows `systemMessage` for every event, and
  // whether it acts on (or refuses) any other field here has not been measured, so none is offered.
  PreModelRequest: { top: ["systemMessage"] },
  PostModelRequest: { top: ["systemMessage"] },
};

const STRING_FIELDS = new Set([
  "stopReason",
  "systemMessage",
  "reason",
  "additionalContext",
  "permissionDecisionReason",
]);
const BOOLEAN_FIELDS = new Set(["continue", "suppressOutput"]);

/**
 * Every reason Codex would reject `value` as the JSON output of `event`
 * (unknown fields, wrong types, a block without a reason, …). Empty = valid.
 */
export function outputProblems(event: HookEventName, value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return [`output must be a JSON object, got ${typeName(value)}`];
  const shape = OUTPUT_FIELDS[event];
  const check = (obj: JsonObject, allowed: readonly string[], where: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (!allowed.includes(k)) problems.push(`field "${where}${k}" is not accepted for ${event}`);
      else if (STRING_FIELDS.has(k) && typeof v !== "string") {
        problems.push(`field "${where}${k}" must be a string, got ${typeName(v)}`);
      } else if (BOOLEAN_FIELDS.has(k) && typeof v !== "boolean") {
        problems.push(`field "${where}${k}" must be a boolean, got ${typeName(v)}`);
      }
    }
  };
  check(value, shape.top, "");
  const hso = value.hookSpecificOutput;
  if (hso !== undefined) {
    if (!isObject(hso)) problems.push(`field "hookSpecificOutput" must be an object, got ${typeName(hso)}`);
    else {
      check(hso, shape.specific ?? [], "hookSpecificOutput.");
      if (hso.hookEventName !== event) {
        problems.push(`field "hookSpecificOutput.hookEventName" must be "${event}"`);
      }
      if (event === "PreToolUse") {
        const d = hso.permissionDecision;
        if (d !== undefined && d !== "deny" && d !== "allow") {
          problems.push(`field "hookSpecificOutput.permissionDecision" must be "deny" or "allow"`);
        }
        if (d === "allow" && !isObject(hso.updatedInput)) {
          problems.push(`"allow" is only accepted together with "hookSpecificOutput.updatedInput"`);
        }
        if (d === "deny" && !hso.permissionDecisionReason) {
          problems.push(`"deny" needs a non-empty "hookSpecificOutput.permissionDecisionReason"`);
        }
      }
      if (event === "PermissionRequest" && hso.decision !== undefined) {
        const dec = hso.decision;
        if (!isObject(dec) || (dec.behavior !== "allow" && dec.behavior !== "deny")) {
          problems.push(`field "hookSpecificOutput.decision.behavior" must be "allow" or "deny"`);
        } else {
          for (const k of Object.keys(dec)) {
            if (k !== "behavior" && k !== "message") {
              problems.push(`field "hookSpecificOutput.decision.${k}" is not accepted for ${event}`);
            }
          }
        }
      }
    }
  }
  if ("decision" in value && shape.top.includes("decision")) {
    if (value.decision !== "block") problems.push(`field "decision" must be "block"`);
    else if (typeof value.reason !== "string" || value.reason === "") {
      problems.push(`"decision": "block" needs a non-empty "reason"`);
    }
  } else if ("reason" in value && event === "PostToolUse") {
    problems.push(`field "reason" without "decision" is not accepted for PostToolUse`);
  }
  return problems;
}

/** What a hook process hands back to Codex. */
export interface HookResult {
  exitCode: 0 | 2;
  stdout: string;
  stderr: string;
}

/** The empty, always-valid result: exit 0, nothing printed. */
export const EMPTY_RESULT: HookResult = Object.freeze({ exitCode: 0, stdout: "", stderr: "" });

/**
 * A JSON output for `event`, checked against what Codex accepts.
 *
 * @example
 * ```ts
 * import { hookOutput } from "./outputs.ts";
 * const r = hookOutput("PostToolUse", {
 *   hookSpecificOutput: { hookEventName: "PostToolUse", additionalContext: "Bash failed twice" },
 * });
 * if (r.exitCode !== 0) throw new Error("expected exit 0");
 * ```
 */
export function hookOutput<E extends HookEventName>(event: E, output: OutputByEvent[E]): HookResult {
  const problems = outputProblems(event, output);
  if (problems.length > 0) {
    throw new ContractError(`Cannot build ${event} output: ${problems.join("; ")}`);
  }
  return { exitCode: 0, stdout: JSON.stringify(output), stderr: "" };
}

/** Events where exit 2 + stderr means something (block, feedback or continue). */
export const EXIT2_EVENTS = [
  "UserPromptSubmit",
  "PreToolUse",
  "PostToolUse",
  "Stop",
  "SubagentStop",
] as const;

/** An event where exit 2 is meaningful. */
export type Exit2Event = typeof EXIT2_EVENTS[number];

/**
 * Exit 2 with `reason` on stderr: blocks the prompt (UserPromptSubmit) or tool
 * (PreToolUse), feeds back to the model (PostToolUse), or continues the turn
 * (Stop, SubagentStop). An empty reason fails the run, so it is refused here.
 */
export function exit2(event: Exit2Event, reason: string): HookResult {
  if (!(EXIT2_EVENTS as readonly string[]).includes(event)) {
    throw new ContractError(`Cannot exit 2 from ${event}: Codex treats it as a failed run`);
  }
  if (reason.trim() === "") throw new ContractError(`Cannot exit 2 from ${event}: the reason is empty`);
  return { exitCode: 2, stdout: "", stderr: reason };
}
