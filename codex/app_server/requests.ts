/**
 * The client requests lifeline sends to the app-server, as `{ method, params }`
 * builders, and lenient parsers for their results. A result that lacks what
 * lifeline needs parses as `undefined`; the caller turns that into an error
 * naming the method.
 *
 * @module
 */

import { arr, isObject, str, strings, strOrNull } from "./_read.ts";
import { parseThread, parseTurn, type ThreadInfo, type TurnInfo } from "./protocol.ts";

/** A request ready to send. */
export interface ClientRequest {
  method: string;
  params: Record<string, unknown>;
}

/**
 * Notifications an observer does not read and asks the daemon not to send
 * (streaming deltas, item starts, rate limits): a subscribed connection
 * otherwise gets every token of every answer.
 */
export const NOISY_NOTIFICATIONS: readonly string[] = [
  "item/started",
  "item/agentMessage/delta",
  "item/plan/delta",
  "item/reasoning/summaryTextDelta",
  "item/reasoning/summaryPartAdded",
  "item/reasoning/textDelta",
  "item/commandExecution/outputDelta",
  "item/fileChange/outputDelta",
  "command/exec/outputDelta",
  "process/outputDelta",
  "turn/diff/updated",
  "account/rateLimits/updated",
];

/**
 * `initialize`: the first request on every connection, followed by the
 * `initialized` notification. `optOut` lists notification methods the daemon
 * must not send on this connection.
 */
export function initializeRequest(
  name: string,
  version: string,
  optOut: readonly string[] = [],
): ClientRequest {
  const params: Record<string, unknown> = { clientInfo: { name, version } };
  if (optOut.length > 0) params["capabilities"] = { optOutNotificationMethods: [...optOut] };
  return { method: "initialize", params };
}

/** What `initialize` answers. */
export interface InitializeResult {
  userAgent: string;
  codexHome: string | null;
  platformOs: string | null;
}

/** Parses the `initialize` result. */
export function parseInitializeResult(v: unknown): InitializeResult | undefined {
  if (!isObject(v)) return undefined;
  const userAgent = str(v, "userAgent");
  if (userAgent === undefined) return undefined;
  return { userAgent, codexHome: strOrNull(v, "codexHome"), platformOs: strOrNull(v, "platformOs") };
}

/** `thread/loaded/list`: the ids of the threads the daemon has in memory (paged). */
export function loadedListRequest(cursor: string | null = null): ClientRequest {
  return { method: "thread/loaded/list", params: cursor === null ? {} : { cursor } };
}

/** One page of `thread/loaded/list`. */
export interface LoadedListResult {
  data: string[];
  nextCursor: string | null;
}

/** Parses a `thread/loaded/list` page. */
export function parseLoadedList(v: unknown): LoadedListResult | undefined {
  if (!isObject(v) || !Array.isArray(v["data"])) return undefined;
  return { data: strings(v, "data"), nextCursor: strOrNull(v, "nextCursor") };
}

/**
 * `thread/read` without turns: full-history hydration (`includeTurns: true`)
 * is deprecated for paginated threads and prints a `deprecationNotice`.
 */
export function threadReadRequest(threadId: string): ClientRequest {
  return { method: "thread/read", params: { threadId } };
}

/** Parses a result carrying `{ thread }` (`thread/read`, `thread/start`, `thread/resume`). */
export function parseThreadResult(v: unknown): ThreadInfo | undefined {
  return isObject(v) ? parseThread(v["thread"]) : undefined;
}

/** `thread/list`: stored threads, newest first (paged). */
export function threadListRequest(cursor: string | null = null): ClientRequest {
  return { method: "thread/list", params: cursor === null ? {} : { cursor } };
}

/** One page of `thread/list`. */
export interface ThreadListResult {
  data: ThreadInfo[];
  nextCursor: string | null;
}

