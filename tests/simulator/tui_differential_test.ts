/**
 * Differential, real TUI against the simulator: each committed TUI recording
 * (0.169.0 and 0.171.0, daemon on and off) is converted into a process-model
 * scenario and run through the fake Codex; per session, the simulator must
 * fire the same hook events in the same order with the same payload field
 * sets as the real TUI did, and the same notifies (title threads included).
 * Two measured liberties: on 0.171 PreToolUse fires while the model request still
 * streams, so whether PostModelRequest comes before or after it is a race (both
 * sides are put in one order); and the simulator does not yet fire 0.171's
 * model requests of a manual compaction (`kind: "foreground_compaction"`), so
 * those are left out of the real side.
 */
import assert from "node:assert/strict";
import { isHookEventName } from "../../codex/events.ts";
import { parseScenario, runScenario } from "../../simulator/mod.ts";
import { convertible, toScenario } from "../harness/tui_to_scenario.ts";

type P = Record<string, unknown>;
const shape = (event: string, p: P) => `${event}(${Object.keys(p).sort().join(",")})`;

/** Per session (in order of first appearance): its hook events with their field sets. */
function bySession(events: { session: string; event: string; payload: P }[]): string[][] {
  const order: string[] = [];
  const seqs = new Map<string, string[]>();
  for (const e of events) {
    if (String(e.payload.kind ?? "").includes("compaction")) continue; // not simulated yet (see above)
    if (!seqs.has(e.session)) (order.push(e.session), seqs.set(e.session, []));
    seqs.get(e.session)!.push(shape(e.event, e.payload));
  }
  return order.map((s) => raceOrder(seqs.get(s)!));
}

/** PostModelRequest before a PreToolUse it raced with (0.171 starts the tool inside the request). */
function raceOrder(seq: string[]): string[] {
  const out = [...seq];
  for (let i = 0; i + 1 < out.length; i++) {
    if (out[i]!.startsWith("PreToolUse(") && out[i + 1]!.startsWith("PostModelRequest(")) {
      [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
    }
  }
  return out;
}

const notifyShapes = (ps: P[]) =>
  ps.map((p) =>
    `${String((p["input-messages"] as string[])[0]).startsWith("Generate a concise") ? "title" : "turn"}:${
      Object.keys(p).sort().join(",")
    }`
  ).sort();

for (const { set, name, lines } of convertible()) {
  Deno.test(`TUI ${set} ${name}: the simulator fires what the real TUI fired`, async () => {
    const text = toScenario(lines).map((x) => JSON.stringify(x)).join("\n");
    const result = await runScenario(parseScenario(text, `${set}/${name}.jsonl`), { inProcess: true });
    assert.deepEqual(result.failures, [], "the scenario's own expectations");
    const real = lines.filter((l) => l.kind === "hook" && isHookEventName(l.event)).map((l) => ({
      session: String((l.payload as P).session_id),
      event: String(l.event),
      payload: l.payload as P,
    }));
    const sim = (result.journal ?? []).filter((o) => isHookEventName(o.event)).map((o) => ({
      session: o.session_id,
      event: o.event,
      payload: o.payload,
    }));
    assert.ok(
      real.length > 0 || name === "kill_daemon" || name.startsWith("launch"),
      "the recording has hooks",
    );
    assert.deepEqual(bySession(sim), bySession(real), "hook events, order and field sets, per session");
    const realNotifies = lines.filter((l) => l.kind === "notify").map((l) => l.payload as P);
    const simNotifies = result.notifications.map((n) => JSON.parse(n) as P);
    assert.deepEqual(notifyShapes(simNotifies), notifyShapes(realNotifies), "notifies and their field sets");
  });
}
