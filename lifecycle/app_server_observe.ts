/**
 * An app-server observation as a journal entry: the same {@link Observation}
 * the hooks write, with `source: "app-server"`, an event name of its own
 * (`AppServerSeen`, `AppServerTurnEnded`, …), scrubbed text, and an
 * idempotency key from the observation's kind, fields and time (the
 * notification's `emittedAtMs` when the daemon gave one), so that a
 * notification handled twice is journaled once.
 *
 * Transport events are not journaled: they say whether lifeline hears the
 * daemon, nothing about a session.
 *
 * @module
 */

import type { AppServerObservation } from "./app_server_observations.ts";
import type { JsonObject } from "../codex/json.ts";
import type { AppServerEvent, Observation } from "./model.ts";
import type { Scrubber } from "./scrub.ts";
import { idempotencyKey } from "./keys.ts";

const EVENTS: Record<Exclude<AppServerObservation["kind"], "transport">, AppServerEvent> = {
  session_seen: "AppServerSeen",
  activity: "AppServerActivity",
  turn_started: "AppServerTurnStarted",
  turn_ended: "AppServerTurnEnded",
  tool_invocation: "AppServerTool",
  tokens: "AppServerTokens",
  offline: "AppServerClosed",
  hook_ran: "AppServerHookRan",
};

/** Free text in app-server observations: scrubbed like the hooks' prompts and answers. */
function scrubFields(o: Record<string, unknown>, s: Scrubber): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || k === "source" || k === "at") continue;
    if (k === "lastAssistantMessage" || k === "command") out[k] = typeof v === "string" ? s.text(v) : null;
    else if (k === "cwd" || k === "sourcePath") out[k] = typeof v === "string" ? s.path(v) : null;
    else if (k === "error" && v && typeof v === "object") {
      const e = v as { message?: unknown; errorClass?: unknown };
      out[k] = {
        message: typeof e.message === "string" ? s.text(e.message) : null,
        errorClass: typeof e.errorClass === "string" ? e.errorClass : null,
      };
    } else out[k] = v as JsonObject[string];
  }
  return out;
}

/**
 * The journal entry of one app-server observation, or `undefined` for a
 * transport event. `sessionId` is the session the thread belongs to (the
 * hub keeps the thread → session map from `session_seen`).
 */
export function observeAppServer(
  o: AppServerObservation,
  sessionId: string,
  scrubber: Scrubber,
): Observation | undefined {
  if (o.kind === "transport") return undefined;
  const event = EVENTS[o.kind];
  const raw = { ...o } as Record<string, unknown>;
  const turnId = typeof raw.turnId === "string" ? raw.turnId : null;
  return {
    key: idempotencyKey(event, raw),
    event,
    session_id: sessionId,
    turn_id: turnId,
    observed_at: new Date(o.at).toISOString(),
    payload: scrubFields(raw, scrubber),
    pid: null,
    failure: null,
    blocked: false,
    hint_threshold: 0,
    source: "app-server",
  };
}
