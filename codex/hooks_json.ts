/**
 * `hooks.json`: its shape, a parser that treats bad files exactly as Codex
 * does, and matcher semantics.
 *
 * What Codex does with a bad file (docs/codex_facts.md, "hooks.json"):
 * - invalid JSON, an unknown top-level key, a handler without `type`, a
 *   handler of an unknown type or a `command` handler without a command: the
 *   **whole file** is void (`failed to parse hooks config <path>: <err>`);
 * - an unknown event key is ignored; unknown keys in a group are ignored, so a
 *   flat entry (`{"command": …}`) parses as an **empty group**;
 * - an invalid matcher regex skips **its group** (`invalid matcher …`);
 * - an empty command, and `prompt`/`agent` handlers, are skipped with a warning.
 *
 * @module
 */

import { type HookEventName, isHookEventName, MATCHER_FIELD } from "./events.ts";
import { ContractError, isObject, type JsonObject, parseJsonText, typeName } from "./json.ts";

/** One handler, as written in the file (unknown keys kept). */
export interface HookHandler {
  type: "command" | "prompt" | "agent" | "mcp_tool" | (string & Record<never, never>);
  command?: string;
  commandWindows?: string;
  timeout?: number;
  async?: boolean;
  statusMessage?: string;
  additionalContextLimit?: number;
  [extra: string]: unknown;
}

/** A matcher group. */
export interface MatcherGroup {
  matcher?: string;
  hooks: HookHandler[];
  [extra: string]: unknown;
}

/** The file. */
export interface HooksFile {
  hooks?: Partial<Record<HookEventName, MatcherGroup[]>> & Record<string, unknown>;
  description?: string;
  [extra: string]: unknown;
}

/** A handler Codex would actually run, with its position in the file. */
export interface ResolvedHandler {
  event: HookEventName;
  groupIndex: number;
  handlerIndex: number;
  matcher: string | undefined;
  handler: HookHandler;
}

/** The outcome of reading a hooks file the way Codex does. */
export interface HooksParseResult {
  /** `undefined` when the whole file is void. */
  file: HooksFile | undefined;
  /** Handlers that would run (before trust is checked). */
  handlers: ResolvedHandler[];
  /** Codex's startup warnings for this file. */
  warnings: string[];
  /** The error that voided the file, with `line:col` for syntax errors. */
  error?: ContractError;
}

const TOP_LEVEL_KEYS = new Set(["hooks", "description"]);
const HANDLER_TYPES = new Set(["command", "prompt", "agent", "mcp_tool"]);

/**
 * Parses `hooks.json` text as Codex does. Never throws for bad content: a
 * voided file comes back with `file: undefined` and `error` set.
 */
export function parseHooksJson(text: string, path = "hooks.json"): HooksParseResult {
  const fail = (message: string, cause?: unknown): HooksParseResult => {
    const error = new ContractError(message, cause === undefined ? undefined : { cause });
    return {
      file: undefined,
      handlers: [],
      warnings: [`failed to parse hooks config ${path}: ${message}`],
      error,
    };
  };
  let value: unknown;
  try {
    value = parseJsonText(text, path);
  } catch (e) {
    const detail = (e as Error).message.replace(/^Cannot parse .*?: invalid JSON at /, "");
    return fail(`${path}:${detail}`, e);
  }
  if (!isObject(value)) return fail(`expected a JSON object at the top level, got ${typeName(value)}`);
  for (const k of Object.keys(value)) {
    if (!TOP_LEVEL_KEYS.has(k)) return fail(`unknown field "${k}", expected one of "hooks", "description"`);
  }
  if (value.description !== undefined && typeof value.description !== "string") {
    return fail(`field "description" must be a string, got ${typeName(value.description)}`);
  }
  const hooks = value.hooks;
  if (hooks !== undefined && !isObject(hooks)) {
    return fail(`field "hooks" must be an object, got ${typeName(hooks)}`);
  }
  const warnings: string[] = [];
  const handlers: ResolvedHandler[] = [];
  for (const [event, groups] of Object.entries(hooks ?? {})) {
    if (!isHookEventName(event)) continue; // unknown event keys are ignored
    if (!Array.isArray(groups)) {
      return fail(`field "hooks.${event}" must be an array, got ${typeName(groups)}`);
    }
    for (const [gi, group] of groups.entries()) {
      const where = `hooks.${event}[${gi}]`;
      if (!isObject(group)) return fail(`field "${where}" must be an object, got ${typeName(group)}`);
      const matcher = group.matcher;
      if (matcher !== undefined && matcher !== null && typeof matcher !== "string") {
        return fail(`field "${where}.matcher" must be a string, got ${typeName(matcher)}`);
      }
      const list = group.hooks ?? [];
      if (!Array.isArray(list)) return fail(`field "${where}.hooks" must be an array, got ${typeName(list)}`);
      const groupHandlers: ResolvedHandler[] = [];
      for (const [hi, h] of list.entries()) {
        const hw = `${where}.hooks[${hi}]`;
        if (!isObject(h)) return fail(`field "${hw}" must be an object, got ${typeName(h)}`);
        if (h.type === undefined) return fail(`field "${hw}.type" is missing`);
        if (typeof h.type !== "string" || !HANDLER_TYPES.has(h.type)) {
          return fail(`field "${hw}.type" is an unknown variant ${JSON.stringify(h.type)}`);
        }
        const bad = handlerFieldProblem(h, hw);
        if (bad) return fail(bad);
        if (h.type === "prompt" || h.type === "agent") {
          warnings.push(`skipping ${h.type} hook in ${path}: ${h.type} hooks are not supported yet`);
          continue;
        }
        if (h.type === "command" && (h.command as string).trim() === "") {
          warnings.push(`skipping empty hook command in ${path}`);
          continue;
        }
        groupHandlers.push({
          event,
          groupIndex: gi,
          handlerIndex: hi,
          matcher: typeof matcher === "string" ? matcher : undefined,
          handler: h as HookHandler,
        });
      }
      if (typeof matcher === "string" && MATCHER_FIELD[event] !== undefined) {
        const err = matcherError(matcher);
        if (err) {
          warnings.push(`invalid matcher ${JSON.stringify(matcher)} in ${path}: ${err}`);
          continue;
        }
      }
      handlers.push(...groupHandlers);
    }
  }
  return { file: value as HooksFile, handlers, warnings };
}

