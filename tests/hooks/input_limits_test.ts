/**
 * Input limits of the hooks: which payloads are recorded although odd, which
 * are refused, and what is logged about the refused ones. Real recorded
 * payloads are mutated and run through the real hook handling.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { HookEventName } from "../../codex/events.ts";
import type { HookDeps } from "../../hooks/handle.ts";
import { handleHook } from "../../hooks/in_process.ts";
import { hookSettings } from "../../hooks/hook_settings.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { errorLog, runHookProcess, sandbox } from "../harness/hook_process.ts";
import { readRecorded, RECORDED_NAMES } from "../harness/sessions.ts";

function deps(stateDir: string): HookDeps {
  return {
    settings: hookSettings([`--state-dir=${stateDir}`], () => undefined),
    now: () => new Date(),
    ppid: 1,
    args: [],
    openStore: (dir, busy) => Store.open(dir, { busyTimeoutMs: busy }),
  };
}

/** Every recorded hook payload, each under a fresh session id. */
async function recordedPayloads(): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const name of RECORDED_NAMES) {
    for (const r of await readRecorded(name)) if (r.kind === "hook") out.push({ ...r.payload });
  }
  return out;
}

const ODD_VALUES: readonly unknown[] = [42, true, null, ["a"], { a: 1 }];
const DESCRIPTIVE = ["cwd", "model", "permission_mode", "transcript_path", "client"];

function journaled(stateDir: string, sessionId: string): string[] {
  const store = Store.open(stateDir);
  try {
    return store.journal().filter((o) => o.session_id === sessionId).map((o) => o.event);
  } finally {
    store.close();
  }
}

Deno.test("an ill-typed descriptive field (cwd, model, …) does not lose the event", async () => {
  const dir = await Deno.makeTempDir();
  const store = Store.open(dir);
  try {
    const shared: HookDeps = { ...deps(dir), openStore: () => store, releaseStore: () => {} };
    let n = 0;
    for (const p of await recordedPayloads()) {
      for (const field of DESCRIPTIVE) {
        for (const odd of ODD_VALUES) {
          if (field === "transcript_path" && odd === null) continue; // null is a valid transcript_path
          const sid = `odd-${n++}`;
          const event = p.hook_event_name as HookEventName;
          handleHook(event, JSON.stringify({ ...p, session_id: sid, [field]: odd }), shared);
          assert.ok(store.session(sid), `${event} with ${field}=${JSON.stringify(odd)} was not recorded`);
        }
      }
    }
    assert.ok(n > 100, `only ${n} mutations ran`);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("notify: an ill-typed cwd, client or input-messages does not lose the event", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const base = {
      type: "agent-turn-complete",
      "thread-id": "n1",
      "turn-id": "t1",
      "last-assistant-message": "ok",
    };
    const odd = [{ cwd: 5 }, { client: { a: 1 } }, { "input-messages": [1, "two"] }, {
      "last-assistant-message": ["x"],
    }];
    odd.forEach((o, i) => {
      const sid = `notify-${i}`;
      handleHook("Notify", [JSON.stringify({ ...base, "thread-id": sid, ...o })], deps(dir));
      assert.deepEqual(journaled(dir, sid), ["Notify"], JSON.stringify(o));
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an ill-typed essential field (session_id, turn_id, tool_name) still refuses the payload", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const base = {
      session_id: "e1",
      turn_id: "t1",
      hook_event_name: "PostToolUse",
      cwd: "/",
      tool_use_id: "u",
    };
    const cases: [string, Record<string, unknown>][] = [
      ["session_id", { ...base, tool_name: "Bash", session_id: 7 }],
      ["turn_id", { ...base, tool_name: "Bash", turn_id: { a: 1 } }],
      ["tool_name", { ...base, tool_name: ["Bash"] }],
      ["tool_use_id", { ...base, tool_name: "Bash", tool_use_id: 3 }],
    ];
    for (const [field, p] of cases) {
      assert.throws(() => handleHook("PostToolUse", JSON.stringify(p), deps(dir)), new RegExp(`"${field}"`));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nesting 5,000 and 100,000 levels deep is cut, not a crash; the event is recorded", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const depth of [5_000, 100_000]) {
      const sid = `deep-${depth}`;
      const deep = "[".repeat(depth) + "]".repeat(depth);
      const text = `{"session_id":"${sid}","turn_id":"t","hook_event_name":"PostToolUse","cwd":"/",` +
        `"tool_name":"Bash","tool_use_id":"u","tool_input":{"command":"x"},"tool_response":${deep}}`;
      handleHook("PostToolUse", text, deps(dir));
      assert.deepEqual(journaled(dir, sid), ["PostToolUse"]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("text after a NUL survives in the stored prompt", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const p = { session_id: "nul", turn_id: "t1", hook_event_name: "UserPromptSubmit", cwd: "/" };
    handleHook("UserPromptSubmit", JSON.stringify({ ...p, prompt: "before\u0000after" }), deps(dir));
    const store = Store.open(dir);
    const prompt = store.turns("nul")[0]?.prompt;
    store.close();
    assert.match(prompt ?? "", /^before.after$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a JSON syntax error is logged with its place, never with the raw input", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const secret = "hunter2-correct-horse-battery-staple-0123456789";
    // An unquoted value: the parser's own message quotes the input around it.
    const text = `{"session_id":"s","hook_event_name":"Stop","cwd":"/","note":${secret}}`;
    let err: unknown;
    try {
      handleHook("Stop", text, deps(dir));
    } catch (e) {
      err = e;
    }
    // What the hook log writes: the message and every cause.
    const parts: string[] = [];
    for (let cur: unknown = err; cur instanceof Error; cur = cur.cause) parts.push(cur.message);
    const line = parts.join(" | cause: ");
    assert.match(line, /invalid JSON at 1:\d+/);
    for (let i = 0; i + 4 <= secret.length; i++) assert.ok(!line.includes(secret.slice(i, i + 4)), line);
    assert.ok(line.length < 400, `${line.length} characters logged`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stdin over 16 MB is truncated and recorded (marked truncated), not dropped", async () => {
  const sb = await sandbox();
  try {
    const big = "y".repeat(17 * 1024 * 1024);
    const p = {
      session_id: "big",
      turn_id: "t1",
      hook_event_name: "PostToolUse",
      cwd: "/",
      tool_name: "Bash",
      tool_use_id: "u1",
      tool_input: { command: "cat big" },
      tool_response: big,
    };
    const run = await runHookProcess("PostToolUse", JSON.stringify(p), sb, {
      env: { LIFELINE_SIDECAR: "off" },
    });
    assert.deepEqual(run, { code: 0, stdout: "", stderr: "" });
    assert.equal(await errorLog(sb.stateDir), "");
    const store = Store.open(sb.stateDir);
    const events = store.journal().filter((o) => o.session_id === "big");
    store.close();
    assert.deepEqual(
      events.map((o) => [o.event, o.payload.tool_name, o.payload.tool_use_id, o.payload.lifeline_truncated]),
      [["PostToolUse", "Bash", "u1", true]],
    );
    await Deno.stat(join(sb.stateDir, "lifeline.db"));
  } finally {
    await sb.cleanup();
  }
});
