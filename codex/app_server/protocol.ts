/**
 * The part of Codex's app-server protocol (JSON-RPC 2.0 over WebSocket over
 * `$CODEX_HOME/app-server-control/app-server-control.sock`) that lifeline
 * reads, written from `codex app-server generate-json-schema` of 0.169.0 and
 * 0.171.0 (the slices lifeline relies on are in `schema/<version>/`).
 *
 * Parsing is defensive: unknown methods and unknown fields are ignored, a
 * known notification missing a field lifeline needs parses as `invalid` with
 * the reason, and nothing here throws. The daemon omits `"jsonrpc": "2.0"` on
 * what it sends and adds `emittedAtMs` to notifications.
 *
 * @module
 */

import { arr, isObject, type JsonObject, num, numOrNull, obj, str, strings, strOrNull } from "./_read.ts";

/** A JSON-RPC request id: the daemon numbers its own requests from 0. */
export type RequestId = string | number;

/** A thread's status: `active` carries flags such as `waitingOnApproval`. */
export type ThreadStatus =
  | { type: "notLoaded" | "idle" | "systemError" }
  | { type: "active"; activeFlags: string[] };

/** A thread as `thread/started`, `thread/read`, `thread/list` and `thread/start` describe it. */
export interface ThreadInfo {
  id: string;
  /** Equal to `id` for top-level threads; the hooks' `session_id`. */
  sessionId: string;
  /** Internal threads (title generation) are ephemeral and never sessions. */
  ephemeral: boolean;
  /** The first user message; `""` before the first prompt. */
  preview: string;
  cwd: string | null;
  model: string | null;
  status: ThreadStatus | null;
  /** `"cli"`, `"vscode"`, `"exec"`, `"appServer"`, … or the key of an object variant (`subAgent`). */
  source: string | null;
  cliVersion: string | null;
  /** Unix seconds. */
  createdAt: number | null;
  /** The rollout file, when known. */
  path: string | null;
}

/** A turn's status; `inProgress` until `turn/completed`. */
export type TurnStatus = "completed" | "interrupted" | "failed" | "inProgress";

/** Why a turn failed (or was interrupted). */
export interface TurnError {
  message: string;
  /** The error class: a string variant (`"usageLimitExceeded"`) or an object variant's key. */
  errorClass: string | null;
  additionalDetails: string | null;
}

/** A turn as `turn/started`, `turn/completed` and `turn/start` describe it. */
export interface TurnInfo {
  id: string;
  /** An unknown future status is kept as it is. */
  status: TurnStatus | string;
  error: TurnError | null;
  /** Unix seconds. */
  startedAt: number | null;
  completedAt: number | null;
  durationMs: number | null;
  /** The text of the turn's last `agentMessage` item, when the payload carries items. */
  lastAgentMessage: string | null;
}

/** One completed thread item; only command executions and messages are read in detail. */
export type ThreadItem =
  | {
    type: "commandExecution";
    id: string;
    command: string;
    cwd: string | null;
    /** `completed`, `failed`, `declined`, … */
    status: string;
    exitCode: number | null;
    durationMs: number | null;
  }
  | { type: "agentMessage"; id: string; text: string }
  | { type: "userMessage"; id: string; text: string }
  | { type: "other"; id: string | null; itemType: string };

/** Token counts of one breakdown (`total` for the thread, `last` for the last request). */
export interface TokenBreakdown {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningOutputTokens: number;
  totalTokens: number;
}

/** One hook run as `hook/started` / `hook/completed` report it. */
export interface HookRun {
  id: string;
  /** camelCase: `sessionStart`, `userPromptSubmit`, `preToolUse`, `stop`, … */
  eventName: string;
  /** `running`, `completed`, `failed`, `blocked`, `stopped`. */
  status: string;
  statusMessage: string | null;
  sourcePath: string | null;
  durationMs: number | null;
}

/** The server notifications lifeline reads. */
export type ServerNotification =
  | { method: "thread/started"; thread: ThreadInfo }
  | { method: "thread/status/changed"; threadId: string; status: ThreadStatus }
  | { method: "thread/closed"; threadId: string }
  | { method: "turn/started" | "turn/completed"; threadId: string; turn: TurnInfo }
  | { method: "item/completed"; threadId: string; turnId: string; item: ThreadItem }
  | {
    method: "thread/tokenUsage/updated";
    threadId: string;
    turnId: string;
    total: TokenBreakdown;
    last: TokenBreakdown;
    modelContextWindow: number | null;
  }
  | { method: "hook/started" | "hook/completed"; threadId: string; turnId: string | null; run: HookRun }
  | { method: "serverRequest/resolved"; threadId: string | null; requestId: RequestId };

