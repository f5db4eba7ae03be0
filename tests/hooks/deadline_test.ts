/**
 * A hook Codex stopped waiting for must not mark a hub message delivered.
 * Codex kills only the shell it started when a hook's timeout passes; the
 * Deno process under it runs on as an orphan. The test reproduces that with
 * a real `sh -c` around the Stop hook (with the installer's flags), holding
 * the store's write lock until the shell is killed and the hook re-parented.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { HOOK_SCRIPTS } from "../../hooks/handlers.ts";
import { hookDenoArgs } from "../../hooks/permissions.ts";
import { waiting } from "../../hooks/deadline.ts";
import { handle } from "../../hooks/handle.ts";
import { hookSettings } from "../../hooks/hook_settings.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { sandbox } from "../harness/hook_process.ts";

const SESSION = "deadline-session";
const STOP = JSON.stringify({
  session_id: SESSION,
  turn_id: "t1",
  hook_event_name: "Stop",
  cwd: "/tmp",
  stop_hook_active: false,
  last_assistant_message: "done",
});

function seed(stateDir: string): void {
  const store = Store.open(stateDir);
  store.addDelivery({
    id: "m1",
    session_id: SESSION,
    kind: "notify",
    text: "hello from the hub",
    created_at: "2026-01-01T00:00:00.000Z",
  });
  store.close();
}

/** Polls /proc (a process, not a timer, is what the test waits on). */
async function until<T>(what: string, f: () => T | undefined): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

function read(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

Deno.test("an orphaned Stop hook (its shell killed) leaves the hub message pending", async () => {
  const sb = await sandbox();
  try {
    seed(sb.stateDir);
    const lock = new DatabaseSync(join(sb.stateDir, "lifeline.db"));
    lock.exec("BEGIN IMMEDIATE");
    const cmd = [
      sb.deno,
      ...hookDenoArgs(sb),
      join(sb.root, "hooks", HOOK_SCRIPTS.Stop),
      `--state-dir=${sb.stateDir}`,
      "--deadline-ms=8000",
    ].map((a) => `'${a}'`).join(" ");
    const sh = new Deno.Command("sh", {
      args: ["-c", `${cmd}; :`],
      clearEnv: true,
      env: { HOME: sb.home, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", LIFELINE_SIDECAR: "off" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = sh.stdin.getWriter();
    await w.write(new TextEncoder().encode(STOP));
    await w.close();
    const hookPid = await until("the hook process", () => {
      const c = read(`/proc/${sh.pid}/task/${sh.pid}/children`)?.trim();
      return c ? Number(c.split(/\s+/)[0]) : undefined;
    });
    sh.kill("SIGKILL");
    await until("the hook to be re-parented", () => {
      const stat = read(`/proc/${hookPid}/stat`);
      if (stat === undefined) return true;
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      return ppid !== sh.pid ? true : undefined;
    });
    lock.exec("COMMIT");
    lock.close();
    // The orphan keeps the pipes open: their end is the orphan's exit.
    const out = await sh.output();
    assert.equal(new TextDecoder().decode(out.stdout), "");
    const store = Store.open(sb.stateDir);
    try {
      assert.deepEqual(store.deliveries(SESSION).map((d) => [d.id, d.status]), [["m1", "pending"]]);
      assert.ok(store.session(SESSION), "the Stop event itself is still recorded");
    } finally {
      store.close();
    }
  } finally {
    await sb.cleanup();
  }
});

Deno.test("handle claims no hub message once Codex stopped waiting, and claims it while it waits", async () => {
  const sb = await sandbox();
  try {
    seed(sb.stateDir);
    for (const [waits, status] of [[false, "pending"], [true, "delivered"]] as const) {
      const input = JSON.stringify({ ...JSON.parse(STOP), turn_id: `t-${waits}` });
      const h = handle("Stop", input, {
        settings: hookSettings([`--state-dir=${sb.stateDir}`], () => undefined),
        now: () => new Date(),
        ppid: 1,
        args: [],
        openStore: (dir, busy) => Store.open(dir, { busyTimeoutMs: busy }),
        stillWaiting: () => waits,
      });
      const store = Store.open(sb.stateDir);
      assert.deepEqual(store.deliveries(SESSION).map((d) => d.status), [status]);
      store.close();
      assert.equal(h.delivered.length, waits ? 1 : 0);
      assert.equal(h.output.stdout === undefined || h.output.stdout === "", !waits);
    }
  } finally {
    await sb.cleanup();
  }
});

Deno.test("waiting: false past the deadline or when the parent pid changed, with the reason", () => {
  let t = 1000;
  let parent = 42;
  const w = waiting(1000, 500, () => t, () => parent);
  assert.equal(w(), true);
  t = 1499;
  assert.equal(w(), true);
  t = 1500;
  assert.equal(w(), false);
  assert.match(w.reason, /deadline of 500 ms passed/);
  t = 1200;
  parent = 1;
  assert.equal(w(), false);
  assert.match(w.reason, /parent process 42 is gone/);
  assert.equal(waiting(0, 500, () => 0, () => 1, 77)(), false, "an orphan from the start");
  assert.equal(waiting(0, 500, () => 0, () => 1, 1)(), true, "Codex is pid 1 and the shell exec'd the hook");
});
