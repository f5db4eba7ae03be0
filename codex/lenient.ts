/**
 * Reading a hook payload the way a hook must: an event is lost only when a
 * field it cannot be recorded without is missing or ill-typed. Codex's
 * payloads change between releases, and an unexpected type in a field that
 * only describes the event (its `cwd`, `model`, …) is no reason to drop it.
 *
 * Essential fields (a wrong type rejects the payload):
 * - every event: `session_id`, `hook_event_name`; `turn_id` and, for the tool
 *   events, `tool_use_id` when present (they key the turn and pair
 *   PreToolUse with PostToolUse: a guessed value would file the event under
 *   the wrong turn or call);
 * - PreToolUse, PermissionRequest, PostToolUse: `tool_name` (failures are
 *   counted per tool).
 *
 * Everything else is descriptive. An ill-typed descriptive field is replaced
 * (`cwd` by "", `source`/`trigger`/`agent_type` by "unknown", `reason` by
 * "other", `prompt` and `last_assistant_message` by their JSON text) or
 * dropped, a missing one the contract requires is filled in the same way,
 * and its name is listed in `lifeline_ill_typed`.
 *
 * Besides: nesting deeper than {@link MAX_DEPTH} is cut and marked (deeper
 * structures overflow the stack of every recursive reader after this one), a
 * NUL in a string becomes U+2400 "␀" (SQLite's text binding ends a string at
 * NUL, losing what follows), and input cut at the hook's size limit is
 * salvaged: the top-level fields before the cut are kept and the payload is
 * marked `lifeline_truncated`.
 *
 * @module
 */

import type { HookEventName } from "./events.ts";
import { ContractError, isObject, type JsonObject, jsonSyntaxError, lineCol } from "./json.ts";
import { parsePayloadObject, type PayloadByEvent } from "./payloads.ts";
import { type NotifyPayload, parseNotifyArgv, parseNotifyObject } from "./notify.ts";

/** Containers nested deeper than this are replaced by a marker string. */
export const MAX_DEPTH = 256;

/** What replaces a container nested deeper than {@link MAX_DEPTH}. */
export const TOO_DEEP = `[nested deeper than ${MAX_DEPTH} levels]`;

/** How the replacements of ill-typed descriptive fields are made. */
type Fix = "drop" | "empty" | "unknown" | "other" | "json";

const COMMON_FIXES: Readonly<Record<string, Fix>> = {
  cwd: "empty",
  transcript_path: "drop",
  model: "drop",
  permission_mode: "drop",
  agent_id: "drop",
  agent_type: "drop",
  client: "drop",
};

const EVENT_FIXES: Partial<Record<HookEventName, Readonly<Record<string, Fix>>>> = {
  SessionStart: { source: "unknown" },
  UserPromptSubmit: { prompt: "json" },
  PreCompact: { trigger: "unknown" },
  PostCompact: { trigger: "unknown" },
  SubagentStart: { agent_type: "unknown" },
  SubagentStop: {
    agent_type: "unknown",
    stop_hook_active: "drop",
    last_assistant_message: "json",
    agent_transcript_path: "drop",
  },
  Stop: { stop_hook_active: "drop", last_assistant_message: "json" },
  SessionEnd: { reason: "other" },
};

/** The type each descriptive field must have (nullable ones accept null). */
const WANTS: Readonly<Record<string, "string" | "string?" | "boolean">> = {
  cwd: "string",
  transcript_path: "string?",
  model: "string",
  permission_mode: "string",
  agent_id: "string",
  agent_type: "string",
  client: "string",
  source: "string",
  prompt: "string",
  trigger: "string",
  reason: "string",
  stop_hook_active: "boolean",
  last_assistant_message: "string?",
  agent_transcript_path: "string?",
};

function fits(v: unknown, want: "string" | "string?" | "boolean"): boolean {
  if (want === "boolean") return typeof v === "boolean";
  return typeof v === "string" || (want === "string?" && v === null);
}