/** The methods of {@link ServerNotification}. */
export const KNOWN_NOTIFICATIONS: readonly ServerNotification["method"][] = [
  "thread/started",
  "thread/status/changed",
  "thread/closed",
  "turn/started",
  "turn/completed",
  "item/completed",
  "thread/tokenUsage/updated",
  "hook/started",
  "hook/completed",
  "serverRequest/resolved",
];

/** A JSON-RPC error object. */
export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

/** One message from the daemon, classified. */
export type ServerMessage =
  | { kind: "response"; id: RequestId; result: unknown }
  | { kind: "error"; id: RequestId | null; error: RpcErrorBody }
  /** A request to the client (approvals, user input, …): lifeline never answers these. */
  | { kind: "request"; id: RequestId; method: string; params: unknown }
  | { kind: "notification"; notification: ServerNotification; emittedAtMs: number | null }
  /** A notification lifeline does not read: ignored, never fatal. */
  | { kind: "ignored"; method: string }
  /** A known notification without a field lifeline needs, or not JSON-RPC at all. */
  | { kind: "invalid"; method: string | null; problem: string };

function requestId(v: unknown): RequestId | undefined {
  return typeof v === "string" || (typeof v === "number" && Number.isInteger(v)) ? v : undefined;
}

/** A thread status, or `null` when absent or unknown. */
export function parseThreadStatus(v: unknown): ThreadStatus | null {
  if (!isObject(v)) return null;
  const type = str(v, "type");
  if (type === "active") return { type, activeFlags: strings(v, "activeFlags") };
  if (type === "idle" || type === "notLoaded" || type === "systemError") return { type };
  return null;
}

function variantName(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (isObject(v)) return Object.keys(v)[0] ?? null;
  return null;
}

/** A thread, or `undefined` without an `id`. */
export function parseThread(v: unknown): ThreadInfo | undefined {
  if (!isObject(v)) return undefined;
  const id = str(v, "id");
  if (id === undefined) return undefined;
  return {
    id,
    sessionId: str(v, "sessionId") ?? id,
    ephemeral: v["ephemeral"] === true,
    preview: str(v, "preview") ?? "",
    cwd: strOrNull(v, "cwd"),
    model: strOrNull(v, "model"),
    status: parseThreadStatus(v["status"]),
    source: variantName(v["source"]),
    cliVersion: strOrNull(v, "cliVersion"),
    createdAt: numOrNull(v, "createdAt"),
    path: strOrNull(v, "path"),
  };
}

function parseTurnError(v: unknown): TurnError | null {
  if (!isObject(v)) return null;
  return {
    message: str(v, "message") ?? "",
    errorClass: variantName(v["codexErrorInfo"]),
    additionalDetails: strOrNull(v, "additionalDetails"),
  };
}

/** A turn, or `undefined` without `id` and `status`. */
export function parseTurn(v: unknown): TurnInfo | undefined {
  if (!isObject(v)) return undefined;
  const id = str(v, "id");
  const status = str(v, "status");
  if (id === undefined || status === undefined) return undefined;
  const items = (arr(v, "items") ?? []).map(parseItem).filter((i) => i !== undefined);
  const last = items.findLast((i) => i.type === "agentMessage");
  return {
    id,
    status,
    error: parseTurnError(v["error"]),
    startedAt: numOrNull(v, "startedAt"),
    completedAt: numOrNull(v, "completedAt"),
    durationMs: numOrNull(v, "durationMs"),
    lastAgentMessage: last?.type === "agentMessage" ? last.text : null,
  };
}

function userText(item: JsonObject): string {
  return (arr(item, "content") ?? [])
    .filter(isObject)
    .map((c) => (str(c, "type") === "text" ? str(c, "text") ?? "" : ""))
    .join("");
}

/** A thread item, or `undefined` without a `type`. */
export function parseItem(v: unknown): ThreadItem | undefined {
  if (!isObject(v)) return undefined;
  const type = str(v, "type");
  if (type === undefined) return undefined;
  const id = str(v, "id");
  if (type === "commandExecution" && id !== undefined) {
    return {
      type,
      id,
      command: str(v, "command") ?? "",
      cwd: strOrNull(v, "cwd"),
      status: str(v, "status") ?? "",
      exitCode: numOrNull(v, "exitCode"),
      durationMs: numOrNull(v, "durationMs"),
    };
  }
  if (type === "agentMessage" && id !== undefined) return { type, id, text: str(v, "text") ?? "" };
  if (type === "userMessage" && id !== undefined) return { type, id, text: userText(v) };
  return { type: "other", id: id ?? null, itemType: type };
}

