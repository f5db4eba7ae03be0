/**
 * The hub against a hostile local process: connection floods under a low open-file limit,
 * sockets that never authenticate, DNS-rebound Host names, oversized and malformed requests,
 * a stale `hub.json`, and the store's WAL files' mode. Real servers on loopback only.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startHub } from "../../hub/server.ts";
import { CLOSE } from "../../hub/protocol.ts";
import { hubInfoPath, hubInUse, readHubInfo } from "../../hub/sidecar_files.ts";
import { sandbox } from "../harness/hook_process.ts";
import { rawHttp, spawnHub, until } from "./_process.ts";

const HUB_MAIN = new URL("../../hub/mod.ts", import.meta.url).pathname;
const HUB_PROCESS = new URL("./_hub_process.ts", import.meta.url).pathname;

/** Opens `n` raw TCP connections that never send a byte; returns them (closed ones are skipped). */
async function flood(port: number, n: number): Promise<Deno.TcpConn[]> {
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < n; i++) {
    try {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    } catch {
      break; // the backlog is full: the flood has done what it can
    }
  }
  return conns;
}

const closeAll = (conns: Deno.TcpConn[]) =>
  conns.forEach((c) => {
    try {
      c.close();
    } catch { /* closed by the hub */ }
  });

async function healthz(url: string, token: string): Promise<number> {
  try {
    const r = await fetch(url + "/healthz", { headers: { authorization: `Bearer ${token}` } });
    await r.body?.cancel();
    return r.status;
  } catch {
    return 0;
  }
}

Deno.test("a flood of idle connections under `ulimit -n 256` is refused cleanly; the hub stays up and answers", async () => {
  const sb = await sandbox();
  const hub = await spawnHub([HUB_MAIN], {
    fdLimit: 256,
    env: { LIFELINE_STATE_DIR: sb.stateDir, LIFELINE_HUB_PORT: "0" },
  });
  const token = Deno.readTextFileSync(join(sb.stateDir, "hub.token")).trim();
  let conns: Deno.TcpConn[] = [];
  try {
    conns = await flood(hub.port, 400);
    assert.ok(conns.length > 256, `opened ${conns.length} connections, more than the hub's file limit`);
    // The cap stays full while the flood holds its connections: one more gets a clean 503 (once the
    // hub is through the flood's own refusals, which linger a second each).
    let refused = "";
    await until("a 503 for one more connection", async () => {
      refused = await rawHttp(hub.port, `GET /healthz HTTP/1.1\r\nhost: 127.0.0.1:${hub.port}\r\n\r\n`)
        .catch(() => "");
      return refused.startsWith("HTTP/1.1 503 ");
    });
    assert.match(refused, /too many open connections/);
    closeAll(conns);
    await until("the hub to answer /healthz again", async () => (await healthz(hub.url, token)) === 200);
    // A second flood: the hub did not merely survive once.
    conns = await flood(hub.port, 400);
    closeAll(conns);
    await until(
      "the hub to answer after a second flood",
      async () => (await healthz(hub.url, token)) === 200,
    );
    const racing = await Promise.race([hub.exited.then(() => "exited"), Promise.resolve("running")]);
    assert.equal(racing, "running", hub.stderr());
    assert.match(hub.stderr(), /refusing connections: \d+ are open \(the cap\)/);
    assert.doesNotMatch(hub.stderr(), new RegExp(token), "no secret in the log");
  } finally {
    closeAll(conns);
    await hub.stop();
    await sb.cleanup();
  }
});

Deno.test("out of file descriptors (no cap): the hub logs the failed accepts and keeps serving", async () => {
  const sb = await sandbox();
  const hub = await spawnHub([
    HUB_PROCESS,
    JSON.stringify({ stateDir: sb.stateDir, port: 0, maxConnections: 100_000 }),
  ], {
    fdLimit: 200,
  });
  const token = Deno.readTextFileSync(join(sb.stateDir, "hub.token")).trim();
  let conns: Deno.TcpConn[] = [];
  try {
    conns = await flood(hub.port, 300);
    await until(
      "the hub to run out of descriptors",
      () => /cannot accept a connection|cannot reach/.test(hub.stderr()),
    );
    closeAll(conns);
    await until("the hub to answer /healthz again", async () => (await healthz(hub.url, token)) === 200);
    assert.equal(
      await Promise.race([hub.exited.then(() => "exited"), Promise.resolve("running")]),
      "running",
    );
  } finally {
    closeAll(conns);
    await hub.stop();
    await sb.cleanup();
  }
});