/** Descriptive fields an event's contract requires: filled in when missing. */
const MISSING: Partial<Record<HookEventName, Readonly<Record<string, string>>>> = {
  SessionStart: { source: "unknown" },
  UserPromptSubmit: { prompt: "" },
  PreCompact: { trigger: "unknown" },
  PostCompact: { trigger: "unknown" },
  SubagentStart: { agent_type: "unknown" },
  SubagentStop: { agent_type: "unknown" },
};

/**
 * Replaces or drops ill-typed descriptive fields of `obj` in place, and fills
 * in missing ones the contract requires; returns their names.
 */
export function fixDescriptive(obj: JsonObject, event: HookEventName): string[] {
  const fixes = { ...COMMON_FIXES, ...EVENT_FIXES[event] };
  const fixed: string[] = [];
  for (const [field, dflt] of Object.entries(MISSING[event] ?? {})) {
    if (obj[field] === undefined) (obj[field] = dflt), fixed.push(field);
  }
  for (const [field, fix] of Object.entries(fixes)) {
    const v = obj[field];
    if (v === undefined || fits(v, WANTS[field]!)) continue;
    fixed.push(field);
    if (fix === "drop") delete obj[field];
    else if (fix === "empty") obj[field] = "";
    else if (fix === "unknown") obj[field] = "unknown";
    else if (fix === "other") obj[field] = "other";
    else obj[field] = JSON.stringify(v) ?? String(v);
  }
  return fixed;
}

/**
 * Bounds a decoded JSON value in place, without recursion: containers deeper
 * than `maxDepth` become {@link TOO_DEEP}, NUL in strings becomes "␀".
 * Returns the (possibly replaced) root.
 */
export function boundJson(root: unknown, maxDepth: number = MAX_DEPTH): unknown {
  const fix = (v: unknown, depth: number): unknown => {
    if (typeof v === "string") return v.includes("\0") ? v.replaceAll("\0", "\u2400") : v;
    if (typeof v === "object" && v !== null && depth > maxDepth) return TOO_DEEP;
    return v;
  };
  const top = fix(root, 1);
  const stack: [Record<string, unknown> | unknown[], number][] = [];
  if (typeof top === "object" && top !== null) stack.push([top as Record<string, unknown>, 1]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    const keys = Array.isArray(node) ? node.keys() : Object.keys(node).values();
    for (const k of keys) {
      const rec = node as Record<string | number, unknown>;
      const v = fix(rec[k], depth + 1);
      rec[k] = v;
      if (typeof v === "object" && v !== null) stack.push([v as Record<string, unknown>, depth + 1]);
    }
  }
  return top;
}

/**
 * The top-level fields of a JSON object cut short: each member that ends
 * before the cut, with nested values kept only when they fit whole.
 * Returns undefined when the text does not start like an object.
 */
export function salvageTopLevel(text: string): JsonObject | undefined {
  let i = text.search(/\S/);
  if (i < 0 || text[i] !== "{") return undefined;
  i++;
  const out: JsonObject = {};
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const skipString = (): boolean => {
    for (i++; i < text.length; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === '"') return void i++, true;
    }
    return false;
  };
  const skipValue = (): boolean => {
    if (text[i] === '"') return skipString();
    if (text[i] === "{" || text[i] === "[") {
      let depth = 0;
      while (i < text.length) {
        const c = text[i]!;
        if (c === '"') {
          if (!skipString()) return false;
          continue;
        }
        if (c === "{" || c === "[") depth++;
        else if (c === "}" || c === "]") depth--;
        i++;
        if (depth === 0) return true;
      }
      return false;
    }
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!m || i + m[0].length >= text.length) return false;
    i += m[0].length;
    return true;
  };
  for (;;) {
    ws();
    if (text[i] !== '"') return out;
    const k0 = i;
    if (!skipString()) return out;
    const key = JSON.parse(text.slice(k0, i)) as string;
    ws();
    if (text[i] !== ":") return out;
    i++;
    ws();
    const v0 = i;
    if (!skipValue()) return out;
    const raw = text.slice(v0, i);
    try {
      out[key] = raw.length > 65_536 ? boundJson(JSON.parse(raw)) : JSON.parse(raw);
    } catch { /* a value that does not parse is left out */ }
    ws();
    if (text[i] !== ",") return out;
    i++;
  }
}

