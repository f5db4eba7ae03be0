/**
 * Hook input payloads, one type and one parser per event.
 *
 * Codex writes each payload to the hook's stdin as compact JSON with no
 * trailing newline. Parsers accept unknown fields (Codex adds fields between
 * releases) and keep them on the returned object; a missing or ill-typed field
 * that the event is defined by is a {@link ContractError} naming the event and
 * the field. Fields that some Codex releases leave out (`model`,
 * `permission_mode`, `turn_id` on older builds, `transcript_path`) are
 * optional, but checked for type when present.
 *
 * @module
 */

import { type HookEventName, isHookEventName } from "./events.ts";
import { ContractError, FieldReader, isObject, type JsonObject, parseJsonText, typeName } from "./json.ts";

/** Fields every hook payload carries. Unknown fields are kept. */
export interface CommonPayload {
  session_id: string;
  hook_event_name: HookEventName;
  cwd: string;
  transcript_path?: string | null;
  model?: string;
  permission_mode?: string;
  turn_id?: string;
  agent_id?: string;
  agent_type?: string;
  [extra: string]: unknown;
}

/** `SessionStart`: fires at the first prompt (late), on resume, `/clear` and after compaction. */
export interface SessionStartPayload extends CommonPayload {
  hook_event_name: "SessionStart";
  source: "startup" | "resume" | "clear" | "compact" | (string & Record<never, never>);
}
/** `UserPromptSubmit`: a prompt opens a turn. */
export interface UserPromptSubmitPayload extends CommonPayload {
  hook_event_name: "UserPromptSubmit";
  prompt: string;
}
/** `PreToolUse`: before a tool runs. */
export interface PreToolUsePayload extends CommonPayload {
  hook_event_name: "PreToolUse";
  tool_name: string;
  tool_use_id?: string;
  tool_input?: unknown;
}
/** `PermissionRequest`: only when approval is needed. */
export interface PermissionRequestPayload extends CommonPayload {
  hook_event_name: "PermissionRequest";
  tool_name: string;
  tool_input?: unknown;
}
/** `PostToolUse`: after a tool ran, also when a shell command exits non-zero. */
export interface PostToolUsePayload extends CommonPayload {
  hook_event_name: "PostToolUse";
  tool_name: string;
  tool_use_id?: string;
  tool_input?: unknown;
  tool_response?: unknown;
}
/** `PreCompact`. */
export interface PreCompactPayload extends CommonPayload {
  hook_event_name: "PreCompact";
  trigger: "manual" | "auto" | (string & Record<never, never>);
}
/** `PostCompact`. */
export interface PostCompactPayload extends CommonPayload {
  hook_event_name: "PostCompact";
  trigger: "manual" | "auto" | (string & Record<never, never>);
}
/** `SubagentStart`. */
export interface SubagentStartPayload extends CommonPayload {
  hook_event_name: "SubagentStart";
  agent_type: string;
}
/** `SubagentStop`. */
export interface SubagentStopPayload extends CommonPayload {
  hook_event_name: "SubagentStop";
  agent_type: string;
  stop_hook_active?: boolean;
  last_assistant_message?: string | null;
  agent_transcript_path?: string | null;
}
/** `Stop`: a turn completed normally (never fires for an interrupted turn). */
export interface StopPayload extends CommonPayload {
  hook_event_name: "Stop";
  stop_hook_active: boolean;
  last_assistant_message?: string | null;
}
/** `Interrupt` (Codex ≥ 0.150): a turn was aborted. */
export interface InterruptPayload extends CommonPayload {
  hook_event_name: "Interrupt";
}
/** `SessionEnd` (Codex ≥ 0.148): no `model`, `permission_mode` or `turn_id`. */
export interface SessionEndPayload extends CommonPayload {
  hook_event_name: "SessionEnd";
  reason: string;
}

/** Token counts of one model request, as `PostModelRequest` reports them. */
export interface ModelTokenUsage {
  input_tokens?: number;
  cached_input_tokens?: number;
  cache_write_input_tokens?: number;
  output_tokens?: number;
  reasoning_output_tokens?: number;
  total_tokens?: number;
  [extra: string]: unknown;
}

/**
 * `PreModelRequest` (0.169+): before each request to the model. 0.169 sends the
 * common fields and `turn_id`; 0.171 adds `kind` (`"sampling"`), `request_id`,
 * `attempt_number` and `thread_id` (equal to `session_id`).
 */
export interface PreModelRequestPayload extends CommonPayload {
  hook_event_name: "PreModelRequest";
  kind?: string;
  request_id?: string;
  attempt_number?: number;
  thread_id?: string;
}
/**
 * `PostModelRequest` (0.169+): after each request. `status` is `completed`,
 * `cancelled` (an interrupt) or `failed` (then `error` is the provider's body
 * and the turn ends with no Stop and no Interrupt).
 */
