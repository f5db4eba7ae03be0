/**
 * Version profiles: what each Codex release does with hooks (contract §0).
 * The simulator takes a profile; the installer and `doctor` use it to decide
 * what a config needs.
 *
 * @module
 */

import type { HookEventName } from "./events.ts";

/** What one Codex version does with hooks. */
export interface VersionProfile {
  /** e.g. `"0.169"`. */
  version: string;
  /** Hook events this version fires. */
  events: readonly HookEventName[];
  /** The `[features]` key that turns hooks on. */
  featureKey: "codex_hooks" | "hooks";
  /** Whether `codex_hooks` is still accepted as a deprecated alias (with a notice). */
  legacyKeyAlias: boolean;
  /** Whether hooks run without any feature flag. */
  hooksOnByDefault: boolean;
  /** Whether untrusted non-managed hooks are skipped. */
  trustEnforced: boolean;
  /** `"skipped"`: `async: true` handlers are skipped with a warning; `"background"`: they run. */
  asyncHandlers: "skipped" | "background";
  /** What an interrupt (Esc / Ctrl-C during a turn) fires. */
  interrupt: "nothing" | "Interrupt";
  /** Whether `PreToolUse` carries `turn_id` and a real `tool_name` (not only `Bash`). */
  toolEventsCarryTurnId: boolean;
}

const BASE: HookEventName[] = ["SessionStart", "Stop"];
const V116: HookEventName[] = [...BASE, "UserPromptSubmit"];
const V118: HookEventName[] = [...V116, "PreToolUse", "PostToolUse"];
const V124: HookEventName[] = [
  ...V118,
  "PermissionRequest",
  "PreCompact",
  "PostCompact",
  "SubagentStart",
  "SubagentStop",
];
const V148: HookEventName[] = [...V124, "SessionEnd"];
const V150: HookEventName[] = [...V148, "Interrupt"];

function profile(version: string, events: HookEventName[], rest: Partial<VersionProfile>): VersionProfile {
  const minor = Number(version.split(".")[1]);
  return Object.freeze({
    version,
    events: Object.freeze([...events]),
    featureKey: minor >= 130 ? "hooks" : "codex_hooks",
    legacyKeyAlias: minor >= 130,
    hooksOnByDefault: minor >= 124,
    trustEnforced: minor >= 129,
    asyncHandlers: minor >= 148 ? "background" : "skipped",
    interrupt: minor >= 150 ? "Interrupt" : "nothing",
    toolEventsCarryTurnId: minor >= 124,
    ...rest,
  });
}

/** The profiles lifeline knows, oldest first. */
export const PROFILES: readonly VersionProfile[] = Object.freeze([
  profile("0.114", BASE, {}),
  profile("0.116", V116, {}),
  profile("0.118", V118, {}),
  profile("0.124", V124, {}),
  profile("0.130", V124, {}),
  profile("0.145", V124, {}),
  profile("0.148", V148, {}),
  profile("0.150", V150, {}),
  profile("0.169", V150, {}),
]);

/** The newest known profile, used when nothing else is said. */
export const LATEST_PROFILE: VersionProfile = PROFILES[PROFILES.length - 1] as VersionProfile;

function minorOf(version: string): number {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new RangeError(`Cannot read Codex version "${version}": expected "MAJOR.MINOR[.PATCH]"`);
  return Number(m[1]) * 10_000 + Number(m[2]);
}

/**
 * The profile for a Codex version: the newest known profile not newer than
 * it (e.g. `0.152.0` → `0.150`). Throws a `RangeError` for versions older than
 * 0.114 (no hooks) or unreadable strings.
 *
 * @example
 * ```ts
 * import { profileFor } from "./profiles.ts";
 * if (profileFor("0.169.0").interrupt !== "Interrupt") throw new Error("0.169 fires Interrupt");
 * if (profileFor("0.131.2").interrupt !== "nothing") throw new Error("0.131 fires nothing");
 * ```
 */
export function profileFor(version: string): VersionProfile {
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
  return found;
}
