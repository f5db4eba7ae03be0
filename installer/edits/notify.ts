/**
 * `notify` at the root of `config.toml`: Codex runs one notify program only,
 * so install writes a small `/bin/sh` line that starts the user's own program
 * with exactly its argv plus the payload, and lifeline's notify beside it
 * (`notifyShellArgv`): the user's program keeps firing when lifeline's files
 * or deno are gone. A legacy `[notify]` table or
 * a string, both of which make Codex refuse to start, become the array form.
 * Uninstall puts the user's program back.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import { isObject } from "../../codex/json.ts";
import { type HandlerPlaces, lifelineNotify, notifyShellArgv } from "../../hooks/handlers.ts";
import type { Manifest } from "../manifest.ts";
import { type ConfigEdit, insertRootKey, removeTable, type TomlDoc } from "../toml_edit.ts";

const isArgv = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

/** Sets lifeline's notify, chaining the user's program; returns what the manifest records. */
export function installNotify(
  edit: ConfigEdit,
  doc0: TomlDoc,
  places: HandlerPlaces,
  previous: Manifest | undefined,
): Manifest["notify"] {
  let chained: string[] | null = null;
  let form: Manifest["notify"]["previous_form"] = null;
  const cur = doc0.notify;
  let original: string[] | null = isArgv(cur) ? cur : null;
  const ours = lifelineNotify(cur, places.root) ??
    (previous && isDeepStrictEqual(cur, previous.notify.argv)
      ? { chain: previous.notify.previous }
      : undefined);
  if (ours) {
    // Already lifeline's: what it chains and what it replaced are in the earlier manifest, or,
    // without one (another deno, a lost state dir), the chain is the one the argv carries.
    chained = previous?.notify.previous ?? ours.chain;
    form = previous?.notify.previous_form ?? (ours.chain ? "array" : null);
    original = previous?.notify.original ?? null;
  } else if (isArgv(cur)) {
    // Codex ignores an empty argv or an empty argv[0]: nothing to chain then.
    if (cur.length > 0 && cur[0] !== "") {
      chained = cur;
      form = "array";
      edit.notes.push(
        `Your notify program (${
          JSON.stringify(cur)
        }) keeps running on its own, with the same payload; lifeline's notify runs beside it`,
      );
    }
  } else if (isObject(cur)) {
    const cmd = cur.command;
    if (isArgv(cmd) && cmd.length > 0 && cmd[0] !== "") chained = cmd;
    form = "table";
    edit.text = removeTable(edit.text, ["notify"]);
    edit.notes.push(
      `Migrated the legacy [notify] table (Codex refuses to start with it) to a root-level notify array`,
    );
  } else if (typeof cur === "string") {
    chained = cur === "" ? null : [cur];
    form = "string";
    edit.notes.push(`Migrated notify = "${cur}" (Codex refuses a string) to the array form`);
  }
  const argv = notifyShellArgv(places, chained ?? undefined);
  // Deleting first puts notify at the end of the root keys, where toml-patch adds it.
  delete edit.intended.notify;
  edit.intended.notify = argv;
  if (!("notify" in doc0) || isObject(cur)) {
    // A new root key: as text, after the last root key (toml-patch would put it under the comment
    // block of the first table when the file has one).
    edit.text = insertRootKey(edit.text, "notify", argv) ?? edit.text;
  }
  return { argv, previous: chained, previous_form: form, original };
}

/**
 * Puts the user's notify back when notify is still lifeline's: their array as
 * it was; a legacy table or string comes back in the array form it meant.
 */
export function uninstallNotify(edit: ConfigEdit, m: Manifest): void {
  if (!isDeepStrictEqual(edit.intended.notify, m.notify.argv)) return;
  const restore = m.notify.original ?? m.notify.previous;
  if (restore) edit.intended.notify = restore;
  else delete edit.intended.notify;
}
