/**
 * `POST /sessions` with the REAL Codex 0.169.0, offline against the mock
 * Responses server, both ways:
 * - with the app-server daemon: the hub starts a thread in the daemon with a
 *   first message, the model receives it framed, and the new session is
 *   listed with its message delivered;
 * - without a daemon: the hub runs a background `codex exec` of the message
 *   in a Codex home with lifeline's hooks; the session is listed at once, its
 *   first turn runs, and the hooks record it with that prompt.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { say, startMockResponses } from "../harness/mock_responses.ts";
import { ensureCodex, runCodexExec, writeOfflineConfig } from "../harness/codex_cli.ts";
import { alive, startDaemon } from "../harness/app_server_daemon.ts";
import { sandbox } from "../harness/hook_process.ts";
import { installLifelineForTest } from "../harness/lifeline_codex.ts";
import { startHub } from "../../hub/server.ts";
import type { ExecChild } from "../../hub/spawn_exec.ts";

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

Deno.test({
  name: "POST /sessions without a daemon runs a background codex exec 0.169.0 that the hooks record",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const sb = await sandbox();
    const mock = startMockResponses([say("Spawned and done."), say("Resumed.")]);
    await installLifelineForTest(sb, mock.url);
    const cwd = join(sb.home, "ws");
    await Deno.mkdir(cwd);
    const children: ExecChild[] = [];
    const hub = startHub({
      stateDir: sb.stateDir,
      port: 0,
      pingMs: 60_000,
      home: sb.home,
      codex: {
        bin: await ensureCodex(),
        env: { CODEX_HOME: sb.codexHome, HOME: sb.home, MOCK_API_KEY: "x", LIFELINE_SIDECAR: "off" },
        onChild: (c) => {
          c.ref();
          children.push(c);
        },
      },
    });
    const api = async (path: string, init: RequestInit = {}) => {
      const r = await fetch(hub.url + path, {
        ...init,
        headers: { authorization: `Bearer ${hub.token}`, "content-type": "application/json" },
      });
      return { status: r.status, body: await r.json() };
    };
    try {
      const r = await api("/sessions", {
        method: "POST",
        body: JSON.stringify({ cwd, message: "write the release notes", from: "lead" }),
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.via, "exec");
      assert.equal(children.length, 1);
      // Listed at once, before its hooks said anything more.
      const listed = (await api("/sessions")).body.sessions as { session_id: string }[];
      assert.deepEqual(listed.map((s) => s.session_id), [r.body.session_id]);
      await mock.waitForRequests(1);
      assert.match(
        JSON.stringify(mock.requests[0]),
        /<lifeline-message from=\\"lead\\" kind=\\"notify\\" id=\\"[^"\\]+\\">write the release notes</,
      );
      const status = await children[0]!.status;
      assert.equal(status.code, 0, await Deno.readTextFile(r.body.log.replace(/\.jsonl$/, ".stderr.log")));
      const s = (await api(`/sessions/${r.body.session_id}`)).body;
      assert.deepEqual((s.turns as { outcome: string }[]).map((t) => t.outcome), ["completed"]);
      assert.match(s.turns[0].prompt, /kind="notify" id="[^"]+">write the release notes<\/lifeline-message>/);
      assert.equal(s.cwd, "~/ws");
      assert.equal(s.status, "offline", "codex exec ended the session");
      const m = (await api(`/messages/${r.body.message_id}`)).body;
      assert.deepEqual([m.session_id, m.status, m.from], [r.body.session_id, "delivered", "lead"]);
      // Resumable later by the id the hub answered: `codex exec resume <id>` continues the same session.
      assert.match(await Deno.readTextFile(r.body.log), new RegExp(`"thread_id":"${r.body.session_id}"`));
      const again = await runCodexExec({
        codexHome: sb.codexHome,
        args: ["resume", r.body.session_id],
        prompt: "and the changelog",
        cwd,
        env: { HOME: sb.home, LIFELINE_SIDECAR: "off" },
      });
      assert.equal(again.code, 0, again.stderr.slice(-2000));
      assert.equal(JSON.parse(again.stdout.split("\n")[0]!).thread_id, r.body.session_id);
      const resumed = (await api(`/sessions/${r.body.session_id}`)).body;
      assert.deepEqual(resumed.turns.map((t: { prompt: string }) => t.prompt).slice(1), [
        "and the changelog",
      ]);
    } finally {
      for (const c of children) c.kill("SIGKILL");
      await Promise.all(children.map((c) => c.status));
      await hub.close();
      await mock.close();
      await sb.cleanup();
    }
    for (const c of children) assert.ok(!alive(c.pid), `codex exec ${c.pid} is still running`);
  },
});
