/**
 * The installer's plans, as pure functions: from the current text of
 * `config.toml` and `hooks.json` (and the manifest of an earlier install)
 * to the text to write, and the manifest that makes `uninstall` exact.
 * Nothing here touches the file system.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import { HOOK_EVENTS, type HookEventName } from "../codex/events.ts";
import { type HookHandler, type MatcherGroup, parseHooksJson } from "../codex/hooks_json.ts";
import { hookTrustHash, hookTrustKey } from "../codex/trust.ts";
import type { VersionProfile } from "../codex/profiles.ts";
import { isObject } from "../codex/json.ts";
import { type HandlerPlaces, HOOK_TIMEOUTS, hookCommand, notifyArgv } from "../hooks/handlers.ts";
import {
  appendTrustTables,
  newlineOf,
  parsesTo,
  parseToml,
  removeTable,
  renameKey,
  type TomlDoc,
  TomlEditError,
  tomlPatch,
} from "./_toml.ts";

/** The comment above the trust tables lifeline appends. */
export const TRUST_COMMENT =
  "lifeline: trust for its hooks (written by `installer/mod.ts install`; `uninstall` removes it)";

/** What install recorded, so that uninstall removes exactly that. */
export interface Manifest {
  version: 1;
  installed_at: string;
  codex_home: string;
  state_dir: string;
  files: {
    hooks_json: { path: string; original: string | null; written: string };
    config_toml: { path: string; original: string | null; written: string };
  };
  handlers: { event: HookEventName; group: number; handler: number; command: string; timeout: number }[];
  trust_keys: string[];
  /** `previous` is what lifeline chains; `original` the user's notify array as it was (restored by uninstall). */
  notify: {
    argv: string[];
    previous: string[] | null;
    previous_form: "array" | "table" | "string" | null;
    original: string[] | null;
  };
  features: {
    migrated: { value: unknown } | null;
    removed_legacy: { value: unknown } | null;
    added: string | null;
  };
  history: { added_persistence: boolean };
}

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
}

/** A file that cannot be installed into; the message says where and why. */
export class InstallError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "InstallError";
  }
}

/** The indentation and newline style of a JSON text (default: two spaces, "\n", final newline). */
function jsonStyle(text: string | undefined): { indent: string; nl: string; final: boolean } {
  if (!text) return { indent: "  ", nl: "\n", final: true };
  const m = /\n([ \t]+)\S/.exec(text);
  return { indent: m ? m[1]! : "  ", nl: newlineOf(text), final: /\n$/.test(text) };
}

function jsonText(value: unknown, style: ReturnType<typeof jsonStyle>): string {
  const s = JSON.stringify(value, null, style.indent).replaceAll("\n", style.nl);
  return style.final ? s + style.nl : s;
}

function readHooksJson(text: string | undefined, path: string): Record<string, unknown> {
  if (text === undefined || text.trim() === "") return {};
  const r = parseHooksJson(text, path);
  if (r.error) {
    const detail = r.error.message;
    throw new InstallError(
      /^\S+:\d+:\d+: /.test(detail)
        ? `Cannot parse ${detail}; nothing was changed`
        : `Cannot install into ${path}: Codex ignores this whole file (${detail}); fix it first, nothing was changed`,
      { cause: r.error },
    );
  }
  return JSON.parse(text) as Record<string, unknown>;
}

function readConfig(text: string | undefined, path: string): TomlDoc {
  if (text === undefined || text.trim() === "") return {};
  try {
    return parseToml(text, path);
  } catch (e) {
    throw new InstallError(`${(e as Error).message}; nothing was changed`, { cause: e });
  }
}

/**
 * Removes handlers whose command is one of `ours` (exact match: ownership is
 * never guessed from a substring). A group left empty goes too when it held
 * nothing but handlers; an event left without groups goes too.
 */
function removeHandlers(table: Record<string, unknown>, ours: ReadonlySet<string>): void {
  for (const [event, groups] of Object.entries(table)) {
    if (!Array.isArray(groups)) continue;
    const kept = groups.flatMap((g) => {
      if (!isObject(g) || !Array.isArray(g.hooks)) return [g];
      const rest = (g.hooks as unknown[]).filter((h) =>
        !(isObject(h) && typeof h.command === "string" && ours.has(h.command))
      );
      if (rest.length === g.hooks.length) return [g];
      return rest.length === 0 && Object.keys(g).every((k) => k === "hooks") ? [] : [{ ...g, hooks: rest }];
    });
    if (kept.length === 0) delete table[event];
    else table[event] = kept;
  }
}

