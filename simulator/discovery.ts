/**
 * Hook discovery the way Codex does it (contract §1): `$CODEX_HOME/hooks.json`
 * and inline `[hooks]` in `config.toml` both load; the feature flag and the
 * profile decide whether hooks run at all; untrusted non-managed handlers are
 * skipped (silently, in Codex; the simulator reports them, as `/hooks` does).
 *
 * @module
 */

import { parse as parseToml } from "smol-toml";
import type { HookEventName } from "../codex/events.ts";
import { parseHooksJson, type ResolvedHandler } from "../codex/hooks_json.ts";
import { hookTrustKey, isTrusted } from "../codex/trust.ts";
import type { VersionProfile } from "../codex/profiles.ts";
import { isObject, type JsonObject } from "../codex/json.ts";

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

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
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

/** Discovers the hooks of `codexHome` for `profile`. */
export function discover(codexHome: string, profile: VersionProfile): Discovery {
  const warnings: string[] = [];
  const configPath = `${codexHome}/config.toml`;
  const jsonPath = `${codexHome}/hooks.json`;
  let config: JsonObject = {};
  const configText = readText(configPath);
  if (configText !== undefined) {
    try {
      config = parseToml(configText) as JsonObject;
    } catch (e) {
      throw new Error(`Error loading config.toml: ${configPath}: ${(e as Error).message}`, { cause: e });
    }
  }
  const features = isObject(config.features) ? config.features : undefined;
  const enabled = hooksEnabled(profile, features);
  const hooksTable = isObject(config.hooks) ? config.hooks : undefined;
  const state = hooksTable && isObject(hooksTable.state) ? hooksTable.state : {};
  const sources: { path: string; handlers: ResolvedHandler[] }[] = [];
  const jsonText = readText(jsonPath);
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
      const skip = (reason: SkippedHandler["reason"]) =>
        skipped.push({ event: h.event, key, command: h.handler.command ?? "", reason });
      if (!enabled) {
        skip("hooks_off");
        continue;
      }
      if (!profile.events.includes(h.event)) {
        skip("event_unsupported");
        continue;
      }
      if (h.handler.async === true && profile.asyncHandlers === "skipped") {
        warnings.push(`skipping async hook in ${src.path}: async hooks are not supported yet`);
        skip("async_unsupported");
        continue;
      }
      const entry = isObject(state[key]) ? state[key] as JsonObject : undefined;
      if (entry?.enabled === false) {
        skip("disabled");
        continue;
      }
      if (profile.trustEnforced && !isTrusted(state, src.path, h)) {
        skip("untrusted");
        continue;
      }
      handlers.push({ ...h, source: src.path, key });
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
