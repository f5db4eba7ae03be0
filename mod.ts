/**
 * lifeline: makes every OpenAI Codex CLI session observable and reachable
 * through Codex's hooks.
 *
 * This module is the public API: Codex's hook contract as code (payload
 * parsers, output builders, `hooks.json` semantics, the trust hash, version
 * profiles).
 *
 * @example Parse a hook payload and answer with an output Codex accepts
 * ```ts
 * import { hookOutput, hookTrustHash, parseHookInput } from "./mod.ts";
 *
 * const payload = parseHookInput(
 *   '{"session_id":"s1","turn_id":"t1","cwd":"/w","hook_event_name":"Stop","stop_hook_active":false}',
 *   "Stop",
 * );
 * const out = hookOutput("Stop", { decision: "block", reason: `one message for ${payload.session_id}` });
 * if (out.stdout !== '{"decision":"block","reason":"one message for s1"}') throw new Error(out.stdout);
 *
 * const hash = hookTrustHash("Stop", {}, { type: "command", command: "deno run /abs/stop.ts", timeout: 5 });
 * if (!hash.startsWith("sha256:")) throw new Error(hash);
 * ```
 *
 * @module
 */

export * from "./codex/mod.ts";
