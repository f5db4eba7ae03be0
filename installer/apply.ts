/**
 * Install and uninstall as plan, then apply: the plan is made once from the
 * files as they are, shown (or not) to the person, and exactly that plan is
 * written. Every file is checked against what the plan read, just before it
 * is replaced, so an edit made in between is never overwritten.
 *
 * @module
 */

import { unifiedDiff } from "./diff.ts";
import { InstallerError } from "./errors.ts";
import { checkUnchanged, type InstallerFs } from "./fs.ts";
import {
  type AppOps,
  installApp,
  notesAfterInstall,
  notesAfterUninstall,
  realApp,
  uninstallApp,
} from "./app/place.ts";
import { type Manifest, manifestText, readManifest } from "./manifest.ts";
import { type CommonOptions, type Resolved, resolveOptions } from "./options.ts";
import { type Plan, planInstall, planUninstall } from "./plan.ts";
import type { Ports } from "./ports.ts";

/** A plan with what it was made from. */
export interface Planned {
  action: "install" | "uninstall";
  plan: Plan;
  resolved: Resolved;
  /** The manifest file's text when the plan was made, and what it said. */
  manifestBefore: string | undefined;
  previous: Manifest | undefined;
}

/** What install or uninstall did (or would do). */
export interface ChangeReport {
  action: "install" | "uninstall";
  dry_run: boolean;
  codex_home: string;
  state_dir: string;
  codex_version: string | null;
  profile: string;
  files: { path: string; changed: boolean; diff: string }[];
  handlers: { event: string; group: number; handler: number }[];
  /** The installed copy and the command (install: the new ones; uninstall: those removed). */
  app: { version: string; dir: string; launcher: string } | null;
  notes: string[];
}

/** Plans an install or an uninstall; nothing is written. */
export function planFor(action: "install" | "uninstall", o: CommonOptions, p: Ports): Planned {
  const r = resolveOptions(o, p);
  const config = { path: r.configPath, text: p.fs.read(r.configPath) };
  const hooks = { path: r.hooksPath, text: p.fs.read(r.hooksPath) };
  const manifestBefore = p.fs.read(r.manifestPath);
  const manifest = readManifest({ read: () => manifestBefore }, r.manifestPath);
  if (action === "uninstall") {
    if (!manifest) {
      throw new InstallerError(
        `Nothing to uninstall: no install manifest at "${r.manifestPath}" (was lifeline installed with --state-dir ${r.places.stateDir}?)`,
      );
    }
    const root = manifest.app?.dir ?? p.root;
    const plan = planUninstall(config, hooks, manifest, root);
    const planned: Planned = { action, plan, resolved: r, manifestBefore, previous: manifest };
    plan.notes.push(...notesAfterUninstall(planned));
    return planned;
  }
  const plan = planInstall(config, hooks, manifest, {
    places: r.places,
    events: r.events,
    profile: r.profile,
    now: p.now(),
    codexVersion: r.codexVersion,
    app: { version: r.app.version, dir: r.app.dir, launcher: r.launcher },
  });
  if (r.profileNote) plan.notes.push(r.profileNote);
  plan.notes.push(...notesAfterInstall(r, p.env("PATH"), manifest));
  if (/[\\/]_npx[\\/]/.test(p.deno)) {
    plan.notes.push(
      `the hooks will run ${p.deno}, which lives in npm's npx cache: if npm clears it, every hook stops. ` +
        `Install Deno for good (npm install -g deno@2.9.6) and run lifeline install again with that deno`,
    );
  }
  return { action, plan, resolved: r, manifestBefore, previous: manifest };
}

/**
 * Writes a plan through the file system port, refusing (before the first
 * write, and again before each rename) when a file no longer holds what the
 * plan read. Install makes the copy first (the configs must never point at a
 * copy that is not there), backs up the user's originals once, then writes
 * hooks.json (without its trust entries it stays inert), config.toml, the
 * command and the manifest, and only then removes an older copy. Uninstall
 * restores the files, then removes the copy, the command and the backups.
 */
export function applyPlan(planned: Planned, fs: InstallerFs, app: AppOps = realApp): void {
  const { plan, resolved: r } = planned;
  const files = [plan.hooks, plan.config].filter((f) => f.before !== f.after);
  for (const f of files) checkUnchanged(fs, f.path, { text: f.before });
  checkUnchanged(fs, r.manifestPath, { text: planned.manifestBefore });
  if (planned.action === "install") installApp(planned, fs, app, "copy");
  fs.mkdir(r.places.codexHome);
  if (planned.action === "install" && planned.previous === undefined) {
    for (const f of [plan.hooks, plan.config]) {
      // The user's original, once: a later install never replaces it with a file lifeline changed.
      if (f.before !== undefined) {
        fs.write(`${f.path}.lifeline.bak`, f.before, 0o600, undefined, {
          replaceLink: true,
          forceMode: true,
        });
      }
    }
  }
  for (const f of files) {
    if (f.after === undefined) fs.remove(f.path, { text: f.before });
    else fs.write(f.path, f.after, 0o600, { text: f.before });
  }
  fs.mkdir(r.places.stateDir);
  const expected = { text: planned.manifestBefore };
  if (plan.manifest) {
    installApp(planned, fs, app, "launcher");
    fs.write(r.manifestPath, manifestText(plan.manifest), 0o600, expected);
    installApp(planned, fs, app, "cleanup");
  } else {
    uninstallApp(planned, fs, app);
    fs.remove(r.manifestPath, expected);
    if (r.purge) app.removeTree(r.places.stateDir);
  }
}

/** What a plan changes (or changed), as the person and `--json` see it. */
export function changeReport(planned: Planned, dryRun: boolean): ChangeReport {
  const { plan, resolved: r } = planned;
  return {
    action: planned.action,
    dry_run: dryRun,
    codex_home: r.places.codexHome,
    state_dir: r.places.stateDir,
    codex_version: r.codexVersion ?? null,
    profile: r.profile.version,
    files: [plan.hooks, plan.config].map((f) => ({
      path: f.path,
      changed: f.before !== f.after,
      diff: unifiedDiff(
        f.before ?? "",
        f.after ?? "",
        f.before === undefined ? "/dev/null" : f.path,
        f.after === undefined ? "/dev/null" : f.path,
      ),
    })),
    handlers: plan.manifest?.handlers.map((h) => ({ event: h.event, group: h.group, handler: h.handler })) ??
      [],
    app: plan.manifest?.app ?? planned.previous?.app ?? null,
    notes: plan.notes,
  };
}

/** Plans and, unless `dryRun`, applies install or uninstall. */
export function change(
  action: "install" | "uninstall",
  o: CommonOptions & { dryRun: boolean },
  p: Ports,
): ChangeReport {
  const planned = planFor(action, o, p);
  if (!o.dryRun) applyPlan(planned, p.fs);
  return changeReport(planned, o.dryRun);
}
