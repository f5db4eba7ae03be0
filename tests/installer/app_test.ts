/**
 * The installed copy and the `lifeline` command: install puts what Codex runs
 * under `<state dir>/app/<version>/` and a launcher in the bin dir; hooks.json
 * and notify point at the copy; a second install keeps the user's original
 * in the backup; uninstall restores byte for byte and removes the copy, the
 * command and the backups, and says what it leaves; `--purge` removes the
 * state dir too.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LIFELINE_ROOT } from "../../hooks/handlers.ts";
import { parseToml } from "../../installer/toml_edit.ts";
import { copyRepo, exists, installer, makeHome, run } from "./_run.ts";

const CONFIG =
  '# mine\nmodel = "o3" # keep\nnotify = ["notify-send", "Codex done"]\n\n[tui]\nnotifications = true\n';
const HOOKS = '{ "hooks": { "Stop": [ { "hooks": [ { "type": "command", "command": "say done" } ] } ] } }\n';

type Manifest = { app: { dir: string; version: string; launcher: string }; backups: string[] };
const manifestOf = (state: string) =>
  JSON.parse(Deno.readTextFileSync(join(state, "install-manifest.json"))) as Manifest;

Deno.test("install puts a copy in the state dir and a lifeline command; Codex's files point at the copy", async () => {
  const h = await makeHome();
  try {
    await Deno.writeTextFile(join(h.codex, "config.toml"), CONFIG);
    const r = await installer(["install", ...h.args, "--yes"], { PATH: "/usr/bin:/bin" });
    assert.equal(r.code, 0, r.stderr);
    const m = manifestOf(h.state);
    assert.ok(m.app.dir.startsWith(join(h.state, "app") + "/"), m.app.dir);
    assert.match(m.app.version, /^\d+\.\d+\.\d+-[0-9a-f]{12}$/);
    for (const f of ["hooks/stop.ts", "hooks/notify.ts", "hub/sidecar.ts", "cli/lifeline.js", "VERSION"]) {
      assert.ok(exists(join(m.app.dir, f)), f);
    }
    assert.equal(m.app.launcher, join(h.bin, "lifeline"));
    assert.ok((Deno.statSync(m.app.launcher).mode! & 0o111) !== 0, "the command is executable");
    assert.match(r.stdout, new RegExp(`${h.bin} is not on your PATH`));

    const hooks = await Deno.readTextFile(join(h.codex, "hooks.json"));
    const commands = [...hooks.matchAll(/"command": "([^"]+)"/g)].map((x) => x[1]!);
    const ours = commands.filter((c) => c !== "say done");
    assert.equal(ours.length, 14);
    for (const c of ours) {
      assert.ok(c.includes(`${m.app.dir}/hooks/`) && !c.includes(`${LIFELINE_ROOT}/hooks/`), c);
    }
    const notify = parseToml(await Deno.readTextFile(join(h.codex, "config.toml")), "c").notify as string[];
    assert.ok(
      notify[2]!.includes(`${m.app.dir}/hooks/notify.ts`) && !notify[2]!.includes(`${LIFELINE_ROOT}/hooks/`),
    );
    assert.deepEqual(notify.slice(3), ["lifeline-notify", "notify-send", "Codex done"]);

    // The command runs from any folder, from the copy, with no import map.
    const st = await run(m.app.launcher, ["status", "--json", "--state-dir", h.state], {}, "/");
    assert.equal(st.code, 0, st.stderr);
    assert.ok(Array.isArray(JSON.parse(st.stdout).sessions), st.stdout);
    assert.doesNotMatch(st.stderr, /Ignored build scripts|Download/);
    // It needs nothing from Deno's cache: an empty one stays without packages (no download, offline).
    const cache = await Deno.makeTempDir({ dir: h.dir });
    const fresh = await run(m.app.launcher, ["status", "--state-dir", h.state], { DENO_DIR: cache }, "/");
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.doesNotMatch(fresh.stderr, /Ignored build scripts|Download|Warning/);
    assert.ok(!exists(join(cache, "npm", "registry.npmjs.org")), "no npm package fetched");
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("a second install keeps the original in the backup; uninstall restores, cleans up, says what it leaves", async () => {
  const h = await makeHome();
  try {
    const cfg = join(h.codex, "config.toml"), hj = join(h.codex, "hooks.json");
    await Deno.writeTextFile(cfg, CONFIG);
    await Deno.writeTextFile(hj, HOOKS);
    assert.equal((await installer(["install", ...h.args, "--yes"])).code, 0);
    const first = await Deno.readTextFile(cfg);
    // Installing again with a forwarding target changes the hooks' --allow-net, so the files change.
    const again = await installer(["install", ...h.args, "--yes"], {
      LIFELINE_NEOTOMA_URL: "http://127.0.0.1:9",
    });
    assert.equal(again.code, 0, again.stderr);
    assert.notEqual(await Deno.readTextFile(cfg), first);
    assert.match(await Deno.readTextFile(hj), /--allow-net=127\.0\.0\.1:9/);
    assert.equal(
      await Deno.readTextFile(`${cfg}.lifeline.bak`),
      CONFIG,
      "the backup still holds the original",
    );
    assert.equal(await Deno.readTextFile(`${hj}.lifeline.bak`), HOOKS);
    assert.equal(Deno.statSync(`${cfg}.lifeline.bak`).mode! & 0o777, 0o600);
    const m = manifestOf(h.state);

    const un = await installer(["uninstall", ...h.args, "--yes"]);
    assert.equal(un.code, 0, un.stderr);
    assert.equal(await Deno.readTextFile(cfg), CONFIG);
    assert.equal(await Deno.readTextFile(hj), HOOKS);
    assert.deepEqual([...Deno.readDirSync(h.codex)].map((e) => e.name).sort(), ["config.toml", "hooks.json"]);
    assert.ok(!exists(m.app.dir) && !exists(join(h.state, "app")), "the copy is gone");
    assert.ok(!exists(m.app.launcher), "the command is gone");
    assert.match(un.stdout, new RegExp(`Leaves the state dir ${h.state} .*--purge removes it too`));
    assert.ok(exists(h.state));

    assert.equal((await installer(["install", ...h.args, "--yes"])).code, 0);
    const purge = await installer(["uninstall", ...h.args, "--yes", "--purge"]);
    assert.equal(purge.code, 0, purge.stderr);
    assert.ok(!exists(h.state), "--purge removes the state dir");
    assert.equal(await Deno.readTextFile(cfg), CONFIG);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("a file called lifeline in the bin dir that is not lifeline's is never overwritten", async () => {
  const h = await makeHome();
  try {
    await Deno.mkdir(h.bin);
    await Deno.writeTextFile(join(h.bin, "lifeline"), "#!/bin/sh\necho mine\n");
    const r = await installer(["install", ...h.args, "--yes"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /Not writing ".*\/bin\/lifeline": a file that is not lifeline's launcher is there/,
    );
    assert.equal(await Deno.readTextFile(join(h.bin, "lifeline")), "#!/bin/sh\necho mine\n");
    assert.deepEqual([...Deno.readDirSync(h.codex)], [], "nothing written");
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("the failure hint is off unless install --hints, and install says which", async () => {
  const h = await makeHome();
  try {
    const off = await installer(["install", ...h.args, "--yes"]);
    assert.match(off.stdout, /The failure hint is off \(install --hints turns it on\)/);
    const hooks = () => Deno.readTextFileSync(join(h.codex, "hooks.json"));
    const prefix = (n: number) =>
      `LIFELINE_FAILURE_HINT_THRESHOLD=\${LIFELINE_FAILURE_HINT_THRESHOLD:-${n}} `;
    assert.equal(hooks().split(`"command": "${prefix(0)}`).length - 1, 14);
    const on = await installer(["install", ...h.args, "--yes", "--hints"]);
    assert.equal(on.code, 0, on.stderr);
    assert.match(on.stdout, /The failure hint is on/);
    assert.equal(hooks().split(`"command": "${prefix(2)}`).length - 1, 14);
    const doctor = await installer(["doctor", ...h.args.slice(0, 4), "--codex-version", "0.169.0", "--json"]);
    assert.equal(doctor.code, 0, doctor.stdout);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("upgrading is install from a newer checkout: a new version folder, the old one removed", async () => {
  const h = await makeHome();
  try {
    const repo = join(h.dir, "repo");
    await copyRepo(repo);
    const install = () =>
      run(
        Deno.execPath(),
        ["run", "-A", "--no-lock", "installer/mod.ts", "install", ...h.args, "--yes"],
        {},
        repo,
      );
    assert.equal((await install()).code, 0);
    const old = manifestOf(h.state).app;
    await Deno.writeTextFile(join(repo, "hooks/stop.ts"), "\n// a newer lifeline\n", { append: true });
    const r = await install();
    assert.equal(r.code, 0, r.stderr);
    const now = manifestOf(h.state).app;
    assert.notEqual(now.dir, old.dir);
    assert.ok(
      exists(now.dir) && !exists(old.dir),
      "the old copy is gone once the configs point at the new one",
    );
    assert.match(await Deno.readTextFile(join(now.dir, "hooks/stop.ts")), /a newer lifeline/);
    assert.ok((await Deno.readTextFile(now.launcher)).includes(`${now.dir}/cli/lifeline.js`));
    const hooks = await Deno.readTextFile(join(h.codex, "hooks.json"));
    assert.ok(!hooks.includes(old.dir) && hooks.includes(now.dir));
    const st = await run(now.launcher, ["status", "--json", "--state-dir", h.state], {}, "/");
    assert.equal(st.code, 0, st.stderr);
    const installed = await run(
      Deno.execPath(),
      ["run", "-A", "--no-lock", "installer/mod.ts", "status", "--json", ...h.args.slice(0, 4)],
      {},
      repo,
    );
    const report = JSON.parse(installed.stdout) as { handlers: { trusted: boolean }[] };
    assert.equal(report.handlers.length, 14);
    assert.ok(report.handlers.every((x) => x.trusted));
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("the installed lifeline simulate finds its bundled scenarios, from any folder", async () => {
  const h = await makeHome();
  try {
    const r = await installer(["install", ...h.args, "--yes"]);
    assert.equal(r.code, 0, r.stderr);
    const m = manifestOf(h.state);
    // Every bundled scenario, where the command looks for them (next to the copy's hooks).
    const list = (root: string) => {
      const out: string[] = [];
      const walk = (d: string) => {
        for (const e of Deno.readDirSync(join(root, d))) {
          if (e.isDirectory) walk(join(d, e.name));
          else out.push(join(d, e.name));
        }
      };
      walk("simulator/scenarios");
      return out.sort();
    };
    assert.deepEqual(list(m.app.dir), list(LIFELINE_ROOT));
    assert.ok(list(m.app.dir).length > 20);
    const help = await run(m.app.launcher, ["simulate", "--help"], {}, "/");
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: lifeline simulate/);
    // A bundled scenario by its path inside the copy, then every bundled one is listed by --json.
    const one = await run(
      m.app.launcher,
      ["simulate", join(m.app.dir, "simulator/scenarios/tool_calls.jsonl"), "--json"],
      {},
      h.dir,
    );
    assert.equal(one.code, 0, one.stderr);
    const doc = JSON.parse(one.stdout) as { passed: number; failed: number; scenarios: { name: string }[] };
    assert.deepEqual([doc.passed, doc.failed, doc.scenarios.map((s) => s.name)], [1, 0, ["tool_calls"]]);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});