/** Parses a `thread/list` page; threads without an id are skipped. */
export function parseThreadList(v: unknown): ThreadListResult | undefined {
  if (!isObject(v)) return undefined;
  const data = arr(v, "data");
  if (!data) return undefined;
  return {
    data: data.map(parseThread).filter((t) => t !== undefined),
    nextCursor: strOrNull(v, "nextCursor"),
  };
}

/** Options of `thread/start`; offline runs need none (config.toml provides model and provider). */
export interface ThreadStartOptions {
  cwd?: string;
  model?: string;
  ephemeral?: boolean;
  /** `"never"`, `"on-request"`, `"untrusted"`, … */
  approvalPolicy?: string;
  /** `"read-only"`, `"workspace-write"`, `"danger-full-access"`. */
  sandbox?: string;
}

/** `thread/start`: a new thread; the connection that starts it is subscribed to it. */
export function threadStartRequest(opts: ThreadStartOptions = {}): ClientRequest {
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) params[k] = v;
  return { method: "thread/start", params };
}

/**
 * `thread/resume` of a loaded thread subscribes this connection to its turn,
 * item, token and hook notifications (an observer that has not resumed sees
 * only `thread/started` and `thread/status/changed`). It fires no hook. A
 * thread with no rollout yet (before its first prompt) fails "no rollout
 * found".
 */
export function threadResumeRequest(threadId: string): ClientRequest {
  return { method: "thread/resume", params: { threadId, excludeTurns: true } };
}

/**
 * `thread/turns/list` of the newest turn, without items: tells a connection
 * that subscribed mid-turn which turn is running.
 */
export function latestTurnRequest(threadId: string): ClientRequest {
  return { method: "thread/turns/list", params: { threadId, limit: 1, itemsView: "notLoaded" } };
}

/** Parses a `thread/turns/list` page (newest first); turns without id or status are skipped. */
export function parseTurnsList(v: unknown): TurnInfo[] | undefined {
  if (!isObject(v)) return undefined;
  const data = arr(v, "data");
  return data?.map(parseTurn).filter((t) => t !== undefined);
}

/** `thread/unsubscribe`: undoes {@link threadResumeRequest}. */
export function threadUnsubscribeRequest(threadId: string): ClientRequest {
  return { method: "thread/unsubscribe", params: { threadId } };
}

function textInput(text: string): unknown[] {
  return [{ type: "text", text }];
}

/**
 * `turn/start`: runs a turn on an idle thread. On a thread whose turn is
 * running, Codex adds the input to that turn and answers with its id.
 */
export function turnStartRequest(threadId: string, text: string): ClientRequest {
  return { method: "turn/start", params: { threadId, input: textInput(text) } };
}

/** Parses the `turn/start` result. */
export function parseTurnStartResult(v: unknown): TurnInfo | undefined {
  return isObject(v) ? parseTurn(v["turn"]) : undefined;
}

/**
 * `turn/steer`: adds input to the running turn `expectedTurnId`. Errors
 * (code -32600): "expected active turn id `A` but found `B`" and "no active
 * turn to steer".
 */
export function turnSteerRequest(threadId: string, expectedTurnId: string, text: string): ClientRequest {
  return { method: "turn/steer", params: { threadId, expectedTurnId, input: textInput(text) } };
}

/** Parses the `turn/steer` result: the id of the turn that took the input. */
export function parseTurnSteerResult(v: unknown): string | undefined {
  return isObject(v) ? str(v, "turnId") : undefined;
}

/** The turn id a failed `turn/steer` names as the one really running, if any. */
export function steerFoundTurnId(message: string): string | undefined {
  return /but found `([^`]+)`/.exec(message)?.[1];
}

/**
 * Whether a refused `turn/start` or `turn/steer` says the running turn takes no input: a
 * manual compaction (0.169.0: `ActiveTurnNotSteerable { turn_kind: Compact }`) or a review.
 */
export function turnNotSteerable(message: string): boolean {
  return /ActiveTurnNotSteerable|not steerable/i.test(message);
}

/** Whether a failed `turn/steer` says the thread has no running turn. */
export function steerFoundNoTurn(message: string): boolean {
  return /no active turn/i.test(message);
}
