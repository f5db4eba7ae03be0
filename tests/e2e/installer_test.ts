/**
 * The installer against the real Codex 0.169.0: after `install`, `codex exec`
 * without any trust bypass runs lifeline's hooks and `deno task status --json`
 * shows the session; after `uninstall`, no lifeline hook runs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LIFELINE_ROOT } from "../../hooks/handlers.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { say, shell, startMockResponses } from "../harness/mock_responses.ts";
import { runCodexExec, writeOfflineConfig } from "../harness/codex_cli.ts";

async function deno(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env,
    cwd: LIFELINE_ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("real codex: install → hooks run without trust bypass and status shows the session; uninstall → none run", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-e2e-inst-" });
  const codexHome = join(dir, ".codex");
  const stateDir = join(dir, "state");
  const ws = join(dir, "ws");
  await Deno.mkdir(ws, { recursive: true });
  const mock = startMockResponses([shell("echo hi", "call_1"), say("done"), say("second run")]);
  try {
    await writeOfflineConfig(codexHome, mock.url, `# my own settings\n[tui]\nnotifications = true\n`);
    const original = await Deno.readTextFile(join(codexHome, "config.toml"));
    const env = { HOME: dir, CODEX_HOME: codexHome, LIFELINE_STATE_DIR: stateDir, NO_COLOR: "1" };
    const inst = await deno([
      "run",
      "-A",
      "installer/mod.ts",
      "install",
      "--yes",
      "--codex-version",
      "0.169.0",
    ], env);
    assert.equal(inst.code, 0, inst.stderr);

    const exec = await runCodexExec({ codexHome, prompt: "run it", cwd: ws, env: { HOME: dir } });
    assert.equal(exec.code, 0, exec.stderr);
    const status = await deno(["task", "status", "--json"], env);
    assert.equal(status.code, 0, status.stderr);
    const report = JSON.parse(status.stdout.slice(status.stdout.indexOf("{")));
    assert.equal(report.sessions.length, 1);
    const s = report.sessions[0];
    assert.equal(s.status, "offline");
    assert.equal(s.end_reason, "other");
    assert.equal(s.pid, exec.pid);
    assert.deepEqual(s.turns.map((t: { outcome: string }) => t.outcome), ["completed"]);
    assert.equal(s.turns[0].tool_invocations, 1);
    assert.deepEqual(s.turns[0].hook_events, [
      "UserPromptSubmit",
      "PreToolUse",
      "PostToolUse",
      "Stop",
      "notify",
    ]);

    const un = await deno(["run", "-A", "installer/mod.ts", "uninstall", "--yes"], env);
    assert.equal(un.code, 0, un.stderr);
    assert.equal(
      await Deno.readTextFile(join(codexHome, "config.toml")),
      original,
      "uninstall restores the config byte for byte",
    );
    const hookEvents = () => {
      const st = Store.open(stateDir);
      const n = st.journal().filter((o) => o.event !== "StaleBusyRepair" && o.event !== "ProcessGone").length;
      st.close();
      return n;
    };
    const before = hookEvents();
    assert.ok(before >= 7, `the first run was recorded (${before} events)`);
    const exec2 = await runCodexExec({ codexHome, prompt: "again", cwd: ws, env: { HOME: dir } });
    assert.equal(exec2.code, 0, exec2.stderr);
    await new Promise((r) => setTimeout(r, 300)); // notify would be fire-and-forget
    assert.equal(hookEvents(), before, "no lifeline hook ran after uninstall");
  } finally {
    await mock.close();
    await Deno.remove(dir, { recursive: true });
  }
});
