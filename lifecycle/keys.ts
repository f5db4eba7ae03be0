/**
 * The idempotency key of a journal entry: it tells a repeated delivery of one
 * event (Codex retrying, a hook run twice) from two real events that happen
 * to carry identical payloads.
 *
 * @module
 */

import { sha256Hex } from "../codex/sha256.ts";
import { canonicalJson } from "../codex/canonical.ts";

/**
 * SHA-256 of the event name, the Codex process (when known) and the canonical
 * raw payload. The same delivery twice gets the same key. The process is part
 * of it because Codex sends identical payloads for different occurrences:
 * `SessionEnd` is `{session_id, cwd, transcript_path, reason: "other"}` every
 * time, so a session resumed in a new Codex process would otherwise lose its
 * second end.
 *
 * @example
 * ```ts
 * import { idempotencyKey } from "./keys.ts";
 * if (idempotencyKey("Stop", { a: 1, b: 2 }) !== idempotencyKey("Stop", { b: 2, a: 1 })) {
 *   throw new Error("key order must not matter");
 * }
 * ```
 */
export function idempotencyKey(event: string, rawPayload: unknown, pid: number | null = null): string {
  return sha256Hex(`${event}\n${pid ?? ""}\n${canonicalJson(rawPayload)}`);
}