function isOurNotify(argv: unknown, places: HandlerPlaces): boolean {
  return Array.isArray(argv) && argv.includes(`${places.root}/hooks/notify.ts`) && argv[0] === places.deno;
}

/** Plans an install (idempotent: installing twice changes no byte). */
export function planInstall(
  config: { path: string; text: string | undefined },
  hooks: { path: string; text: string | undefined },
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

  // ---- hooks.json ---------------------------------------------------------
  const hooksDoc = structuredClone(readHooksJson(hooks.text, hooks.path));
  const table = (isObject(hooksDoc.hooks) ? hooksDoc.hooks : (hooksDoc.hooks = {})) as Record<
    string,
    unknown
  >;
  const ours = new Set<string>([
    ...HOOK_EVENTS.map((e) => hookCommand(e, o.places)),
    ...(previous?.handlers.map((h) => h.command) ?? []),
  ]);
  removeHandlers(table, ours);
  const handlers: Manifest["handlers"] = [];
  const written: HookHandler[] = []; // the exact objects written: their trust hashes come from them
  for (const event of events) {
    const groups = (Array.isArray(table[event]) ? table[event] : (table[event] = [])) as MatcherGroup[];
    const handler: HookHandler = {
      type: "command",
      command: hookCommand(event, o.places),
      timeout: HOOK_TIMEOUTS[event],
    };
    groups.push({ hooks: [handler] });
    written.push(handler);
    handlers.push({
      event,
      group: groups.length - 1,
      handler: 0,
      command: handler.command!,
      timeout: handler.timeout!,
    });
  }
  // Keep an existing file byte-for-byte when nothing changed.
  const hooksBefore = hooks.text !== undefined && hooks.text.trim() !== ""
    ? JSON.parse(hooks.text)
    : undefined;
  const hooksAfter = hooksBefore !== undefined && isDeepStrictEqual(hooksBefore, hooksDoc)
    ? hooks.text!
    : jsonText(hooksDoc, jsonStyle(hooks.text));

  // ---- config.toml --------------------------------------------------------
  const original = config.text ?? "";
  const doc0 = readConfig(config.text, config.path);
  const intended = structuredClone(doc0);
  let text = original;

  // notify: root level, chaining the user's program.
  let previousNotify: string[] | null = null;
  let previousForm: Manifest["notify"]["previous_form"] = null;
  const cur = doc0.notify;
  let originalNotify: string[] | null = Array.isArray(cur) && cur.every((x) => typeof x === "string")
    ? cur as string[]
    : null;
  if (isOurNotify(cur, o.places)) {
    previousNotify = previous?.notify.previous ?? null;
    previousForm = previous?.notify.previous_form ?? null;
    originalNotify = previous?.notify.original ?? null;
  } else if (Array.isArray(cur) && cur.every((x) => typeof x === "string")) {
    // Codex ignores an empty argv or an empty argv[0]: nothing to chain then.
    if (cur.length > 0 && cur[0] !== "") {
      previousNotify = cur as string[];
      previousForm = "array";
      notes.push(
        `Your notify program (${
          JSON.stringify(cur)
        }) keeps running: lifeline's notify calls it with the same payload`,
      );
    }
  } else if (isObject(cur)) {
    const cmd = cur.command;
    if (Array.isArray(cmd) && cmd.every((x) => typeof x === "string") && cmd.length > 0 && cmd[0] !== "") {
      previousNotify = cmd as string[];
    }
    previousForm = "table";
    text = removeTable(text, ["notify"]);
    notes.push(
      `Migrated the legacy [notify] table (Codex refuses to start with it) to a root-level notify array`,
    );
  } else if (typeof cur === "string") {
    previousNotify = cur === "" ? null : [cur];
    previousForm = "string";
    notes.push(`Migrated notify = "${cur}" (Codex refuses a string) to the array form`);
  }
  const argv = notifyArgv(o.places, previousNotify ?? undefined);
  delete intended.notify;
  intended.notify = argv;

  // [features]
  const features = isObject(doc0.features) ? doc0.features : undefined;
  const fm: Manifest["features"] = { migrated: null, removed_legacy: null, added: null };
  if (o.profile.featureKey === "hooks" && features && "codex_hooks" in features) {
    const f = intended.features as Record<string, unknown>;
    if (!("hooks" in features)) {
      fm.migrated = { value: features.codex_hooks };
      text = renameKey(text, ["features", "codex_hooks"], "hooks");
      const { codex_hooks: value, ...rest } = f;
      intended.features = { ...rest, hooks: value };
      notes.push(
        `Renamed the deprecated [features] codex_hooks to hooks (value kept: ${
          JSON.stringify(features.codex_hooks)
        })`,
      );
    } else {
      fm.removed_legacy = { value: features.codex_hooks };
      delete f.codex_hooks;
      notes.push(`Removed the deprecated [features] codex_hooks (hooks is already set)`);
    }
  }
  if (!o.profile.hooksOnByDefault) {
    const key = o.profile.featureKey;
    const f = (isObject(intended.features) ? intended.features : (intended.features = {})) as Record<
      string,
      unknown
    >;
    if (f[key] === undefined) {
      f[key] = true;
      fm.added = key;
      notes.push(`Codex ${o.profile.version} needs [features] ${key} = true: added`);
    }
  }
  const flag = isObject(intended.features)
    ? (intended.features as Record<string, unknown>)[o.profile.featureKey]
    : undefined;
  if (flag === false) {
    notes.push(
      `[features] ${o.profile.featureKey} = false turns hooks off: lifeline respects it, but its hooks will not run until you change it`,
    );
  }

  // [history]: a table without persistence fails to load on older Codex.
  let addedPersistence = false;
  if (isObject(doc0.history) && !("persistence" in doc0.history)) {
    (intended.history as Record<string, unknown>).persistence = "save-all";
    addedPersistence = true;
    notes.push(
      `Added persistence = "save-all" to [history] (older Codex refuses a [history] table without it)`,
    );
  }

  // Trust entries for exactly our handlers at their positions.
  const trust = handlers.map((h, i): [string, string] => [
    hookTrustKey(hooks.path, h.event, h.group, h.handler),
    hookTrustHash(h.event, {}, written[i]!),
  ]);
  const hooksTable = (isObject(intended.hooks) ? intended.hooks : undefined) as
    | Record<string, unknown>
    | undefined;
  const state0 = hooksTable && isObject(hooksTable.state)
    ? hooksTable.state as Record<string, unknown>
    : undefined;
  const wanted = new Set(trust.map(([k]) => k));
  // Drop stale entries of ours (positions moved, events removed).
  for (const k of previous?.trust_keys ?? []) {
    if (wanted.has(k) || !state0 || !(k in state0)) continue;
    delete state0[k];
    text = removeTable(text, ["hooks", "state", k]);
  }
  const fresh: [string, string][] = [];
  for (const [k, hash] of trust) {
    const existing = state0?.[k];
    if (isObject(existing) && !isDeepStrictEqual(existing, { trusted_hash: hash })) {
      existing.trusted_hash = hash; // rewritten handler, rewritten trust (toml-patch edits it in place)
    } else if (!isObject(existing)) fresh.push([k, hash]);
  }
  const withoutFresh = structuredClone(intended);
  for (const [k, hash] of fresh) {
    const h = (isObject(intended.hooks) ? intended.hooks : (intended.hooks = {})) as Record<string, unknown>;
    const st = (isObject(h.state) ? h.state : (h.state = {})) as Record<string, unknown>;
    st[k] = { trusted_hash: hash };
  }
  let out = parsesTo(text, withoutFresh) ? text : tomlPatch(text, withoutFresh);
  out = appendTrustTables(out, fresh, TRUST_COMMENT);
  if (!parsesTo(out, intended)) {
    const fallback = tomlPatch(text, intended);
    if (!parsesTo(fallback, intended)) {
      throw new InstallError(
        `Cannot edit ${config.path} safely: the edited file would not parse to the intended settings; nothing was changed`,
      );
    }
    out = fallback;
  }
  if (config.text === undefined && out === "") out = "\n";

  const manifest: Manifest = {
    version: 1,
    installed_at: o.now.toISOString(),
    codex_home: o.places.codexHome,
    state_dir: o.places.stateDir,
    files: {
      hooks_json: {
        path: hooks.path,
        original: previous ? previous.files.hooks_json.original : hooks.text ?? null,
        written: hooksAfter,
      },
      config_toml: {
        path: config.path,
        original: previous ? previous.files.config_toml.original : config.text ?? null,
        written: out,
      },
    },
    handlers,
    trust_keys: trust.map(([k]) => k),
    notify: { argv, previous: previousNotify, previous_form: previousForm, original: originalNotify },
    features: previous
      ? {
        migrated: previous.features.migrated ?? fm.migrated,
        removed_legacy: previous.features.removed_legacy ?? fm.removed_legacy,
        added: previous.features.added ?? fm.added,
      }
      : fm,
    history: { added_persistence: (previous?.history.added_persistence ?? false) || addedPersistence },
  };
  if (previous) manifest.installed_at = previous.installed_at;
  return {
    hooks: { path: hooks.path, before: hooks.text, after: hooksAfter },
    config: { path: config.path, before: config.text, after: out },
    manifest,
    notes,
  };
}

