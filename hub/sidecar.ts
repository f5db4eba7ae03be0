/**
 * A session's sidecar: keeps a WebSocket to the hub, writes what the hub
 * delivers into the session's inbox (the next hook hands it to Codex), and
 * beats a heartbeat file so hooks can tell it lives. Reconnects with capped
 * exponential backoff (min(2^(n-1), 30) s); exits when the Codex process is
 * gone (recording the session offline), the session has ended, or the state
 * dir was removed (nothing is left to deliver into).
 *
 * Started detached by the hooks (`hooks/_sidecar.ts`) when the hub is in use;
 * the files they share are in `hub/sidecar_files.ts`. Imports nothing from npm:
 * it runs with `--no-config`, so no import map either.
 *
 * @module
 */

import { Store } from "../lifecycle/store/mod.ts";
import { readHubInfo, readHubToken, removeHeartbeat, writeHeartbeat } from "./sidecar_files.ts";
import type { HubFrame } from "./protocol.ts";

/** Backoff before reconnect attempt `n` (1-based), in ms. */
export function backoffMs(n: number): number {
  return Math.min(2 ** Math.max(0, n - 1), 30) * 1000;
}

/** Whether process `pid` lives, asked with `kill -0` (no /proc access needed). */
export async function pidAlive(pid: number): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", `kill -0 ${pid} 2>/dev/null`],
      // The sidecar inherits the starting hook's cwd, which may since have been removed; spawning there
      // fails, and a sidecar that can never tell would outlive its Codex.
      cwd: "/",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return true; // cannot tell: do not declare it dead
  }
}

/** Runs the sidecar until Codex, the session or the state dir is gone. */
export async function runSidecar(
  o: { stateDir: string; sessionId: string; codexPid: number | null; hubUrl?: string },
): Promise<string> {
  const beat = () => {
    try {
      writeHeartbeat(o.stateDir, o.sessionId, String(Deno.pid));
    } catch { /* the state dir went away */ }
  };
  beat();
  let stopped: string | undefined;
  let socket: WebSocket | undefined;
  let attempt = 0;
  const store = Store.open(o.stateDir);
  const stateDirGone = () => {
    try {
      Deno.statSync(o.stateDir);
      return false;
    } catch (e) {
      return e instanceof Deno.errors.NotFound;
    }
  };
  const check = async () => {
    if (stateDirGone()) return (stopped = `the state dir ${o.stateDir} is gone`);
    beat();
    const s = store.session(o.sessionId);
    if (s?.status === "offline") return (stopped = `the session ended (${s.end_reason ?? "unknown"})`);
    if (o.codexPid && !(await pidAlive(o.codexPid))) {
      store.maintain({
        now: new Date().toISOString(),
        staleBusyMs: Infinity,
        alive: (pid) => (pid === o.codexPid ? false : undefined),
      });
      return (stopped = `the Codex process ${o.codexPid} is gone`);
    }
  };
  const connect = () => {
    const info = readHubInfo(o.stateDir);
    const base = o.hubUrl || info?.url;
    const token = readHubToken(o.stateDir) ?? ""; // none yet: no hub has started here
    if (!base || !token) return scheduleReconnect();
    const ws = new WebSocket(base.replace(/^http/, "ws") + "/ws");
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      ws.send(JSON.stringify({ type: "connect", session_id: o.sessionId, pid: o.codexPid, token }));
    };
    ws.onmessage = (ev) => {
      let f: HubFrame;
      try {
        f = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (f.type === "deliver") {
        store.addDelivery({
          id: f.id,
          session_id: o.sessionId,
          kind: f.kind,
          text: f.text,
          created_at: f.created_at,
        });
        ws.send(JSON.stringify({ type: "ack", id: f.id }));
      } else if (f.type === "ping") ws.send(JSON.stringify({ type: "pong" }));
    };
    ws.onclose = () => {
      if (socket === ws) socket = undefined;
      if (!stopped) scheduleReconnect();
    };
    ws.onerror = () => {};
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const scheduleReconnect = () => {
    if (stopped || timer) return;
    attempt++;
    timer = setTimeout(() => {
      timer = undefined;
      connect();
    }, backoffMs(attempt));
  };
  connect();
  while (!stopped) {
    await new Promise((r) => setTimeout(r, 2000));
    await check();
  }
  if (timer) clearTimeout(timer);
  try {
    socket?.close(1000, stopped);
  } catch { /* gone */ }
  store.close();
  removeHeartbeat(o.stateDir, o.sessionId);
  return stopped;
}

if (import.meta.main) {
  const arg = (n: string) => Deno.args.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);
  const stateDir = arg("state-dir");
  const sessionId = arg("session");
  if (!stateDir || !sessionId) {
    Deno.stderr.writeSync(
      new TextEncoder().encode("usage: sidecar.ts --state-dir=DIR --session=ID [--codex-pid=N]\n"),
    );
    Deno.exit(2);
  }
  const pid = Number(arg("codex-pid"));
  let hubUrl: string | undefined;
  try {
    hubUrl = Deno.env.get("LIFELINE_HUB_URL") || undefined;
  } catch { /* not permitted */ }
  await runSidecar({
    stateDir,
    sessionId,
    codexPid: Number.isInteger(pid) && pid > 0 ? pid : null,
    ...(hubUrl ? { hubUrl } : {}),
  });
  Deno.exit(0);
}
