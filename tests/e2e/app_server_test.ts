/**
 * The bridge against the REAL app-server daemon of Codex 0.169.0 and 0.171.0, offline
 * against the mock Responses server: a client standing in for the TUI starts
 * a thread; the bridge sees it before its first prompt, delivers messages by
 * `turn/start` (idle) and `turn/steer` (running), and turns what the daemon
 * says into observations. With `LIFELINE_RECORD_APP_SERVER=1` the bridge's
 * side of the run is written to `tests/testdata/recorded/app_server/<version>/`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startAppServerBridge } from "../../hub/app_server/bridge.ts";
import { collector } from "../harness/observations.ts";
import { connectAppServer } from "../../hub/app_server/client.ts";
import { parseThreadResult, threadStartRequest } from "../../codex/app_server/requests.ts";
import { hookTrustHash, hookTrustKey } from "../../codex/trust.ts";
import type { HookEventName } from "../../codex/events.ts";
import { type MockReply, say, shell, startMockResponses } from "../harness/mock_responses.ts";
import { writeOfflineConfig } from "../harness/codex_cli.ts";
import { alive, startDaemon } from "../harness/app_server_daemon.ts";

/** 0.169.0 is the release the daemon became the TUI default in; 0.171.0 the newest. */
const VERSIONS = ["0.169.0", "0.171.0"];
const recordDir = (version: string) =>
  fileURLToPath(new URL(`../testdata/recorded/app_server/${version}/`, import.meta.url));

/** Two cheap trusted hooks, so the daemon reports hook runs (`hook/started`, `hook/completed`). */
async function writeHooks(codexHome: string, log: string): Promise<string> {
  const hooksPath = join(codexHome, "hooks.json");
  const events: HookEventName[] = ["UserPromptSubmit", "Stop"];
  const file: { hooks: Record<string, unknown> } = { hooks: {} };
  const trust: string[] = [];
  for (const event of events) {
    const handler = { type: "command", command: `sh -c 'cat >> ${log}; echo >> ${log}'`, timeout: 10 };
    file.hooks[event] = [{ hooks: [handler] }];
    const key = JSON.stringify(hookTrustKey(hooksPath, event, 0, 0));
    trust.push(`[hooks.state.${key}]\ntrusted_hash = "${hookTrustHash(event, {}, handler)}"\n`);
  }
  await Deno.mkdir(codexHome, { recursive: true });
  await Deno.writeTextFile(hooksPath, JSON.stringify(file, null, 2) + "\n");
  return trust.join("\n");
}

function requestText(body: unknown): string {
  return JSON.stringify(body);
}

