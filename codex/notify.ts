/**
 * The legacy `notify` program's payload: Codex passes it as the **last argv
 * argument** (stdin and stdout are /dev/null) after a normally completed turn.
 * Keys are kebab-case.
 *
 * @module
 */

import { ContractError, FieldReader, isObject, parseJsonText, typeName } from "./json.ts";

/** The `agent-turn-complete` payload. Unknown fields are kept. */
export interface NotifyPayload {
  type: "agent-turn-complete" | (string & Record<never, never>);
  "thread-id"?: string;
  "turn-id"?: string;
  cwd?: string;
  client?: string;
  "input-messages"?: string[];
  "last-assistant-message"?: string | null;
  [extra: string]: unknown;
}

/** Validates a decoded notify payload. */
export function parseNotifyObject(value: unknown): NotifyPayload {
  if (!isObject(value)) {
    throw new ContractError(`Cannot parse notify payload: expected a JSON object, got ${typeName(value)}`);
  }
  const r = new FieldReader(value, "notify payload");
  r.string("type");
  r.optString("thread-id");
  r.optString("turn-id");
  r.optString("cwd");
  r.optString("client");
  r.optStringArray("input-messages");
  r.optString("last-assistant-message", true);
  return value as NotifyPayload;
}

/**
 * Parses the notify payload from a program's argv: the last argument.
 *
 * @example
 * ```ts
 * import { parseNotifyArgv } from "./notify.ts";
 * const p = parseNotifyArgv(['{"type":"agent-turn-complete","thread-id":"s","turn-id":"t"}']);
 * if (p["thread-id"] !== "s") throw new Error("bad thread id");
 * ```
 */
export function parseNotifyArgv(argv: readonly string[]): NotifyPayload {
  const last = argv.at(-1);
  if (last === undefined) {
    throw new ContractError(
      "Cannot parse notify payload: no argument was given (Codex passes it as the last argument)",
    );
  }
  return parseNotifyObject(parseJsonText(last, "notify payload"));
}
