/**
 * What the real daemon (0.169.0) tells lifeline about a manual compaction, `/compact` in the TUI,
 * which the TUI sends as `thread/compact/start`: the probe that the two-source property test's
 * synthesized view relies on. A compaction between turns runs under its own turn id with no prompt,
 * so it must not become a turn of the session; and a message sent while it runs (the daemon takes
 * no input during a compaction) is delivered once it ends.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startAppServerBridge } from "../../hub/app_server/bridge.ts";
import { collector } from "../harness/observations.ts";
import { connectAppServer } from "../../hub/app_server/client.ts";
import { parseThreadResult, threadStartRequest } from "../../codex/app_server/requests.ts";
import { say, startMockResponses } from "../harness/mock_responses.ts";
import { writeOfflineConfig } from "../harness/codex_cli.ts";
import { alive, startDaemon } from "../harness/app_server_daemon.ts";

Deno.test({
  name: "a manual compaction through the real 0.169.0 daemon",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "lifeline-e2e-compact-" });
    const codexHome = join(root, "codex");
    const home = join(root, "home");
    const cwd = join(root, "ws");
    await Deno.mkdir(home, { recursive: true });
    await Deno.mkdir(cwd, { recursive: true });
    await Deno.mkdir(codexHome, { recursive: true });
    const mock = startMockResponses([say("First answer."), {
      ...say("Summary of the conversation."),
      delayMs: 1500,
    }, say("Two.")]);
    await writeOfflineConfig(codexHome, mock.url, "");
    const daemon = await startDaemon({ version: "0.169.0", codexHome, home, cwd });
    const t0 = Date.now();
    // deno-lint-ignore no-explicit-any
    const recording: { ms: number; dir: string; message: any }[] = [];
    const obs = collector();
    const { seen, until } = obs;
    const logs: string[] = [];
    const bridge = startAppServerBridge({
      socketPath: daemon.socketPath,
      log: (line) => logs.push(line),
      sink: obs.sink,
      connect: (path) =>
        connectAppServer(path, {
          clientVersion: "0.1.0",
          tap: (dir, text) => recording.push({ ms: Date.now() - t0, dir, message: JSON.parse(text) }),
        }),
    });
    const tui = await connectAppServer(daemon.socketPath, { clientName: "stand-in-tui", clientVersion: "1" });
    try {
      await bridge.ready();
      const start = threadStartRequest({ cwd });
      const thread = parseThreadResult(await tui.request(start.method, start.params));
      assert.ok(thread);
      const threadId = thread.id;
      await until((o) => o.kind === "session_seen" && o.threadId === threadId);
      const d1 = await bridge.deliver(threadId, "first", { kind: "notify" });
      await until((o) => o.kind === "turn_ended" && o.turnId === d1.turnId);
      const answer = await tui.request("thread/compact/start", { threadId });
      assert.deepEqual(answer, {}, "thread/compact/start answers at once, before the compaction runs");
      // A message sent while the compaction runs: the daemon refuses input to a compaction turn
      // (ActiveTurnNotSteerable), so the bridge starts the message's turn once the thread is idle.
      await mock.waitForRequests(2);
      const d2 = await bridge.deliver(threadId, "second", { kind: "notify" });
      assert.equal(d2.method, "turn/start");
      assert.ok(logs.some((l) => l.includes("takes no input")), `the compaction was waited for: ${logs}`);
      await mock.waitForRequests(3);
      assert.match(JSON.stringify(mock.requests[2]), /second/);
      await until((o) => o.kind === "turn_ended" && o.turnId === d2.turnId);

      // What the daemon said on lifeline's own connection: the compaction ran as a turn of its own.
      const recv = recording.filter((r) => r.dir === "recv").map((r) => r.message);
      const compacted = recv.find((m) =>
        m.method === "item/completed" && m.params?.item?.type === "contextCompaction"
      );
      const compactionTurn = compacted?.params?.turnId as string | undefined;
      assert.ok(compactionTurn, "the daemon reports the compaction as a contextCompaction item in a turn");
      assert.ok(
        recv.some((m) => m.method === "turn/completed" && m.params?.turn?.id === compactionTurn),
        "and ends that turn with turn/completed",
      );
      // What lifeline made of it: two turns, the compaction none of them.
      const turns = seen.filter((o) => o.kind === "turn_started" || o.kind === "turn_ended");
      assert.deepEqual(turns.map((o) => "turnId" in o && o.turnId), [
        d1.turnId,
        d1.turnId,
        d2.turnId,
        d2.turnId,
      ]);
      assert.ok(!seen.some((o) => "turnId" in o && o.turnId === compactionTurn && o.kind !== "hook_ran"));
      if (Deno.env.get("LIFELINE_RECORD_APP_SERVER") === "1") {
        const dir = fileURLToPath(new URL("../testdata/recorded/app_server/0.169.0/", import.meta.url));
        const text = recording.map((r) => JSON.stringify(r)).join("\n").replaceAll(root, "/tmp/lifeline-e2e");
        await Deno.writeTextFile(join(dir, "manual_compaction.jsonl"), text + "\n");
      }
    } finally {
      tui.close();
      await bridge.stop();
      await daemon.stop();
      await mock.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
    assert.ok(!alive(daemon.pid));
  },
});
