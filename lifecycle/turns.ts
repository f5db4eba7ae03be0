/**
 * The turn half of the reducer: opening a turn, ending it once, closing an
 * open turn when Codex has moved on, and taking back a stale-busy guess.
 * Pure, like `reducer.ts`, which calls it for every event of a turn.
 *
 * @module
 */

import type {
  Changes,
  ContradictionRow,
  Observation,
  SessionRow,
  StateView,
  TurnFactRow,
  TurnRow,
} from "./model.ts";
import { isCompactionOutsideTurn } from "./compaction.ts";

/** The failure-counter window. */
const FAILURE_WINDOW_MS = 24 * 3600 * 1000;

/** A payload field as a string, or `null`. */
export const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/**
 * Whether a closed turn was closed only by a stale-busy repair and may be
 * taken back: it is `abandoned`, the session is alive (a session end or a dead
 * process also abandons turns, but makes the session offline), and no newer
 * turn has started.
 */
function revivable(s: SessionRow, t: TurnRow): boolean {
  return t.outcome === "abandoned" && s.status !== "offline" &&
    (s.current_turn_id === null || s.current_turn_id === t.turn_id) &&
    t.ordinal === s.turn_count;
}

/** A session first seen in `obs`: online, before its first turn. */
export function newSession(obs: Observation): SessionRow {
  return {
    session_id: obs.session_id,
    status: "online",
    turn_state: "pending_first_turn",
    cwd: null,
    model: null,
    source: null,
    started_at: obs.observed_at,
    last_seen: obs.observed_at,
    ended_at: null,
    end_reason: null,
    pid: null,
    current_turn_id: null,
    turn_count: 0,
  };
}

/** The app-server's facts of a turn, as this observation has left them so far. */
export function getFact(
  view: StateView,
  changes: Changes,
  sid: string,
  tid: string,
): TurnFactRow | undefined {
  return changes.turnFacts?.find((f) => f.turn_id === tid) ?? view.turnFact?.(sid, tid);
}

/**
 * Whether the app-server closed this turn before the hooks did: the hooks'
 * events of it still apply (the two streams arrive in any order), and
 * the hooks' word on how it ended wins.
 */
function closedByAppServer(view: StateView, changes: Changes, t: TurnRow): boolean {
  return t.outcome !== "open" && getFact(view, changes, t.session_id, t.turn_id)?.closed_by === "app-server";
}

/** Records that a hook has ended the turn: from now on the hooks' end stands. */
function endedByHooks(view: StateView, changes: Changes, t: TurnRow): void {
  const f = getFact(view, changes, t.session_id, t.turn_id);
  if (!f || f.closed_by === "hook") return;
  const list = changes.turnFacts ??= [];
  const next = { ...f, closed_by: "hook" as const };
  const i = list.findIndex((x) => x.turn_id === t.turn_id);
  if (i >= 0) list[i] = next;
  else list.push(next);
}

/** Ends a turn; when it is the session's current turn, the session goes online/idle. */
export function finishTurn(s: SessionRow, t: TurnRow, outcome: TurnRow["outcome"], at: string): void {
  t.outcome = outcome;
  t.ended_at = at;
  if (s.current_turn_id === t.turn_id) {
    s.current_turn_id = null;
    s.status = "online";
    s.turn_state = "idle";
  }
}

function pushFailure(
  changes: Changes,
  t: TurnRow,
  obs: Observation,
  f: { tool: string; error_class: string; message: string | null },
  key: string,
): void {
  const { tool, error_class, message } = f;
  changes.failures.push({
    key,
    session_id: t.session_id,
    turn_id: t.turn_id,
    tool,
    error_class,
    message,
    observed_at: obs.observed_at,
  });
}

export function upsertTurn(changes: Changes, t: TurnRow): void {
  const i = changes.turns.findIndex((x) => x.turn_id === t.turn_id);
  if (i >= 0) changes.turns[i] = t;
  else changes.turns.push(t);
}

export function getTurn(view: StateView, changes: Changes, sid: string, tid: string): TurnRow | undefined {
  return changes.turns.find((t) => t.turn_id === tid) ?? view.turn(sid, tid);
}

