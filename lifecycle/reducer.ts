/**
 * The session/turn state machine as a pure reducer:
 * `(view, observation) → changes`. No clock, no I/O: the time is the
 * observation's, and anything read from the system was resolved before.
 *
 * - The first event of any kind registers a session (hooks can be installed
 *   mid-session, and SessionStart is not always delivered first).
 * - An event of a turn not seen before opens it: the session is busy. Stop,
 *   Interrupt and notify end it: the session is online and idle.
 * - A new turn while one is open ends the open one as interrupted: Codex
 *   before 0.150 fires nothing when the user presses Esc.
 * - SessionEnd and a dead Codex process make the session offline and abandon
 *   its open turn; only a new SessionStart (resume, clear) reopens it.
 * - A stale-busy repair is a guess made without any evidence of life; a later
 *   event of the repaired turn takes it back.
 * - An event that does not fit is recorded as a contradiction and changes
 *   nothing else, so a surprise from Codex never corrupts the state.
 *
 * @module
 */

import { HOOK_EVENTS } from "../codex/events.ts";
import type { Changes, Observation, SessionRow, StateView } from "./model.ts";
import { applyNotify, applyTurnEvent, closeOpenTurn, contradictionRow, newSession, str } from "./turns.ts";
import { isInternalNotify } from "./internal_threads.ts";
import { APP_SERVER_EVENTS, reduceAppServer, THREAD_CLOSED } from "./app_server_reduce.ts";

/** Events that belong to a turn: every hook event but the session's own start and end. */
const TURN_EVENTS: ReadonlySet<string> = new Set(
  HOOK_EVENTS.filter((e) => e !== "SessionStart" && e !== "SessionEnd"),
);

/**
 * Applies one observation. Returns the rows to write; an observation that
 * does not fit the state machine yields a contradiction and no other change.
 */
export function reduce(view: StateView, obs: Observation): Changes {
  const changes: Changes = { session: undefined, turns: [], failures: [], contradictions: [], hints: [] };
  const known = view.session(obs.session_id);
  const ev = obs.event;
  // Codex's internal threads (title generation) are journaled but never become sessions.
  if (isInternalNotify(obs, known !== undefined)) return changes;

  // lifeline's own repairs only ever apply to a session in the right state.
  if (ev === "StaleBusyRepair" || ev === "ProcessGone") {
    if (!known || known.status === "offline") return changes;
    if (ev === "StaleBusyRepair" && known.status !== "busy") return changes;
    const s: SessionRow = { ...known };
    closeOpenTurn(view, s, obs, "abandoned", changes);
    if (ev === "ProcessGone") {
      s.status = "offline";
      s.ended_at = obs.observed_at;
      s.end_reason = str(obs.payload.reason) ?? "process_gone";
      s.turn_state = "idle"; // an offline session is never working
    } else {
      s.status = "online";
      s.turn_state = "idle";
    }
    changes.session = s;
    return changes;
  }

  if (APP_SERVER_EVENTS.has(ev)) return reduceAppServer(view, obs, changes);

  const contradiction = (reason: string): Changes => ({
    ...changes,
    session: undefined,
    turns: [],
    failures: [],
    hints: [],
    contradictions: [contradictionRow(obs, reason)],
  });

  const s: SessionRow = known ? { ...known } : newSession(obs);
  // The daemon closing a thread is weaker evidence than a hook: a hook of the session reopens it.
  if (s.status === "offline" && s.end_reason === THREAD_CLOSED) {
    const turnState = s.turn_count === 0 ? "pending_first_turn" : "idle";
    Object.assign(s, { status: "online", turn_state: turnState, ended_at: null, end_reason: null });
  }
  const ended = s.status === "offline";
  // After SessionEnd or a dead process only a new SessionStart (resume, clear…) reopens the session;
  // notify is fire-and-forget and may land after SessionEnd, so it may still complete its turn.
  if (ended && ev !== "SessionStart" && ev !== "Notify" && ev !== "SessionEnd") {
    return contradiction(`${ev} after the session ended (${s.end_reason ?? "unknown"})`);
  }
  if (ended && ev === "SessionEnd") return changes; // a second SessionEnd: nothing to do

  // Scalars: newest wins; times widen.
  if (obs.observed_at < s.started_at) s.started_at = obs.observed_at;
  if (obs.observed_at >= s.last_seen) {
    s.last_seen = obs.observed_at;
    const p = obs.payload;
    const cwd = str(p.cwd);
    if (cwd) s.cwd = cwd;
    if (str(p.model)) s.model = str(p.model);
    if (obs.pid !== null) s.pid = obs.pid;
  } else {
    s.cwd ??= str(obs.payload.cwd);
    s.model ??= str(obs.payload.model);
    if (s.pid === null && obs.pid !== null) s.pid = obs.pid;
  }

  switch (ev) {
    case "SessionStart": {
      s.source = str(obs.payload.source) ?? s.source;
      if (ended) {
        s.status = "online";
        s.turn_state = "idle";
        s.ended_at = null;
        s.end_reason = null;
      }
      if (s.status !== "busy") s.turn_state = s.turn_count === 0 ? "pending_first_turn" : "idle";
      break;
    }
    case "SessionEnd": {
      closeOpenTurn(view, s, obs, "abandoned", changes);
      s.status = "offline";
      s.turn_state = "idle";
      s.ended_at = obs.observed_at;
      s.end_reason = str(obs.payload.reason) ?? "other";
      break;
    }
    case "Notify": {
      const c = applyNotify(view, s, obs, changes, ended);
      if (c) return contradiction(c);
      break;
    }
    default: {
      if (!TURN_EVENTS.has(ev)) break;
      const c = applyTurnEvent(view, s, obs, changes);
      if (c) return contradiction(c);
    }
  }
  changes.session = s;
  return changes;
}