Deno.test("a connection that sends nothing is closed after firstByteMs; a WebSocket that never authenticates after authTimeoutMs", async () => {
  const sb = await sandbox();
  const hub = startHub({
    stateDir: sb.stateDir,
    port: 0,
    firstByteMs: 300,
    authTimeoutMs: 300,
    pingMs: 60_000,
  });
  try {
    const idle = await Deno.connect({ hostname: "127.0.0.1", port: hub.port });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const n = await Promise.race([
      idle.read(new Uint8Array(16)).catch(() => null),
      new Promise<string>((r) => (timer = setTimeout(() => r("still open after 10 s"), 10_000))),
    ]);
    clearTimeout(timer);
    assert.equal(n, null, "the hub closed the silent connection");
    idle.close();
    const ws = new WebSocket(hub.url.replace("http", "ws") + "/ws");
    let timer2: ReturnType<typeof setTimeout> | undefined;
    const closed = await Promise.race([
      new Promise<CloseEvent>((r) => (ws.onclose = r)),
      new Promise<CloseEvent>((r) => (timer2 = setTimeout(() => {
        ws.close();
        r({ code: 0, reason: "still open after 10 s" } as CloseEvent);
      }, 10_000))),
    ]);
    clearTimeout(timer2);
    assert.equal(closed.code, CLOSE.authTimeout, closed.reason);
    assert.match(closed.reason, /not authenticated within 300 ms/);
  } finally {
    await hub.close();
    await sb.cleanup();
  }
});

Deno.test("hub.json is removed when the hub stops on SIGTERM or SIGHUP, and never left stale for hooks", async () => {
  for (const sig of ["SIGTERM", "SIGHUP"] as const) {
    const sb = await sandbox();
    const hub = await spawnHub([HUB_MAIN], {
      env: { LIFELINE_STATE_DIR: sb.stateDir, LIFELINE_HUB_PORT: "0" },
    });
    try {
      assert.equal(readHubInfo(sb.stateDir)?.url, hub.url);
      assert.equal(hubInUse(sb.stateDir, undefined), true);
      hub.child.kill(sig);
      await hub.exited;
      assert.equal(readHubInfo(sb.stateDir), undefined, `${sig}: hub.json removed`);
    } finally {
      await hub.stop();
      await sb.cleanup();
    }
  }
});

Deno.test("a hub.json left by a hub that died (not touched for 20 s) does not make hooks start sidecars", async () => {
  const sb = await sandbox();
  try {
    const hub = await spawnHub([HUB_MAIN], {
      env: { LIFELINE_STATE_DIR: sb.stateDir, LIFELINE_HUB_PORT: "0" },
    });
    hub.child.kill("SIGKILL"); // no chance to clean up
    await hub.exited;
    assert.ok(readHubInfo(sb.stateDir), "the killed hub left hub.json behind");
    assert.equal(hubInUse(sb.stateDir, undefined), true, "fresh: it may still be starting");
    const old = new Date(Date.now() - 21_000);
    Deno.utimeSync(hubInfoPath(sb.stateDir), old, old);
    assert.equal(hubInUse(sb.stateDir, undefined), false);
    assert.equal(
      hubInUse(sb.stateDir, "http://127.0.0.1:7571"),
      true,
      "LIFELINE_HUB_URL still says a hub is expected",
    );
  } finally {
    await sb.cleanup();
  }
});

Deno.test("a second hub on a port in use exits 1 with a reason, and leaves the running hub's hub.json alone", async () => {
  const sb = await sandbox();
  const first = startHub({ stateDir: sb.stateDir, port: 0, pingMs: 60_000 });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", HUB_MAIN],
      env: { LIFELINE_STATE_DIR: sb.stateDir, LIFELINE_HUB_PORT: String(first.port) },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 1);
    assert.match(
      new TextDecoder().decode(out.stderr),
      new RegExp(`cannot start on 127\\.0\\.0\\.1:${first.port}`),
    );
    assert.equal(readHubInfo(sb.stateDir)?.url, first.url, "the running hub's record stays");
  } finally {
    await first.close();
    await sb.cleanup();
  }
});
