/**
 * Trust entries for lifeline's handlers in `config.toml`: Codex skips a
 * handler silently unless `[hooks.state."<key>"]` holds its hash. Install
 * drops entries of earlier installs whose positions are gone, rewrites the
 * hash of a moved or changed handler in place, and appends new tables in one
 * block under a comment. Uninstall takes out exactly the keys it recorded.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import type { TrustEntry } from "../../codex/trust.ts";
import { isObject } from "../../codex/json.ts";
import { InstallerError } from "../errors.ts";
import type { Manifest } from "../manifest.ts";
import {
  appendTrustTables,
  type ConfigEdit,
  parsesTo,
  removeTable,
  type TomlDoc,
  tomlPatch,
} from "../toml_edit.ts";

/** The comment above the trust tables lifeline appends. */
export const TRUST_COMMENT =
  "lifeline: trust for its hooks (written by `installer/mod.ts install`; `uninstall` removes it)";

function stateOf(doc: TomlDoc): Record<string, unknown> | undefined {
  const hooks = isObject(doc.hooks) ? doc.hooks : undefined;
  return hooks && isObject(hooks.state) ? hooks.state : undefined;
}

function unsafe(path: string): InstallerError {
  return new InstallerError(
    `Cannot edit ${path} safely: the edited file would not parse to the intended settings; nothing was changed`,
  );
}

/**
 * Writes the trust entries and renders the edited file: every other edit is
 * applied first (as text edits, or by toml-patch), then new tables are
 * appended as a person would write them. The result must parse to the
 * intended document, or nothing is written.
 */
export function installTrust(
  edit: ConfigEdit,
  entries: readonly TrustEntry[],
  previous: Manifest | undefined,
  path: string,
): string {
  const state0 = stateOf(edit.intended);
  const wanted = new Set(entries.map(([k]) => k));
  // Drop stale entries of ours (positions moved, events removed).
  for (const k of previous?.trust_keys ?? []) {
    if (wanted.has(k) || !state0 || !(k in state0)) continue;
    delete state0[k];
    edit.text = removeTable(edit.text, ["hooks", "state", k]);
  }
  const fresh: TrustEntry[] = [];
  for (const [k, hash] of entries) {
    const existing = state0?.[k];
    if (isObject(existing) && !isDeepStrictEqual(existing, { trusted_hash: hash })) {
      existing.trusted_hash = hash; // rewritten handler, rewritten trust (toml-patch edits it in place)
    } else if (!isObject(existing)) fresh.push([k, hash]);
  }
  const withoutFresh = structuredClone(edit.intended);
  for (const [k, hash] of fresh) {
    const h = (isObject(edit.intended.hooks) ? edit.intended.hooks : (edit.intended.hooks = {})) as TomlDoc;
    const st = (isObject(h.state) ? h.state : (h.state = {})) as TomlDoc;
    st[k] = { trusted_hash: hash };
  }
  let out = parsesTo(edit.text, withoutFresh) ? edit.text : tomlPatch(edit.text, withoutFresh);
  out = appendTrustTables(out, fresh, TRUST_COMMENT);
  if (parsesTo(out, edit.intended)) return out;
  const fallback = tomlPatch(edit.text, edit.intended);
  if (!parsesTo(fallback, edit.intended)) throw unsafe(path);
  return fallback;
}

/**
 * Removes the trust entries install recorded, the comment above them, and
 * the empty `[hooks]` tables left behind, keeping the file's own ending.
 */
export function uninstallTrust(edit: ConfigEdit, m: Manifest, original: string): void {
  const h = isObject(edit.intended.hooks) ? edit.intended.hooks : undefined;
  const st = stateOf(edit.intended);
  for (const k of m.trust_keys) {
    if (st && k in st) {
      delete st[k];
      edit.text = removeTable(edit.text, ["hooks", "state", k]);
    }
  }
  if (st && Object.keys(st).length === 0) delete h!.state;
  if (h && Object.keys(h).length === 0) delete edit.intended.hooks;
  edit.text = edit.text.split(/(?<=\n)/).filter((l) => l.replace(/\r?\n$/, "") !== `# ${TRUST_COMMENT}`).join(
    "",
  );
  // Removing the appended block leaves the blank line that separated it: keep the file's own ending.
  const ending = /(\r?\n)*$/.exec(original)![0];
  edit.text = edit.text.replace(/(\r?\n)*$/, "") + (edit.text.trim() === "" ? "" : ending);
}

/** Renders an uninstall: the text edits when they parse to the intended document, else toml-patch. */
export function renderUninstall(edit: ConfigEdit, original: string, path: string): string {
  const out = parsesTo(edit.text, edit.intended) ? edit.text : tomlPatch(edit.text, edit.intended);
  if (parsesTo(out, edit.intended)) return out;
  const fallback = tomlPatch(original, edit.intended);
  if (!parsesTo(fallback, edit.intended)) throw unsafe(path);
  return fallback;
}
