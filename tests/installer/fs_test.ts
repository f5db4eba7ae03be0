/**
 * The real file system port and apply step against the shapes files take on
 * a real machine: a symlinked config.toml is written through to its target
 * on purpose (atomically, in the target's folder) and stays a link; a
 * symlinked `.lifeline.bak` is replaced, never written through; an edit made
 * at any point while install runs is never reverted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { applyPlan, planFor } from "../../installer/apply.ts";
import { InstallerError } from "../../installer/errors.ts";
import { type InstallerFs, realFs } from "../../installer/fs.ts";
import { realPorts } from "../../installer/ports.ts";
import type { AppOps } from "../../installer/app/place.ts";
import { installer, makeHome } from "./_run.ts";

const CONFIG = '# mine\nmodel = "o3"\napi_key_env = "sk-secret"\n';

Deno.test("a symlinked config.toml is written through to its target and stays a link; uninstall restores the target", async () => {
  const h = await makeHome();
  try {
    const dotfiles = join(h.dir, "dotfiles");
    await Deno.mkdir(dotfiles);
    const target = join(dotfiles, "codex.toml");
    await Deno.writeTextFile(target, CONFIG);
    await Deno.symlink("../dotfiles/codex.toml", join(h.codex, "config.toml"));
    assert.equal((await installer(["install", ...h.args, "--yes"])).code, 0);
    assert.ok(Deno.lstatSync(join(h.codex, "config.toml")).isSymlink, "still a link");
    assert.match(await Deno.readTextFile(target), /notify = \["\/bin\/sh"/);
    assert.deepEqual([...Deno.readDirSync(dotfiles)].map((e) => e.name), ["codex.toml"], "no temp file left");
    assert.equal((await installer(["uninstall", ...h.args, "--yes"])).code, 0);
    assert.ok(Deno.lstatSync(join(h.codex, "config.toml")).isSymlink);
    assert.equal(await Deno.readTextFile(target), CONFIG);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("a symlinked .lifeline.bak is replaced by a regular 0600 file; its target is untouched", async () => {
  const h = await makeHome();
  try {
    const cfg = join(h.codex, "config.toml");
    await Deno.writeTextFile(cfg, CONFIG);
    const victim = join(h.dir, "victim.txt");
    await Deno.writeTextFile(victim, "do not touch\n");
    await Deno.symlink(victim, `${cfg}.lifeline.bak`);
    const r = await installer(["install", ...h.args, "--yes"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Backups of your originals .* contain your config's secrets/);
    assert.equal(await Deno.readTextFile(victim), "do not touch\n");
    const st = Deno.lstatSync(`${cfg}.lifeline.bak`);
    assert.ok(st.isFile && !st.isSymlink);
    assert.equal(st.mode! & 0o777, 0o600);
    assert.equal(await Deno.readTextFile(`${cfg}.lifeline.bak`), CONFIG);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

/** A copy step that only records (these trials are about config.toml, not the copy). */
const noCopy: AppOps = { exists: () => true, makeCopy: () => {}, removeTree: () => {} };

Deno.test("an edit of config.toml made at any of the installer's reads is never reverted (20 trials)", async () => {
  for (let k = 1; k <= 20; k++) {
    const h = await makeHome();
    try {
      const cfg = join(h.codex, "config.toml");
      await Deno.writeTextFile(cfg, CONFIG);
      const opts = { codexHome: h.codex, stateDir: h.state, binDir: h.bin, codexVersion: "0.169.0" };
      const planned = planFor("install", opts, realPorts(realFs));
      const edited = CONFIG + `# edit ${k}\n`;
      let reads = 0;
      // Someone saves config.toml just before the installer's k-th read of any file.
      const racing: InstallerFs = {
        ...realFs,
        read(path) {
          if (++reads === k) Deno.writeTextFileSync(cfg, edited);
          return realFs.read(path);
        },
      };
      let refused = false;
      try {
        applyPlan(planned, racing, noCopy);
      } catch (e) {
        assert.ok(e instanceof InstallerError, String(e));
        assert.match(e.message, /since the plan was shown/);
        refused = true;
      }
      if (reads >= k) assert.equal(await Deno.readTextFile(cfg), edited, `trial ${k}: the edit survives`);
      else assert.ok(!refused, `trial ${k}: no edit, no refusal`);
    } finally {
      await Deno.remove(h.dir, { recursive: true });
    }
  }
});