export function closeOpenTurn(
  view: StateView,
  s: SessionRow,
  obs: Observation,
  outcome: "interrupted" | "abandoned",
  changes: Changes,
): void {
  if (!s.current_turn_id) {
    // Releases whose hooks carry no turn id (0.114-0.116) leave an interrupted turn unseen.
    for (const id of obs.interrupted_turns ?? []) {
      if (getTurn(view, changes, s.session_id, id)) continue;
      upsertTurn(changes, { ...openTurn(s, obs, id), outcome: "interrupted", ended_at: obs.observed_at });
    }
    return;
  }
  // The transcript's turn_aborted is evidence of an interrupt (releases before 0.150 fire no hook).
  if (obs.interrupted_turns?.includes(s.current_turn_id)) outcome = "interrupted";
  const t = getTurn(view, changes, s.session_id, s.current_turn_id);
  if (t && t.outcome === "open") {
    upsertTurn(changes, { ...t, outcome, ended_at: obs.observed_at });
  }
  s.current_turn_id = null;
}

export function openTurn(s: SessionRow, obs: Observation, turnId: string): TurnRow {
  s.turn_count += 1;
  return {
    session_id: s.session_id,
    turn_id: turnId,
    ordinal: s.turn_count,
    outcome: "open",
    started_at: obs.observed_at,
    ended_at: null,
    prompt: null,
    last_assistant_message: null,
    tool_invocations: 0,
    tool_failures: 0,
    safety_net_used: false,
    hook_events: [],
    tool_use_ids: [],
  };
}

/** Returns a contradiction reason, or undefined when applied. */
export function applyTurnEvent(
  view: StateView,
  s: SessionRow,
  obs: Observation,
  changes: Changes,
): string | undefined {
  const ev = obs.event;
  const tid = obs.turn_id ?? s.current_turn_id;
  if (!tid) {
    // An older build's event without turn_id and no open turn: the session is alive, nothing more.
    return undefined;
  }
  let t = getTurn(view, changes, s.session_id, tid);
  // Manual compaction has a turn id of its own but is no turn: the session stays as it is.
  if (!t && isCompactionOutsideTurn(ev, obs.payload)) return undefined;
  if (!t) {
    // A turn we have not seen: Codex has moved on, so a turn still open was interrupted
    // (Codex before 0.150 fires nothing on Esc).
    if (s.current_turn_id && s.current_turn_id !== tid) closeOpenTurn(view, s, obs, "interrupted", changes);
    t = openTurn(s, obs, tid);
    s.current_turn_id = tid;
    s.status = "busy";
    s.turn_state = "working";
  } else {
    t = { ...t, hook_events: [...t.hook_events], tool_use_ids: [...t.tool_use_ids] };
    // An open turn is the current one (the app-server may have opened it while the session was ended).
    if (t.outcome === "open" && s.current_turn_id === null && s.status !== "offline") {
      s.current_turn_id = t.turn_id;
      s.status = "busy";
      s.turn_state = "working";
    }
  }
  // A stale-busy repair is a guess: a later event of that turn takes it back (evidence wins).
  if (revivable(s, t)) {
    t.outcome = "open";
    t.ended_at = null;
    s.current_turn_id = t.turn_id;
    s.status = "busy";
    s.turn_state = "working";
  }
  const appClosed = closedByAppServer(view, changes, t);
  if (appClosed && (ev === "Stop" || ev === "Interrupt") && !obs.blocked) {
    t.outcome = "open"; // the hooks' end wins
    endedByHooks(view, changes, t);
  }
  const closed = t.outcome !== "open" && !appClosed;
  if (closed) {
    const continuation = ev === "Stop" && obs.payload.stop_hook_active === true && t.outcome === "completed";
    const lateTool = (ev === "PostToolUse" || ev === "SubagentStop") && t.outcome === "completed";
    // Codex runs the hooks of different events at once: the cancelled request's PostModelRequest and
    // Interrupt (or a request's end and Stop) arrive in either order. A late one changes nothing.
    const lateModel = ev === "PreModelRequest" || ev === "PostModelRequest";
    if (!continuation && !lateTool && !lateModel) return `${ev} for a turn already ${t.outcome}`;
  }
  const firstOfKind = !t.hook_events.includes(ev);
  // The model-request hooks fire around every request: the turn's event list leaves them out.
  if (firstOfKind && ev !== "PreModelRequest" && ev !== "PostModelRequest") t.hook_events.push(ev);
  if (obs.observed_at < t.started_at) t.started_at = obs.observed_at;
  const p = obs.payload;

  switch (ev) {
    case "UserPromptSubmit": {
      t.prompt = str(p.prompt) ?? t.prompt;
      if (obs.blocked) {
        finishTurn(s, t, "blocked", obs.observed_at);
      } else if (!appClosed) {
        s.status = "busy";
        s.turn_state = "working";
      }
      break;
    }
    case "PreToolUse":
    case "PostToolUse": {
      const id = str(p.tool_use_id);
      if (id === null) {
        if (ev === "PostToolUse") t.tool_invocations += 1;
      } else if (!t.tool_use_ids.includes(id)) {
        t.tool_use_ids.push(id);
        t.tool_invocations += 1;
      }
      if (ev === "PostToolUse" && obs.failure) {
        t.tool_failures += 1;
        const f = obs.failure;
        pushFailure(changes, t, obs, f, obs.key);
        if (obs.hint_threshold > 0 && !view.hinted(s.session_id, f.tool, f.error_class)) {
          const since = new Date(Date.parse(obs.observed_at) - FAILURE_WINDOW_MS).toISOString();
          const count = view.failuresSince(s.session_id, f.tool, f.error_class, since) + 1;
          if (count >= obs.hint_threshold) {
            changes.hints.push({
              session_id: s.session_id,
              tool: f.tool,
              error_class: f.error_class,
              count,
              observed_at: obs.observed_at,
            });
          }
        }
      }
      break;
    }
    case "Stop": {
      // Failures the transcript showed only after PostToolUse, once per turn (not on a continuation).
      for (const f of firstOfKind ? obs.late_tool_failures ?? [] : []) {
        if (!t.tool_use_ids.includes(f.tool_use_id)) continue;
        t.tool_failures += 1;
        pushFailure(changes, t, obs, f, `${obs.key}:${f.tool_use_id}`);
      }
      const msg = p.last_assistant_message;
      if (typeof msg === "string") t.last_assistant_message = msg;
      if (obs.blocked) break; // our hook continued the turn: still working
      finishTurn(s, t, "completed", obs.observed_at);
      break;
    }
    case "Interrupt": {
      finishTurn(s, t, "interrupted", obs.observed_at);
      break;
    }
    default:
      // A failed model request ends the turn: Codex fires no Stop and no Interrupt after it.
      if (ev === "PostModelRequest" && p.status === "failed" && obs.failure && !closed) {
        pushFailure(changes, t, obs, obs.failure, obs.key);
        finishTurn(s, t, "failed", obs.observed_at);
      } else if (!closed && s.current_turn_id === t.turn_id) {
        s.status = "busy";
        s.turn_state = "working";
      }
  }
  upsertTurn(changes, t);
  return undefined;
}

