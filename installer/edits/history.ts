/**
 * `[history]`: older Codex versions refuse to load a `[history]` table that
 * has no `persistence` key, so install adds the default, and uninstall takes
 * it out again while it still has that value.
 *
 * @module
 */

import { isObject } from "../../codex/json.ts";
import type { Manifest } from "../manifest.ts";
import type { ConfigEdit, TomlDoc } from "../toml_edit.ts";

/** The value Codex uses when `persistence` is not set. */
const DEFAULT_PERSISTENCE = "save-all";

/** Adds `persistence` to a `[history]` table without it; returns what the manifest records. */
export function installHistory(
  edit: ConfigEdit,
  doc0: TomlDoc,
  previous: Manifest | undefined,
): Manifest["history"] {
  let added = false;
  if (isObject(doc0.history) && !("persistence" in doc0.history)) {
    (edit.intended.history as Record<string, unknown>).persistence = DEFAULT_PERSISTENCE;
    added = true;
    edit.notes.push(
      `Added persistence = "${DEFAULT_PERSISTENCE}" to [history] ` +
        `(older Codex refuses a [history] table without it)`,
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