function parseTokens(v: unknown): TokenBreakdown | undefined {
  if (!isObject(v)) return undefined;
  const totalTokens = num(v, "totalTokens");
  if (totalTokens === undefined) return undefined;
  return {
    inputTokens: num(v, "inputTokens") ?? 0,
    cachedInputTokens: num(v, "cachedInputTokens") ?? 0,
    outputTokens: num(v, "outputTokens") ?? 0,
    reasoningOutputTokens: num(v, "reasoningOutputTokens") ?? 0,
    totalTokens,
  };
}

function parseHookRun(v: unknown): HookRun | undefined {
  if (!isObject(v)) return undefined;
  const id = str(v, "id");
  const eventName = str(v, "eventName");
  if (id === undefined || eventName === undefined) return undefined;
  return {
    id,
    eventName,
    status: str(v, "status") ?? "",
    statusMessage: strOrNull(v, "statusMessage"),
    sourcePath: strOrNull(v, "sourcePath"),
    durationMs: numOrNull(v, "durationMs"),
  };
}

class MissingField extends Error {}

function need<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw new MissingField(field);
  return value;
}

/** Parses the params of a known notification; throws {@link MissingField} naming what is missing. */
function parseParams(method: ServerNotification["method"], p: JsonObject): ServerNotification {
  const threadId = () => need(str(p, "threadId"), "threadId");
  switch (method) {
    case "thread/started":
      return { method, thread: need(parseThread(p["thread"]), "thread") };
    case "thread/status/changed":
      return {
        method,
        threadId: threadId(),
        status: need(parseThreadStatus(p["status"]) ?? undefined, "status"),
      };
    case "thread/closed":
      return { method, threadId: threadId() };
    case "turn/started":
    case "turn/completed":
      return { method, threadId: threadId(), turn: need(parseTurn(p["turn"]), "turn") };
    case "item/completed":
      return {
        method,
        threadId: threadId(),
        turnId: need(str(p, "turnId"), "turnId"),
        item: need(parseItem(p["item"]), "item"),
      };
    case "thread/tokenUsage/updated": {
      const usage = need(obj(p, "tokenUsage"), "tokenUsage");
      return {
        method,
        threadId: threadId(),
        turnId: need(str(p, "turnId"), "turnId"),
        total: need(parseTokens(usage["total"]), "tokenUsage.total"),
        last: need(parseTokens(usage["last"]), "tokenUsage.last"),
        modelContextWindow: numOrNull(usage, "modelContextWindow"),
      };
    }
    case "hook/started":
    case "hook/completed":
      return {
        method,
        threadId: threadId(),
        turnId: strOrNull(p, "turnId"),
        run: need(parseHookRun(p["run"]), "run"),
      };
    case "serverRequest/resolved":
      return {
        method,
        threadId: strOrNull(p, "threadId"),
        requestId: need(requestId(p["requestId"]), "requestId"),
      };
  }
}

function isKnown(method: string): method is ServerNotification["method"] {
  return (KNOWN_NOTIFICATIONS as readonly string[]).includes(method);
}

/** Classifies one message from the daemon (a JSON text or an already parsed value). */
export function parseServerMessage(raw: string | unknown): ServerMessage {
  let msg: unknown = raw;
  if (typeof raw === "string") {
    try {
      msg = JSON.parse(raw);
    } catch {
      return { kind: "invalid", method: null, problem: "not JSON" };
    }
  }
  if (!isObject(msg)) return { kind: "invalid", method: null, problem: "not a JSON object" };
  const method = str(msg, "method");
  const id = requestId(msg["id"]);
  if (method === undefined) {
    const error = obj(msg, "error");
    if (error) {
      return {
        kind: "error",
        id: id ?? null,
        error: { code: num(error, "code") ?? 0, message: str(error, "message") ?? "", data: error["data"] },
      };
    }
    if (id !== undefined && "result" in msg) return { kind: "response", id, result: msg["result"] };
    return { kind: "invalid", method: null, problem: "neither a request, a response nor a notification" };
  }
  if (id !== undefined) return { kind: "request", id, method, params: msg["params"] };
  if (!isKnown(method)) return { kind: "ignored", method };
  const params = obj(msg, "params");
  if (!params) return { kind: "invalid", method, problem: `field "params" is missing` };
  try {
    const parsed = parseParams(method, params);
    return { kind: "notification", notification: parsed, emittedAtMs: numOrNull(msg, "emittedAtMs") };
  } catch (e) {
    if (e instanceof MissingField) {
      return { kind: "invalid", method, problem: `field "${e.message}" is missing or ill-typed` };
    }
    throw e;
  }
}
