/**
 * The real sidecar, started detached by a real hook process: it connects to
 * the hub, delivers, is restarted by the next hook when it died, and exits
 * (recording the session offline) when the Codex process is gone.
 */
import assert from "node:assert/strict";
import { startHub } from "../../hub/server.ts";
import { backoffMs } from "../../hub/sidecar.ts";
import { heartbeatPath, sidecarsDir } from "../../hub/sidecar_files.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { runHookProcess, sandbox } from "../harness/hook_process.ts";

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("backoff is exponential and capped at 30 s", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(backoffMs), [
    1000,
    2000,
    4000,
    8000,
    16000,
    30000,
    30000,
    30000,
  ]);
});

Deno.test("no hub in use: a hook starts no sidecar", async () => {
  const sb = await sandbox();
  try {
    const r = await runHookProcess(
      "UserPromptSubmit",
      JSON.stringify({
        session_id: "quiet",
        turn_id: "t",
        cwd: "/",
        hook_event_name: "UserPromptSubmit",
        prompt: "p",
      }),
      sb,
    );
    assert.equal(r.code, 0);
    assert.throws(() => Deno.statSync(heartbeatPath(sb.stateDir, "quiet")));
  } finally {
    await sb.cleanup();
  }
});

Deno.test({
  name:
    "real sidecar: started by a hook, delivers, restarted when dead, exits and records offline when Codex dies",
  // The sidecar is a detached process of its own; it is stopped by killing the stand-in Codex below.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const sb = await sandbox();
    const codex = new Deno.Command("sleep", { args: ["600"], stdin: "null", stdout: "null", stderr: "null" })
      .spawn();
    const hub = startHub({ stateDir: sb.stateDir, port: 0, pingMs: 60_000 });
    const env = { LIFELINE_CODEX_PID: String(codex.pid) };
    const payload = (ev: string, turn: string) =>
      JSON.stringify({
        session_id: "live",
        turn_id: turn,
        cwd: "/",
        hook_event_name: ev,
        prompt: "p",
        stop_hook_active: false,
      });
    try {
      assert.equal(
        (await runHookProcess("UserPromptSubmit", payload("UserPromptSubmit", "t1"), sb, { env })).code,
        0,
      );
      await until("the sidecar to connect", () => hub.connected().includes("live"));
      const hb = heartbeatPath(sb.stateDir, "live");
      const firstPid = Number(Deno.readTextFileSync(hb));
      assert.ok(firstPid > 0);

      const res = await fetch(`${hub.url}/sessions/live/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${hub.token}` },
        body: JSON.stringify({ kind: "notify", text: "deploy finished" }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      await res.body?.cancel();
      const stop = await runHookProcess("Stop", payload("Stop", "t1"), sb, { env });
      assert.match(JSON.parse(stop.stdout).reason, /deploy finished/);

      // A dead sidecar is restarted by the next hook.
      Deno.kill(firstPid, "SIGKILL");
      Deno.removeSync(hb);
      await until("the hub to see the drop", () => !hub.connected().includes("live"));
      const st0 = Store.open(sb.stateDir);
      assert.equal(st0.session("live")!.status, "busy", "a dropped transport never changes status");
      st0.close();
      assert.equal(
        (await runHookProcess("UserPromptSubmit", payload("UserPromptSubmit", "t2"), sb, { env })).code,
        0,
      );
      await until("a new sidecar to connect", () => hub.connected().includes("live"));
      assert.notEqual(Number(Deno.readTextFileSync(hb)), firstPid);

      // Codex dies: the sidecar records the session offline and exits.
      codex.kill("SIGKILL");
      await codex.status;
      await until("the sidecar to record the session offline", () => {
        const st = Store.open(sb.stateDir);
        const s = st.session("live");
        st.close();
        return s?.status === "offline";
      });
      const st = Store.open(sb.stateDir);
      assert.equal(st.session("live")!.end_reason, "process_gone");
      st.close();
      await until("the sidecar to exit", () => !hub.connected().includes("live"));
      await until("the heartbeat to go", () => {
        try {
          Deno.statSync(hb);
          return false;
        } catch {
          return true;
        }
      });
    } finally {
      try {
        codex.kill("SIGKILL");
      } catch { /* already dead */ }
      await hub.close();
      await sb.cleanup();
    }
  },
});

/** Starts `hub/sidecar.ts` as its own process in `cwd`, for a stand-in Codex that sleeps. */
function spawnSidecar(cwd: string, stateDir: string, codexPid: number) {
  const script = new URL("../../hub/sidecar.ts", import.meta.url).pathname;
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script, `--state-dir=${stateDir}`, "--session=s", `--codex-pid=${codexPid}`],
    cwd,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/**
 * Waits until the sidecar beats for the second time: the first beat comes before it opens the store,
 * the second from its check loop, once it runs. (The hook that starts a sidecar creates `sidecars/`.)
 */
async function running(stateDir: string, side: Deno.ChildProcess): Promise<void> {
  const beat = () => {
    try {
      const hb = heartbeatPath(stateDir, "s");
      return Deno.readTextFileSync(hb) === String(side.pid) ? Deno.statSync(hb).mtime!.getTime() : 0;
    } catch {
      return 0;
    }
  };
  await until("the first heartbeat", () => beat() > 0);
  const first = beat();
  await until("the second heartbeat", () => beat() > first);
}

/** Waits for a process to exit; fails (and kills it) when it outlives `ms`. */
async function exits(child: Deno.ChildProcess, what: string, ms = 20_000): Promise<Deno.CommandStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  const status = await Promise.race([child.status, late]);
  clearTimeout(timer);
  if (status) return status;
  child.kill("SIGKILL");
  await child.status;
  throw new Error(`the sidecar did not exit within ${ms} ms after ${what}`);
}

Deno.test("a sidecar whose cwd was removed still notices that Codex is gone, and exits", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-sidecar-cwd-" });
  const codex = new Deno.Command("sleep", { args: ["600"], stdin: "null", stdout: "null", stderr: "null" })
    .spawn();
  try {
    const stateDir = `${dir}/state`;
    Deno.mkdirSync(`${dir}/cwd`, { recursive: true });
    Deno.mkdirSync(sidecarsDir(stateDir), { recursive: true });
    const side = spawnSidecar(`${dir}/cwd`, stateDir, codex.pid);
    await running(stateDir, side);
    Deno.removeSync(`${dir}/cwd`); // like a hook run from a workspace that is deleted later
    codex.kill("SIGKILL");
    await codex.status;
    assert.equal((await exits(side, "its Codex died")).code, 0);
  } finally {
    try {
      codex.kill("SIGKILL");
    } catch { /* already dead */ }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a sidecar exits when its state dir is removed, though its Codex lives", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-sidecar-state-" });
  const codex = new Deno.Command("sleep", { args: ["600"], stdin: "null", stdout: "null", stderr: "null" })
    .spawn();
  try {
    const stateDir = `${dir}/state`;
    Deno.mkdirSync(sidecarsDir(stateDir), { recursive: true });
    const side = spawnSidecar(dir, stateDir, codex.pid);
    await running(stateDir, side);
    Deno.removeSync(stateDir, { recursive: true });
    assert.equal((await exits(side, "its state dir was removed")).code, 0);
  } finally {
    codex.kill("SIGKILL");
    await codex.status;
    await Deno.remove(dir, { recursive: true });
  }
});
