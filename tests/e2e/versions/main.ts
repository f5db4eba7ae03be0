/**
 * `deno task e2e:versions [VERSION…] [--keep] [--ci] [--json FILE]`: runs the scripted sessions on
 * each profiled Codex release (or the ones named), one release at a time, and prints a table of
 * release × check. Each release is installed from npm into `.cache/codex-<version>` (about 400 MB)
 * and removed afterwards unless `--keep` is given or it was already there. `--ci` runs the CI
 * subset. Exits 1 when any check fails.
 *
 * @module
 */

import { profileFor, PROFILES } from "../../../codex/profiles.ts";
import { codexCache, ensureCodex, removeCodex } from "../../harness/codex_cli.ts";
import { type Cell, type CheckName, checkRelease, renderTable } from "./checks.ts";
import { runVersionSession, type SessionResult, VERSION_SCRIPTS } from "./sessions.ts";

/** The releases CI runs (newest, first with SessionEnd, first with the `hooks` key). */
export const CI_RELEASES: readonly string[] = ["0.171.0", "0.145.0", "0.130.0"];

/** Every profiled release, as the npm version that was measured. */
export const ALL_RELEASES: readonly string[] = PROFILES.map((p) => `${p.version}.0`);

/** One release's run. */
export interface ReleaseRun {
  version: string;
  seconds: number;
  cells: Record<CheckName, Cell>;
  results: SessionResult[];
}

/** Runs every scripted session on one release and checks them against its profile. */
export async function runRelease(version: string, opts: { keep?: boolean } = {}): Promise<ReleaseRun> {
  const t0 = performance.now();
  const present = await Deno.stat(codexCache(version)).then(() => true, () => false);
  await ensureCodex(version);
  const profile = profileFor(version);
  const results: SessionResult[] = [];
  try {
    for (const script of VERSION_SCRIPTS) {
      if (script.name === "model_error" && !profile.events.includes("PostModelRequest")) continue;
      results.push(await runVersionSession(version, script));
    }
  } finally {
    if (!opts.keep && !present) await removeCodex(version);
    for (const r of results) await Deno.remove(r.dir, { recursive: true }).catch(() => {});
  }
  const seconds = Math.round((performance.now() - t0) / 1000);
  return { version, seconds, cells: checkRelease(profile, results), results };
}

if (import.meta.main) {
  const args = Deno.args.filter((a) => !a.startsWith("--"));
  const keep = Deno.args.includes("--keep");
  const jsonAt = Deno.args.indexOf("--json");
  const jsonFile = jsonAt >= 0 ? Deno.args[jsonAt + 1] : undefined;
  const versions = Deno.args.includes("--ci")
    ? CI_RELEASES
    : args.filter((a) => a !== jsonFile).length
    ? args.filter((a) => a !== jsonFile)
    : ALL_RELEASES;
  const rows: ReleaseRun[] = [];
  for (const v of versions) {
    const enc = new TextEncoder();
    Deno.stderr.writeSync(enc.encode(`codex ${v} …\n`));
    const run = await runRelease(v, { keep });
    rows.push(run);
    for (const [check, cell] of Object.entries(run.cells)) {
      if (cell.status === "fail") Deno.stderr.writeSync(enc.encode(`  ${v} ${check}: ${cell.detail}\n`));
    }
  }
  // deno-lint-ignore no-console
  console.log(renderTable(rows));
  if (jsonFile) {
    await Deno.writeTextFile(
      jsonFile,
      JSON.stringify(rows.map(({ version, seconds, cells }) => ({ version, seconds, cells })), null, 2),
    );
  }
  Deno.exit(rows.some((r) => Object.values(r.cells).some((c) => c.status === "fail")) ? 1 : 0);
}
