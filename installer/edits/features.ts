/**
 * `[features]`: Codex versions that need a flag to run hooks get it; the
 * deprecated `codex_hooks` key becomes `hooks` where Codex reads `hooks`.
 * An explicit `false` is the person's choice and stays. Uninstall undoes
 * exactly what install did, and only while the value is still the one
 * install left.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import { isObject } from "../../codex/json.ts";
import type { VersionProfile } from "../../codex/profiles.ts";
import type { Manifest } from "../manifest.ts";
import { type ConfigEdit, renameKey, type TomlDoc } from "../toml_edit.ts";

/** Edits `[features]` for `profile`; returns what the manifest records (merged with an earlier install). */
export function installFeatures(
  edit: ConfigEdit,
  doc0: TomlDoc,
  profile: VersionProfile,
  previous: Manifest | undefined,
): Manifest["features"] {
  const features = isObject(doc0.features) ? doc0.features : undefined;
  const fm: Manifest["features"] = { migrated: null, removed_legacy: null, added: null };
  if (profile.featureKey === "hooks" && features && "codex_hooks" in features) {
    const f = edit.intended.features as Record<string, unknown>;
    if (!("hooks" in features)) {
      fm.migrated = { value: features.codex_hooks };
      edit.text = renameKey(edit.text, ["features", "codex_hooks"], "hooks");
      const { codex_hooks: value, ...rest } = f;
      edit.intended.features = { ...rest, hooks: value };
      edit.notes.push(
        `Renamed the deprecated [features] codex_hooks to hooks (value kept: ${
          JSON.stringify(features.codex_hooks)
        })`,
      );
    } else {
      fm.removed_legacy = { value: features.codex_hooks };
      delete f.codex_hooks;
      edit.notes.push(`Removed the deprecated [features] codex_hooks (hooks is already set)`);
    }
  }
  if (!profile.hooksOnByDefault) {
    const key = profile.featureKey;
    const f =
      (isObject(edit.intended.features) ? edit.intended.features : (edit.intended.features = {})) as Record<
        string,
        unknown
      >;
    if (f[key] === undefined) {
      f[key] = true;
      fm.added = key;
      edit.notes.push(`Codex ${profile.version} needs [features] ${key} = true: added`);
    }
  }
  const flag = isObject(edit.intended.features) ? edit.intended.features[profile.featureKey] : undefined;
  if (flag === false) {
    edit.notes.push(
      `[features] ${profile.featureKey} = false turns hooks off: lifeline respects it, but its hooks will not run until you change it`,
    );
  }
  if (!previous) return fm;
  return {
    migrated: previous.features.migrated ?? fm.migrated,
    removed_legacy: previous.features.removed_legacy ?? fm.removed_legacy,
    added: previous.features.added ?? fm.added,
  };
}

/** Undoes what install did to `[features]`, where the values are still what install left. */
export function uninstallFeatures(edit: ConfigEdit, m: Manifest): void {
  const f = isObject(edit.intended.features) ? edit.intended.features : undefined;
  if (f && m.features.added && f[m.features.added] === true) delete f[m.features.added];
  if (
    f && m.features.migrated && "hooks" in f && !("codex_hooks" in f) &&
    isDeepStrictEqual(f.hooks, m.features.migrated.value)
  ) {
    edit.text = renameKey(edit.text, ["features", "hooks"], "codex_hooks");
    const { hooks: value, ...rest } = f;
    edit.intended.features = { ...rest, codex_hooks: value };
  }
  if (f && m.features.removed_legacy && !("codex_hooks" in f)) {
    (edit.intended.features as Record<string, unknown>).codex_hooks = m.features.removed_legacy.value;
  }
  if (
    isObject(edit.intended.features) && Object.keys(edit.intended.features).length === 0 && m.features.added
  ) {
    delete edit.intended.features;
  }
}
