/**
 * install and doctor ask the `codex` on PATH whether it loads the config. A
 * fake `codex` (a shell script answering with what the real 0.169 and 0.114
 * printed, from tests/testdata/codex_refusals/) refuses the config as it is,
 * only after lifeline's edit, or only once written; each time install says
 * Codex's message and leaves the files as they were, unless `--force`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { exists, type Home, installer, makeHome, type Ran } from "./_run.ts";

const DIR = new URL("../testdata/codex_refusals/", import.meta.url).pathname;
const fixture = (name: string) =>
  JSON.parse(Deno.readTextFileSync(join(DIR, `${name}.json`))) as { stdout: string; stderr: string };
const ORIGINAL = 'model = "gpt-5"\n';
const UNTRUSTED = 'approval_policy = "untrusted" is no longer supported; remove this setting';
const CHAT = '`wire_api = "chat"` is no longer supported.';

/**
 * A `codex` that logs each question and refuses by `FAKE_MODE`: `always`,
 * `edit` (a config that mentions lifeline), `written` (that, in the real home
 * only) or `old` (no --print-startup-config; `features list` refuses).
 */
async function fakeCodex(dir: string): Promise<string> {
  const bin = join(dir, "fake-bin");
  await Deno.mkdir(bin);
  const put = (n: string, t: string) => Deno.writeTextFile(join(bin, n), t);
  await put("refuse.out", fixture("0.169.0-startup-untrusted").stdout);
  await put("refuse.err", fixture("0.169.0-startup-untrusted").stderr);
  await put("ok.out", fixture("0.169.0-startup-ok").stdout);
  await put("old.err", fixture("0.114.0-startup-unsupported").stderr);
  await put("features.err", fixture("0.114.0-features-chat").stderr);
  await Deno.writeTextFile(
    join(bin, "codex"),
    `#!/bin/sh
here=\${0%/codex}
[ "$1" = --version ] && { echo "codex-cli 0.169.0"; exit 0; }
echo "$CODEX_HOME $*" >> "$here/asked.log"
refuse=no
case "$FAKE_MODE" in
  always) refuse=yes ;;
  edit) grep -q lifeline "$CODEX_HOME/config.toml" && refuse=yes ;;
  written) [ "$CODEX_HOME" = "$FAKE_REAL_HOME" ] && grep -q lifeline "$CODEX_HOME/config.toml" && refuse=yes ;;
  old) [ "$1" = app-server ] && { cat "$here/old.err" >&2; exit 2; }
       cat "$here/features.err" >&2; exit 1 ;;
esac
[ $refuse = yes ] && { cat "$here/refuse.out"; cat "$here/refuse.err" >&2; exit 1; }
cat "$here/ok.out"
`,
    { mode: 0o755 },
  );
  return bin;
}

async function setup(): Promise<Home & { fake: string; config: string }> {
  const h = await makeHome();
  const config = join(h.codex, "config.toml");
  await Deno.writeTextFile(config, ORIGINAL);
  return { ...h, config, fake: await fakeCodex(h.dir) };
}

function run(h: Home & { fake: string }, mode: string, args: string[]): Promise<Ran> {
  return installer(args, {
    PATH: `${h.fake}:${Deno.env.get("PATH")}`,
    FAKE_MODE: mode,
    FAKE_REAL_HOME: h.codex,
  });
}

const untouched = (h: Home & { config: string }) => {
  assert.equal(Deno.readTextFileSync(h.config), ORIGINAL);
  assert.ok(!exists(join(h.codex, "hooks.json")), "hooks.json was written");
  assert.ok(!exists(join(h.state, "install-manifest.json")), "the manifest was written");
};

