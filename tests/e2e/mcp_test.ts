/**
 * Two real Codex 0.169.0 sessions talking through lifeline's MCP server
 * (offline, mock model). Session B runs with lifeline's hooks; session A has
 * only `[mcp_servers.lifeline]`, as the installer writes it, and its model
 * is scripted to call `whoami`, `list_sessions`, `send_message`,
 * `ask_session` and `spawn_session` in the `mcp__lifeline` namespace. The
 * hub is the fake of `tests/harness/fake_message_hub.ts`, which reaches B
 * as the hub does without an app-server daemon (a delivery its Stop hook
 * hands to Codex) and answers the ask with B's final message. With
 * `LIFELINE_E2E_HUB=real` the same test runs against the real hub (its
 * message API, B reached through its sidecar); `spawn_session` is then left
 * out, since the real hub would start a real Codex with the person's own
 * configuration.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tomlBasicString } from "../../codex/trust.ts";
import { mcpTable } from "../../installer/edits/mcp.ts";
import { startHub } from "../../hub/server.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { runCodexExec, writeOfflineConfig } from "../harness/codex_cli.ts";
import { startFakeMessageHub } from "../harness/fake_message_hub.ts";
import { sandbox } from "../harness/hook_process.ts";
import { installLifelineForTest } from "../harness/lifeline_codex.ts";
import { inputText, type ScriptedItem, startScriptedResponses, toolOutputs } from "../harness/mcp_mock.ts";

const NS = "mcp__lifeline";
const call = (name: string, args: Record<string, unknown>, callId: string): ScriptedItem[] => [
  { kind: "call", namespace: NS, name, args, callId },
];
const REAL_HUB = Deno.env.get("LIFELINE_E2E_HUB") === "real";

/** The hub under test: the fake, or the real one read through its API. */
interface HubUnderTest {
  /** Resolves once `n` messages for some session are in the store (delivered to its hook points). */
  posted(n: number): Promise<void>;
  /** `[kind, session, from]` of a session's messages, oldest first. */
  messages(sessionId: string): Promise<string[][]>;
  spawned: Record<string, unknown>[];
  close(): Promise<void>;
}