for (const VERSION of VERSIONS) {
  Deno.test({
    name: `the bridge reads and delivers through the real ${VERSION} daemon`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const root = await Deno.makeTempDir({ prefix: "lifeline-e2e-appsrv-" });
      const codexHome = join(root, "codex");
      const home = join(root, "home");
      const cwd = join(root, "ws");
      await Deno.mkdir(home, { recursive: true });
      await Deno.mkdir(cwd, { recursive: true });
      const replies: MockReply[] = [
        say("hello from the mock"),
        shell("exit 3"),
        say("after the shell"),
        { items: [{ kind: "message", text: "never sent" }], hang: true },
        say("steered reply"),
      ];
      const mock = startMockResponses(replies);
      const trust = await writeHooks(codexHome, join(root, "hooks.log"));
      await writeOfflineConfig(codexHome, mock.url, trust);
      const daemon = await startDaemon({ version: VERSION, codexHome, home, cwd });
      const t0 = Date.now();
      const recording: string[] = [];
      const obs = collector();
      const { seen, until } = obs;
      const bridge = startAppServerBridge({
        socketPath: daemon.socketPath,
        sink: obs.sink,
        connect: (path) =>
          connectAppServer(path, {
            clientVersion: "0.1.0",
            tap: (dir, text) =>
              recording.push(JSON.stringify({ ms: Date.now() - t0, dir, message: JSON.parse(text) })),
          }),
      });
      const tui = await connectAppServer(daemon.socketPath, {
        clientName: "stand-in-tui",
        clientVersion: "1",
      });
      try {
        await bridge.ready();
        const start = threadStartRequest({ cwd });
        const thread = parseThreadResult(await tui.request(start.method, start.params));
        assert.ok(thread, "thread/start answers with a thread");
        const threadId = thread.id;
        await until((o) => o.kind === "session_seen" && o.threadId === threadId);
        const first = seen.find((o) => o.kind === "session_seen" && o.threadId === threadId);
        assert.equal(first?.kind === "session_seen" && first.turnState, "pending_first_turn");

        // 1. An idle thread: turn/start, the mock model receives the framed text.
        const d1 = await bridge.deliver(threadId, "please say hello", { from: "e2e", kind: "notify" });
        assert.equal(d1.method, "turn/start");
        await mock.waitForRequests(1);
        assert.match(
          requestText(mock.requests[0]),
          /<lifeline-message from=\\"e2e\\" kind=\\"notify\\">please say hello<\/lifeline-message>/,
        );
        await until((o) => o.kind === "turn_ended" && o.turnId === d1.turnId);

        // 2. A shell command that exits 3.
        const d2 = await bridge.deliver(threadId, "run the shell", { kind: "notify" });
        await until((o) => o.kind === "turn_ended" && o.turnId === d2.turnId);

        // 3. A turn that hangs: the next message steers it.
        const d3 = await bridge.deliver(threadId, "hang for a while", { kind: "notify" });
        await mock.waitForRequests(4);
        await until((o) => o.kind === "turn_started" && o.turnId === d3.turnId);
        const d4 = await bridge.deliver(threadId, "steer into the running turn", {
          from: "e2e",
          kind: "ask",
        });
        assert.deepEqual(d4, { method: "turn/steer", turnId: d3.turnId });
        await until((o) => o.kind === "turn_ended" && o.turnId === d3.turnId);
        assert.ok(
          mock.requests.slice(4).some((r) => requestText(r).includes("steer into the running turn")),
          "the steered text reaches the model",
        );

        const mine = seen.filter((o) => o.kind !== "transport" && o.threadId === threadId);
        const ended = mine.filter((o) => o.kind === "turn_ended");
        assert.deepEqual(ended.map((o) => o.kind === "turn_ended" && [o.turnId, o.outcome]), [
          [d1.turnId, "completed"],
          [d2.turnId, "completed"],
          [d3.turnId, "completed"],
        ]);
        assert.equal(ended[0]?.kind === "turn_ended" && ended[0].lastAssistantMessage, "hello from the mock");
        const tool = mine.find((o) => o.kind === "tool_invocation");
        assert.equal(tool?.kind === "tool_invocation" && tool.exitCode, 3);
        assert.ok(mine.some((o) => o.kind === "activity" && o.state === "busy"));
        assert.ok(mine.some((o) => o.kind === "activity" && o.state === "idle"));
        assert.ok(mine.some((o) => o.kind === "tokens"));
        assert.ok(mine.some((o) => o.kind === "hook_ran" && o.event === "userPromptSubmit"));
        assert.ok(mine.some((o) => o.kind === "hook_ran" && o.event === "stop" && o.phase === "completed"));
        assert.ok(
          !seen.some((o) => o.kind === "session_seen" && o.threadId !== threadId),
          "no other session",
        );
        const lines = () => recording.map((l) => JSON.parse(l));
        assert.ok(!lines().some((l) => l.dir === "send" && l.message.method === undefined), "no answer sent");
        const noisy = lines().filter((l) =>
          ["item/started", "account/rateLimits/updated"].includes(l.message.method)
        );
        assert.deepEqual(noisy, [], "the daemon honours optOutNotificationMethods");

        // The bridge holds a subscription only while a turn runs: once the TUI leaves, the daemon
        // unloads the thread (SessionEnd, thread/closed) 60 s later, as it does without lifeline.
        const unsubscribes = lines().filter((l) =>
          l.dir === "send" && l.message.method === "thread/unsubscribe"
        );
        assert.equal(unsubscribes.length, 3, "one unsubscribe after each of the three turns");
        tui.close();
        let deadline: ReturnType<typeof setTimeout> | undefined;
        const closed = await Promise.race([
          until((o) => o.kind === "offline" && o.threadId === threadId).then(() => true),
          new Promise<false>((resolve) => (deadline = setTimeout(() => resolve(false), 150_000))),
        ]);
        clearTimeout(deadline);
        assert.ok(closed, "the daemon never closed the thread: the bridge keeps it loaded");
      } finally {
        tui.close();
        await bridge.stop();
        await daemon.stop();
        await mock.close();
      }
      assert.ok(!alive(daemon.pid), `daemon ${daemon.pid} is still running`);
      if (daemon.helperPid !== null) {
        assert.ok(!alive(daemon.helperPid), `helper ${daemon.helperPid} is still running`);
      }
      if (Deno.env.get("LIFELINE_RECORD_APP_SERVER") === "1") {
        await Deno.mkdir(recordDir(VERSION), { recursive: true });
        const text = recording.join("\n").replaceAll(root, "/tmp/lifeline-e2e") + "\n";
        await Deno.writeTextFile(join(recordDir(VERSION), "deliver_start_steer.jsonl"), text);
      }
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  });
}
