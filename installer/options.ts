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
import { appDir } from "./app/copy.ts";
import { launcherPath } from "./app/launcher.ts";

/** Options shared by every command. */
export interface CommonOptions {
  codexHome?: string | undefined;
  stateDir?: string | undefined;
  events?: string | undefined;
  codexVersion?: string | undefined;
  /** Where the `lifeline` command goes (default `~/.local/bin`). */
  binDir?: string | undefined;
  /** Turn the one-time failure hint on (`--hints`). */
  hints?: boolean | undefined;
  /** install: write even when Codex refuses the config (`--force`). */
  force?: boolean | undefined;
  /** uninstall: remove the state dir too (`--purge`). */
  purge?: boolean | undefined;
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
  /** The code install copies from (a checkout or an installed copy). */
  sourceRoot: string;
  /** The installed copy: its version and folder (`places.root` is the same folder). */
  app: { version: string; dir: string };
  /** The `lifeline` command's folder and file. */
  binDir: string;
  launcher: string;
  hints: boolean;
  purge: boolean;
  /** Set when that version is newer than every measured release: its behaviour is assumed. */
  profileNote: string | undefined;
}

/**
 * Refuses a path Deno's permission flags cannot express. Deno splits
 * `--allow-read=a,b` on commas and has no escape for one, so a comma in the
 * state dir or Codex's home would silently cut every hook's permissions
 * (every hook then fails, or writes nowhere); a newline breaks the command
 * line Codex runs.
 */
export function checkPath(what: string, flag: string, path: string): void {
  const bad = path.includes(",") ? "a comma" : /[\n\r\0]/.test(path) ? "a line break or NUL" : undefined;
  if (bad === undefined) return;
  throw new UsageError(
    `Cannot install with ${what} "${path}": it contains ${bad}, which Deno's --allow-read and ` +
      `--allow-write lists cannot express (they split on commas), so every hook would lose its ` +
      `permissions. Choose another folder with ${flag} DIR (for example ~/.lifeline-state)`,
  );
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
  checkPath("the state dir", "--state-dir", stateDir);
  checkPath("Codex's home", "--codex-home", codexHome);
  checkPath("the deno executable", "a deno elsewhere on PATH:", p.deno);
  const version = p.sourceVersion();
  const dir = appDir(stateDir, version);
  const binDir = resolve(o.binDir ?? join(p.env("HOME") ?? ".", ".local", "bin"));
  const hints = o.hints === true;
  return {
    places: { deno: p.deno, root: dir, stateDir, codexHome, hints, ...(netHosts.length ? { netHosts } : {}) },
    sourceRoot: p.root,
    app: { version, dir },
    binDir,
    launcher: launcherPath(binDir),
    hints,
    purge: o.purge === true,
    hooksPath: join(codexHome, "hooks.json"),
    configPath: join(codexHome, "config.toml"),
    manifestPath: join(stateDir, "install-manifest.json"),
    events,
    profile,
    codexVersion: reported,
    profileNote: "newerThanKnown" in profile ? newerThanKnownNote(profile) : undefined,
  };
}
