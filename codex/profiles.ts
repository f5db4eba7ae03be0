/**
 * Version profiles: what each Codex release does with hooks, as measured by
 * running each npm release offline (`codex exec` against a mock model).
 * There is one profile per release where hook behaviour changes; a release
 * between two profiles behaves like the older one. The simulator takes a
 * profile; the installer and `doctor` use it to decide what a config needs.
 *
 * @module
 */

import type { HookEventName } from "./events.ts";

/** Where a release writes a shell command's exit code in the rollout transcript. */
export type TranscriptFormat =
  /** Only the model-facing `function_call_output` ("Process exited with code N"), 0.117–0.147. */
  | "function_call_output"
  /** Also an `event_msg` `item_completed` with a `CommandExecution` item and `exit_code`, 0.148+. */
  | "command_execution";

/**
 * The order of the model-request hooks around a tool call: 0.169 finishes the
 * request first (`PreModelRequest → PostModelRequest → PreToolUse`); 0.171
 * starts the tool as soon as the model has streamed its call, so `PreToolUse`
 * fires inside the request (`PreModelRequest → PreToolUse → PostModelRequest`),
 * and `PostModelRequest` comes before or after `PostToolUse` depending on
 * whether the stream or the tool ends first.
 */
export type ModelRequestOrder = "request_then_tools" | "tools_within_request";

/** What one Codex version does with hooks. */
export interface VersionProfile {
  /** e.g. `"0.169"`. */
  version: string;
  /** Hook events this version fires. */
  events: readonly HookEventName[];
  /** Turn-scoped events this version sends without `turn_id` (0.114–0.116). */
  eventsWithoutTurnId: readonly HookEventName[];
  /** The `[features]` key that turns hooks on. */
  featureKey: "codex_hooks" | "hooks";
  /** Whether `codex_hooks` is still accepted as a deprecated alias (with a notice). */
  legacyKeyAlias: boolean;
  /** Whether `[features] codex_hooks` prints a deprecation warning (0.129+). */
  legacyKeyDeprecated: boolean;
  /** Whether `codex_hooks = true` prints "Under-development features enabled" (0.114–0.116). */
  underDevelopmentNotice: boolean;
  /** Whether hooks run without any feature flag. */
  hooksOnByDefault: boolean;
  /** Whether untrusted non-managed hooks are skipped (silently). */
  trustEnforced: boolean;
  /** `"skipped"`: `async: true` handlers are skipped with a warning; `"background"`: they run. */
  asyncHandlers: "skipped" | "background";
  /** What an interrupt (Esc / Ctrl-C during a turn) fires. */
  interrupt: "nothing" | "Interrupt";
  /** Whether `PreToolUse`/`PostToolUse` carry `turn_id` (every release that fires them). */
  toolEventsCarryTurnId: boolean;
  /** How the transcript records a shell command's exit code. */
  transcriptFormat: TranscriptFormat;
  /** The model-request hooks' payload shape: `null` before 0.169, `"0.169"` (fewer fields), `"0.171"`. */
  modelRequestPayload: "0.169" | "0.171" | null;
  /** Where the model-request hooks fire relative to the tool hooks; `null` without them. */
  modelRequestOrder: ModelRequestOrder | null;
  /** The `client` field of the notify payload from `codex exec`. */
  notifyExecClient: "codex-exec" | "codex_exec";
}

const V114: HookEventName[] = ["SessionStart", "Stop"];
const V116: HookEventName[] = [...V114, "UserPromptSubmit"];
const V117: HookEventName[] = [...V116, "PreToolUse", "PostToolUse"];
const V124: HookEventName[] = [
  ...V117,
  "PermissionRequest",
  "PreCompact",
  "PostCompact",
  "SubagentStart",
  "SubagentStop",
];
const V145: HookEventName[] = [...V124, "SessionEnd"];
const V150: HookEventName[] = [...V145, "Interrupt"];
const V169: HookEventName[] = [...V150, "PreModelRequest", "PostModelRequest"];