Deno.test("a config Codex refuses as it is: install says Codex's message and writes nothing", async () => {
  const h = await setup();
  try {
    const r = await run(h, "always", ["install", ...h.args, "--yes"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`Codex refuses to load ${h.config} as it is`), r.stderr);
    assert.ok(r.stderr.includes(UNTRUSTED), r.stderr);
    assert.match(r.stderr, /Nothing was written.*--force/s);
    untouched(h);
    // Asked once, about the real home; the planned files were not worth asking about.
    const asked = Deno.readTextFileSync(join(h.fake, "asked.log")).trim().split("\n");
    assert.deepEqual(asked, [`${h.codex} app-server --print-startup-config`]);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("--force installs into a config Codex refuses, and says so with Codex's message", async () => {
  const h = await setup();
  try {
    const r = await run(h, "always", ["install", ...h.args, "--yes", "--force"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`Codex refuses ${h.config} already, before lifeline's edit`), r.stdout);
    assert.ok(r.stdout.includes(UNTRUSTED), r.stdout);
    assert.ok(exists(join(h.codex, "hooks.json")));
    assert.match(Deno.readTextFileSync(h.config), /lifeline-notify/);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("Codex would refuse lifeline's edit: asked on a staged copy, so nothing is written", async () => {
  const h = await setup();
  try {
    const r = await run(h, "edit", ["install", ...h.args, "--yes"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`Codex would refuse ${h.config} after lifeline's edit`), r.stderr);
    assert.ok(r.stderr.includes(UNTRUSTED), r.stderr);
    untouched(h);
    const homes = Deno.readTextFileSync(join(h.fake, "asked.log")).trim().split("\n").map((l) =>
      l.split(" ")[0]
    );
    // The real home as it is, the staged edit, then the staged original (to tell the edit from the staging).
    assert.equal(homes[0], h.codex);
    assert.ok(homes.length === 3 && homes[1] !== h.codex && homes[2] !== h.codex, homes.join("\n"));
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("Codex refuses the files once written: install restores them byte for byte", async () => {
  const h = await setup();
  try {
    const r = await run(h, "written", ["install", ...h.args, "--yes"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`Codex refuses ${h.config} as written`), r.stderr);
    assert.ok(r.stderr.includes(UNTRUSTED), r.stderr);
    assert.ok(r.stderr.includes("Restored"), r.stderr);
    untouched(h);
    assert.ok(!exists(`${h.config}.lifeline.bak`), "the backup of the restored file stayed");
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("a release without --print-startup-config is asked features list, and its message shown", async () => {
  const h = await setup();
  try {
    const r = await run(h, "old", ["install", ...h.args, "--yes"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes("(codex features list)"), r.stderr);
    assert.ok(r.stderr.includes(CHAT), r.stderr);
    untouched(h);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("a Codex that loads both: install writes and asks before, on the staged copy and after", async () => {
  const h = await setup();
  try {
    const r = await run(h, "none", ["install", ...h.args, "--yes"]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /refuses|could not ask Codex/);
    const homes = Deno.readTextFileSync(join(h.fake, "asked.log")).trim().split("\n").map((l) =>
      l.split(" ")[0]
    );
    assert.equal(homes.length, 3, homes.join("\n"));
    assert.deepEqual([homes[0], homes[2]], [h.codex, h.codex]);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("no codex on PATH: install writes and notes that Codex could not be asked", async () => {
  const h = await setup();
  try {
    const r = await installer(["install", ...h.args, "--yes"], { PATH: "/nonexistent" });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(
      r.stdout.includes(`could not ask Codex whether it loads ${h.config}: codex is not on PATH`),
      r.stdout,
    );
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("doctor fails on a config Codex refuses, with Codex's message; warns when it cannot ask", async () => {
  const h = await setup();
  try {
    const installed = await run(h, "none", ["install", ...h.args, "--yes"]);
    assert.equal(installed.code, 0, installed.stderr);
    const refused = await run(h, "always", ["doctor", ...h.args, "--json"]);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    const checks =
      (JSON.parse(refused.stdout) as { checks: { name: string; status: string; detail: string }[] })
        .checks;
    const c = checks.find((x) => x.name === "codex accepts config");
    assert.equal(c?.status, "fail", JSON.stringify(checks));
    assert.ok(c.detail.includes(UNTRUSTED), c.detail);
    const noCodex = await installer(["doctor", ...h.args, "--json"], { PATH: "/nonexistent" });
    const w = (JSON.parse(noCodex.stdout) as { checks: { name: string; status: string; detail: string }[] })
      .checks.find((x) => x.name === "codex accepts config");
    assert.deepEqual(w, {
      name: "codex accepts config",
      status: "warn",
      detail: "could not ask Codex: codex is not on PATH",
    });
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});
