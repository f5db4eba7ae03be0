/**
 * Every app-server field lifeline reads or sends, by the schema file of
 * `codex app-server generate-json-schema` that defines it. A path is dotted
 * from the message's params (or result); `[]` steps into array elements.
 * The schema test resolves each path in the schema the installed Codex
 * generates, and checks that the parsers read nothing outside this list.
 *
 * @module
 */

import type { ServerNotification } from "./protocol.ts";

const THREAD = [
  "id",
  "sessionId",
  "ephemeral",
  "preview",
  "cwd",
  "model",
  "status.type",
  "status.activeFlags",
  "source",
  "cliVersion",
  "createdAt",
  "path",
];
const TURN = [
  "id",
  "status",
  "error.message",
  "error.codexErrorInfo",
  "error.additionalDetails",
  "startedAt",
  "completedAt",
  "durationMs",
  "items[].type",
  "items[].id",
  "items[].text",
  "items[].command",
  "items[].cwd",
  "items[].status",
  "items[].exitCode",
  "items[].durationMs",
  "items[].content[].type",
  "items[].content[].text",
];
const ITEM = [
  "type",
  "id",
  "text",
  "command",
  "cwd",
  "status",
  "exitCode",
  "durationMs",
  "content[].type",
  "content[].text",
];
const TOKENS = ["inputTokens", "cachedInputTokens", "outputTokens", "reasoningOutputTokens", "totalTokens"];
const HOOK = [
  "threadId",
  "turnId",
  ...["id", "eventName", "status", "statusMessage", "sourcePath", "durationMs"]
    .map((f) => `run.${f}`),
];

const under = (prefix: string, paths: string[]) => paths.map((p) => `${prefix}${p}`);

/** Schema file → the field paths lifeline relies on. */
export const RELIED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "v1/InitializeParams.json": [
    "clientInfo.name",
    "clientInfo.version",
    "capabilities.optOutNotificationMethods[]",
  ],
  "v1/InitializeResponse.json": ["userAgent", "codexHome", "platformOs"],
  "v2/ThreadLoadedListParams.json": ["cursor"],
  "v2/ThreadLoadedListResponse.json": ["data[]", "nextCursor"],
  "v2/ThreadReadParams.json": ["threadId"],
  "v2/ThreadReadResponse.json": under("thread.", THREAD),
  "v2/ThreadListParams.json": ["cursor"],
  "v2/ThreadListResponse.json": [...under("data[].", THREAD), "nextCursor"],
  "v2/ThreadStartParams.json": ["cwd", "model", "ephemeral", "approvalPolicy", "sandbox"],
  "v2/ThreadStartResponse.json": under("thread.", THREAD),
  "v2/ThreadResumeParams.json": ["threadId", "excludeTurns"],
  "v2/ThreadResumeResponse.json": under("thread.", THREAD),
  "v2/ThreadUnsubscribeParams.json": ["threadId"],
  "v2/ThreadTurnsListParams.json": ["threadId", "limit", "itemsView"],
  "v2/ThreadTurnsListResponse.json": under("data[].", TURN),
  "v2/TurnStartParams.json": ["threadId", "input[].type", "input[].text"],
  "v2/TurnStartResponse.json": under("turn.", TURN),
  "v2/TurnSteerParams.json": ["threadId", "expectedTurnId", "input[].type", "input[].text"],
  "v2/TurnSteerResponse.json": ["turnId"],
  "v2/ThreadStartedNotification.json": under("thread.", THREAD),
  "v2/ThreadStatusChangedNotification.json": ["threadId", "status.type", "status.activeFlags"],
  "v2/ThreadClosedNotification.json": ["threadId"],
  "v2/TurnStartedNotification.json": ["threadId", ...under("turn.", TURN)],
  "v2/TurnCompletedNotification.json": ["threadId", ...under("turn.", TURN)],
  "v2/ItemCompletedNotification.json": ["threadId", "turnId", ...under("item.", ITEM)],
  "v2/ThreadTokenUsageUpdatedNotification.json": [
    "threadId",
    "turnId",
    ...under("tokenUsage.total.", TOKENS),
    ...under("tokenUsage.last.", TOKENS),
    "tokenUsage.modelContextWindow",
  ],
  "v2/HookStartedNotification.json": HOOK,
  "v2/HookCompletedNotification.json": HOOK,
  "v2/ServerRequestResolvedNotification.json": ["threadId", "requestId"],
};

/** The schema file of each notification lifeline reads. */
export const NOTIFICATION_SCHEMA: Readonly<Record<ServerNotification["method"], string>> = {
  "thread/started": "v2/ThreadStartedNotification.json",
  "thread/status/changed": "v2/ThreadStatusChangedNotification.json",
  "thread/closed": "v2/ThreadClosedNotification.json",
  "turn/started": "v2/TurnStartedNotification.json",
  "turn/completed": "v2/TurnCompletedNotification.json",
  "item/completed": "v2/ItemCompletedNotification.json",
  "thread/tokenUsage/updated": "v2/ThreadTokenUsageUpdatedNotification.json",
  "hook/started": "v2/HookStartedNotification.json",
  "hook/completed": "v2/HookCompletedNotification.json",
  "serverRequest/resolved": "v2/ServerRequestResolvedNotification.json",
};

/** The client requests lifeline sends, with their params and result schema files. */
export const REQUEST_SCHEMA: Readonly<Record<string, { params: string; result?: string }>> = {
  "initialize": { params: "v1/InitializeParams.json", result: "v1/InitializeResponse.json" },
  "thread/loaded/list": {
    params: "v2/ThreadLoadedListParams.json",
    result: "v2/ThreadLoadedListResponse.json",
  },
  "thread/read": { params: "v2/ThreadReadParams.json", result: "v2/ThreadReadResponse.json" },
  "thread/list": { params: "v2/ThreadListParams.json", result: "v2/ThreadListResponse.json" },
  "thread/start": { params: "v2/ThreadStartParams.json", result: "v2/ThreadStartResponse.json" },
  "thread/resume": { params: "v2/ThreadResumeParams.json", result: "v2/ThreadResumeResponse.json" },
  "thread/unsubscribe": { params: "v2/ThreadUnsubscribeParams.json" },
  "thread/turns/list": { params: "v2/ThreadTurnsListParams.json", result: "v2/ThreadTurnsListResponse.json" },
  "turn/start": { params: "v2/TurnStartParams.json", result: "v2/TurnStartResponse.json" },
  "turn/steer": { params: "v2/TurnSteerParams.json", result: "v2/TurnSteerResponse.json" },
};
