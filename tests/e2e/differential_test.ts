/**
 * Differential: the same scripted sessions run by the real Codex 0.169.0 and
 * by the simulator fire the same sequence of hook events with the same
 * payload field sets (ids, times and paths aside), and the same notify
 * payload fields.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { HOOK_EVENTS } from "../../codex/events.ts";
import { parseScenario, runScenario } from "../../simulator/mod.ts";
import { readRecorderLog, recorderCommand } from "../harness/recorder.ts";
import { runScript, SCRIPTS } from "../harness/sessions.ts";

/** The simulator steps for each harness script. */
const STEPS: Record<string, object[]> = {
  tool_call: [
    { step: "prompt", session: "a", text: "run the tool" },
    { step: "tool", session: "a", command: "echo hi-from-tool", output: "hi-from-tool\n", id: "call_1" },
    { step: "assistant", session: "a", text: "hello" },
    { step: "exit", session: "a" },
  ],
  failing_tool: [
    { step: "prompt", session: "a", text: "run the failing tool" },
    {
      step: "tool",
      session: "a",
      command: "echo oops >&2; exit 3",
      output: "oops\n",
      exit_code: 3,
      id: "call_1",
    },
    { step: "assistant", session: "a", text: "the tool failed" },
    { step: "exit", session: "a" },
  ],
  interrupt: [
    { step: "prompt", session: "a", text: "take your time" },
    { step: "interrupt", session: "a" },
    { step: "exit", session: "a" },
  ],
  two_turns: [
    { step: "prompt", session: "a", text: "first" },
    { step: "assistant", session: "a", text: "one" },
    { step: "exit", session: "a" },
    { step: "resume", session: "a" },
    { step: "prompt", session: "a", text: "second" },
    { step: "tool", session: "a", command: "echo two", output: "two\n", id: "call_2" },
    { step: "assistant", session: "a", text: "two" },
    { step: "exit", session: "a" },
  ],
};

/**
 * Codex runs the hooks of different events at once, and the recorder logs each when it ends: a cancelled
 * request's PostModelRequest and Interrupt land in either order. Both sequences get one order.
 */
const cancelled = (ps: Record<string, unknown>[]) =>
  ps.filter((p) => p.hook_event_name === "PostModelRequest" && p.status === "cancelled");

function canonical(ps: Record<string, unknown>[]): Record<string, unknown>[] {
  // On SIGINT Codex runs the Interrupt hook and exits without waiting for the cancelled request's
  // PostModelRequest hook: the real log has it in some runs and not in others (1 in 3 under load).
  // It is compared only when both have it; the simulator always fires it (asserted below).
  const out = ps.filter((p) => !(p.hook_event_name === "PostModelRequest" && p.status === "cancelled"));
  for (let i = 0; i + 1 < out.length; i++) {
    if (out[i]!.hook_event_name === "Interrupt" && out[i + 1]!.hook_event_name === "PostModelRequest") {
      [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
    }
  }
  return out;
}

const shape = (p: Record<string, unknown>) => `${p.hook_event_name}(${Object.keys(p).sort().join(",")})`;
const values = (p: Record<string, unknown>) => ({
  event: p.hook_event_name,
  source: p.source,
  tool_name: p.tool_name,
  tool_input: p.tool_input,
  tool_response: p.tool_response,
  stop_hook_active: p.stop_hook_active,
  last_assistant_message: p.last_assistant_message,
  reason: p.reason,
  permission_mode: p.permission_mode,
});

for (const [name, steps] of Object.entries(STEPS)) {
  Deno.test(`differential (real codex vs simulator): ${name}`, async () => {
    const real = await runScript(SCRIPTS.find((s) => s.name === name)!);
    const dir = await Deno.makeTempDir();
    try {
      const log = join(dir, "sim-hooks.jsonl");
      const header = {
        lifeline_scenario: 1,
        name: `differential_${name}`,
        profile: "0.169",
        events: [],
        hooks: HOOK_EVENTS.map((event) => ({ event, command: recorderCommand(log), timeout: 3 })),
      };
      const text = [header, { step: "start", session: "a" }, ...steps].map((x) => JSON.stringify(x)).join(
        "\n",
      );
      const r = await runScenario(parseScenario(text, `${name}.jsonl`));
      assert.deepEqual(r.failures, []);
      const simAll = (await readRecorderLog(log)).map((l) => l.payload);
      const sim = canonical(simAll);
      const hooks = canonical(real.hooks);
      assert.equal(cancelled(simAll).length, name === "interrupt" ? 1 : 0, "the cancelled request's hook");
      if (cancelled(real.hooks).length > 0) {
        assert.deepEqual(cancelled(simAll).map(shape), cancelled(real.hooks).map(shape));
      }
      assert.deepEqual(sim.map(shape), hooks.map(shape));
      assert.deepEqual(sim.map(values), hooks.map(values));
      // ids are consistent: one session per Codex thread, turn ids shared by a turn's events
      const ids = (ps: Record<string, unknown>[]) =>
        ps.map((p) =>
          `${ps.findIndex((q) => q.session_id === p.session_id)}:${
            ps.findIndex((q) => q.turn_id === p.turn_id)
          }`
        );
      assert.deepEqual(ids(sim), ids(hooks));
      const simNotify = r.notifications.map((n) => JSON.parse(n) as Record<string, unknown>);
      assert.deepEqual(
        simNotify.map((n) => Object.keys(n).filter((k) => k !== "client").sort()),
        real.notify.map((n) => Object.keys(n).filter((k) => k !== "client").sort()),
      );
      assert.deepEqual(
        simNotify.map((n) => [n.type, n["input-messages"], n["last-assistant-message"]]),
        real.notify.map((n) => [n.type, n["input-messages"], n["last-assistant-message"]]),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
      await real.cleanup();
    }
  });
}
