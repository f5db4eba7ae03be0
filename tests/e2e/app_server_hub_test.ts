/**
 * The hub against the REAL interactive TUI of Codex 0.169.0 and 0.171.0 in its app-server
 * daemon (tmux, offline against the routed mock), with nothing typed:
 *
 * (a) the session is listed in `GET /sessions` before its first prompt, in
 *     `pending_first_turn`, transport `app-server`;
 * (b) a notify reaches the model with no key pressed, `delivered`, and the
 *     TUI never shows "Blocked by hook";
 * (c) an ask is `answered` with the session's reply;
 * (d) the daemon is killed and started again while the hub runs: the
 *     session's status does not change, a notify sent meanwhile waits, and
 *     once the TUI's thread is back in the new daemon the bridge hands it over.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { say } from "../harness/mock_responses.ts";
import { processesMentioning, startTuiRig, type TuiRig } from "../harness/tui.ts";
import { startHub } from "../../hub/server.ts";
import { appServerSocketPath } from "../../lifecycle/settings.ts";

/** 0.169.0 made the daemon the TUI's default; 0.171.0 is the newest release. */
const VERSIONS = ["0.169.0", "0.171.0"];
const CLI = new URL("../../cli/mod.ts", import.meta.url).pathname;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it gives a value (the hub and the TUI work in the background). */
async function poll<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Writes a measurement where a person running the test sees it. */
const report = (line: string) => Deno.stderr.writeSync(new TextEncoder().encode(`${line}\n`));

const turnTexts = (rig: TuiRig) =>
  rig.mock.log.filter((r) => r.kind === "turn").map((r) => JSON.stringify(r.body));

