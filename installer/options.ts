/**
 * The options every command shares, resolved against the environment: where
 * Codex's home and lifeline's state dir are, which events to install, and
 * which Codex version's behaviour to install for.
 *
 * @module
 */

import { join, resolve } from "node:path";
import { HOOK_EVENTS, type HookEventName, isHookEventName } from "../codex/events.ts";
import {
  LATEST_PROFILE,
  newerThanKnownNote,
  profileFor,
  type ProfileMatch,
  type VersionProfile,
} from "../codex/profiles.ts";
import type { HandlerPlaces } from "../hooks/handlers.ts";
import { readSettings } from "../lifecycle/settings.ts";
import { messageOf, UsageError } from "./errors.ts";
import type { Ports } from "./ports.ts";

/** Options shared by every command. */
export interface CommonOptions {
  codexHome?: string | undefined;
  stateDir?: string | undefined;
  events?: string | undefined;
  codexVersion?: string | undefined;
}

/** Resolved settings. */
export interface Resolved {
  places: HandlerPlaces;
  hooksPath: string;
  configPath: string;
  manifestPath: string;
  events: HookEventName[];
  profile: VersionProfile;
  /** What `codex --version` said, if anything. */
  codexVersion: string | undefined;
  /** Set when that version is newer than every measured release: its behaviour is assumed. */
  profileNote: string | undefined;
}

function parseEvents(list: string | undefined): HookEventName[] {
  if (list === undefined) return [...HOOK_EVENTS];
  const names = list.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = names.find((n) => !isHookEventName(n));
  if (bad !== undefined) {
    throw new UsageError(
      `Cannot use --events: "${bad}" is not a Codex hook event; known: ${HOOK_EVENTS.join(", ")}`,
    );
  }
  return names as HookEventName[];
}

function profileOf(reported: string | undefined): VersionProfile | ProfileMatch {
  if (reported === undefined) return LATEST_PROFILE;
  const v = /(\d+\.\d+(?:\.\d+)?)/.exec(reported)?.[1];
  try {
    return profileFor(v ?? reported);
  } catch (e) {
    throw new UsageError(`Cannot install for Codex "${reported}": ${messageOf(e)}`, { cause: e });
  }
}

/** Resolves the options against the environment. */
export function resolveOptions(o: CommonOptions, p: Ports): Resolved {
  const settings = readSettings(p.env);
  const codexHome = resolve(o.codexHome ?? settings.codexHome);
  const stateDir = resolve(o.stateDir ?? settings.stateDir);
  const events = parseEvents(o.events);
  const reported = o.codexVersion ?? p.codexVersion();
  const profile = profileOf(reported);
  // Forwarding targets configured now: the hooks may reach them to flush their own records.
  const fwd = settings.forward;
  const netHosts = [fwd?.neotoma?.url, fwd?.otlp?.endpoint].filter((u): u is string => !!u).map((u) =>
    new URL(u).host
  );
  return {
    places: { deno: p.deno, root: p.root, stateDir, codexHome, ...(netHosts.length ? { netHosts } : {}) },
    hooksPath: join(codexHome, "hooks.json"),
    configPath: join(codexHome, "config.toml"),
    manifestPath: join(stateDir, "install-manifest.json"),
    events,
    profile,
    codexVersion: reported,
    profileNote: "newerThanKnown" in profile ? newerThanKnownNote(profile) : undefined,
  };
}