function hubUnderTest(stateDir: string): HubUnderTest {
  if (!REAL_HUB) {
    const fake = startFakeMessageHub(stateDir);
    return {
      posted: (n) => fake.message(n).then(() => {}),
      messages: (sid) =>
        Promise.resolve(
          fake.messages.filter((m) => m.session_id === sid).map((m) => [m.kind, m.session_id, m.from!]),
        ),
      spawned: fake.spawned,
      close: () => fake.close(),
    };
  }
  const hub = startHub({ stateDir, port: 0 });
  return {
    async posted(n) {
      // The real hub offers no event for this: read the store, where the sidecar puts each message.
      for (;;) {
        const store = Store.open(stateDir);
        const most = Math.max(0, ...store.sessions().map((s) => store.deliveries(s.session_id).length));
        store.close();
        if (most >= n) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async messages(sid) {
      const res = await fetch(`${hub.url}/sessions/${sid}`, {
        headers: { authorization: `Bearer ${hub.token}` },
      });
      const body = await res.json() as { messages: { kind: string; session_id: string; from: string }[] };
      return body.messages.reverse().map((m) => [m.kind, m.session_id, m.from]);
    },
    spawned: [],
    close: () => hub.close(),
  };
}

/** A tool's JSON answer: Codex puts a "Wall time … Output:" line before the tool's text. */
const parsed = (text: string | undefined) => JSON.parse(text!.slice(text!.indexOf("{")));

Deno.test("real codex: A finds itself and B, notifies B, asks B and gets B's answer, spawns a session", async () => {
  const sb = await sandbox();
  const hub = hubUnderTest(sb.stateDir);
  let resolveB!: () => void;
  const bStarted = new Promise<void>((r) => (resolveB = r));
  const bInputs: string[] = [];
  // B: its first answer waits until A's ask has arrived, so the ask is delivered at B's Stop.
  const mockB = startScriptedResponses(async ({ n, body }) => {
    bInputs.push(inputText(body));
    if (n === 1) {
      resolveB();
      await hub.posted(2);
      return [{ kind: "message", text: "ready" }];
    }
    return [{ kind: "message", text: "B here: the answer is 42" }];
  });
  const outputs: Map<string, string>[] = [];
  const mockA = startScriptedResponses(({ n, body }) => {
    const out = toolOutputs(body);
    outputs.push(out);
    if (n === 1) return call("whoami", {}, "c_who");
    if (n === 2) return call("list_sessions", { active_only: true }, "c_list");
    const other = (parsed(out.get("c_list")).sessions as { session_id: string; you?: boolean }[])
      .find((s) => !s.you)?.session_id ?? "none";
    if (n === 3) return call("send_message", { session_id: other, text: "A is starting" }, "c_send");
    if (n === 4) {
      return call(
        "ask_session",
        { session_id: other.slice(0, 13), text: "What is 6*7?", timeout_s: 60 },
        "c_ask",
      );
    }
    if (n === 5 && !REAL_HUB) {
      return call("spawn_session", { cwd: sb.home, message: "write the tests" }, "c_spawn");
    }
    return [{ kind: "message", text: `A got: ${parsed(out.get("c_ask")).answer}` }];
  });
  try {
    const homeA = join(sb.home, "codex-a");
    const t = mcpTable({ deno: sb.deno, root: sb.root, stateDir: sb.stateDir }, true);
    await writeOfflineConfig(
      homeA,
      mockA.url,
      `\n[mcp_servers.lifeline]\ncommand = ${tomlBasicString(t.command)}\n` +
        `args = [${t.args.map(tomlBasicString).join(", ")}]\ntool_timeout_sec = ${t.tool_timeout_sec}\n` +
        `required = true\n`,
    );
    await installLifelineForTest(sb, mockB.url);
    const ws = join(sb.home, "ws");
    await Deno.mkdir(ws);
    // The fake hub reaches B through the store; the real one through the sidecar B's hooks start.
    const env = { HOME: sb.home, ...(REAL_HUB ? {} : { LIFELINE_SIDECAR: "off" }) };
    const b = runCodexExec({ codexHome: sb.codexHome, prompt: "wait for questions", cwd: ws, env });
    await bStarted;
    // A keeps the real HOME: deno finds the npm packages of the MCP server in its cache there.
    const a = await runCodexExec({
      codexHome: homeA,
      prompt: "talk to B",
      cwd: ws,
      env: { LIFELINE_SIDECAR: "off" },
    });
    const bDone = await b;
    assert.equal(a.code, 0, a.stderr.slice(-2000));
    assert.equal(bDone.code, 0, bDone.stderr.slice(-2000));
    const idOf = (stdout: string) => JSON.parse(stdout.split("\n")[0]!).thread_id as string;
    const [idA, idB] = [idOf(a.stdout), idOf(bDone.stdout)];

    // whoami: A's own id, from the call's _meta; A was registered lazily (it has no hooks).
    assert.equal(parsed(outputs[1]!.get("c_who")).session_id, idA);
    const list = parsed(outputs[2]!.get("c_list")).sessions as { session_id: string; you?: boolean }[];
    assert.deepEqual(list.map((s) => s.session_id).sort(), [idA, idB].sort());
    assert.equal(list.find((s) => s.session_id === idA)?.you, true);

    // send_message and ask_session: from A, to B (the ask by prefix).
    assert.match(parsed(outputs[3]!.get("c_send")).status, /^(queued|delivered)$/);
    assert.deepEqual(await hub.messages(idB), [
      ["notify", idB, idA],
      ["ask", idB, idA],
    ]);
    // B got both, framed with their sender, at its Stop, and answered in its final message.
    const continued = bInputs[1]!;
    assert.ok(continued.includes(`from=\\"${idA}\\" kind=\\"ask\\"`), continued.slice(-1500));
    assert.ok(continued.includes("What is 6*7?") && continued.includes("A is starting"));
    const ask = parsed(outputs[4]!.get("c_ask"));
    assert.deepEqual([ask.status, ask.answer], ["answered", "B here: the answer is 42"]);
    assert.match(a.stdout, /A got: B here: the answer is 42/);

    // spawn_session: the hub got the request, from A.
    if (!REAL_HUB) {
      assert.ok(parsed(outputs[5]!.get("c_spawn")).session_id);
      assert.deepEqual(hub.spawned, [{ cwd: sb.home, message: "write the tests", from: idA }]);
    }

    const store = Store.open(sb.stateDir);
    assert.ok(store.session(idA), "A registered lazily by its first tool call");
    store.close();
  } finally {
    await hub.close();
    await mockA.close();
    await mockB.close();
    await sb.cleanup();
  }
});