function handlerFieldProblem(h: JsonObject, where: string): string | undefined {
  if (h.type === "command" && typeof h.command !== "string") {
    return h.command === undefined
      ? `field "${where}.command" is missing`
      : `field "${where}.command" must be a string, got ${typeName(h.command)}`;
  }
  if (h.timeout !== undefined && (!Number.isInteger(h.timeout) || (h.timeout as number) < 0)) {
    return `field "${where}.timeout" must be a whole number of seconds, got ${JSON.stringify(h.timeout)}`;
  }
  if (h.async !== undefined && typeof h.async !== "boolean") {
    return `field "${where}.async" must be a boolean, got ${typeName(h.async)}`;
  }
  for (const k of ["statusMessage", "commandWindows"]) {
    if (h[k] !== undefined && typeof h[k] !== "string") {
      return `field "${where}.${k}" must be a string, got ${typeName(h[k])}`;
    }
  }
  return undefined;
}

/** Whether `m` is matched exactly against `|`-separated alternatives (only `[A-Za-z0-9_|]`). */
export function isExactMatcher(m: string): boolean {
  return /^[A-Za-z0-9_|]*$/.test(m);
}

/**
 * Why `m` is not a valid matcher regex, or `undefined` when it is. JavaScript
 * accepts lookaround and backreferences, which Rust's `regex` crate rejects,
 * so those are refused here too.
 */
export function matcherError(m: string): string | undefined {
  if (m === "" || m === "*" || isExactMatcher(m)) return undefined;
  if (/\(\?<?[=!]/.test(m)) return "look-around, including look-ahead and look-behind, is not supported";
  if (/\\[1-9]/.test(m)) return "backreferences are not supported";
  try {
    new RegExp(m, "u");
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Tool-name aliases a matcher also sees: `apply_patch` ↔ `Edit`, `Write`; `spawn_agent` ↔ `Agent`. */
export function matcherCandidates(event: HookEventName, value: string): string[] {
  const field = MATCHER_FIELD[event];
  if (field === "tool_name") {
    if (value === "apply_patch") return [value, "Edit", "Write"];
    if (value === "spawn_agent") return [value, "Agent"];
  }
  return [value];
}

/**
 * Whether a group with `matcher` runs for an event whose matcher input is
 * `value` (the payload's `tool_name`, `source`, `trigger`, `agent_type` or
 * `reason`). Events without a matcher field ignore the matcher.
 */
export function matcherMatches(
  event: HookEventName,
  matcher: string | undefined,
  value: string | undefined,
): boolean {
  if (MATCHER_FIELD[event] === undefined) return true;
  if (matcher === undefined || matcher === "" || matcher === "*") return true;
  if (value === undefined) return false;
  const candidates = matcherCandidates(event, value);
  if (isExactMatcher(matcher)) {
    const alts = matcher.split("|");
    return candidates.some((c) => alts.includes(c));
  }
  if (matcherError(matcher)) return false;
  const re = new RegExp(matcher, "u");
  return candidates.some((c) => re.test(c));
}

/** The matcher input of a payload for `event`, if any. */
export function matcherInput(event: HookEventName, payload: Record<string, unknown>): string | undefined {
  const field = MATCHER_FIELD[event];
  if (field === undefined) return undefined;
  const v = payload[field];
  return typeof v === "string" ? v : undefined;
}
