/**
 * `[history]`: older Codex versions refuse to load a `[history]` table that
 * has no `persistence` key, so install adds the default for them, and
 * uninstall takes it out again while it still has that value.
 *
 * Which release relaxed this is not known. Codex 0.169.0 loads a `[history]`
 * table without `persistence` (measured: the same file with
 * `persistence = 42` fails to load, so the table is read), so the key is
 * added only when the Codex version is unknown or older than 0.169.0: the
 * conservative choice, since the key only restates the default.
 *
 * @module
 */

import { isObject } from "../../codex/json.ts";
import type { Manifest } from "../manifest.ts";
import type { ConfigEdit, TomlDoc } from "../toml_edit.ts";

/** The oldest release known to load a `[history]` table without `persistence`. */
export const HISTORY_DEFAULT_SINCE: readonly [number, number, number] = [0, 169, 0];

/** Whether Codex `version` (`undefined`: unknown) may need `persistence` spelled out. */
export function needsPersistence(version: string | undefined): boolean {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(version ?? "");
  if (!m) return true;
  const v = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  for (let i = 0; i < 3; i++) {
    if (v[i]! !== HISTORY_DEFAULT_SINCE[i]!) return v[i]! < HISTORY_DEFAULT_SINCE[i]!;
  }
  return false;
}

/** The value Codex uses when `persistence` is not set. */
const DEFAULT_PERSISTENCE = "save-all";

/** Adds `persistence` to a `[history]` table without it; returns what the manifest records. */
export function installHistory(
  edit: ConfigEdit,
  doc0: TomlDoc,
  previous: Manifest | undefined,
  codexVersion: string | undefined,
): Manifest["history"] {
  let added = false;
  if (isObject(doc0.history) && !("persistence" in doc0.history) && needsPersistence(codexVersion)) {
    (edit.intended.history as Record<string, unknown>).persistence = DEFAULT_PERSISTENCE;
    added = true;
    edit.notes.push(
      `Added persistence = "${DEFAULT_PERSISTENCE}" to [history] ` +
        `(Codex ${codexVersion ?? "of an unknown version"} may refuse a [history] table without it)`,
    );
  }
  return { added_persistence: (previous?.history.added_persistence ?? false) || added };
}

/** Removes the `persistence` install added, while it still has the value install gave it. */
export function uninstallHistory(edit: ConfigEdit, m: Manifest): void {
  const hist = isObject(edit.intended.history) ? edit.intended.history : undefined;
  if (hist && m.history.added_persistence && hist.persistence === DEFAULT_PERSISTENCE) {
    delete hist.persistence;
  }
}
