/**
 * A session's sidecar: keeps a WebSocket to the hub, writes what the hub
 * delivers into the session's inbox (the next hook hands it to Codex), and
 * beats a heartbeat file so hooks can tell it lives. Reconnects with capped
 * exponential backoff (min(2^(n-1), 30) s); exits when the Codex process is
 * gone (recording the session offline), the session has ended, or the state
 * dir was removed (nothing is left to deliver into).
 *
 * It talks only to the hub recorded in its own state dir (`hub.json`, which
 * must be private to the user and name a loopback address), and trusts it only
 * once the hub has proved that it knows the hub token (`hub/protocol.ts`); the
 * token itself is never sent. `LIFELINE_HUB_URL` does not redirect it.
 *
 * Started detached by the hooks (`hooks/_sidecar.ts`) when the hub is in use;
 * the files they share are in `hub/sidecar_files.ts`. Imports nothing from npm:
 * it runs with `--no-config`, so no import map either.
 *
 * @module
 */

import { Store } from "../lifecycle/store/mod.ts";
import { hubInfoPath, readHubInfo, readHubToken, removeHeartbeat, writeHeartbeat } from "./sidecar_files.ts";
import { type HubFrame, hubProof, newNonce, sidecarProof } from "./protocol.ts";
import { timingSafeEqual } from "./auth.ts";

/**
 * The hub address to dial, from `hub.json`: only when the file is private to the user (no group or
 * other permission bits) and names `http://` on a loopback name with a port. Otherwise undefined.
 */
export function trustedHubUrl(stateDir: string): { url: string; port: number } | undefined {
  try {
    if ((Deno.statSync(hubInfoPath(stateDir)).mode ?? 0o777) & 0o077) return undefined;
  } catch {
    return undefined;
  }
  const info = readHubInfo(stateDir);
  if (typeof info?.url !== "string") return undefined;
  const m = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/.exec(info.url);
  if (!m) return undefined;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { url: info.url, port } : undefined;
}

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
  o: { stateDir: string; sessionId: string; codexPid: number | null },
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
    const hub = trustedHubUrl(o.stateDir);
    const token = readHubToken(o.stateDir) ?? ""; // none yet: no hub has started here
    if (!hub || !token) return scheduleReconnect();
    const ws = new WebSocket(hub.url.replace(/^http/, "ws") + "/ws");
    socket = ws;
    const nonce = newNonce();
    let state: "hello" | "proved" | "welcomed" = "hello";
    const send = (f: unknown) => {
      try {
        ws.send(JSON.stringify(f));
      } catch { /* closing */ }
    };
    ws.onopen = () => send({ type: "connect", session_id: o.sessionId, pid: o.codexPid, nonce });
    // One frame at a time: checking the hub's proof is asynchronous, and a delivery must not overtake it.
    let chain = Promise.resolve();
    const handle = async (data: unknown) => {
      let f: HubFrame;
      try {
        f = JSON.parse(String(data));
      } catch {
        return;
      }
      if (state === "hello") {
        // The first answer must be the hub's proof, bound to the port dialled; anything else is not it.
        const proved = f.type === "challenge" && typeof f.proof === "string" && typeof f.nonce === "string" &&
          timingSafeEqual(f.proof, await hubProof(token, hub.port, nonce));
        if (!proved || f.type !== "challenge") {
          return ws.close(1000, "the server did not prove it is the hub");
        }
        state = "proved";
        return send({ type: "auth", proof: await sidecarProof(token, f.nonce) });
      }
      if (state === "proved") {
        if (f.type !== "welcome") return; // nothing is accepted before the welcome
        state = "welcomed";
        attempt = 0;
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
        send({ type: "ack", id: f.id });
      } else if (f.type === "ping") send({ type: "pong" });
    };
    ws.onmessage = (ev) => {
      chain = chain.then(() => handle(ev.data)).catch(() => {});
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
  await runSidecar({ stateDir, sessionId, codexPid: Number.isInteger(pid) && pid > 0 ? pid : null });
  Deno.exit(0);
}
