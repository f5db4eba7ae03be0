/**
 * The real sidecar, started detached by a real hook process: it connects to
 * the hub, delivers, is restarted by the next hook when it died, and exits
 * (recording the session offline) when the Codex process is gone.
 */
import assert from "node:assert/strict";
import { startHub } from "../../hub/server.ts";
import { backoffMs } from "../../hub/sidecar.ts";
import { heartbeatPath } from "../../hooks/_sidecar.ts";
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
