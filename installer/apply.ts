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
import { manifestText, readManifest } from "./manifest.ts";
import { type CommonOptions, type Resolved, resolveOptions } from "./options.ts";
import { type Plan, planInstall, planUninstall } from "./plan.ts";
import type { Ports } from "./ports.ts";

/** A plan with what it was made from. */
export interface Planned {
  action: "install" | "uninstall";
  plan: Plan;
  resolved: Resolved;
  /** The manifest file's text when the plan was made. */
  manifestBefore: string | undefined;
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
    return { action, plan: planUninstall(config, hooks, manifest, p.root), resolved: r, manifestBefore };
  }
  const plan = planInstall(config, hooks, manifest, {
    places: r.places,
    events: r.events,
    profile: r.profile,
    now: p.now(),
  });
  if (r.profileNote) plan.notes.push(r.profileNote);
  if (/[\\/]_npx[\\/]/.test(p.deno)) {
    plan.notes.push(
      `the hooks will run ${p.deno}, which lives in npm's npx cache: if npm clears it, every hook stops. ` +
        `Install Deno for good (npm install -g deno@2.9.6) and run install again with that deno`,
    );
  }
  return { action, plan, resolved: r, manifestBefore };
}

/**
 * Writes a plan through the file system port, refusing (before the first
 * write, and again before each rename) when a file no longer holds what the
 * plan read. hooks.json goes first: without its trust entries it stays inert.
 */
export function applyPlan(planned: Planned, fs: InstallerFs): void {
  const { plan, resolved: r } = planned;
  const files = [plan.hooks, plan.config].filter((f) => f.before !== f.after);
  for (const f of files) checkUnchanged(fs, f.path, { text: f.before });
  checkUnchanged(fs, r.manifestPath, { text: planned.manifestBefore });
  fs.mkdir(r.places.codexHome);
  for (const f of files) {
    if (f.after === undefined) fs.remove(f.path, { text: f.before });
    else fs.write(f.path, f.after, 0o600, { text: f.before });
  }
  fs.mkdir(r.places.stateDir);
  const expected = { text: planned.manifestBefore };
  if (plan.manifest) fs.write(r.manifestPath, manifestText(plan.manifest), 0o600, expected);
  else fs.remove(r.manifestPath, expected);
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
