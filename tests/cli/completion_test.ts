/**
 * `lifeline completion zsh|fish` print scripts the shell accepts, loads and
 * completes with. The shells are Debian packages that `.ci/run` installs: in
 * CI (`LIFELINE_CI` or `CI` set) a missing shell fails the test with that
 * said; elsewhere the test is skipped with the reason.
 */
import assert from "node:assert/strict";
import { lifeline } from "./_fixture.ts";

const IN_CI = Boolean(Deno.env.get("LIFELINE_CI") || Deno.env.get("CI"));

function which(cmd: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (dir && Deno.statSync(`${dir}/${cmd}`).isFile) return `${dir}/${cmd}`;
    } catch { /* not here */ }
  }
  return undefined;
}

/** The shell's path; in CI a missing one is a failure that says what to install. */
function shell(name: string): string {
  const path = which(name);
  if (!path) {
    assert.fail(
      `${name} is not installed: .ci/run installs it (apt-get install ${name}); this test needs it`,
    );
  }
  return path;
}

/** A `lifeline` on PATH (the scripts call it to complete), running cli/mod.ts. */
async function withLifelineOnPath<T>(f: (path: string) => Promise<T>): Promise<T> {
  const bin = await Deno.makeTempDir({ prefix: "lifeline-bin-" });
  const mod = new URL("../../cli/mod.ts", import.meta.url).pathname;
  await Deno.writeTextFile(
    `${bin}/lifeline`,
    `#!/bin/sh\nexec "${Deno.execPath()}" run -A --quiet "${mod}" "$@"\n`,
    {
      mode: 0o755,
    },
  );
  try {
    return await f(`${bin}:${Deno.env.get("PATH") ?? ""}`);
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
}

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const r = await new Deno.Command(cmd, { args, env, stdin: "null" }).output();
  const d = new TextDecoder();
  return { code: r.code, stdout: d.decode(r.stdout), stderr: d.decode(r.stderr) };
}

async function script(sh: string): Promise<string> {
  const r = await lifeline(["completion", sh]);
  assert.equal(r.code, 0, r.stderr);
  const file = await Deno.makeTempFile({ suffix: `.${sh}` });
  await Deno.writeTextFile(file, r.stdout);
  return file;
}

Deno.test({
  name: "completion zsh: zsh -n accepts it; sourced or on fpath it registers; Tab completes `lifeline st`",
  ignore: !IN_CI && !which("zsh"), // zsh is not installed here (.ci/run installs it); CI fails instead
  fn: async () => {
    const zsh = shell("zsh");
    const file = await script("zsh");
    try {
      const syntax = await run(zsh, ["-n", file]);
      assert.equal(syntax.code, 0, syntax.stderr);
      const home = await Deno.makeTempDir();
      try {
        // -f: no user rc files; compinit -D writes no dump file, -u accepts the temp dirs' owners.
        const loaded = await run(zsh, [
          "-f",
          "-c",
          `autoload -U compinit && compinit -D -u && source ${file} && ` +
          `print -r -- "comp=\${_comps[lifeline]} fn=$(whence -w _lifeline)"`,
        ], { HOME: home, PATH: Deno.env.get("PATH") ?? "" });
        assert.equal(loaded.code, 0, loaded.stderr);
        assert.equal(loaded.stderr, "");
        assert.equal(loaded.stdout.trim(), "comp=_lifeline fn=_lifeline: function");
        // The README's way: the script as `_lifeline` in a folder on fpath, found by compinit.
        await Deno.mkdir(`${home}/zfunc`);
        await Deno.copyFile(file, `${home}/zfunc/_lifeline`);
        const found = await run(zsh, [
          "-f",
          "-c",
          `fpath+=(${home}/zfunc) && autoload -U compinit && compinit -D -u && ` +
          `print -r -- "\${_comps[lifeline]}"`,
        ], { HOME: home, PATH: Deno.env.get("PATH") ?? "" });
        assert.equal(found.code, 0, found.stderr);
        assert.equal(found.stdout.trim(), "_lifeline");
      } finally {
        await Deno.remove(home, { recursive: true });
      }
      // Completing for real: an interactive zsh on a pseudo-terminal (zsh/zpty), Tab after `lifeline st`.
      // Each read waits for its text; `timeout` ends a zsh that never sees it.
      const driver = await Deno.makeTempFile({ suffix: ".zsh" });
      await Deno.writeTextFile(
        driver,
        [
          "zmodload zsh/zpty",
          "zpty z zsh -f -i",
          // The quotes keep the marker out of the echoed input: only the output matches.
          `zpty -w z "PS1='%% '; autoload -U compinit; compinit -D -u; source ${file}; print LOAD''ED"`,
          "zpty -r z _ '*LOADED*'",
          "zpty -w -n z $'lifeline st\\t'",
          "zpty -r z out '*status*'",
          'print -r -- "completed: ${out//[^[:print:]]/}"',
          "zpty -d z",
        ].join("\n"),
      );
      const typed = await withLifelineOnPath((PATH) =>
        run("timeout", ["60", zsh, "-f", driver], { HOME: Deno.env.get("HOME") ?? "/tmp", PATH })
      );
      await Deno.remove(driver);
      assert.equal(typed.code, 0, `zsh did not complete within 60 s: ${typed.stdout} ${typed.stderr}`);
      assert.match(typed.stdout, /completed: .*lifeline status/);
      // What the script asks `lifeline` for a word being completed (its candidates, NUL-separated).
      const asked = await lifeline(["completion", "zsh", "st"]);
      assert.equal(asked.code, 0, asked.stderr);
      assert.ok(asked.stdout.split("\0").includes("status"), JSON.stringify(asked.stdout));
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test({
  name: "completion fish: fish --no-execute accepts it; sourced, `lifeline st` completes to status",
  ignore: !IN_CI && !which("fish"), // fish is not installed here (.ci/run installs it); CI fails instead
  fn: async () => {
    const fish = shell("fish");
    const file = await script("fish");
    const home = await Deno.makeTempDir();
    try {
      const syntax = await run(fish, ["--no-execute", file], { XDG_CONFIG_HOME: home, XDG_DATA_HOME: home });
      assert.equal(syntax.code, 0, syntax.stderr);
      const completed = await withLifelineOnPath((PATH) =>
        run(fish, ["--no-config", "-c", `source ${file}; complete -C "lifeline st"`], {
          // HOME stays: a fresh one would mean an empty Deno cache, and each completion a download.
          HOME: Deno.env.get("HOME") ?? "/tmp",
          PATH,
          XDG_CONFIG_HOME: home,
          XDG_DATA_HOME: home,
        })
      );
      assert.equal(completed.code, 0, completed.stderr);
      const words = completed.stdout.trim().split("\n").map((l) => l.split("\t")[0]);
      assert.deepEqual(words, ["status"], completed.stdout);
      const options = await withLifelineOnPath((PATH) =>
        run(fish, ["--no-config", "-c", `source ${file}; complete -C "lifeline install --dr"`], {
          HOME: Deno.env.get("HOME") ?? "/tmp",
          PATH,
          XDG_CONFIG_HOME: home,
          XDG_DATA_HOME: home,
        })
      );
      assert.deepEqual(options.stdout.trim().split("\n").map((l) => l.split("\t")[0]), ["--dry-run"]);
    } finally {
      await Deno.remove(file);
      await Deno.remove(home, { recursive: true });
    }
  },
});