/** Options of {@link parseHookInputLenient}. */
export interface LenientOptions {
  /** The input was cut at the hook's size limit. */
  truncated?: boolean;
  /** Makes the excerpt of a JSON syntax error safe to log (e.g. a secret scrubber). */
  excerpt?: (s: string) => string;
}

/**
 * Parses a hook's stdin, keeping every event whose essential fields are
 * valid (see the module comment). Throws a {@link ContractError} otherwise;
 * a JSON syntax error names its line and column and shows the shape of at
 * most 24 characters around it (punctuation kept, the rest masked, then
 * passed through `opts.excerpt`), never the input itself.
 */
export function parseHookInputLenient<E extends HookEventName>(
  text: string,
  event: E,
  opts: LenientOptions = {},
): PayloadByEvent[E] {
  if (text.trim() === "") throw new ContractError(`Cannot parse ${event} input: stdin is empty`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = opts.truncated ? salvageTopLevel(text) : undefined;
    if (value === undefined) throw syntaxError(text, event, opts.excerpt ?? ((s) => s));
  }
  value = boundJson(value);
  if (isObject(value)) {
    if (opts.truncated) value.lifeline_truncated = true;
    const fixed = fixDescriptive(value, event);
    if (fixed.length > 0) value.lifeline_ill_typed = fixed;
  }
  return parsePayloadObject(value, event);
}

function syntaxError(text: string, event: string, excerpt: (s: string) => string): ContractError {
  let offset = text.length;
  let problem = "invalid JSON";
  try {
    ({ offset, problem } = jsonSyntaxError(text));
  } catch { /* too deep to locate: report the end */ }
  const { line, col } = lineCol(text, offset);
  // Only the shape of the text near the error: its punctuation, every other character masked
  // (a secret may sit right there); the caller's `excerpt` may scrub further.
  const near = excerpt(text.slice(Math.max(0, offset - 12), offset + 12).replace(/[^\s{}[\]:,"]/g, "·"));
  return new ContractError(
    `Cannot parse ${event} input: invalid JSON at ${line}:${col}: ${problem.slice(0, 80)} ` +
      `(near ${JSON.stringify(near)}, ${text.length} characters in all)`,
  );
}

/**
 * Parses the notify payload (the last argument) like {@link parseHookInputLenient}:
 * `type`, `thread-id` and `turn-id` are essential; an ill-typed `cwd` or
 * `client` is dropped, `input-messages` keeps its strings (others as JSON
 * text), `last-assistant-message` becomes its JSON text.
 */
export function parseNotifyArgvLenient(argv: readonly string[]): NotifyPayload {
  const last = argv.at(-1);
  if (last === undefined) return parseNotifyArgv(argv);
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch {
    throw syntaxError(last, "notify", (s) => s);
  }
  value = boundJson(value);
  if (isObject(value)) {
    const fixed: string[] = [];
    for (const f of ["cwd", "client"]) {
      if (value[f] !== undefined && typeof value[f] !== "string") fixed.push(f), delete value[f];
    }
    const msgs = value["input-messages"];
    if (msgs !== undefined && (!Array.isArray(msgs) || msgs.some((m) => typeof m !== "string"))) {
      fixed.push("input-messages");
      value["input-messages"] = (Array.isArray(msgs) ? msgs : [msgs]).map((m) =>
        typeof m === "string" ? m : JSON.stringify(m) ?? String(m)
      );
    }
    const lam = value["last-assistant-message"];
    if (lam !== undefined && lam !== null && typeof lam !== "string") {
      fixed.push("last-assistant-message");
      value["last-assistant-message"] = JSON.stringify(lam) ?? String(lam);
    }
    if (fixed.length > 0) value.lifeline_ill_typed = fixed;
  }
  return parseNotifyObject(value);
}