export interface PostModelRequestPayload extends CommonPayload {
  hook_event_name: "PostModelRequest";
  kind?: string;
  request_id?: string;
  attempt_number?: number;
  thread_id?: string;
  /** Always sent by 0.169 and 0.171; optional so that a build without it is still recorded. */
  status?: "completed" | "cancelled" | "failed" | (string & Record<never, never>);
  error?: unknown;
  token_usage?: ModelTokenUsage | null;
  response_id?: string | null;
}

/** The payload type of each event. */
export interface PayloadByEvent {
  SessionStart: SessionStartPayload;
  UserPromptSubmit: UserPromptSubmitPayload;
  PreToolUse: PreToolUsePayload;
  PermissionRequest: PermissionRequestPayload;
  PostToolUse: PostToolUsePayload;
  PreCompact: PreCompactPayload;
  PostCompact: PostCompactPayload;
  SubagentStart: SubagentStartPayload;
  SubagentStop: SubagentStopPayload;
  Stop: StopPayload;
  Interrupt: InterruptPayload;
  SessionEnd: SessionEndPayload;
  PreModelRequest: PreModelRequestPayload;
  PostModelRequest: PostModelRequestPayload;
}

/** Any hook payload. */
export type HookPayload = PayloadByEvent[HookEventName];

type Check = (r: FieldReader) => void;

const TURN_SCOPED_OPTIONAL: Check = (r) => {
  r.optString("turn_id");
};

const TOKEN_FIELDS = [
  "input_tokens",
  "cached_input_tokens",
  "cache_write_input_tokens",
  "output_tokens",
  "reasoning_output_tokens",
  "total_tokens",
] as const;

function optNumber(obj: JsonObject, field: string, what: string): void {
  const v = obj[field];
  if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v))) {
    throw new ContractError(`Cannot parse ${what}: field "${field}" must be a number, got ${typeName(v)}`, {
      field,
    });
  }
}

/** The fields both model-request events share (all optional: 0.169 sends fewer than 0.171). */
const MODEL_REQUEST: Check = (r) => {
  TURN_SCOPED_OPTIONAL(r);
  r.optString("kind");
  r.optString("request_id");
  optNumber(r.obj, "attempt_number", r.what);
  r.optString("thread_id");
};

/** Per event: the fields it is defined by (required) and typed optional fields. */
const EVENT_CHECKS: Record<HookEventName, Check> = {
  SessionStart: (r) => {
    r.string("source");
  },
  UserPromptSubmit: (r) => {
    TURN_SCOPED_OPTIONAL(r);
    r.string("prompt");
  },
  PreToolUse: (r) => {
    TURN_SCOPED_OPTIONAL(r);
    r.string("tool_name");
    r.optString("tool_use_id");
  },
  PermissionRequest: (r) => {
    TURN_SCOPED_OPTIONAL(r);
    r.string("tool_name");
  },
  PostToolUse: (r) => {
    TURN_SCOPED_OPTIONAL(r);
    r.string("tool_name");
    r.optString("tool_use_id");
  },
  PreCompact: (r) => {
    TURN_SCOPED_OPTIONAL(r);
    r.string("trigger");
  },
  PostCompact: (r) => {
    TURN_SCOPED_OPTIONAL(r);
    r.string("trigger");
  },
  SubagentStart: (r) => {
    TURN_SCOPED_OPTIONAL(r);
    r.string("agent_type");
  },
  SubagentStop: (r) => {
    TURN_SCOPED_OPTIONAL(r);
    r.string("agent_type");
    r.optBoolean("stop_hook_active");
    r.optString("last_assistant_message", true);
    r.optString("agent_transcript_path", true);
  },
  Stop: (r) => {
    TURN_SCOPED_OPTIONAL(r);
    const active = r.optBoolean("stop_hook_active");
    if (active === undefined) r.obj.stop_hook_active = false;
    r.optString("last_assistant_message", true);
  },
  Interrupt: TURN_SCOPED_OPTIONAL,
  SessionEnd: (r) => {
    // Codex always sends "other"; tolerate its absence on builds that drop it.
    if (r.obj.reason === undefined) r.obj.reason = "other";
    r.string("reason");
  },
  PreModelRequest: MODEL_REQUEST,
  PostModelRequest: (r) => {
    MODEL_REQUEST(r);
    r.optString("status");
    const usage = r.obj.token_usage;
    if (usage !== undefined && usage !== null) {
      if (!isObject(usage)) {
        throw new ContractError(
          `Cannot parse ${r.what}: field "token_usage" must be an object or null, got ${typeName(usage)}`,
          { field: "token_usage" },
        );
      }
      for (const k of TOKEN_FIELDS) optNumber(usage, k, `${r.what}: field "token_usage"`);
    }
    r.optString("response_id", true);
  },
};

