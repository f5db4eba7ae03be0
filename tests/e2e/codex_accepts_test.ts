/**
 * The installer against the real Codex 0.169.0 on PATH: the six configs that
 * stop 0.169 (measured on real users' configs: `approval_policy =
 * "untrusted"`, a root `profile`, `wire_api = "chat"`, a provider named
 * `openai`; plus a TOML syntax error and a wrongly typed value) are refused
 * with the message Codex itself prints, and config.toml stays byte for byte;
 * a config Codex loads gets lifeline installed, and Codex still loads it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureCodex } from "../harness/codex_cli.ts";
import { exists, installer, makeHome } from "../installer/_run.ts";

const DIR = new URL("../testdata/codex_refusals/", import.meta.url).pathname;
const configOf = (name: string) =>
  (JSON.parse(Deno.readTextFileSync(join(DIR, `0.169.0-startup-${name}.json`))) as { config_toml: string })
    .config_toml;

/** A folder holding only `codex`, the real binary. */
async function codexOnPath(dir: string): Promise<string> {
  const bin = join(dir, "codex-bin");
  await Deno.mkdir(bin);
  await Deno.symlink(await ensureCodex("0.169.0"), join(bin, "codex"));
  return `${bin}:${Deno.env.get("PATH")}`;
}

/** What Codex says about `home`, asked directly (the detail of its JSON error). */
async function codexSays(path: string, home: string): Promise<string | undefined> {
  const out = await new Deno.Command("codex", {
    args: ["app-server", "--print-startup-config"],
    env: { PATH: path, CODEX_HOME: home },
    cwd: home,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).output();
  const answer = JSON.parse(new TextDecoder().decode(out.stdout).split("\n")[0]!);
  return answer.error?.data?.detail;
}

for (const name of ["untrusted", "profile", "chat", "reserved", "syntax", "type"]) {
  Deno.test(`real Codex 0.169 refuses the ${name} config: install shows its message and writes nothing`, async () => {
    const h = await makeHome();
    try {
      const path = await codexOnPath(h.dir);
      const config = join(h.codex, "config.toml");
      const text = configOf(name);
      await Deno.writeTextFile(config, text);
      const message = await codexSays(path, h.codex);
      assert.ok(message, "Codex 0.169 loads this config: the fixture no longer shows a refusal");
      const r = await installer(["install", ...h.args, "--yes"], { PATH: path });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.ok(r.stderr.includes(`Codex refuses to load ${config} as it is`), r.stderr);
      for (const line of message.split("\n")) {
        assert.ok(r.stderr.includes(line), `${line}\nnot in\n${r.stderr}`);
      }
      assert.equal(Deno.readTextFileSync(config), text);
      assert.ok(!exists(join(h.codex, "hooks.json")));
      assert.ok(!exists(join(h.state, "install-manifest.json")));
    } finally {
      await Deno.remove(h.dir, { recursive: true });
    }
  });
}

Deno.test("real Codex 0.169 loads a plain config: lifeline installs, and Codex still loads the result", async () => {
  const h = await makeHome();
  try {
    const path = await codexOnPath(h.dir);
    const config = join(h.codex, "config.toml");
    await Deno.writeTextFile(config, configOf("ok"));
    const r = await installer(["install", ...h.args, "--yes"], { PATH: path });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /refuses|could not ask Codex/);
    assert.match(Deno.readTextFileSync(config), /lifeline-notify/);
    assert.ok(exists(join(h.codex, "hooks.json")));
    assert.equal(await codexSays(path, h.codex), undefined);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});
