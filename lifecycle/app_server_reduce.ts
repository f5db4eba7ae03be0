/**
 * The app-server half of the reducer: what the daemon says about a thread
 * folded into the same sessions and turns as the hooks' events. Pure, like
 * `reducer.ts`, which calls it for every app-server event.
 *
 * Hooks stay the stronger source wherever they see an event, since they are
 * the source that always works (exec, no daemon, older releases):
 *
 * - a thread listed before its first prompt registers the session in
 *   `pending_first_turn`; a busy/idle change moves a session the hooks show
 *   no open turn for, and a daemon saying idle while the hooks' turn runs is
 *   a contradiction naming both sources;
 * - a turn the daemon starts or ends opens or ends the turn when the hooks
 *   have not; the hooks' later events of it still apply and their end wins
 *   (`closed_by` in the turn's facts);
 * - tool runs, tokens and errors are facts kept beside the hooks' turn
 *   (`TurnFactRow`), never mixed into the hooks' own counters;
 * - a closed thread makes the session offline (`thread_closed`), which any
 *   hook event of the session takes back;
 * - an app-server event never reopens a session the hooks ended.
 *
 * @module
 */

import type {
  Changes,
  Observation,
  SessionFactRow,
  SessionRow,
  StateView,
  TurnFactRow,
  TurnRow,
  TurnTokens,
} from "./model.ts";
import {
  closeOpenTurn,
  contradictionRow,
  finishTurn,
  getFact,
  getTurn,
  newSession,
  openTurn,
  str,
  upsertTurn,
} from "./turns.ts";

/** The end reason of a session whose thread the daemon closed. */
export const THREAD_CLOSED = "thread_closed";

/** The journal's names of the app-server's events. */
export const APP_SERVER_EVENTS: ReadonlySet<string> = new Set([
  "AppServerSeen",
  "AppServerActivity",
  "AppServerTurnStarted",
  "AppServerTurnEnded",
  "AppServerTool",
  "AppServerTokens",
  "AppServerClosed",
  "AppServerHookRan",
]);

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

function emptyFact(sid: string, tid: string): TurnFactRow {
  return {
    session_id: sid,
    turn_id: tid,
    closed_by: null,
    tokens: null,
    error_class: null,
    error_message: null,
    last_message: null,
    tools: [],
  };
}

function putFact(changes: Changes, f: TurnFactRow): void {
  const list = changes.turnFacts ??= [];
  const i = list.findIndex((x) => x.turn_id === f.turn_id);
  if (i >= 0) list[i] = f;
  else list.push(f);
}

function sessionFact(view: StateView, changes: Changes, sid: string): SessionFactRow {
  const f = changes.sessionFact ?? view.sessionFact?.(sid);
  return f
    ? { ...f }
    : { session_id: sid, hooks_seen_running: false, app_server_state: null, app_server_seen_at: null };
}

/** Adds one request's token counts to a turn's. */
function addTokens(a: TurnTokens | null, last: unknown): TurnTokens {
  const l = (last ?? {}) as Record<string, unknown>;
  const base = a ?? { input: 0, cached_input: 0, output: 0, reasoning: 0, total: 0 };
  return {
    input: base.input + num(l.inputTokens),
    cached_input: base.cached_input + num(l.cachedInputTokens),
    output: base.output + num(l.outputTokens),
    reasoning: base.reasoning + num(l.reasoningOutputTokens),
    total: base.total + num(l.totalTokens),
  };
}

/** A turn's facts with what this observation adds: its end's message and error, a tool run, tokens. */
function turnFacts(view: StateView, changes: Changes, obs: Observation, tid: string): TurnFactRow {
  const p = obs.payload;
  const f = { ...(getFact(view, changes, obs.session_id, tid) ?? emptyFact(obs.session_id, tid)) };
  f.tools = [...f.tools];
  if (obs.event === "AppServerTurnEnded") {
    const err = (p.error ?? null) as Record<string, unknown> | null;
    f.error_class = err ? str(err.errorClass) ?? "error" : f.error_class;
    f.error_message = err ? str(err.message) : f.error_message;
    f.last_message = str(p.lastAssistantMessage) ?? f.last_message;
  } else if (obs.event === "AppServerTool") {
    const id = str(p.itemId) ?? "";
    if (!f.tools.some((x) => x.id === id)) {
      f.tools.push({
        id,
        command: str(p.command) ?? "",
        status: str(p.status) ?? "",
        exit_code: typeof p.exitCode === "number" ? p.exitCode : null,
      });
    }
  } else if (obs.event === "AppServerTokens") {
    f.tokens = addTokens(f.tokens, p.last);
  }
  return f;
}

/** The turn `tid` of `s`, opened now when neither source has seen it. */
function turnOf(view: StateView, s: SessionRow, obs: Observation, tid: string, changes: Changes): TurnRow {
  const t = getTurn(view, changes, s.session_id, tid);
  if (t) return { ...t, hook_events: [...t.hook_events], tool_use_ids: [...t.tool_use_ids] };
  if (s.current_turn_id && s.current_turn_id !== tid) closeOpenTurn(view, s, obs, "interrupted", changes);
  const opened = openTurn(s, obs, tid);
  s.current_turn_id = tid;
  s.status = "busy";
  s.turn_state = "working";
  return opened;
}

