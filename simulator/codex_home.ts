/**
 * A fresh, temporary Codex home with lifeline installed (the commands and
 * trust entries the installer writes), plus a scenario's extra handlers.
 * This writes new files only; patching a user's files is the installer's job.
 *
 * @module
 */

import { HOOK_EVENTS, type HookEventName } from "../codex/events.ts";
import type { HookHandler, HooksFile, MatcherGroup } from "../codex/hooks_json.ts";
import { tomlBasicString, type TrustEntry, trustEntry, trustToml } from "../codex/trust.ts";
import type { VersionProfile } from "../codex/profiles.ts";
import { type HandlerPlaces, HOOK_TIMEOUTS, hookCommand, notifyArgv } from "../hooks/handlers.ts";

/** An extra handler for the home. */
export interface HomeHook {
  event: HookEventName;
  command: string;
  timeout?: number;
  matcher?: string;
  trusted: boolean;
  before: boolean;
}

/** What to write. */
export interface HomeSpec {
  places: HandlerPlaces;
  profile: VersionProfile;
  /** lifeline events to install (default: all the profile fires). */
  events?: readonly HookEventName[];
  /** Whether lifeline's handlers are trusted (default true). */
  trusted?: boolean;
  extra?: readonly HomeHook[];
}

/** Writes `hooks.json` and `config.toml` into `spec.places.codexHome`; returns their paths. */
export async function writeCodexHome(spec: HomeSpec): Promise<{ hooksJson: string; configToml: string }> {
  const { places, profile } = spec;
  const hooksJson = `${places.codexHome}/hooks.json`;
  const configToml = `${places.codexHome}/config.toml`;
  const events = (spec.events ?? HOOK_EVENTS).filter((e) => profile.events.includes(e));
  const file: HooksFile = { hooks: {} };
  const trust: TrustEntry[] = [];
  const add = (event: HookEventName, group: MatcherGroup, trusted: boolean) => {
    const groups = (file.hooks![event] ??= []);
    const gi = groups.length;
    groups.push(group);
    if (!trusted) return;
    for (const [hi, h] of group.hooks.entries()) trust.push(trustEntry(hooksJson, event, gi, hi, group, h));
  };
  const extraGroup = (x: HomeHook): MatcherGroup => {
    const h: HookHandler = {
      type: "command",
      command: x.command,
      ...(x.timeout !== undefined ? { timeout: x.timeout } : {}),
    };
    return { ...(x.matcher !== undefined ? { matcher: x.matcher } : {}), hooks: [h] };
  };
  for (const event of HOOK_EVENTS) {
    for (const x of spec.extra ?? []) if (x.event === event && x.before) add(event, extraGroup(x), x.trusted);
    if (events.includes(event)) {
      add(event, {
        hooks: [{ type: "command", command: hookCommand(event, places), timeout: HOOK_TIMEOUTS[event] }],
      }, spec.trusted !== false);
    }
    for (const x of spec.extra ?? []) {
      if (x.event === event && !x.before) add(event, extraGroup(x), x.trusted);
    }
  }
  const features = profile.hooksOnByDefault ? "" : `\n[features]\n${profile.featureKey} = true\n`;
  const config = `# written by the lifeline simulator
notify = [${notifyArgv(places).map(tomlBasicString).join(", ")}]
${features}
${trustToml(trust)}
`;
  await Deno.mkdir(`${places.codexHome}/sessions`, { recursive: true });
  await Deno.writeTextFile(hooksJson, JSON.stringify(file, null, 2) + "\n");
  await Deno.writeTextFile(configToml, config);
  return { hooksJson, configToml };
}
