/**
 * `status`: what is installed, where, and whether Codex will run each of
 * lifeline's handlers (it skips an untrusted one silently).
 *
 * @module
 */

import { configHooksEnabled, trustState } from "../codex/discovery.ts";
import { isHookEventName } from "../codex/events.ts";
import type { HookHandler } from "../codex/hooks_json.ts";
import { isObject, type JsonObject } from "../codex/json.ts";
import { isTrusted } from "../codex/trust.ts";
import { lifelineNotify } from "../hooks/handlers.ts";
import { isLifelineHandler, recordedCommands } from "./edits/hooks_json.ts";
import { type Manifest, readManifest } from "./manifest.ts";
import { type CommonOptions, type Resolved, resolveOptions } from "./options.ts";
import type { Ports } from "./ports.ts";
import { parseToml } from "./toml_edit.ts";

/** One installed handler, as `status` shows it. */
export interface HandlerStatus {
  event: string;
  group: number;
  handler: number;
  command: string;
  trusted: boolean;
}

/** What `status` reports. */
export interface StatusReportJson {
  installed: boolean;
  codex_home: string;
  state_dir: string;
  codex_version: string | null;
  profile: string;
  /** Present when the Codex version is newer than every measured release. */
  profile_note?: string;
  hooks_json: string;
  config_toml: string;
  handlers: HandlerStatus[];
  notify: { root_level: boolean; lifeline: boolean; chained: string[] | null };
  hooks_enabled: boolean;
}

/** lifeline's handlers in a `hooks.json` text, at their positions, with their trust. */
export function lifelineHandlers(
  hooksText: string | undefined,
  r: Resolved,
  config: JsonObject,
  manifest: Manifest | undefined,
): HandlerStatus[] {
  if (!hooksText) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(hooksText);
  } catch {
    return []; // doctor reports the file; status lists what Codex would load from it, which is nothing
  }
  const table = isObject(doc) && isObject(doc.hooks) ? doc.hooks : {};
  const state = trustState(config);
  const recorded = recordedCommands(manifest);
  const out: HandlerStatus[] = [];
  for (const [event, groups] of Object.entries(table)) {
    if (!isHookEventName(event) || !Array.isArray(groups)) continue;
    groups.forEach((g, gi) => {
      if (!isObject(g) || !Array.isArray(g.hooks)) return;
      (g.hooks as unknown[]).forEach((h, hi) => {
        if (!isObject(h) || typeof h.command !== "string") return;
        if (!isLifelineHandler(h.command, r.places.root, recorded)) return;
        const matcher = typeof g.matcher === "string" ? g.matcher : undefined;
        const trusted = isTrusted(state, r.hooksPath, {
          event,
          groupIndex: gi,
          handlerIndex: hi,
          matcher,
          handler: h as HookHandler,
        });
        out.push({ event, group: gi, handler: hi, command: h.command, trusted });
      });
    });
  }
  return out;
}

/** What is installed, where, and whether each handler is trusted. */
export function status(o: CommonOptions, p: Ports): StatusReportJson {
  const r = resolveOptions(o, p);
  const manifest = readManifest(p.fs, r.manifestPath);
  const configText = p.fs.read(r.configPath);
  const config = configText ? parseToml(configText, r.configPath) : {};
  const handlers = lifelineHandlers(p.fs.read(r.hooksPath), r, config, manifest);
  const ours = lifelineNotify(config.notify, r.places.root);
  return {
    installed: manifest !== undefined || handlers.length > 0,
    codex_home: r.places.codexHome,
    state_dir: r.places.stateDir,
    codex_version: r.codexVersion ?? null,
    profile: r.profile.version,
    ...(r.profileNote ? { profile_note: r.profileNote } : {}),
    hooks_json: r.hooksPath,
    config_toml: r.configPath,
    handlers,
    notify: {
      root_level: Array.isArray(config.notify),
      lifeline: ours !== undefined,
      chained: ours?.chain ?? null,
    },
    hooks_enabled: configHooksEnabled(r.profile, config),
  };
}
