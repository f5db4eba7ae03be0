/**
 * The installed copy: what Codex runs (the hooks, the notify program, the hub
 * sidecar) and the `lifeline` command, under `<state dir>/app/<version>/`, so
 * that Codex never depends on the checkout install ran from.
 *
 * The hooks and the sidecar are copied as source: they import nothing from
 * npm and run with `--no-config`. Each event script of the copy then imports
 * one pre-bundled runner (`hooks/_hook.js`, see `hook_bundle.ts`), since
 * loading one module costs a hook far less than ~60; the bundle moves the one
 * module-relative path in the hook graph (`hooks/` → `hub/sidecar.ts`). The
 * copy lives in the state dir, which every hook may already read,
 * so the hooks' `--allow-read` needs no new entry. The `lifeline` command
 * imports npm packages, so it is one bundle (`deno bundle`, from the npm
 * cache install already needs) at `cli/lifeline.js`: it runs with
 * `--no-config`, needs no import map and downloads nothing. The scenarios
 * `lifeline simulate` replays are copied as data.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { join, relative } from "node:path";
import { InstallerError, messageOf } from "../errors.ts";
import { MCP_BUNDLE, MCP_ENTRY } from "../edits/mcp.ts";
import { bundleHooks } from "./hook_bundle.ts";
import { denoBundle } from "./deno_bundle.ts";

/**
 * The entry of the `lifeline` command, relative to the checkout (bundled into
 * the copy with everything it imports).
 */
export const CLI_ENTRY = "cli/mod.ts";
/** Where the bundled command lives inside a copy (one level down, so the copy's root is `..` from it). */
export const CLI_BUNDLE = "cli/lifeline.js";
/**
 * Every bundle of a copy: entry (in a checkout) → file (in the copy). lifeline's
 * MCP server imports npm packages too, so `[mcp_servers.lifeline]` runs a bundle.
 */
const BUNDLES: readonly (readonly [string, string])[] = [[CLI_ENTRY, CLI_BUNDLE], [MCP_ENTRY, MCP_BUNDLE]];
/** The folders Codex runs code from, copied as source. */
export const APP_FOLDERS: readonly string[] = ["codex", "lifecycle", "hooks", "hub"];
/**
 * Data the command reads at run time, copied whole: `lifeline simulate`
 * replays the bundled scenarios, which it finds next to the copy's hooks.
 */
export const DATA_FOLDERS: readonly string[] = ["simulator/scenarios"];
/** The file inside a copy that names its version. */
const VERSION_FILE = "VERSION";

/** The folder of the copy of `version`. */
export function appDir(stateDir: string, version: string): string {
  return join(stateDir, "app", version);
}

function walk(dir: string, out: string[], keep: (name: string) => boolean): void {
  for (const e of [...Deno.readDirSync(dir)].sort((a, b) => a.name < b.name ? -1 : 1)) {
    const p = join(dir, e.name);
    if (e.isDirectory) walk(p, out, keep);
    else if (e.isFile && keep(e.name)) out.push(p);
  }
}

/** The files of a checkout (or of a copy) the copy is made of: the sources, then the data. */
function sourceFiles(root: string): string[] {
  const out: string[] = [];
  for (const f of APP_FOLDERS) walk(join(root, f), out, (n) => n.endsWith(".ts"));
  for (const f of DATA_FOLDERS) {
    try {
      walk(join(root, f), out, () => true);
    } catch (e) {
      // A copy made before the data was copied has none; a newer install brings it.
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return out;
}

/**
 * The version of the code at `root`: a copy's own `VERSION`, or for a
 * checkout `deno.json`'s version plus a hash of every file the copy is made
 * of, so that a newer checkout always gets a new folder.
 */
export function sourceVersion(root: string): string {
  try {
    return Deno.readTextFileSync(join(root, VERSION_FILE)).trim();
  } catch { /* a checkout */ }
  let version = "0";
  try {
    version = String(JSON.parse(Deno.readTextFileSync(join(root, "deno.json"))).version ?? "0");
  } catch { /* unversioned */ }
  const h = createHash("sha256");
  for (const f of [...sourceFiles(root), ...BUNDLES.map(([entry]) => join(root, entry))]) {
    h.update(relative(root, f)).update("\0");
    try {
      h.update(Deno.readFileSync(f));
    } catch { /* an installed copy has no entry source */ }
  }
  return `${version}-${h.digest("hex").slice(0, 12)}`;
}

/**
 * Makes the copy of `root` at `dest` (a fresh folder: written next to it,
 * then renamed into place, so a copy is whole or absent). From a checkout the
 * command is bundled; from an installed copy its bundle is copied.
 */
export function makeCopy(root: string, dest: string, version: string, deno: string): void {
  const tmp = `${dest}.lifeline-tmp-${Deno.pid}`;
  try {
    Deno.removeSync(tmp, { recursive: true });
  } catch { /* none */ }
  try {
    for (const f of sourceFiles(root)) {
      const to = join(tmp, relative(root, f));
      Deno.mkdirSync(join(to, ".."), { recursive: true, mode: 0o755 });
      Deno.copyFileSync(f, to);
      Deno.chmodSync(to, 0o644);
    }
    for (const [entry, file] of BUNDLES) {
      Deno.mkdirSync(join(tmp, file, ".."), { recursive: true, mode: 0o755 });
      const bundled = join(root, file);
      if (exists(bundled) && !exists(join(root, entry))) Deno.copyFileSync(bundled, join(tmp, file));
      else bundle(root, entry, join(tmp, file), deno);
    }
    bundleHooks(tmp, deno);
    Deno.writeTextFileSync(join(tmp, VERSION_FILE), version + "\n", { mode: 0o644 });
    Deno.renameSync(tmp, dest);
  } catch (e) {
    try {
      Deno.removeSync(tmp, { recursive: true });
    } catch { /* nothing to clean */ }
    if (e instanceof InstallerError) throw e;
    throw new InstallerError(`Cannot make lifeline's copy at "${dest}": ${messageOf(e)}`, 1, { cause: e });
  }
}

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Bundles the command's entry; Deno's own messages are shown only when it
 * fails. `--no-lock`: with the lock file Deno installs every package the
 * lock names, the test-only ones (msw, fast-check) included; without it,
 * only what the entry imports (versions are pinned exactly in deno.json).
 */
function bundle(root: string, entry: string, out: string, deno: string): void {
  const args = ["--no-lock", "--config", join(root, "deno.json"), join(root, entry), "-o", out];
  denoBundle(deno, args, root, `Cannot bundle lifeline's ${entry}`);
}

/** Removes a copy (and its parent `app/` when it is left empty). Never throws for a missing one. */
export function removeCopy(dir: string): void {
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new InstallerError(`Cannot remove lifeline's copy at "${dir}": ${messageOf(e)}`, 1, { cause: e });
    }
  }
  try {
    Deno.removeSync(join(dir, ".."));
  } catch { /* not empty, or gone */ }
}
