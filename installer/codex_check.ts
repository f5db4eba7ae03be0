/**
 * The installer asks the installed Codex about the config three times: the
 * user's config as it is (a config Codex already refuses is not lifeline's
 * to edit blindly), the planned files staged in a temporary Codex home (so
 * nothing is written that Codex would refuse), and the real files after the
 * write (restored when Codex refuses them after all). `--force` turns each
 * refusal into a note. When no Codex can be asked, a note says so.
 *
 * @module
 */

import type { Planned } from "./apply.ts";
import type { Acceptance, CodexAccepts } from "./codex_accepts.ts";
import { InstallerError } from "./errors.ts";
import type { InstallerFs } from "./fs.ts";
import { type CommonOptions, resolveOptions } from "./options.ts";
import type { Ports } from "./ports.ts";

/** What the check before the write found, for the check after it. */
export interface BeforeWrite {
  /** Codex refused the user's config before lifeline touched it. */
  alreadyRefused: boolean;
  /** Codex could be asked at all. */
  asked: boolean;
  /** Its answer about the config as it was (absent: there was none to ask about). */
  now?: Acceptance;
  notes: string[];
}

const quote = (m: string) => m.split("\n").map((l) => `  ${l}`).join("\n");

function unknownNote(a: Extract<Acceptance, { verdict: "unknown" }>, what: string): string {
  return `could not ask Codex whether it loads ${what}: ${a.reason}`;
}

/**
 * Before planning: Codex's verdict on the config as it is (before lifeline
 * parses it: a file only Codex can explain gets Codex's message). Throws
 * (exit 1, nothing written) on a refusal unless `force`.
 */
export async function checkCurrent(o: CommonOptions, p: Ports, force: boolean): Promise<BeforeWrite> {
  const out: BeforeWrite = { alreadyRefused: false, asked: false, notes: [] };
  if (!p.codexAccepts) return out;
  const r = resolveOptions(o, p);
  const path = r.configPath;
  if (p.fs.read(path) === undefined && p.fs.read(r.hooksPath) === undefined) return out;
  const now = await p.codexAccepts({ home: r.places.codexHome });
  out.now = now;
  if (now.verdict === "unknown") {
    out.notes.push(unknownNote(now, path));
    return out;
  }
  out.asked = true;
  if (now.verdict === "refused") {
    if (!force) {
      throw new InstallerError(
        `Codex refuses to load ${path} as it is, before lifeline changes anything ` +
          `(${now.asked}):\n${quote(now.message)}\n` +
          `Nothing was written. Fix the config (Codex does not start with it either), ` +
          `or run again with --force to install anyway`,
      );
    }
    out.alreadyRefused = true;
    out.notes.push(
      `Codex refuses ${path} already, before lifeline's edit (installing anyway: --force):\n` +
        quote(now.message),
    );
  }
  return out;
}

/**
 * Before writing: Codex's verdict on the planned files, staged in a
 * temporary home. Throws (exit 1, nothing written) on a refusal unless
 * `force` or the config was refused before lifeline touched it.
 */
export async function checkPlanned(
  planned: Planned,
  current: BeforeWrite,
  accepts: CodexAccepts | undefined,
  force: boolean,
): Promise<BeforeWrite> {
  const { plan, resolved: r } = planned;
  const out: BeforeWrite = { ...current, notes: [] };
  const path = r.configPath;
  if (!accepts || current.now?.verdict === "unknown") return out;
  if (plan.config.before === plan.config.after && plan.hooks.before === plan.hooks.after) return out;
  const staged = { config: plan.config.after, hooks: plan.hooks.after };
  let next = await accepts({ staged, shownAs: r.places.codexHome });
  if (next.verdict === "refused" && current.now?.verdict === "accepted") {
    // The staged copy lacks the files beside config.toml; if Codex refuses the unchanged config there
    // too, the staged answer says nothing about lifeline's edit (the check after the write still runs).
    const control = await accepts({
      staged: { config: plan.config.before, hooks: plan.hooks.before },
      shownAs: r.places.codexHome,
    });
    if (control.verdict !== "accepted") {
      next = { verdict: "unknown", reason: "Codex refuses the unchanged config outside its own folder too" };
    }
  }
  if (next.verdict === "unknown") {
    out.notes.push(unknownNote(next, `the planned ${path}`));
    return out;
  }
  out.asked = true;
  if (next.verdict === "refused" && !out.alreadyRefused) {
    if (!force) {
      throw new InstallerError(
        `Codex would refuse ${path} after lifeline's edit (${next.asked}):\n${quote(next.message)}\n` +
          `Nothing was written. Please report this; --force writes it anyway`,
      );
    }
    out.notes.push(
      `Codex refuses ${path} after lifeline's edit (written anyway: --force):\n` +
        quote(next.message),
    );
  }
  return out;
}

/**
 * After writing: Codex's verdict on the files as written. A refusal restores
 * the files and the manifest as they were and throws, unless `force` or the
 * config was refused before lifeline touched it.
 */
export async function checkAfterWrite(
  planned: Planned,
  before: BeforeWrite,
  accepts: CodexAccepts | undefined,
  fs: InstallerFs,
  force: boolean,
): Promise<string[]> {
  const { plan, resolved: r } = planned;
  if (!accepts || !before.asked || before.alreadyRefused) return [];
  if (plan.config.before === plan.config.after && plan.hooks.before === plan.hooks.after) return [];
  const a = await accepts({ home: r.places.codexHome });
  if (a.verdict === "accepted") return [];
  if (a.verdict === "unknown") return [unknownNote(a, `${r.configPath} as written`)];
  if (force) return [`Codex refuses ${r.configPath} as written (kept: --force):\n${quote(a.message)}`];
  for (const f of [plan.config, plan.hooks]) {
    if (f.before === f.after) continue;
    if (f.before === undefined) fs.remove(f.path, { text: f.after });
    else fs.write(f.path, f.before, 0o600, { text: f.after });
  }
  // The first install's backups hold exactly the files just restored.
  if (planned.previous === undefined) {
    for (const f of [plan.config, plan.hooks]) {
      if (f.before !== undefined) fs.remove(`${f.path}.lifeline.bak`, { text: f.before });
    }
  }
  const m = r.manifestPath;
  const written = fs.read(m);
  if (planned.manifestBefore === undefined) fs.remove(m, { text: written });
  else fs.write(m, planned.manifestBefore, 0o600, { text: written });
  throw new InstallerError(
    `Codex refuses ${r.configPath} as written (${a.asked}):\n${quote(a.message)}\n` +
      `Restored ${r.configPath}, ${r.hooksPath} and the manifest as they were (lifeline's copy and ` +
      `command stay); run again with --force to keep lifeline's edit anyway`,
  );
}
