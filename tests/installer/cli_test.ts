/** The installer as a user runs it: `deno run -A installer/mod.ts …` in a subprocess. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LIFELINE_ROOT } from "../../hooks/handlers.ts";

async function installer(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(LIFELINE_ROOT, "installer/mod.ts"), ...args],
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

async function home(): Promise<{ dir: string; codex: string; state: string; args: string[] }> {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-inst-" });
  const codex = join(dir, ".codex");
  await Deno.mkdir(codex);
  const state = join(dir, "state");
  return {
    dir,
    codex,
    state,
    // --bin-dir: the lifeline command goes into the temporary folder, never into the real ~/.local/bin.
    args: [
      "--codex-home",
      codex,
      "--state-dir",
      state,
      "--bin-dir",
      join(dir, "bin"),
      "--codex-version",
      "0.169.0",
    ],
  };
}

const listing = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
const CONFIG = '# mine\nmodel = "o3" # keep\n\n[tui]\nnotifications = true\n';

Deno.test("install --dry-run prints a unified diff of every file and writes nothing", async () => {
  const h = await home();
  try {
    await Deno.writeTextFile(join(h.codex, "config.toml"), CONFIG);
    const r = await installer(["install", ...h.args, "--dry-run"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`--- /dev/null\\n\\+\\+\\+ ${h.codex}/hooks.json\\n@@ -0,0 \\+1,\\d+ @@`),
    );
    assert.match(r.stdout, new RegExp(`--- ${h.codex}/config.toml\\n\\+\\+\\+ ${h.codex}/config.toml`));
    assert.match(r.stdout, /^\+notify = \[/m);
    assert.match(r.stdout, /Would install 14 hook handlers/);
    assert.deepEqual(listing(h.codex), ["config.toml"]);
    assert.equal(await Deno.readTextFile(join(h.codex, "config.toml")), CONFIG);
    assert.throws(() => Deno.statSync(h.state));
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("without --yes and without a terminal it explains and writes nothing", async () => {
  const h = await home();
  try {
    const r = await installer(["install", ...h.args]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /not writing anything: stdin is not a terminal.*\nRun again with --yes to apply, or with --dry-run/,
    );
    assert.deepEqual(listing(h.codex), []);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("a hooks.json that does not parse is reported with file:line:col and nothing is written anywhere", async () => {
  const h = await home();
  try {
    await Deno.writeTextFile(join(h.codex, "config.toml"), CONFIG);
    await Deno.writeTextFile(join(h.codex, "hooks.json"), '{\n  "hooks": {\n    "Stop": [,]\n  }\n}\n');
    const r = await installer(["install", ...h.args, "--yes"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      `lifeline: Cannot parse ${h.codex}/hooks.json:3:14: expected a value, found ","; nothing was changed`,
    );
    assert.equal(await Deno.readTextFile(join(h.codex, "config.toml")), CONFIG);
    assert.deepEqual(listing(h.codex), ["config.toml", "hooks.json"]);
    assert.throws(() => Deno.statSync(h.state));
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("malformed config.toml: file:line:col, nothing written", async () => {
  const h = await home();
  try {
    await Deno.writeTextFile(join(h.codex, "config.toml"), 'model = "o3"\n[tui]\nnotifications = [true\n');
    const r = await installer(["install", ...h.args, "--yes"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`Cannot parse ${h.codex}/config.toml:\\d+:\\d+: .*; nothing was changed`),
    );
    assert.deepEqual(listing(h.codex), ["config.toml"]);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("install, install again, status, uninstall: JSON shapes, backups, mode kept, byte-identical round trip", async () => {
  const h = await home();
  try {
    const cfg = join(h.codex, "config.toml");
    await Deno.writeTextFile(cfg, CONFIG);
    await Deno.chmod(cfg, 0o640);
    const first = await installer(["install", ...h.args, "--yes", "--json"]);
    assert.equal(first.code, 0, first.stderr);
    const rep = JSON.parse(first.stdout);
    assert.deepEqual(Object.keys(rep), [
      "action",
      "dry_run",
      "codex_home",
      "state_dir",
      "codex_version",
      "profile",
      "files",
      "handlers",
      "app",
      "notes",
    ]);
    assert.equal(rep.app.launcher, join(h.dir, "bin", "lifeline"));
    assert.deepEqual(rep.files.map((f: { changed: boolean }) => f.changed), [true, true]);
    assert.equal(rep.handlers.length, 14);
    assert.equal(Deno.statSync(cfg).mode! & 0o777, 0o640, "mode preserved");
    assert.equal(await Deno.readTextFile(`${cfg}.lifeline.bak`), CONFIG, "backup next to it");
    const second = await installer(["install", ...h.args, "--yes", "--json"]);
    assert.deepEqual(JSON.parse(second.stdout).files.map((f: { changed: boolean }) => f.changed), [
      false,
      false,
    ]);
    const st = await installer(["status", ...h.args, "--json"]);
    const s = JSON.parse(st.stdout);
    assert.equal(s.installed, true);
    assert.equal(s.handlers.length, 14);
    assert.ok(s.handlers.every((x: { trusted: boolean }) => x.trusted));
    assert.deepEqual(s.notify, { root_level: true, lifeline: true, chained: null });
    const un = await installer(["uninstall", ...h.args, "--yes"]);
    assert.equal(un.code, 0, un.stderr);
    assert.equal(await Deno.readTextFile(cfg), CONFIG);
    assert.deepEqual(listing(h.codex).filter((n) => !n.endsWith(".lifeline.bak")), ["config.toml"]);
    const again = await installer(["uninstall", ...h.args, "--yes"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Nothing to uninstall: no install manifest/);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("doctor: all green after install; a wrong trust hash is a failure that says what to do", async () => {
  const h = await home();
  try {
    assert.equal((await installer(["install", ...h.args, "--yes"])).code, 0);
    const ok = await installer(["doctor", ...h.args, "--json"]);
    const d = JSON.parse(ok.stdout);
    assert.equal(ok.code, 0, ok.stdout);
    assert.equal(d.ok, true);
    assert.equal(
      d.checks.filter((c: { name: string; status: string }) =>
        c.name.startsWith("hook ") && c.status === "ok"
      ).length,
      14,
    );
    const cfg = join(h.codex, "config.toml");
    const text = await Deno.readTextFile(cfg);
    const tampered = text.replace(
      /(:stop:0:0"\]\ntrusted_hash = "sha256:)([0-9a-f])/,
      (_, head: string, c: string) => head + (c === "0" ? "1" : "0"),
    );
    assert.notEqual(tampered, text);
    await Deno.writeTextFile(cfg, tampered);
    const bad = await installer(["doctor", ...h.args]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stdout,
      /FAIL\s+trust\s+1 handler\(s\) without a matching trusted_hash \(Stop\): Codex skips them silently; run lifeline install again/,
    );
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("CODEX_HOME is honoured; --events is checked", async () => {
  const h = await home();
  try {
    const r = await installer([
      "install",
      "--bin-dir",
      join(h.dir, "bin"),
      "--state-dir",
      h.state,
      "--codex-version",
      "0.169.0",
      "--events",
      "Stop,SessionEnd",
      "--yes",
      "--json",
    ], { CODEX_HOME: h.codex, HOME: h.dir });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).handlers.map((x: { event: string }) => x.event), [
      "Stop",
      "SessionEnd",
    ]);
    assert.deepEqual(listing(h.codex).filter((n) => !n.endsWith(".bak")), ["config.toml", "hooks.json"]);
    const bad = await installer(["install", ...h.args, "--events", "Stop,session_start", "--dry-run"]);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /Cannot use --events: "session_start" is not a Codex hook event; known: SessionStart, /,
    );
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("doctor on a config.toml with a TOML syntax error prints FAIL checks and exits 1, no stack trace", async () => {
  const h = await home();
  try {
    assert.equal((await installer(["install", ...h.args, "--events", "Stop", "--yes"])).code, 0);
    const cfg = join(h.codex, "config.toml");
    await Deno.writeTextFile(cfg, (await Deno.readTextFile(cfg)) + "\n[tui\nnotifications = true\n");
    const r = await installer(["doctor", ...h.args]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.stderr, "");
    assert.match(
      r.stdout,
      new RegExp(
        `^FAIL\\s+config\\.toml\\s+Cannot parse ${cfg}:\\d+:\\d+: .*: Codex will refuse to start$`,
        "m",
      ),
    );
    assert.match(
      r.stdout,
      /^warn\s+handlers\s+no handler for SessionStart, /m,
      "the checks that do not need config.toml still run",
    );
    assert.match(r.stdout, /\nSome checks failed: see FAIL above\.\n$/);
    assert.doesNotMatch(r.stdout + r.stderr, /\bat .*\.ts:\d+:\d+/, "no stack trace");
    const json = await installer(["doctor", ...h.args, "--json"]);
    assert.equal(json.code, 1);
    const d = JSON.parse(json.stdout);
    assert.equal(d.ok, false);
    assert.deepEqual(
      d.checks.filter((c: { status: string }) => c.status === "fail").map((c: { name: string }) => c.name),
      [
        "config.toml",
      ],
    );
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("a corrupt install manifest: uninstall names the file and the field, exits 1, writes nothing", async () => {
  const h = await home();
  try {
    assert.equal((await installer(["install", ...h.args, "--yes"])).code, 0);
    const path = join(h.state, "install-manifest.json");
    const m = JSON.parse(await Deno.readTextFile(path));
    m.handlers[1].command = 42;
    await Deno.writeTextFile(path, JSON.stringify(m));
    const before = await Deno.readTextFile(join(h.codex, "config.toml"));
    const r = await installer(["uninstall", ...h.args, "--yes"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `^lifeline: Cannot parse the install manifest "${path}": ` +
          `field "handlers\\[1\\]\\.command" must be a string, got number;`,
      ),
    );
    assert.equal(await Deno.readTextFile(join(h.codex, "config.toml")), before);
    const doc = await installer(["doctor", ...h.args]);
    assert.equal(doc.code, 1);
    assert.match(doc.stdout, /^FAIL\s+manifest\s+Cannot parse the install manifest/m);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("a Codex newer than every measured release is named in install, status and doctor", async () => {
  const h = await home();
  try {
    const args = ["--codex-home", h.codex, "--state-dir", h.state, "--codex-version", "0.180.2"];
    const note = /Codex 0\.180\.2 is newer than the newest release lifeline was checked against \(0\.171\)/;
    const install = await installer(["install", ...args, "--dry-run"]);
    assert.equal(install.code, 0, install.stderr);
    assert.match(install.stdout, new RegExp(`^note: ${note.source}`, "m"));
    const status = await installer(["status", ...args]);
    assert.match(status.stdout, new RegExp(`^note: ${note.source}`, "m"));
    const json = JSON.parse((await installer(["status", ...args, "--json"])).stdout);
    assert.match(json.profile_note, note);
    const doctor = JSON.parse((await installer(["doctor", ...args, "--json"])).stdout);
    const check = doctor.checks.find((c: { name: string }) => c.name === "codex profile");
    assert.equal(check?.status, "warn");
    assert.match(check?.detail, note);
    // A measured release gets no note.
    const measured = await installer(["status", ...h.args, "--json"]);
    assert.equal(JSON.parse(measured.stdout).profile_note, undefined);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});
