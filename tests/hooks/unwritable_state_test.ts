/**
 * A state dir hooks cannot write: the hooks still exit 0 without output (they
 * must never disturb Codex), their errors go to the fallback log outside the
 * state dir, and `status` says the store is not writable and where the
 * errors are, instead of "No sessions recorded yet".
 *
 * A full disk is not tested here: it needs a tiny file system, which only
 * root can mount. It fails the same writes as a read-only folder does.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fallbackLogDir, fallbackLogPath } from "../../lifecycle/fallback_log.ts";
import { renderStatus } from "../../lifecycle/read.ts";
import { runHookProcess, sandbox } from "../harness/hook_process.ts";

const IS_ROOT = Deno.uid() === 0;

async function check(what: string, prepare: (home: string) => Promise<string>) {
  const sb = await sandbox();
  const stateDir = await prepare(sb.home);
  const places = { ...sb, stateDir };
  try {
    const payload = { session_id: "ro-1", hook_event_name: "SessionStart", cwd: "/tmp", source: "startup" };
    const run = await runHookProcess("SessionStart", JSON.stringify(payload), places, {
      env: { LIFELINE_SIDECAR: "off" },
    });
    assert.deepEqual(run, { code: 0, stdout: "", stderr: "" }, what);
    const log = await Deno.readTextFile(fallbackLogPath(stateDir));
    assert.match(log, /SessionStart pid=\d+: .*not written to/, what);
    const text = renderStatus({ stateDir, json: false, staleBusySeconds: 600, now: new Date() });
    assert.match(text, /^Warning: .*(not writable|under a regular file)/, `${what}: ${text}`);
    assert.ok(text.includes(fallbackLogPath(stateDir)), `${what}: ${text}`);
    const doc = JSON.parse(renderStatus({ stateDir, json: true, staleBusySeconds: 600, now: new Date() }));
    assert.equal(doc.store.writable, false);
    assert.equal(doc.store.fallback_log, fallbackLogPath(stateDir));
  } finally {
    await Deno.chmod(stateDir, 0o700).catch(() => {});
    await Deno.remove(fallbackLogDir(stateDir), { recursive: true }).catch(() => {});
    await sb.cleanup();
  }
}

Deno.test({
  name: "a read-only state dir: hooks exit 0, errors go to the fallback log, status says so",
  // root writes through a read-only mode; the test would prove nothing
  ignore: IS_ROOT,
  fn: () =>
    check("read-only", async (home) => {
      const dir = join(home, "ro-state");
      await Deno.mkdir(dir, { mode: 0o700 });
      await Deno.chmod(dir, 0o500);
      return dir;
    }),
});

Deno.test("a state dir under a regular file: hooks exit 0, errors go to the fallback log, status says so", () =>
  check("under a file", async (home) => {
    await Deno.writeTextFile(join(home, "plain-file"), "x");
    return join(home, "plain-file", "state");
  }));
