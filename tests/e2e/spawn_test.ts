/**
 * `POST /sessions` against the REAL app-server daemon of Codex 0.169.0,
 * offline against the mock Responses server: the hub starts a thread in the
 * daemon with a first message, the model receives it framed, and the new
 * session is listed with its message delivered.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { say, startMockResponses } from "../harness/mock_responses.ts";
import { writeOfflineConfig } from "../harness/codex_cli.ts";
import { alive, startDaemon } from "../harness/app_server_daemon.ts";
import { startHub } from "../../hub/server.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: "POST /sessions starts a session in the real 0.169.0 daemon with its first message",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "lifeline-e2e-spawn-" });
    const codexHome = join(root, "codex");
    const home = join(root, "home");
    const cwd = join(root, "ws");
    await Deno.mkdir(home, { recursive: true });
    await Deno.mkdir(cwd, { recursive: true });
    const mock = startMockResponses([say("Started as asked.")]);
    await Deno.mkdir(codexHome, { recursive: true });
    await writeOfflineConfig(codexHome, mock.url, "");
    const daemon = await startDaemon({ version: "0.169.0", codexHome, home, cwd });
    const hub = startHub({
      stateDir: join(root, "state"),
      port: 0,
      pingMs: 60_000,
      home,
      appServer: { socketPath: daemon.socketPath, bridge: { pollMs: 100 } },
    });
    const api = async (path: string, init: RequestInit = {}) => {
      const r = await fetch(hub.url + path, {
        ...init,
        headers: { authorization: `Bearer ${hub.token}`, "content-type": "application/json" },
      });
      return { status: r.status, body: await r.json() };
    };
    try {
      await hub.appServer!.ready();
      const bad = await api("/sessions", {
        method: "POST",
        body: JSON.stringify({ cwd: "relative", message: "x" }),
      });
      assert.equal(bad.status, 400);
      const r = await api("/sessions", {
        method: "POST",
        body: JSON.stringify({ cwd, message: "start on the report", from: "lead" }),
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.via, "app-server");
      await mock.waitForRequests(1);
      assert.match(
        JSON.stringify(mock.requests[0]),
        /<lifeline-message from=\\"lead\\" kind=\\"notify\\" id=\\"[^"\\]+\\">start on the report</,
      );
      // The bridge reports the new thread like any other; poll the hub's answer.
      let s: Record<string, unknown> | undefined;
      for (let i = 0; i < 300 && !(s && (s.turns as unknown[]).length > 0 && s.turn_state === "idle"); i++) {
        await sleep(100);
        const got = await api(`/sessions/${r.body.session_id}`);
        s = got.status === 200 ? got.body : undefined;
      }
      assert.ok(s, "the spawned session is listed");
      assert.ok((s.sources as string[]).includes("app-server"));
      assert.deepEqual((s.turns as { outcome: string }[]).map((t) => t.outcome), ["completed"]);
      const m = (await api(`/messages/${r.body.message_id}`)).body;
      assert.deepEqual([m.session_id, m.status, m.via, m.from], [
        r.body.session_id,
        "delivered",
        "app-server",
        "lead",
      ]);
    } finally {
      await hub.close();
      await daemon.stop();
      await mock.close();
    }
    assert.ok(!alive(daemon.pid), `daemon ${daemon.pid} is still running`);
    if (daemon.helperPid !== null) {
      assert.ok(!alive(daemon.helperPid), `helper ${daemon.helperPid} still runs`);
    }
    await Deno.remove(root, { recursive: true }).catch(() => {});
  },
});
