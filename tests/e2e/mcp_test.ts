/**
 * Two real Codex 0.169.0 sessions talking through lifeline's MCP server and
 * the real hub (offline, mock models). Session B runs with lifeline's hooks;
 * session A has only `[mcp_servers.lifeline]`, as the installer writes it,
 * and its model is scripted to call `whoami`, `list_sessions`,
 * `send_message`, `ask_session` and `spawn_session` in the `mcp__lifeline`
 * namespace. The hub reaches B through the sidecar B's hooks start (there is
 * no app-server daemon: `codex exec` runs its sessions itself), and answers
 * the ask with B's final message. With no daemon, `spawn_session` starts a
 * background `codex exec` in a third Codex home C (lifeline's hooks, its own
 * mock), which runs the first message and is recorded with it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tomlBasicString } from "../../codex/trust.ts";
import { mcpTable } from "../../installer/edits/mcp.ts";
import { startHub } from "../../hub/server.ts";
import type { ExecChild } from "../../hub/spawn_exec.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { ensureCodex, runCodexExec, writeOfflineConfig } from "../harness/codex_cli.ts";
import { sandbox } from "../harness/hook_process.ts";
import { installLifelineForTest } from "../harness/lifeline_codex.ts";
import { say, startMockResponses } from "../harness/mock_responses.ts";
import { inputText, type ScriptedItem, startScriptedResponses, toolOutputs } from "../harness/mcp_mock.ts";

const NS = "mcp__lifeline";
const call = (name: string, args: Record<string, unknown>, callId: string): ScriptedItem[] => [
  { kind: "call", namespace: NS, name, args, callId },
];

/** Resolves once some session has `n` messages in the store (the sidecar puts each there). */
async function posted(stateDir: string, n: number): Promise<void> {
  // The hub offers no event for this: read the store.
  for (;;) {
    const store = Store.open(stateDir);
    const most = Math.max(0, ...store.sessions().map((s) => store.deliveries(s.session_id).length));
    store.close();
    if (most >= n) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A tool's JSON answer: Codex puts a "Wall time … Output:" line before the tool's text. */
const parsed = (text: string | undefined) => JSON.parse(text!.slice(text!.indexOf("{")));

Deno.test("real codex + real hub: A finds itself and B, notifies and asks B, gets B's answer, spawns C", async () => {
  const sb = await sandbox();
  const homeC = join(sb.home, "codex-c");
  const children: ExecChild[] = [];
  const mockC = startMockResponses([say("C: the tests are written")]);
  // No daemon: spawning falls back to `codex exec`, here in C's Codex home.
  const hub = startHub({
    stateDir: sb.stateDir,
    port: 0,
    home: sb.home,
    codex: {
      bin: await ensureCodex(),
      env: { CODEX_HOME: homeC, HOME: sb.home, MOCK_API_KEY: "x", LIFELINE_SIDECAR: "off" },
      onChild: (c) => {
        c.ref();
        children.push(c);
      },
    },
  });
  const api = async (path: string) =>
    await (await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${hub.token}` } })).json();
  let resolveB!: () => void;
  const bStarted = new Promise<void>((r) => (resolveB = r));
  const bInputs: string[] = [];
  // B: its first answer waits until A's ask has arrived, so the ask is delivered at B's Stop.
  const mockB = startScriptedResponses(async ({ n, body }) => {
    bInputs.push(inputText(body));
    if (n === 1) {
      resolveB();
      await posted(sb.stateDir, 2);
      return [{ kind: "message", text: "ready" }];
    }
    return [{ kind: "message", text: "B here: the answer is 42" }];
  });
  const outputs: Map<string, string>[] = [];
  const ws = join(sb.home, "ws");
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
    if (n === 5) return call("spawn_session", { cwd: ws, message: "write the tests" }, "c_spawn");
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
    await installLifelineForTest({ ...sb, codexHome: homeC }, mockC.url);
    await Deno.mkdir(ws);
    const b = runCodexExec({
      codexHome: sb.codexHome,
      prompt: "wait for questions",
      cwd: ws,
      env: { HOME: sb.home },
    });
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
    const toB = (await api(`/sessions/${idB}`)).messages as {
      kind: string;
      session_id: string;
      from: string;
    }[];
    assert.deepEqual(toB.reverse().map((m) => [m.kind, m.session_id, m.from]), [
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

    // spawn_session: C started (exec, no daemon), ran its first message from A, and its hooks recorded it.
    const spawned = parsed(outputs[5]!.get("c_spawn"));
    assert.equal(spawned.via, "exec", JSON.stringify(spawned));
    const idC = spawned.session_id as string;
    assert.equal(children.length, 1);
    assert.equal((await children[0]!.status).code, 0);
    await mockC.waitForRequests(1);
    assert.ok(
      JSON.stringify(mockC.requests[0]).includes(`from=\\"${idA}\\" kind=\\"notify\\"`),
      "C's model got the message framed with its sender",
    );
    assert.match(JSON.stringify(mockC.requests[0]), /write the tests/);
    const sessions = (await api("/sessions")).sessions as { session_id: string }[];
    assert.deepEqual(sessions.map((s) => s.session_id).sort(), [idA, idB, idC].sort());
    const c = await api(`/sessions/${idC}`);
    assert.deepEqual(c.turns.map((t: { outcome: string }) => t.outcome), ["completed"]);
    assert.match(c.turns[0].prompt, /write the tests/);
    assert.deepEqual(c.messages.map((m: { from: string; kind: string }) => [m.kind, m.from]), [[
      "notify",
      idA,
    ]]);

    const store = Store.open(sb.stateDir);
    assert.ok(store.session(idA), "A registered lazily by its first tool call");
    store.close();
  } finally {
    for (const c of children) c.kill("SIGKILL");
    await Promise.all(children.map((c) => c.status));
    await hub.close();
    await mockA.close();
    await mockB.close();
    await mockC.close();
    await sb.cleanup();
  }
});