/** Applies one app-server observation (see the module's rules). */
export function reduceAppServer(view: StateView, obs: Observation, changes: Changes): Changes {
  const ev = obs.event;
  const p = obs.payload;
  const known = view.session(obs.session_id);
  const contradiction = (reason: string) => {
    changes.contradictions.push(contradictionRow(obs, reason));
  };
  const fact = sessionFact(view, changes, obs.session_id);
  if (ev === "AppServerHookRan") {
    fact.hooks_seen_running = true;
    changes.sessionFact = fact;
    return changes;
  }
  if (!known && ev === "AppServerClosed") return changes;
  const s: SessionRow = known ? { ...known } : newSession(obs);
  if (s.status === "offline") {
    if (s.end_reason !== THREAD_CLOSED || ev !== "AppServerSeen") {
      // The hooks ended it (or the daemon did and says nothing new): hooks alone reopen a session.
      if (ev === "AppServerSeen" && s.end_reason !== THREAD_CLOSED) {
        contradiction(`the app-server lists the thread, the hooks ended the session (${s.end_reason})`);
      }
      // The daemon's turns still count, the session stays as the hooks left it: the two streams
      // arrive in any order, so this may well be a turn of before the end, or of a resume.
      const tid = obs.turn_id;
      if (!tid) return changes;
      const known = getTurn(view, changes, s.session_id, tid);
      const t = known ? { ...known } : openTurn(s, obs, tid);
      const f = turnFacts(view, changes, obs, tid);
      const outcome = str(p.outcome) as "completed" | "interrupted" | "failed" | null;
      if (ev === "AppServerTurnEnded" && outcome && (t.outcome === "open" || t.outcome === "abandoned")) {
        Object.assign(t, { outcome, ended_at: obs.observed_at });
        f.closed_by = "app-server";
      }
      upsertTurn(changes, t);
      putFact(changes, f);
      changes.session = s;
      return changes;
    }
    Object.assign(s, { status: "online", turn_state: "idle", ended_at: null, end_reason: null });
  }
  // `last_seen` stays the hooks' (their newest-wins fields compare with it); the daemon's is a fact.
  if (obs.observed_at < s.started_at) s.started_at = obs.observed_at;
  if ((fact.app_server_seen_at ?? "") < obs.observed_at) fact.app_server_seen_at = obs.observed_at;
  changes.sessionFact = fact;
  s.cwd ??= str(p.cwd);
  s.model ??= str(p.model);

  const current = s.current_turn_id ? getTurn(view, changes, s.session_id, s.current_turn_id) : undefined;
  const hooksRunTurn = current?.outcome === "open" && current.hook_events.length > 0;
  /** The daemon says the thread is busy or idle; it moves only a session without an open turn. */
  const activity = (busy: boolean) => {
    fact.app_server_state = busy ? "busy" : "idle";
    if (current?.outcome === "open") {
      if (!busy && hooksRunTurn) {
        contradiction(`the app-server says idle, the hooks say busy (turn ${current.turn_id} is open)`);
      }
      return;
    }
    if (busy) {
      s.status = "busy";
      s.turn_state = "working";
    } else if (s.status === "busy" || s.turn_state === "working") {
      s.status = "online";
      s.turn_state = "idle";
    }
  };

  switch (ev) {
    case "AppServerSeen": {
      const state = str(p.turnState);
      if (!known && state === "idle") s.turn_state = "idle";
      activity(state === "working");
      if (state !== "working" && s.turn_count === 0 && s.status !== "busy") {
        s.turn_state = state === "idle" ? "idle" : "pending_first_turn";
      }
      break;
    }
    case "AppServerActivity":
      activity(p.state === "busy");
      break;
    case "AppServerClosed": {
      closeOpenTurn(view, s, obs, "abandoned", changes);
      Object.assign(s, {
        status: "offline",
        turn_state: "idle",
        ended_at: obs.observed_at,
        end_reason: THREAD_CLOSED,
      });
      fact.app_server_state = "closed";
      break;
    }
    default: {
      const tid = obs.turn_id;
      if (!tid) break;
      const t = turnOf(view, s, obs, tid, changes);
      const f = turnFacts(view, changes, obs, tid);
      if (ev === "AppServerTurnEnded") {
        const outcome = str(p.outcome) as "completed" | "interrupted" | "failed" | null;
        // `abandoned` was a guess (the session ended or went quiet with the turn open): evidence wins.
        if ((t.outcome === "open" || t.outcome === "abandoned") && outcome) {
          finishTurn(s, t, outcome, obs.observed_at);
          f.closed_by = "app-server";
        } else if (outcome && t.outcome !== outcome) {
          contradiction(`the app-server says turn ${tid} ${outcome}, the hooks say ${t.outcome}`);
        }
        // A turn the hooks ended; the daemon's busy guess (no open turn) ends with it.
        if (s.current_turn_id === null && s.status === "busy") {
          s.status = "online";
          s.turn_state = "idle";
        }
        f.closed_by ??= "hook";
      }
      upsertTurn(changes, t);
      putFact(changes, f);
    }
  }
  changes.session = s;
  return changes;
}