/**
 * Plans an uninstall. When nobody touched the files since install, the
 * originals come back byte for byte; otherwise exactly lifeline's entries are
 * removed and everything else is kept.
 */
export function planUninstall(
  config: { path: string; text: string | undefined },
  hooks: { path: string; text: string | undefined },
  m: Manifest,
): Plan {
  const notes: string[] = [];
  // hooks.json
  let hooksAfter: string | undefined;
  if (hooks.text === m.files.hooks_json.written) {
    hooksAfter = m.files.hooks_json.original ?? undefined;
  } else if (hooks.text === undefined) {
    hooksAfter = undefined;
  } else {
    const doc = readHooksJson(hooks.text, hooks.path);
    const ours = new Set(m.handlers.map((h) => h.command));
    removeHandlers(isObject(doc.hooks) ? doc.hooks as Record<string, unknown> : {}, ours);
    hooksAfter = isDeepStrictEqual(JSON.parse(hooks.text), doc)
      ? hooks.text
      : jsonText(doc, jsonStyle(hooks.text));
    notes.push(`${hooks.path} changed since install: removed only lifeline's handlers`);
  }

  // config.toml
  let configAfter: string | undefined;
  if (config.text === m.files.config_toml.written) {
    configAfter = m.files.config_toml.original ?? undefined;
  } else if (config.text === undefined) {
    configAfter = undefined;
  } else {
    notes.push(`${config.path} changed since install: removed only lifeline's entries`);
    const doc = readConfig(config.text, config.path);
    const intended = structuredClone(doc);
    let text = config.text;
    const h = isObject(intended.hooks) ? intended.hooks as Record<string, unknown> : undefined;
    const st = h && isObject(h.state) ? h.state as Record<string, unknown> : undefined;
    for (const k of m.trust_keys) {
      if (st && k in st) {
        delete st[k];
        text = removeTable(text, ["hooks", "state", k]);
      }
    }
    if (st && Object.keys(st).length === 0) delete h!.state;
    if (h && Object.keys(h).length === 0) delete intended.hooks;
    text = text.split(/(?<=\n)/).filter((l) => l.replace(/\r?\n$/, "") !== `# ${TRUST_COMMENT}`).join("");
    // Removing the appended block leaves the blank line that separated it: keep the file's own ending.
    const ending = /(\r?\n)*$/.exec(config.text)![0];
    text = text.replace(/(\r?\n)*$/, "") + (text.trim() === "" ? "" : ending);
    if (isDeepStrictEqual(intended.notify, m.notify.argv)) {
      // The user's array comes back as it was; a legacy table or string comes back in the array form it meant.
      const restore = m.notify.original ?? m.notify.previous;
      if (restore) intended.notify = restore;
      else delete intended.notify;
    }
    const f = isObject(intended.features) ? intended.features as Record<string, unknown> : undefined;
    if (f && m.features.added && f[m.features.added] === true) delete f[m.features.added];
    if (
      f && m.features.migrated && "hooks" in f && !("codex_hooks" in f) &&
      isDeepStrictEqual(f.hooks, m.features.migrated.value)
    ) {
      text = renameKey(text, ["features", "hooks"], "codex_hooks");
      const { hooks: value, ...rest } = f;
      intended.features = { ...rest, codex_hooks: value };
    }
    if (f && m.features.removed_legacy && !("codex_hooks" in f)) {
      (intended.features as Record<string, unknown>).codex_hooks = m.features.removed_legacy.value;
    }
    if (isObject(intended.features) && Object.keys(intended.features).length === 0 && m.features.added) {
      delete intended.features;
    }
    const hist = isObject(intended.history) ? intended.history as Record<string, unknown> : undefined;
    if (hist && m.history.added_persistence && hist.persistence === "save-all") delete hist.persistence;
    let out = parsesTo(text, intended) ? text : tomlPatch(text, intended);
    if (!parsesTo(out, intended)) {
      out = tomlPatch(config.text, intended);
      if (!parsesTo(out, intended)) {
        throw new TomlEditError(
          `Cannot edit ${config.path} safely: the edited file would not parse to the intended settings; nothing was changed`,
        );
      }
    }
    configAfter = out;
  }
  return {
    hooks: { path: hooks.path, before: hooks.text, after: hooksAfter },
    config: { path: config.path, before: config.text, after: configAfter },
    manifest: undefined,
    notes,
  };
}