for (const VERSION of VERSIONS) {
  Deno.test({
    name:
      `real TUI ${VERSION} (daemon) with the hub: listed before the first prompt, reached with no key pressed`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const rig = await startTuiRig({
        version: VERSION,
        replies: [say("Noted."), say("The answer is 42."), say("Back again.")],
      });
      const stateDir = join(rig.root, "state");
      const t0 = Date.now();
      const bridgeLog: string[] = [];
      // The hub starts first: it must notice the daemon the TUI starts later.
      const hub = startHub({
        stateDir,
        port: 0,
        pingMs: 60_000,
        home: rig.home,
        appServer: {
          socketPath: appServerSocketPath(rig.codexHome),
          bridge: { pollMs: 200, log: (l) => bridgeLog.push(`${Date.now() - t0} ${l}`) },
        },
      });
      const api = async (path: string, init: RequestInit = {}) => {
        const r = await fetch(hub.url + path, {
          ...init,
          headers: { authorization: `Bearer ${hub.token}`, "content-type": "application/json" },
        });
        return { status: r.status, body: await r.json() };
      };
      const post = (path: string, body: unknown) => api(path, { method: "POST", body: JSON.stringify(body) });
      const screens: string[] = [];
      const watch = setInterval(() => void rig.screen("a").then((s) => screens.push(s)).catch(() => {}), 300);
      try {
        await rig.launch("a");
        const launchedAt = Date.now();
        // The TUI starts its daemon some seconds after its screen is up; the session exists from then on.
        const socket = appServerSocketPath(rig.codexHome);
        await poll(
          "the daemon's socket",
          60_000,
          () => Deno.stat(socket).then((s) => (s.isSocket ? true : undefined), () => undefined),
        );
        const socketAt = Date.now();
        // (a) Listed with nothing typed.
        const session = await poll("the session in GET /sessions", 5_000, async () => {
          const list = (await api("/sessions")).body.sessions as Record<string, unknown>[];
          return list.find((s) => s.transport === "app-server");
        });
        const listedMs = Date.now() - socketAt;
        const sid = session.session_id as string;
        assert.equal(session.turn_state, "pending_first_turn");
        assert.equal(session.status, "online");
        assert.deepEqual(session.sources, ["app-server"]);
        // The status JSON (what `lifeline status --json` prints) lists it too, from the same store.
        const status = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", CLI, "status", "--json", "--state-dir", stateDir],
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(status.code, 0, new TextDecoder().decode(status.stderr));
        const listed = (JSON.parse(new TextDecoder().decode(status.stdout)) as {
          sessions: Record<string, unknown>[];
        }).sessions.find((s) => s.session_id === session.session_id);
        assert.equal(
          listed?.turn_state,
          "pending_first_turn",
          "lifeline status --json lists it before any prompt",
        );
        report(
          `daemon socket ${socketAt - launchedAt} ms after the TUI's screen; listed ${listedMs} ms later`,
        );
        if (bridgeLog.length) report(bridgeLog.join("\n"));

        // (b) A notify with no key pressed.
        const sentAt = Date.now();
        const n = await post(`/sessions/${sid}/messages`, {
          kind: "notify",
          text: "note from e2e",
          from: "e2e",
        });
        assert.deepEqual([n.status, n.body.status, n.body.via], [200, "delivered", "app-server"]);
        // Within 5 s of sending, with no key pressed.
        await poll(
          "the notify at the model",
          5_000,
          () => Promise.resolve(turnTexts(rig).some((t) => t.includes("note from e2e")) ? true : undefined),
        );
        const reachedMs = Date.now() - sentAt;
        report(`notify reached the model ${reachedMs} ms after it was sent`);
        assert.match(
          turnTexts(rig).find((t) => t.includes("note from e2e"))!,
          /lifeline-message from=\\"e2e\\"/,
        );
        assert.equal((await api(`/messages/${n.body.id}`)).body.status, "delivered");
        await rig.waitForScreen("a", /Noted\./, 30_000);

        // (c) An ask is answered by the turn's final message.
        const ask = await post(`/sessions/${sid}/messages`, {
          kind: "ask",
          text: "what is the answer?",
          from: "e2e",
        });
        assert.deepEqual([ask.status, ask.body.via], [200, "app-server"]);
        const answered = await poll("the answer", 60_000, async () => {
          const m = (await api(`/messages/${ask.body.id}`)).body;
          return m.status === "answered" ? m : undefined;
        });
        assert.equal(answered.reply, "The answer is 42.");
        await rig.waitForScreen("a", /The answer is 42\./, 30_000);
        const before = (await api(`/sessions/${sid}`)).body;
        // The ask may have steered into the notify's turn while it ran: either way every turn completed.
        assert.ok(
          before.turns.length >= 1 &&
            before.turns.every((t: { outcome: string }) => t.outcome === "completed"),
        );
        assert.ok(before.turns.every((t: { tokens: unknown }) => t.tokens !== null), "tokens per turn");
        assert.ok(
          screens.every((s) => !/Blocked by hook/i.test(s)),
          "the TUI never shows Blocked by hook",
        );

        // (d) Kill the daemon, send meanwhile, start it again.
        await rig.killDaemon("SIGKILL");
        const down = await poll("transport after the kill", 30_000, async () => {
          const s = (await api(`/sessions/${sid}`)).body;
          return s.transport !== "app-server" ? s : undefined;
        });
        assert.deepEqual(
          [down.status, down.turn_state],
          [before.status, before.turn_state],
          "status unchanged",
        );
        const q = await post(`/sessions/${sid}/messages`, { kind: "notify", text: "while you were away" });
        assert.deepEqual([q.status, q.body.status], [202, "queued"]);
        await new Deno.Command(rig.bin, {
          args: ["app-server", "daemon", "start"],
          cwd: rig.ws,
          env: { ...rig.env, PATH: Deno.env.get("PATH") ?? "" },
          stdout: "null",
          stderr: "null",
        }).output();
        await poll(
          "the queued notify at the model",
          120_000,
          () =>
            Promise.resolve(turnTexts(rig).some((t) => t.includes("while you were away")) ? true : undefined),
        );
        const m = (await api(`/messages/${q.body.id}`)).body;
        assert.deepEqual([m.status, m.via], ["delivered", "app-server"]);
        const back = (await api(`/sessions/${sid}`)).body;
        assert.equal(back.transport, "app-server", "the session is back on the bridge");
        assert.ok(screens.every((s) => !/Blocked by hook/i.test(s)), "never Blocked by hook");
      } finally {
        clearInterval(watch);
        await hub.close();
        await rig.stop();
        await Deno.remove(rig.root, { recursive: true }).catch(() => {});
      }
      const left = await processesMentioning(rig.codexHome);
      assert.deepEqual(left.map((p) => p.pid), [], "no process of the rig is left");
    },
  });
}
