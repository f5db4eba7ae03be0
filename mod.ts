/**
 * lifeline: makes every OpenAI Codex CLI session observable and reachable
 * through Codex's hooks.
 *
 * This module is the public API:
 *
 * - Codex's hook contract as code: event names, payload types and parsers,
 *   the notify payload, outputs Codex accepts per event, `hooks.json`
 *   semantics, the trust key and hash, version profiles;
 * - the read API: open a store, the status report (one session, every
 *   session, the table a person reads), and the settings every lifeline
 *   program reads from the environment.
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
 * @example Open a store, record one prompt, and print the status report
 * ```ts
 * import { idempotencyKey, renderStatus, sessionReport, Store } from "./mod.ts";
 *
 * const stateDir = await Deno.makeTempDir();
 * const store = Store.open(stateDir);
 * const payload = { session_id: "s1", turn_id: "t1", hook_event_name: "UserPromptSubmit", prompt: "hi" };
 * store.record({
 *   key: idempotencyKey("UserPromptSubmit", payload),
 *   event: "UserPromptSubmit",
 *   session_id: "s1",
 *   turn_id: "t1",
 *   observed_at: new Date().toISOString(),
 *   payload,
 *   pid: null,
 *   failure: null,
 *   blocked: false,
 *   hint_threshold: 0,
 * });
 * const report = sessionReport(store, store.session("s1")!);
 * store.close();
 * if (report.status !== "busy" || report.turns[0]?.prompt !== "hi") throw new Error(JSON.stringify(report));
 *
 * const table = renderStatus({ stateDir, json: false, staleBusySeconds: 1800, now: new Date() });
 * if (!/^SESSION\s+STATUS/.test(table) || !table.includes("busy")) throw new Error(table);
 * console.log(table);
 * await Deno.remove(stateDir, { recursive: true });
 * ```
 *
 * @module
 */

// Codex's contract.
export {
  canonicalJson,
  ContractError,
  EMPTY_RESULT,
  exit2,
  type Exit2Event,
  HOOK_EVENTS,
  type HookEventName,
  type HookHandler,
  hookOutput,
  type HookPayload,
  type HookResult,
  type HooksFile,
  hookTrustHash,
  hookTrustKey,
  isHookEventName,
  type JsonObject,
  LATEST_PROFILE,
  type MatcherGroup,
  matcherMatches,
  type NotifyPayload,
  type OutputByEvent,
  parseHookInput,
  parseHooksJson,
  parseNotifyArgv,
  parseNotifyObject,
  parsePayloadObject,
  type PayloadByEvent,
  profileFor,
  PROFILES,
  type VersionProfile,
} from "./codex/mod.ts";

// The lifecycle vocabulary.
export type {
  ContradictionRow,
  FailureRow,
  HintRow,
  LifelineEvent,
  Observation,
  Outcome,
  SessionRow,
  Status,
  TurnRow,
  TurnState,
} from "./lifecycle/model.ts";
export { idempotencyKey } from "./lifecycle/keys.ts";

// The read API.
export { Store, type StoreOptions, type Upkeep } from "./lifecycle/store/mod.ts";
export { openExisting, renderStatus, type StatusOptions } from "./lifecycle/read.ts";
export {
  type ContradictionReport,
  type FailureReport,
  type ForwardingReport,
  type SessionReport,
  sessionReport,
  type StatusReport,
  statusReport,
  statusTable,
  type TurnReport,
} from "./lifecycle/status.ts";

// Settings.
export {
  type Env,
  readSettings,
  type SettingReader,
  SETTINGS,
  type Settings,
  type SettingSpec,
} from "./lifecycle/settings.ts";