function profile(version: string, events: HookEventName[], rest: Partial<VersionProfile>): VersionProfile {
  const minor = Number(version.split(".")[1]);
  const modelRequests = events.includes("PreModelRequest");
  return Object.freeze(
    {
      version,
      events: Object.freeze([...events]),
      eventsWithoutTurnId: Object.freeze([]),
      featureKey: minor >= 130 ? "hooks" : "codex_hooks",
      legacyKeyAlias: minor >= 130,
      legacyKeyDeprecated: minor >= 129,
      underDevelopmentNotice: minor <= 116,
      hooksOnByDefault: minor >= 124,
      trustEnforced: minor >= 129,
      asyncHandlers: minor >= 148 ? "background" : "skipped",
      interrupt: events.includes("Interrupt") ? "Interrupt" : "nothing",
      toolEventsCarryTurnId: events.includes("PreToolUse"),
      transcriptFormat: minor >= 148 ? "command_execution" : "function_call_output",
      modelRequestPayload: modelRequests ? (minor >= 171 ? "0.171" : "0.169") : null,
      modelRequestOrder: modelRequests
        ? (minor >= 171 ? "tools_within_request" : "request_then_tools")
        : null,
      notifyExecClient: minor >= 124 ? "codex_exec" : "codex-exec",
      ...rest,
    } satisfies VersionProfile,
  );
}

/** The profiles lifeline knows, oldest first; each fact was checked against that release's binary. */
export const PROFILES: readonly VersionProfile[] = Object.freeze([
  profile("0.114", V114, { eventsWithoutTurnId: Object.freeze(["Stop"]) }),
  profile("0.116", V116, { eventsWithoutTurnId: Object.freeze(["UserPromptSubmit", "Stop"]) }),
  profile("0.117", V117, {}),
  profile("0.124", V124, {}),
  profile("0.129", V124, {}),
  profile("0.130", V124, {}),
  profile("0.145", V145, {}),
  profile("0.148", V145, {}),
  profile("0.150", V150, {}),
  profile("0.169", V169, {}),
  profile("0.171", V169, {}),
]);

/** The newest known profile, used when nothing else is said. */
export const LATEST_PROFILE: VersionProfile = PROFILES[PROFILES.length - 1] as VersionProfile;

/** A profile chosen for a version, and whether that version is newer than every measured release. */
export interface ProfileMatch extends VersionProfile {
  /** The version asked about, as given. */
  requested: string;
  /**
   * True when the version's minor release is newer than the newest profile:
   * its facts are assumed, not measured, and the installer and `doctor` say so.
   */
  newerThanKnown: boolean;
}

function minorOf(version: string): number {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new RangeError(`Cannot read Codex version "${version}": expected "MAJOR.MINOR[.PATCH]"`);
  return Number(m[1]) * 10_000 + Number(m[2]);
}

/**
 * The profile for a Codex version: the newest known profile not newer than
 * it (e.g. `0.152.0` → `0.150`), with `newerThanKnown` set for a release newer
 * than the newest profile. Throws a `RangeError` for versions older than
 * 0.114 (no hooks) or unreadable strings.
 *
 * @example
 * ```ts
 * import { profileFor } from "./profiles.ts";
 * if (profileFor("0.169.0").interrupt !== "Interrupt") throw new Error("0.169 fires Interrupt");
 * if (profileFor("0.131.2").interrupt !== "nothing") throw new Error("0.131 fires nothing");
 * if (!profileFor("0.180.0").newerThanKnown) throw new Error("0.180 was never measured");
 * ```
 */
export function profileFor(version: string): ProfileMatch {
  const v = minorOf(version);
  let found: VersionProfile | undefined;
  for (const p of PROFILES) if (minorOf(p.version) <= v) found = p;
  if (!found) {
    throw new RangeError(
      `Codex ${version} has no hooks: hooks arrived in 0.114 (known profiles: ${
        PROFILES.map((p) => p.version).join(", ")
      })`,
    );
  }
  return Object.freeze({ ...found, requested: version, newerThanKnown: v > minorOf(LATEST_PROFILE.version) });
}

/**
 * The note to print when a version is newer than every profile, or `undefined`.
 *
 * @example
 * ```ts
 * import { newerThanKnownNote, profileFor } from "./profiles.ts";
 * const note = newerThanKnownNote(profileFor("0.175.0"));
 * if (!note?.includes("0.171")) throw new Error(String(note));
 * ```
 */
export function newerThanKnownNote(m: ProfileMatch): string | undefined {
  if (!m.newerThanKnown) return undefined;
  return `Codex ${m.requested} is newer than the newest release lifeline was checked against ` +
    `(${LATEST_PROFILE.version}): assuming it behaves like ${m.version}`;
}
