/**
 * Hook trust (Codex ≥ 0.129): `[hooks.state."<key>"] trusted_hash = "sha256:…"`
 * in the user's `config.toml`. Without a matching hash a hook is skipped
 * silently. The hash below was checked against the real Codex 0.169.0, which
 * accepts exactly these hashes and skips a handler whose hash differs.
 *
 * @module
 */

import { sha256Hex } from "./sha256.ts";
import { canonicalJson } from "./canonical.ts";
import { eventLabel, type HookEventName } from "./events.ts";
import type { HookHandler, MatcherGroup, ResolvedHandler } from "./hooks_json.ts";

/** Events whose `additionalContextLimit` is part of the identity (when not 2500). */
const CONTEXT_LIMIT_EVENTS: ReadonlySet<HookEventName> = new Set([
  "PreToolUse",
  "PostToolUse",
  "SessionStart",
  "UserPromptSubmit",
  "SubagentStart",
]);

/** Events whose matcher Codex drops from the identity. */
const MATCHERLESS: ReadonlySet<HookEventName> = new Set(["UserPromptSubmit", "Stop"]);

/**
 * The trust-state key of a handler: `"<sourcePath>:<event_label>:<group>:<handler>"`,
 * where `sourcePath` is the absolute path of the `hooks.json` (or of the
 * `config.toml` for inline hooks).
 *
 * @example
 * ```ts
 * import { hookTrustKey } from "./trust.ts";
 * const key = hookTrustKey("/home/u/.codex/hooks.json", "SessionStart", 0, 0);
 * if (key !== "/home/u/.codex/hooks.json:session_start:0:0") throw new Error(key);
 * ```
 */
export function hookTrustKey(
  sourcePath: string,
  event: HookEventName,
  groupIndex: number,
  handlerIndex: number,
): string {
  return `${sourcePath}:${eventLabel(event)}:${groupIndex}:${handlerIndex}`;
}

/** The timeout Codex normalises a handler to: default 600 (at least 1); SessionEnd default 1, clamped to 1..3. */
export function effectiveTimeout(event: HookEventName, handler: Pick<HookHandler, "timeout">): number {
  const t = typeof handler.timeout === "number" ? handler.timeout : undefined;
  if (event === "SessionEnd") return Math.min(3, Math.max(1, t ?? 1));
  return Math.max(1, t ?? 600);
}

/** The normalised identity Codex hashes, before canonical JSON encoding. */
export function hookIdentity(
  event: HookEventName,
  group: Pick<MatcherGroup, "matcher">,
  handler: HookHandler,
): Record<string, unknown> {
  const h: Record<string, unknown> = {
    type: handler.type,
    command: handler.command ?? "",
    timeout: effectiveTimeout(event, handler),
    async: handler.async ?? false,
  };
  if (typeof handler.statusMessage === "string") h.statusMessage = handler.statusMessage;
  const limit = handler.additionalContextLimit;
  if (CONTEXT_LIMIT_EVENTS.has(event) && typeof limit === "number" && limit !== 2500) {
    h.additionalContextLimit = limit;
  }
  const identity: Record<string, unknown> = { event_name: eventLabel(event), hooks: [h] };
  if (!MATCHERLESS.has(event) && typeof group.matcher === "string") identity.matcher = group.matcher;
  return identity;
}

/**
 * The `trusted_hash` Codex expects for a handler: `sha256:<hex>` of the
 * canonical JSON of its identity.
 *
 * @example
 * ```ts
 * import { hookTrustHash } from "./trust.ts";
 * const h = hookTrustHash("Stop", {}, { type: "command", command: "true", timeout: 5 });
 * if (!/^sha256:[0-9a-f]{64}$/.test(h)) throw new Error(h);
 * ```
 */
export function hookTrustHash(
  event: HookEventName,
  group: Pick<MatcherGroup, "matcher">,
  handler: HookHandler,
): string {
  const bytes = canonicalJson(hookIdentity(event, group, handler));
  return `sha256:${sha256Hex(bytes)}`;
}

/**
 * Whether the `[hooks.state]` table trusts a handler found at its position in
 * `sourcePath`: its entry's `trusted_hash` equals the handler's hash.
 */
export function isTrusted(
  state: Readonly<Record<string, unknown>>,
  sourcePath: string,
  h: Pick<ResolvedHandler, "event" | "groupIndex" | "handlerIndex" | "matcher" | "handler">,
): boolean {
  const entry = state[hookTrustKey(sourcePath, h.event, h.groupIndex, h.handlerIndex)];
  const group = h.matcher !== undefined ? { matcher: h.matcher } : {};
  return typeof entry === "object" && entry !== null &&
    (entry as Record<string, unknown>).trusted_hash === hookTrustHash(h.event, group, h.handler);
}

/**
 * A TOML basic string: JSON's escaping is valid TOML, except that TOML also
 * forbids a raw DEL, so paths with quotes, backslashes or control characters
 * stay one key.
 */
export function tomlBasicString(s: string): string {
  return JSON.stringify(s).replaceAll("\u007f", "\\u007F");
}

/** One trust entry: the key of a handler's position and the hash of the handler there. */
export type TrustEntry = readonly [key: string, hash: string];

/** The trust entry of `handler` at its position in `sourcePath`. */
export function trustEntry(
  sourcePath: string,
  event: HookEventName,
  groupIndex: number,
  handlerIndex: number,
  group: Pick<MatcherGroup, "matcher">,
  handler: HookHandler,
): TrustEntry {
  return [hookTrustKey(sourcePath, event, groupIndex, handlerIndex), hookTrustHash(event, group, handler)];
}

/**
 * The one writer of trust tables: `[hooks.state."<key>"]` / `trusted_hash = "…"`
 * per entry, a blank line between tables, no final newline. Every key is
 * quoted the same way, so what the installer, the simulator and the tests
 * write is the same text for the same handlers.
 *
 * @example
 * ```ts
 * import { trustToml } from "./trust.ts";
 * const t = trustToml([["/h/hooks.json:stop:0:0", "sha256:ab"]]);
 * if (t !== '[hooks.state."/h/hooks.json:stop:0:0"]\ntrusted_hash = "sha256:ab"') throw new Error(t);
 * ```
 */
export function trustToml(entries: readonly TrustEntry[], nl = "\n"): string {
  return entries.map(([key, hash]) =>
    `[hooks.state.${tomlBasicString(key)}]${nl}trusted_hash = ${tomlBasicString(hash)}`
  ).join(nl + nl);
}