/**
 * Validates an already-decoded payload object for `event` (or for whatever
 * `hook_event_name` says when `event` is omitted). Returns the same object,
 * typed; unknown fields are kept.
 */
export function parsePayloadObject<E extends HookEventName>(
  value: unknown,
  event?: E,
): PayloadByEvent[E] {
  const label = event ?? "hook";
  if (!isObject(value)) {
    throw new ContractError(
      `Cannot parse ${label} input: expected a JSON object, got ${typeName(value)}`,
    );
  }
  const obj: JsonObject = { ...value };
  const named = obj.hook_event_name;
  if (event !== undefined) {
    if (named === undefined) obj.hook_event_name = event;
    else if (named !== event) {
      throw new ContractError(
        `Cannot parse ${event} input: field "hook_event_name" is "${String(named)}", expected "${event}"`,
        { field: "hook_event_name" },
      );
    }
  } else if (!isHookEventName(named)) {
    throw new ContractError(
      named === undefined
        ? `Cannot parse hook input: field "hook_event_name" is missing`
        : `Cannot parse hook input: field "hook_event_name" is an unknown event "${String(named)}"`,
      { field: "hook_event_name" },
    );
  }
  const ev = obj.hook_event_name as HookEventName;
  const r = new FieldReader(obj, `${ev} input`);
  r.string("session_id");
  if (obj.cwd === undefined) obj.cwd = "";
  r.string("cwd");
  r.optString("transcript_path", true);
  r.optString("model");
  r.optString("permission_mode");
  r.optString("agent_id");
  r.optString("agent_type");
  r.optString("turn_id");
  EVENT_CHECKS[ev](r);
  return obj as PayloadByEvent[E];
}

/**
 * Parses the text Codex writes to a hook's stdin (compact JSON, no trailing
 * newline; surrounding whitespace is tolerated).
 *
 * @example
 * ```ts
 * import { parseHookInput } from "./payloads.ts";
 * const p = parseHookInput(
 *   '{"session_id":"s1","cwd":"/w","hook_event_name":"UserPromptSubmit","turn_id":"t1","prompt":"hi"}',
 *   "UserPromptSubmit",
 * );
 * if (p.prompt !== "hi") throw new Error("unexpected prompt");
 * ```
 */
export function parseHookInput<E extends HookEventName>(text: string, event?: E): PayloadByEvent[E] {
  const label = event ?? "hook";
  if (text.trim() === "") {
    throw new ContractError(`Cannot parse ${label} input: stdin is empty`);
  }
  return parsePayloadObject(parseJsonText(text, `${label} input`), event);
}

/** Serialises a payload the way Codex does: compact JSON, no trailing newline. */
export function serializeHookInput(payload: HookPayload | JsonObject): string {
  return JSON.stringify(payload);
}

/** What a model-request payload is built from (the simulator's view of one request). */
export interface ModelRequestFields {
  session_id: string;
  turn_id: string;
  cwd: string;
  transcript_path: string | null;
  model: string;
  /** 0.171 only. */
  request_id: string;
  /** Post only. */
  status?: "completed" | "cancelled" | "failed";
  error?: unknown;
  token_usage?: ModelTokenUsage | null;
  /** Post only, 0.171 only. */
  response_id?: string | null;
}

/**
 * A model-request payload in the field order of a release: 0.169 sends the
 * common fields without `permission_mode` (Post adds `status`, `error`,
 * `token_usage`); 0.171 puts `kind`, `request_id`, `attempt_number` first, adds
 * `thread_id`, and Post ends with `response_id`.
 */
export function modelRequestPayload(
  shape: "0.169" | "0.171",
  event: "PreModelRequest" | "PostModelRequest",
  f: ModelRequestFields,
): JsonObject {
  const head: JsonObject = shape === "0.171"
    ? { kind: "sampling", request_id: f.request_id, attempt_number: 1, session_id: f.session_id }
    : { session_id: f.session_id };
  if (shape === "0.171") head.thread_id = f.session_id;
  const out: JsonObject = {
    ...head,
    turn_id: f.turn_id,
    cwd: f.cwd,
    transcript_path: f.transcript_path,
    model: f.model,
    hook_event_name: event,
  };
  if (event === "PreModelRequest") return out;
  out.status = f.status ?? "completed";
  out.error = f.error ?? null;
  out.token_usage = f.token_usage ?? null;
  if (shape === "0.171") out.response_id = f.response_id ?? null;
  return out;
}
