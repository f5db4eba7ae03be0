/**
 * Generated Codex histories for property tests: sequences of observations a
 * real Codex could produce for a few sessions (late SessionStart, tool calls,
 * failures, Stop, interrupts with or without `Interrupt`, notify, SessionEnd),
 * with times that only move forward.
 */
import fc from "fast-check";
import type { Observation } from "../../lifecycle/model.ts";
import { idempotencyKey } from "../../lifecycle/keys.ts";

type Step =
  | { kind: "prompt"; session: number }
  | { kind: "tool"; session: number; fail: boolean }
  | { kind: "stop"; session: number; notify: boolean }
  | { kind: "interrupt"; session: number; fires: boolean }
  | { kind: "end"; session: number }
  | { kind: "wait"; seconds: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("prompt" as const), session: fc.nat(2) }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant("tool" as const), session: fc.nat(2), fail: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("stop" as const), session: fc.nat(2), notify: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("interrupt" as const),
      session: fc.nat(2),
      fires: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("end" as const), session: fc.nat(2) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 4000 }) }),
  },
);

/** One observation of `event`, as a hook would journal it at time `at` (ms). */
export function observation(
  event: Observation["event"],
  sid: string,
  turn: string | null,
  payload: Record<string, unknown>,
  at: number,
  extra: Partial<Observation> = {},
): Observation {
  const full = {
    session_id: sid,
    cwd: "/w",
    hook_event_name: event,
    ...(turn ? { turn_id: turn } : {}),
    ...payload,
  };
  return {
    key: idempotencyKey(event, full),
    event,
    session_id: sid,
    turn_id: turn,
    observed_at: new Date(at).toISOString(),
    payload: full,
    pid: 4242,
    failure: null,
    blocked: false,
    hint_threshold: 2,
    ...extra,
  };
}

/** Turns steps into observations, following Codex's ordering rules. */
export function materialise(steps: Step[], t0 = Date.parse("2026-11-21T00:00:00Z")): Observation[] {
  let now = t0;
  const out: Observation[] = [];
  const sessions = new Map<
    number,
    { started: boolean; ended: boolean; turn: number; open: boolean; tool: number }
  >();
  const obs = (
    event: Observation["event"],
    sid: string,
    turn: string | null,
    payload: Record<string, unknown>,
    extra: Partial<Observation> = {},
  ) => {
    now += 1000;
    out.push(observation(event, sid, turn, payload, now, extra));
  };
  for (const st of steps) {
    if (st.kind === "wait") {
      now += st.seconds * 1000;
      continue;
    }
    const s = sessions.get(st.session) ?? { started: false, ended: false, turn: 0, open: false, tool: 0 };
    sessions.set(st.session, s);
    const sid = `s${st.session}`;
    if (s.ended) continue;
    const tid = `${sid}-t${s.turn}`;
    switch (st.kind) {
      case "prompt":
        if (!s.started) {
          obs("SessionStart", sid, null, { source: "startup", model: "m" });
          s.started = true;
        }
        s.turn++;
        s.open = true;
        obs("UserPromptSubmit", sid, `${sid}-t${s.turn}`, { prompt: `p${s.turn}`, model: "m" });
        break;
      case "tool":
        if (!s.open) break;
        s.tool++;
        obs("PreToolUse", sid, tid, { tool_name: "Bash", tool_use_id: `c${s.tool}` });
        obs("PostToolUse", sid, tid, { tool_name: "Bash", tool_use_id: `c${s.tool}`, tool_response: "" }, {
          failure: st.fail ? { tool: "Bash", error_class: "exit_1", message: "boom" } : null,
        });
        break;
      case "stop":
        if (!s.open) break;
        s.open = false;
        obs("Stop", sid, tid, { stop_hook_active: false, last_assistant_message: st.notify ? null : "done" });
        if (st.notify) {
          obs("Notify", sid, tid, {
            type: "agent-turn-complete",
            "thread-id": sid,
            "turn-id": tid,
            "last-assistant-message": "done",
          });
        }
        break;
      case "interrupt":
        if (!s.open) break;
        s.open = false;
        if (st.fires) obs("Interrupt", sid, tid, {});
        break;
      case "end":
        if (!s.started) break;
        s.ended = true;
        obs("SessionEnd", sid, null, { reason: "other" });
        break;
    }
  }
  return out;
}

/** Arbitrary histories. */
export const history: fc.Arbitrary<Observation[]> = fc.array(step, { maxLength: 40 }).map((s) =>
  materialise(s)
);
