/**
 * Hook discovery the way Codex does it, as a pure function: `hooks.json` and
 * inline `[hooks]` tables in `config.toml` both load (with a warning when a
 * layer uses both); the feature flag and the profile decide whether hooks run
 * at all; a handler whose `[hooks.state]` entry is missing or has another
 * hash is skipped (silently, in Codex; the result lists it, as `/hooks` does).
 * Callers read the files and parse the TOML; this module reads nothing.
 *
 * @module
 */

import type { HookEventName } from "./events.ts";
import { parseHooksJson, type ResolvedHandler } from "./hooks_json.ts";
import { isObject, type JsonObject } from "./json.ts";
import type { VersionProfile } from "./profiles.ts";
import { hookTrustKey, isTrusted } from "./trust.ts";

/** A handler that will run, with where it came from. */
export interface DiscoveredHandler extends ResolvedHandler {
  source: string;
  key: string;
}

/** A handler Codex would not run, and why. */
export interface SkippedHandler {
  event: HookEventName;
  key: string;
  command: string;
  reason: "untrusted" | "disabled" | "async_unsupported" | "event_unsupported" | "hooks_off";
}

/** What discovery found. */
export interface Discovery {
  handlers: DiscoveredHandler[];
  skipped: SkippedHandler[];
  warnings: string[];
  /** The root-level `notify` argv, if any. */
  notify: string[] | undefined;
  hooksEnabled: boolean;
}

/** The inputs: one Codex home's two files, already read. */
export interface DiscoveryInput {
  profile: VersionProfile;
  configPath: string;
  /** `config.toml` as parsed data (`{}` when the file does not exist). */
  config: JsonObject;
  hooksJsonPath: string;
  /** The text of `hooks.json`, `undefined` when it does not exist. */
  hooksJsonText: string | undefined;
}

/** Whether hooks are on for this profile and `[features]` table. */
export function hooksEnabled(profile: VersionProfile, features: JsonObject | undefined): boolean {
  const f = features ?? {};
  if (f.hooks === false && profile.featureKey === "hooks") return false;
  if (profile.hooksOnByDefault) {
    return !(f[profile.featureKey] === false || (profile.legacyKeyAlias && f.codex_hooks === false));
  }
  return f[profile.featureKey] === true || (profile.legacyKeyAlias && f.codex_hooks === true);
}

/** The `[hooks.state]` table of a parsed config (`{}` when there is none). */
export function trustState(config: JsonObject): JsonObject {
  const hooks = isObject(config.hooks) ? config.hooks : undefined;
  return hooks && isObject(hooks.state) ? hooks.state : {};
}

/** Whether hooks are on for a parsed config. */
export function configHooksEnabled(profile: VersionProfile, config: JsonObject): boolean {
  return hooksEnabled(profile, isObject(config.features) ? config.features : undefined);
}

/** Discovers the hooks of one Codex home for `profile`. */
export function discoverHooks(input: DiscoveryInput): Discovery {
  const { profile, config, configPath, hooksJsonPath: jsonPath, hooksJsonText: jsonText } = input;
  const warnings: string[] = [];
  const enabled = configHooksEnabled(profile, config);
  const hooksTable = isObject(config.hooks) ? config.hooks : undefined;
  const state = trustState(config);
  const sources: { path: string; handlers: ResolvedHandler[] }[] = [];
  if (jsonText !== undefined) {
    const r = parseHooksJson(jsonText, jsonPath);
    warnings.push(...r.warnings);
    sources.push({ path: jsonPath, handlers: r.handlers });
  }
  if (hooksTable) {
    const { state: _state, ...events } = hooksTable;
    if (Object.keys(events).length > 0) {
      const r = parseHooksJson(JSON.stringify({ hooks: events }), configPath);
      warnings.push(
        ...r.warnings.map((w) => w.replace("failed to parse hooks config", "failed to parse TOML hooks in")),
      );
      sources.push({ path: configPath, handlers: r.handlers });
      if (jsonText !== undefined) {
        warnings.push(
          `loading hooks from both ${jsonPath} and ${configPath}; prefer a single representation for this layer`,
        );
      }
    }
  }
  const handlers: DiscoveredHandler[] = [];
  const skipped: SkippedHandler[] = [];
  for (const src of sources) {
    for (const h of src.handlers) {
      const key = hookTrustKey(src.path, h.event, h.groupIndex, h.handlerIndex);
      const reason = skipReason(input.profile, enabled, state, src.path, h, key);
      if (reason === "async_unsupported") {
        warnings.push(`skipping async hook in ${src.path}: async hooks are not supported yet`);
      }
      if (reason) skipped.push({ event: h.event, key, command: h.handler.command ?? "", reason });
      else handlers.push({ ...h, source: src.path, key });
    }
  }
  const untrusted = skipped.filter((s) => s.reason === "untrusted").length;
  if (untrusted > 0) {
    warnings.push(`⚠ ${untrusted} hooks need review before they can run. Open /hooks to review them.`);
  }
  const notify = Array.isArray(config.notify) && config.notify.every((x) => typeof x === "string") &&
      config.notify.length > 0
    ? config.notify as string[]
    : undefined;
  return { handlers, skipped, warnings, notify, hooksEnabled: enabled };
}

/** Why Codex would not run a handler, in the order Codex checks; `undefined`: it runs. */
function skipReason(
  profile: VersionProfile,
  enabled: boolean,
  state: JsonObject,
  source: string,
  h: ResolvedHandler,
  key: string,
): SkippedHandler["reason"] | undefined {
  if (!enabled) return "hooks_off";
  if (!profile.events.includes(h.event)) return "event_unsupported";
  if (h.handler.async === true && profile.asyncHandlers === "skipped") return "async_unsupported";
  if (isObject(state[key]) && state[key].enabled === false) return "disabled";
  if (profile.trustEnforced && !isTrusted(state, source, h)) return "untrusted";
  return undefined;
}
