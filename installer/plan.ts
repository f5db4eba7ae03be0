/**
 * The installer's plans, as pure functions: from the current text of
 * `config.toml` and `hooks.json` (and the manifest of an earlier install)
 * to the text to write, and the manifest that makes `uninstall` exact. Each
 * edit lives in `edits/` with its undo next to it; this module runs them in
 * order. Nothing here touches the file system.
 *
 * @module
 */

import { HOOK_EVENTS, type HookEventName } from "../codex/events.ts";
import type { VersionProfile } from "../codex/profiles.ts";
import { trustEntry } from "../codex/trust.ts";
import { type HandlerPlaces, LIFELINE_ROOT } from "../hooks/handlers.ts";
import { type FileText, installHandlers, uninstallHandlers } from "./edits/hooks_json.ts";
import { installFeatures, uninstallFeatures } from "./edits/features.ts";
import { installHistory, uninstallHistory } from "./edits/history.ts";
import { appendMcp, installMcp, uninstallMcp } from "./edits/mcp.ts";
import { installNotify, uninstallNotify } from "./edits/notify.ts";
import { installTrust, renderUninstall, uninstallTrust } from "./edits/trust.ts";
import type { Manifest } from "./manifest.ts";
import { type ConfigEdit, readConfig } from "./toml_edit.ts";

export type { Manifest } from "./manifest.ts";
export { TRUST_COMMENT } from "./edits/trust.ts";

/** One file before and after. */
export interface FileChange {
  path: string;
  before: string | undefined;
  /** `undefined` = delete the file. */
  after: string | undefined;
}

/** A plan: the files, the manifest to write (or delete), and what to tell the user. */
export interface Plan {
  hooks: FileChange;
  config: FileChange;
  manifest: Manifest | undefined;
  notes: string[];
}

/** What install needs to know. */
export interface InstallOptions {
  places: HandlerPlaces;
  events: readonly HookEventName[];
  profile: VersionProfile;
  now: Date;
  /** What `codex --version` said (`undefined`: unknown). */
  codexVersion?: string | undefined;
  /** The installed copy and the command (absent in pure tests of the edits). */
  app?: { version: string; dir: string; launcher: string };
}

/**
 * The backups an install keeps: one per file that existed before lifeline's
 * first install, holding that original (a later install never replaces it
 * with a file lifeline already changed).
 */
function backupsOf(previous: Manifest | undefined, files: readonly FileText[]): string[] {
  if (previous) return previous.backups;
  return files.filter((f) => f.text !== undefined).map((f) => `${f.path}.lifeline.bak`);
}

/** Plans an install (idempotent: installing twice changes no byte). */
export function planInstall(
  config: FileText,
  hooks: FileText,
  previous: Manifest | undefined,
  o: InstallOptions,
): Plan {
  const notes: string[] = [];
  const events = HOOK_EVENTS.filter((e) => o.events.includes(e) && o.profile.events.includes(e));
  const skippedEvents = o.events.filter((e) => !o.profile.events.includes(e));
  if (skippedEvents.length) {
    notes.push(
      `Codex ${o.profile.version} does not fire ${skippedEvents.join(", ")}: no handler written for them`,
    );
  }
  const installed = installHandlers(hooks, events, o.places, previous);

  const doc0 = readConfig(config.text, config.path);
  const edit: ConfigEdit = { text: config.text ?? "", intended: structuredClone(doc0), notes };
  const notify = installNotify(edit, doc0, o.places, previous);
  const features = installFeatures(edit, doc0, o.profile, previous);
  const history = installHistory(edit, doc0, previous, o.codexVersion);
  const mcp = installMcp(edit, doc0, o.places, previous);
  const trust = installed.handlers.map((h, i) =>
    trustEntry(hooks.path, h.event, h.group, h.handler, {}, installed.written[i]!)
  );
  let out = installTrust(edit, trust, previous, config.path);
  out = appendMcp(out, edit, mcp, config.path);
  if (config.text === undefined && out === "") out = "\n";

  const manifest: Manifest = {
    version: 1,
    installed_at: previous?.installed_at ?? o.now.toISOString(),
    codex_home: o.places.codexHome,
    state_dir: o.places.stateDir,
    files: {
      hooks_json: {
        path: hooks.path,
        original: previous ? previous.files.hooks_json.original : hooks.text ?? null,
        written: installed.after,
      },
      config_toml: {
        path: config.path,
        original: previous ? previous.files.config_toml.original : config.text ?? null,
        written: out,
      },
    },
    handlers: installed.handlers,
    trust_keys: trust.map(([k]) => k),
    notify,
    features,
    history,
    mcp,
    app: o.app ?? null,
    backups: backupsOf(previous, [hooks, config]),
    hints: o.places.hints === true,
  };
  return {
    hooks: { path: hooks.path, before: hooks.text, after: installed.after },
    config: { path: config.path, before: config.text, after: out },
    manifest,
    notes,
  };
}

/**
 * Plans an uninstall. When nobody touched the files since install, the
 * originals come back byte for byte; otherwise exactly lifeline's entries are
 * removed and everything else is kept. `root` is the checkout whose handlers
 * count as lifeline's besides those the manifest recorded.
 */
export function planUninstall(
  config: FileText,
  hooks: FileText,
  m: Manifest,
  root: string = LIFELINE_ROOT,
): Plan {
  const notes: string[] = [];
  const hooksAfter = uninstallHandlers(hooks, m, root, notes);
  let configAfter: string | undefined;
  if (config.text === m.files.config_toml.written) {
    configAfter = m.files.config_toml.original ?? undefined;
  } else if (config.text !== undefined) {
    notes.push(`${config.path} changed since install: removed only lifeline's entries`);
    const edit: ConfigEdit = {
      text: config.text,
      intended: structuredClone(readConfig(config.text, config.path)),
      notes,
    };
    uninstallTrust(edit, m, config.text);
    uninstallNotify(edit, m);
    uninstallFeatures(edit, m);
    uninstallHistory(edit, m);
    uninstallMcp(edit, m);
    configAfter = renderUninstall(edit, config.text, config.path);
  }
  return {
    hooks: { path: hooks.path, before: hooks.text, after: hooksAfter },
    config: { path: config.path, before: config.text, after: configAfter },
    manifest: undefined,
    notes,
  };
}