export function applyNotify(
  view: StateView,
  s: SessionRow,
  obs: Observation,
  changes: Changes,
  ended: boolean,
): string | undefined {
  const tid = obs.turn_id;
  const msg = str(obs.payload["last-assistant-message"]);
  if (!tid) return undefined;
  let t = getTurn(view, changes, s.session_id, tid);
  if (!t) {
    if (ended) return undefined;
    if (s.current_turn_id && s.current_turn_id !== tid) closeOpenTurn(view, s, obs, "interrupted", changes);
    t = openTurn(s, obs, tid);
    const inputs = obs.payload["input-messages"];
    if (Array.isArray(inputs) && typeof inputs.at(-1) === "string") t.prompt = inputs.at(-1) as string;
  } else {
    t = { ...t, hook_events: [...t.hook_events], tool_use_ids: [...t.tool_use_ids] };
  }
  // notify fires only after a completed turn: it wins over the app-server's word.
  if (closedByAppServer(view, changes, t)) {
    t.outcome = "open";
    endedByHooks(view, changes, t);
  }
  if (t.outcome === "interrupted" || t.outcome === "blocked") {
    return `notify for a turn already ${t.outcome}`;
  }
  // notify means the turn completed: it takes back a stale-busy repair too.
  if (!ended && revivable(s, t)) t.outcome = "open";
  if (!t.hook_events.includes("notify")) t.hook_events.push("notify");
  // Safety net: the answer was not recorded by Stop.
  if (t.last_assistant_message === null && msg !== null) {
    t.last_assistant_message = msg;
    t.safety_net_used = true;
  }
  if (obs.failure) {
    t.tool_failures += 1;
    pushFailure(changes, t, obs, obs.failure, obs.key);
  }
  // notify fires only after a normally completed turn.
  if (t.outcome === "open") {
    t.outcome = "completed";
    t.ended_at = obs.observed_at;
  }
  if (!ended && s.current_turn_id === t.turn_id) {
    s.current_turn_id = null;
    s.status = "online";
    s.turn_state = "idle";
  }
  upsertTurn(changes, t);
  return undefined;
}

/** The contradiction row of an observation that did not fit the state machine. */
export function contradictionRow(obs: Observation, reason: string): ContradictionRow {
  return {
    key: obs.key,
    session_id: obs.session_id,
    event: obs.event,
    turn_id: obs.turn_id,
    reason,
    observed_at: obs.observed_at,
  };
}
