/**
 * The hooks of a converted app-server scenario: lifeline's hooks fired where
 * Codex ran hooks in the recording (SessionStart and UserPromptSubmit at the
 * first `userPromptSubmit`, UserPromptSubmit at each later one, Stop at each
 * `stop`), each followed by what hooks alone must make of the session, so a
 * scenario with both sources and one with hooks only carry the same
 * expectations at every hook.
 *
 * @module
 */

import { PROFILES } from "../../codex/profiles.ts";
import { hookPayload } from "../../simulator/payloads.ts";
import { itemOf, type StreamEvent, turnOf, userText } from "./app_server_recording.ts";

type P = Record<string, unknown>;
const PROFILE = PROFILES.find((p) => p.version === "0.169")!;
/** The recorded Codex pid the hooks carry (the simulator gives it a live stand-in). */
const CODEX_PID = 4242;

/** What the converter knows of the one session at each point. */
export interface State {
  thread: string;
  outcomes: string[];
  busy: boolean;
  deliveries: number;
  /** The turns hooks have seen end (a Stop each). */
  stops: number;
}

export const expect = (session: string, fields: P): P => ({ step: "expect", session, ...fields });

export function hookStep(e: StreamEvent, events: StreamEvent[], i: number, s: State, first: boolean): P[] {
  if (e.t !== "note" || e.method !== "hook/completed") return [];
  const run = e.params.run as P;
  const turnId = String(e.params.turnId);
  const thread = events.find((x) => x.t === "note" && x.method === "thread/started") as
    | { params: P }
    | undefined;
  const t = (thread?.params.thread ?? {}) as P;
  const facts = (prompts: string[]) => ({
    id: s.thread,
    cwd: String(t.cwd ?? "/work"),
    model: String(t.model ?? "mock-model"),
    turnId,
    transcript: { path: String(t.path ?? "/nonexistent.jsonl") },
    prompts,
  });
  const raw = (event: string, payload: P) => ({ step: "raw", event, pid: CODEX_PID, payload });
  if (run.eventName === "userPromptSubmit") {
    const next = events.slice(i).map((x) => itemOf(x, "userMessage")).find((x) => x !== undefined);
    const prompt = next ? userText(next) : "";
    const out: P[] = [];
    if (first) {
      out.push(raw("SessionStart", hookPayload(PROFILE, facts([]), "SessionStart", { source: "startup" })));
    }
    out.push(raw("UserPromptSubmit", hookPayload(PROFILE, facts([prompt]), "UserPromptSubmit", { prompt })));
    out.push(expect(s.thread, { status: "busy", turn_state: "working", contradictions: 0 }));
    return out;
  }
  if (run.eventName === "stop") {
    const said = events.slice(0, i).filter((x) => turnOf(x) === turnId).map((x) => itemOf(x, "agentMessage"))
      .filter((x) => x !== undefined).at(-1);
    const last = said ? String(said.text) : null;
    const payload = hookPayload(PROFILE, facts([]), "Stop", {
      stop_hook_active: false,
      last_assistant_message: last,
    });
    const done = Array.from({ length: ++s.stops }, () => "completed");
    return [
      raw("Stop", payload),
      expect(s.thread, {
        status: "online",
        turn_state: "idle",
        turns: done,
        turn: { index: -1, last_assistant_message: last },
        contradictions: 0,
      }),
    ];
  }
  return [];
}
