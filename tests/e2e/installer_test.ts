/**
 * The installer against the real Codex 0.169.0, as a new user meets it:
 * install from a copy of the repository, delete that copy, and a real
 * `codex exec` (no trust bypass) is recorded by hooks running from lifeline's
 * installed copy, and the installed command lists it from any folder; the
 * user's own notify program fires beside lifeline's;
 * `lifeline uninstall` (the installed command) restores config.toml and
 * hooks.json byte for byte and removes the command and the copy. Then, with
 * only lifeline's copy deleted, Codex still runs and the user's notify still
 * fires.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { LIFELINE_ROOT } from "../../hooks/handlers.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { say, shell, startMockResponses } from "../harness/mock_responses.ts";
import { runCodexExec, writeOfflineConfig } from "../harness/codex_cli.ts";

async function exec(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd, { args, env, cwd, stdin: "null", stdout: "piped", stderr: "piped" })
    .output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** Copies the files install needs (tracked by git) from this checkout to `dest`. */
async function copyRepo(dest: string): Promise<void> {
  const ls = await exec("git", ["ls-files"], {}, LIFELINE_ROOT);
  assert.equal(ls.code, 0, ls.stderr);
  const wanted = /^(deno\.json|deno\.lock|(codex|lifecycle|hooks|hub|installer|simulator|cli)\/.*\.ts)$/;
  for (const f of ls.stdout.split("\n").filter((f) => wanted.test(f))) {
    await Deno.mkdir(join(dest, dirname(f)), { recursive: true });
    await Deno.copyFile(join(LIFELINE_ROOT, f), join(dest, f));
  }
}

/** Waits until `ready()` holds, woken by changes in `dir` (notify is fire-and-forget). */
async function waitFor(dir: string, ready: () => boolean, what: string): Promise<void> {
  if (ready()) return;
  const watcher = Deno.watchFs(dir);
  const timer = setTimeout(() => watcher.close(), 20_000);
  try {
    for await (const _ of watcher) if (ready()) return;
  } finally {
    clearTimeout(timer);
    try {
      watcher.close();
    } catch { /* closed by the timer */ }
  }
  assert.ok(ready(), `timed out waiting for ${what}`);
}

const lines = (p: string) => {
  try {
    return Deno.readTextFileSync(p).split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

Deno.test("real codex: install from a deleted checkout records a session from the installed copy; uninstall restores every byte", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-e2e-inst-" });
  const codexHome = join(dir, ".codex");
  const stateDir = join(dir, "state");
  const bin = join(dir, "bin");
  const repo = join(dir, "repo");
  const ws = join(dir, "ws");
  const userLog = join(dir, "notified", "log");
  await Deno.mkdir(ws, { recursive: true });
  await Deno.mkdir(dirname(userLog));
  const userProg = join(dir, "my notify.sh");
  await Deno.writeTextFile(userProg, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${userLog}'\n`, { mode: 0o755 });
  const mock = startMockResponses([shell("echo hi", "call_1"), say("done"), say("second run")]);
  try {
    await writeOfflineConfig(codexHome, mock.url, `notify = ["${userProg}"]\n[tui]\nnotifications = true\n`);
    await Deno.writeTextFile(join(codexHome, "hooks.json"), '{"hooks": {}}\n');
    const originalConfig = await Deno.readTextFile(join(codexHome, "config.toml"));
    const originalHooks = await Deno.readTextFile(join(codexHome, "hooks.json"));
    const env = {
      HOME: dir,
      CODEX_HOME: codexHome,
      LIFELINE_STATE_DIR: stateDir,
      NO_COLOR: "1",
      PATH: "/usr/bin:/bin",
    };
    await copyRepo(repo);
    const inst = await exec(
      Deno.execPath(),
      [
        "run",
        "-A",
        "--no-lock",
        "installer/mod.ts",
        "install",
        "--yes",
        "--codex-version",
        "0.169.0",
        "--bin-dir",
        bin,
      ],
      env,
      repo,
    );
    assert.equal(inst.code, 0, inst.stderr);
    await Deno.remove(repo, { recursive: true });

    const run1 = await runCodexExec({ codexHome, prompt: "run it", cwd: ws, env: { HOME: dir } });
    assert.equal(run1.code, 0, run1.stderr);
    assert.doesNotMatch(run1.stderr, /hook: \w+ Failed/);
    await waitFor(dirname(userLog), () => lines(userLog).length === 1, "the user's notify");
    assert.equal(JSON.parse(lines(userLog)[0]!).type, "agent-turn-complete");
    await waitFor(stateDir, () => {
      const st = Store.open(stateDir);
      const n = st.journal().filter((o) => o.event === "Notify").length;
      st.close();
      return n === 1;
    }, "lifeline's notify");
    const st = Store.open(stateDir);
    const sessions = st.sessions();
    const events: string[] = st.journal().map((o) => o.event);
    st.close();
    assert.equal(sessions.length, 1);
    for (const e of ["SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop", "Notify"]) {
      assert.ok(events.includes(e), `${e} recorded (${events.join(", ")})`);
    }
    // The installed command reads it, from any folder, with the checkout gone.
    const launcher = join(bin, "lifeline");
    const listed = await exec(launcher, ["status", "--json"], env, "/");
    assert.equal(listed.code, 0, listed.stderr);
    const doc = JSON.parse(listed.stdout) as { sessions: { session_id: string; state: string }[] };
    assert.deepEqual(doc.sessions.map((x) => x.session_id), sessions.map((x) => x.session_id));

    const un = await exec(launcher, ["uninstall", "--yes", "--codex-version", "0.169.0"], env, ws);
    assert.equal(un.code, 0, un.stderr + un.stdout);
    assert.equal(await Deno.readTextFile(join(codexHome, "config.toml")), originalConfig);
    assert.equal(await Deno.readTextFile(join(codexHome, "hooks.json")), originalHooks);
    assert.deepEqual([...Deno.readDirSync(bin)], [], "the command is gone");
    assert.throws(() => Deno.statSync(join(stateDir, "app")), "the copy is gone");
    assert.ok(Deno.statSync(join(stateDir, "lifeline.db")).isFile, "the recorded sessions stay");

    // Installed again, then only lifeline's copy is deleted: Codex runs, the user's notify fires.
    const again = await exec(
      Deno.execPath(),
      [
        "run",
        "-A",
        "--no-lock",
        join(LIFELINE_ROOT, "installer/mod.ts"),
        "install",
        "--yes",
        "--codex-version",
        "0.169.0",
        "--bin-dir",
        bin,
      ],
      env,
      ws,
    );
    assert.equal(again.code, 0, again.stderr);
    await Deno.remove(join(stateDir, "app"), { recursive: true });
    const run2 = await runCodexExec({ codexHome, prompt: "again", cwd: ws, env: { HOME: dir } });
    assert.equal(run2.code, 0, run2.stderr);
    await waitFor(dirname(userLog), () => lines(userLog).length === 2, "the user's notify without lifeline");
    const un2 = await exec(
      Deno.execPath(),
      [
        "run",
        "-A",
        "--no-lock",
        join(LIFELINE_ROOT, "installer/mod.ts"),
        "uninstall",
        "--yes",
        "--codex-version",
        "0.169.0",
      ],
      env,
      ws,
    );
    assert.equal(un2.code, 0, un2.stderr);
    assert.equal(await Deno.readTextFile(join(codexHome, "config.toml")), originalConfig);
  } finally {
    await mock.close();
    await Deno.remove(dir, { recursive: true });
  }
});
