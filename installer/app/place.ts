/**
 * Putting the installed copy and the `lifeline` command in place, and taking
 * them away again: the steps `applyPlan` runs around the config edits, and
 * the notes that tell the person what happened and what was left.
 *
 * @module
 */

import type { Planned } from "../apply.ts";
import { InstallerError } from "../errors.ts";
import type { InstallerFs } from "../fs.ts";
import type { Manifest } from "../manifest.ts";
import type { Resolved } from "../options.ts";
import { makeCopy, removeCopy } from "./copy.ts";
import { isLauncher, launcherText, onPath } from "./launcher.ts";

/** What placing the copy does to the disk (tests pass their own). */
export interface AppOps {
  exists(dir: string): boolean;
  makeCopy(root: string, dest: string, version: string, deno: string): void;
  /** Removes a folder and everything in it; a missing one is fine. */
  removeTree(dir: string): void;
}

/** The real disk. */
export const realApp: AppOps = {
  exists(dir) {
    try {
      return Deno.statSync(dir).isDirectory;
    } catch {
      return false;
    }
  },
  makeCopy,
  removeTree: removeCopy,
};

/** One step of install: the copy (first), the command (after the configs), removing older copies (last). */
export function installApp(
  planned: Planned,
  fs: InstallerFs,
  app: AppOps,
  step: "copy" | "launcher" | "cleanup",
): void {
  const r = planned.resolved;
  const prev = planned.previous?.app ?? null;
  if (step === "copy") {
    const existing = fs.read(r.launcher);
    if (existing !== undefined && !isLauncher(existing)) {
      throw new InstallerError(
        `Not writing "${r.launcher}": a file that is not lifeline's launcher is there; ` +
          `move it away or choose another folder with --bin-dir DIR`,
      );
    }
    if (!app.exists(r.app.dir)) app.makeCopy(r.sourceRoot, r.app.dir, r.app.version, r.places.deno);
  } else if (step === "launcher") {
    fs.mkdir(r.binDir);
    fs.write(r.launcher, launcherText(r.places.deno, r.app.dir), 0o755, undefined, {
      replaceLink: true,
      forceMode: true,
    });
  } else if (prev) {
    // The configs point at the new copy now: the old one can go.
    if (prev.dir !== r.app.dir) app.removeTree(prev.dir);
    if (prev.launcher !== r.launcher && isLauncher(fs.read(prev.launcher))) fs.remove(prev.launcher);
  }
}

/** Uninstall's part: the copy, the command (while it is lifeline's) and the backups of restored files. */
export function uninstallApp(planned: Planned, fs: InstallerFs, app: AppOps): void {
  const m = planned.previous;
  if (!m) return;
  if (m.app) {
    app.removeTree(m.app.dir);
    if (isLauncher(fs.read(m.app.launcher))) fs.remove(m.app.launcher);
  }
  for (const bak of restoredBackups(planned, m)) fs.remove(bak);
}

/** The backups whose file uninstall gives back byte for byte: those are removed, the others kept. */
function restoredBackups(planned: Planned, m: Manifest): string[] {
  const { plan } = planned;
  const pairs: [string, string | undefined, string | null][] = [
    [plan.hooks.path, plan.hooks.after, m.files.hooks_json.original],
    [plan.config.path, plan.config.after, m.files.config_toml.original],
  ];
  return pairs.filter(([, after, original]) => after !== undefined && after === original)
    .map(([path]) => `${path}.lifeline.bak`).filter((b) => m.backups.includes(b));
}

/** What install tells the person about the copy, the command, the backups and the hint. */
export function notesAfterInstall(
  r: Resolved,
  path: string | undefined,
  previous: Manifest | undefined,
): string[] {
  const notes = [
    `Codex runs lifeline from its own copy in ${r.app.dir} (not from this checkout); ` +
    `the lifeline command is ${r.launcher}`,
  ];
  if (!onPath(r.binDir, path)) {
    notes.push(`${r.binDir} is not on your PATH: add it (export PATH="${r.binDir}:$PATH") to run lifeline`);
  }
  if (!previous) {
    notes.push(
      `Backups of your originals (config.toml.lifeline.bak, hooks.json.lifeline.bak, mode 0600) and the ` +
        `install manifest in ${r.places.stateDir} contain your config's secrets, such as API keys; ` +
        `uninstall removes them after restoring`,
    );
  }
  notes.push(
    r.hints
      ? "The failure hint is on: after 2 failures of one tool, lifeline tells Codex once (LIFELINE_FAILURE_HINT_THRESHOLD)"
      : "The failure hint is off (install --hints turns it on)",
  );
  return notes;
}

/** What uninstall tells the person about what it removes and what it leaves. */
export function notesAfterUninstall(planned: Planned): string[] {
  const m = planned.previous;
  const r = planned.resolved;
  if (!m) return [];
  const notes: string[] = [];
  if (m.app) notes.push(`Removes lifeline's copy ${m.app.dir} and the command ${m.app.launcher}`);
  const removed = new Set(restoredBackups(planned, m));
  const kept = m.backups.filter((b) => !removed.has(b));
  if (removed.size) notes.push(`Removes the backups ${[...removed].join(", ")} (the originals are back)`);
  if (kept.length) {
    notes.push(`Keeps ${kept.join(", ")}: the file changed since install, so it was not restored`);
  }
  notes.push(
    r.purge
      ? `Removes the state dir ${r.places.stateDir} (--purge): every recorded session goes with it`
      : `Leaves the state dir ${r.places.stateDir} (recorded sessions); uninstall --purge removes it too`,
  );
  return notes;
}
