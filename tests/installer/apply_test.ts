/**
 * Plan once, apply that plan: what is written is exactly the plan that was
 * shown, and a file that changed after the plan was made is never
 * overwritten (the error names it).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { applyPlan, planFor } from "../../installer/apply.ts";
import { InstallerError } from "../../installer/errors.ts";
import { type InstallerFs, realFs } from "../../installer/fs.ts";
import { realPorts } from "../../installer/ports.ts";

const CONFIG = '# mine\nmodel = "o3"\n';

async function withHome(f: (h: { codex: string; opts: Record<string, string> }) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-apply-" });
  try {
    const codex = join(dir, ".codex");
    await Deno.mkdir(codex);
    await Deno.writeTextFile(join(codex, "config.toml"), CONFIG);
    await f({
      codex,
      opts: {
        codexHome: codex,
        stateDir: join(dir, "state"),
        binDir: join(dir, "bin"),
        codexVersion: "0.169.0",
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the plan that was shown is the plan that is written", () =>
  withHome(async ({ codex, opts }) => {
    const planned = planFor("install", opts, realPorts(realFs));
    applyPlan(planned, realFs);
    assert.equal(await Deno.readTextFile(join(codex, "config.toml")), planned.plan.config.after);
    assert.equal(await Deno.readTextFile(join(codex, "hooks.json")), planned.plan.hooks.after);
  }));

Deno.test("a config.toml edited after the plan was shown is not overwritten; the error names it", () =>
  withHome(async ({ codex, opts }) => {
    const planned = planFor("install", opts, realPorts(realFs));
    const edited = CONFIG + 'approval_policy = "never"\n';
    await Deno.writeTextFile(join(codex, "config.toml"), edited);
    assert.throws(
      () => applyPlan(planned, realFs),
      (e) =>
        e instanceof InstallerError && e.exitCode === 1 &&
        e.message ===
          `Not writing "${join(codex, "config.toml")}": it was changed since the plan was shown; ` +
            "run the command again to see a new plan",
    );
    assert.equal(await Deno.readTextFile(join(codex, "config.toml")), edited);
    assert.deepEqual(
      [...Deno.readDirSync(codex)].map((e) => e.name),
      ["config.toml"],
      "nothing else written",
    );
  }));

Deno.test("a file created after the plan was shown is not overwritten either", () =>
  withHome(async ({ codex, opts }) => {
    const planned = planFor("install", opts, realPorts(realFs));
    await Deno.writeTextFile(join(codex, "hooks.json"), '{"hooks": {}}\n');
    assert.throws(
      () => applyPlan(planned, realFs),
      (e) =>
        e instanceof InstallerError &&
        e.message.startsWith(`Not writing "${join(codex, "hooks.json")}": it was created`),
    );
    assert.equal(await Deno.readTextFile(join(codex, "config.toml")), CONFIG);
  }));

Deno.test("a change after the first check is still caught, just before the rename", () =>
  withHome(async ({ codex, opts }) => {
    const planned = planFor("install", opts, realPorts(realFs));
    const cfg = join(codex, "config.toml");
    let edited = false;
    // Someone edits config.toml right after the installer's first check of it has passed.
    const racing: InstallerFs = {
      ...realFs,
      read(path) {
        const text = realFs.read(path);
        if (path === cfg && !edited) {
          edited = true;
          Deno.writeTextFileSync(cfg, CONFIG + "# theirs\n");
        }
        return text;
      },
    };
    assert.throws(
      () => applyPlan(planned, racing),
      (e) => e instanceof InstallerError && e.message.startsWith(`Not writing "${cfg}": it was changed`),
    );
    assert.ok(edited);
    assert.equal(await Deno.readTextFile(cfg), CONFIG + "# theirs\n");
    assert.equal(
      [...Deno.readDirSync(codex)].filter((e) => e.name.includes("lifeline-tmp")).length,
      0,
      "no temp file left",
    );
  }));
