/**
 * The installer as the `lifeline` command and as `installer/mod.ts`: every
 * option of the installer reaches it through `lifeline install|uninstall`,
 * `lifeline install --status` is the installer's report, the entry point's
 * completion does not crash on its spaced program name, and every hint the
 * installer prints names the `lifeline` command.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { ChangeReport } from "../../installer/apply.ts";
import { printChange, printDoctor } from "../../installer/print.ts";
import { lifeline } from "./_fixture.ts";

const INSTALLER = new URL("../../installer/mod.ts", import.meta.url).pathname;

async function installer(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", INSTALLER, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

const exists = (p: string) => {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
};

Deno.test("lifeline install --bin-dir --hints, install --status, uninstall --purge all work", async () => {
  const dir = await Deno.makeTempDir();
  const codex = join(dir, "codex"), state = join(dir, "state"), bin = join(dir, "my bin");
  await Deno.mkdir(codex);
  const where = ["--codex-home", codex, "--state-dir", state];
  try {
    const inst = await lifeline([
      "install",
      ...where,
      "--bin-dir",
      bin,
      "--codex-version",
      "0.169.0",
      "--hints",
      "--yes",
    ]);
    assert.equal(inst.code, 0, inst.stderr);
    assert.match(inst.stdout, /The failure hint is on/);
    assert.ok(exists(join(bin, "lifeline")), "the command went to --bin-dir");

    const st = await lifeline(["install", "--status", "--json", ...where]);
    assert.equal(st.code, 0, st.stderr);
    const report = JSON.parse(st.stdout) as { installed: boolean; handlers: { trusted: boolean }[] };
    assert.equal(report.installed, true);
    assert.ok(report.handlers.length > 0 && report.handlers.every((h) => h.trusted), st.stdout);
    const text = await lifeline(["install", "--status", ...where]);
    assert.match(text.stdout, /^lifeline is installed in /);
    const both = await lifeline(["install", "--status", "--dry-run", ...where]);
    assert.equal(both.code, 2, "--status reports; it does not combine with the writing options");

    const un = await lifeline(["uninstall", ...where, "--bin-dir", bin, "--purge", "--yes"]);
    assert.equal(un.code, 0, un.stderr);
    assert.ok(!exists(state), "--purge removed the state dir");
    assert.ok(!exists(join(bin, "lifeline")), "the command is gone");
    assert.deepEqual([...Deno.readDirSync(codex)].map((e) => e.name), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("installer/mod.ts completion bash|zsh|fish and --completion; a bare run: help", async () => {
  for (
    const args of [["completion", "bash"], ["completion", "zsh"], ["completion", "fish"], [
      "--completion",
      "bash",
    ]]
  ) {
    const r = await installer(args);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /Invalid program name|Uncaught/);
    assert.match(r.stdout, /lifeline/);
    if (args[1] === "bash") {
      const file = await Deno.makeTempFile({ suffix: ".bash" });
      await Deno.writeTextFile(file, r.stdout);
      const syntax = await new Deno.Command("bash", { args: ["-n", file] }).output();
      await Deno.remove(file);
      assert.equal(syntax.code, 0, new TextDecoder().decode(syntax.stderr));
    }
  }
  const bare = await installer([]);
  assert.equal(bare.code, 0, bare.stderr);
  assert.match(bare.stdout, /Usage: deno run -A --no-lock installer\/mod\.ts install/);
  const bad = await installer(["install", "--dryrun"]);
  assert.equal(bad.code, 2);
  assert.doesNotMatch(bad.stderr, /^Usage:/m, "the error alone, no usage block");
});

Deno.test("every hint the installer prints names the lifeline command", () => {
  const report: ChangeReport = {
    action: "install",
    dry_run: false,
    codex_home: "/h/.codex",
    state_dir: "/h/.lifeline",
    codex_version: "codex-cli 0.169.0",
    profile: "0.169",
    files: [{ path: "/h/.codex/hooks.json", changed: true, diff: "" }],
    handlers: [{ event: "Stop", group: 0, handler: 0 }],
    app: null,
    notes: [],
  };
  const texts = [
    printChange(report),
    printChange({ ...report, dry_run: true }),
    printChange({ ...report, action: "uninstall" }),
    printDoctor({
      ok: false,
      checks: [
        {
          name: "handlers",
          status: "fail",
          detail: "no lifeline handler in /h/.codex/hooks.json: run lifeline install",
        },
        {
          name: "trust",
          status: "fail",
          detail: "2 untrusted: Codex skips them silently; run lifeline install again",
        },
      ],
    }),
  ];
  const all = texts.join("\n");
  assert.doesNotMatch(all, /deno task|deno run|installer\/mod\.ts/);
  assert.match(texts[0]!, /Check it with: lifeline doctor — then see sessions with: lifeline status/);
  assert.match(texts[3]!, /: run lifeline install$/m);
  assert.match(texts[3]!, /; run lifeline install again$/m);
});

/** `lifeline doctor` on a Codex home holding only `config` (0.169.0; the state dir beside it). */
async function doctorOn(config: string, extra: string[] = []) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "config.toml"), config);
    const args = ["--codex-home", dir, "--state-dir", join(dir, "state"), "--codex-version", "0.169.0"];
    return await lifeline(["doctor", ...extra, ...args]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("lifeline doctor on a config.toml that does not parse prints FAIL checks and exits 1", async () => {
  const r = await doctorOn('model = "o3"\n[tui\nnotifications = true\n');
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^FAIL\s+config\.toml\s+Cannot parse .*config\.toml:\d+:\d+: /m);
  assert.match(r.stdout, /Some checks failed/);
  assert.doesNotMatch(r.stdout + r.stderr, /\bat .*\.[jt]s:\d+:\d+/, "no stack trace");
});

Deno.test("doctor's own words name the command, in --json too: run lifeline install", async () => {
  const r = await doctorOn('model = "o3"\n', ["--json"]);
  const details = (JSON.parse(r.stdout) as { checks: { detail: string }[] }).checks.map((c) => c.detail);
  assert.ok(details.some((d) => /run lifeline install/.test(d)), details.join("\n"));
  assert.deepEqual(details.filter((d) => /\brun install\b/.test(d)), []);
});
