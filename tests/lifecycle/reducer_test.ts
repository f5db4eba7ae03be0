/**
 * The pure reducer, without SQLite: a Map-backed view folds observations
 * through `reduce()` exactly as the store does (journal unique by key, rows
 * written as the reducer returns them). The last properties check that this
 * fold and the store agree on any history, and the invariants every fold
 * keeps.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type {
  Changes,
  ContradictionRow,
  FailureRow,
  HintRow,
  Observation,
  SessionRow,
  StateView,
  TurnRow,
} from "../../lifecycle/model.ts";
import { reduce } from "../../lifecycle/reducer.ts";
import { processGone, repairObservation, staleBefore, type Upkeep } from "../../lifecycle/upkeep.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { history, materialise, observation } from "../harness/histories.ts";

const STALE_MS = 1800 * 1000;
const T0 = Date.parse("2026-11-21T00:00:00Z");

/** The derived tables in memory, filled only by `reduce()`. */
class Fold implements StateView {
  readonly keys = new Set<string>();
  readonly sessionRows = new Map<string, SessionRow>();
  readonly turnRows = new Map<string, TurnRow>();
  readonly failureRows = new Map<string, FailureRow>();
  readonly contradictionRows = new Map<string, ContradictionRow>();
  readonly hintRows = new Map<string, HintRow>();

  session(id: string): SessionRow | undefined {
    return this.sessionRows.get(id);
  }
  turn(sid: string, tid: string): TurnRow | undefined {
    return this.turnRows.get(`${sid}\0${tid}`);
  }
  failuresSince(sid: string, tool: string, cls: string, since: string): number {
    return [...this.failureRows.values()].filter((f) =>
      f.session_id === sid && f.tool === tool && f.error_class === cls && f.observed_at >= since
    ).length;
  }
  hinted(sid: string, tool: string, cls: string): boolean {
    return this.hintRows.has(`${sid}\0${tool}\0${cls}`);
  }

  /** Journals and applies `obs` unless its key is known; returns the changes (undefined for a repeat). */
  apply(obs: Observation): Changes | undefined {
    if (this.keys.has(obs.key)) return undefined;
    this.keys.add(obs.key);
    const c = reduce(this, obs);
    if (c.session) this.sessionRows.set(c.session.session_id, c.session);
    for (const t of c.turns) this.turnRows.set(`${t.session_id}\0${t.turn_id}`, t);
    for (const f of c.failures) if (!this.failureRows.has(f.key)) this.failureRows.set(f.key, f);
    for (const x of c.contradictions) {
      if (!this.contradictionRows.has(x.key)) this.contradictionRows.set(x.key, x);
    }
    for (const h of c.hints) {
      const k = `${h.session_id}\0${h.tool}\0${h.error_class}`;
      if (!this.hintRows.has(k)) this.hintRows.set(k, h);
    }
    return c;
  }

  /** The upkeep the store runs before each write, by the same policy. */
  upkeep(u: Upkeep): void {
    const cutoff = staleBefore(u);
    const all = () => [...this.sessionRows.values()];
    for (const s of all().filter((s) => cutoff && s.status === "busy" && s.last_seen < cutoff)) {
      this.apply(repairObservation("StaleBusyRepair", s, u.now));
    }
    for (const s of all().filter((s) => processGone(u, s))) {
      this.apply(repairObservation("ProcessGone", s, u.now));
    }
  }

  turnsOf(sid: string): TurnRow[] {
    return [...this.turnRows.values()].filter((t) => t.session_id === sid).sort((a, b) =>
      a.ordinal - b.ordinal
    );
  }
}

function fold(obs: readonly Observation[], withUpkeep = false): Fold {
  const f = new Fold();
  for (const o of obs) {
    if (withUpkeep) f.upkeep({ now: o.observed_at, staleBusyMs: STALE_MS });
    f.apply(o);
  }
  return f;
}

const at = (s: number) => T0 + s * 1000;
const ev = (
  event: Observation["event"],
  turn: string | null,
  s: number,
  payload: Record<string, unknown> = {},
  extra: Partial<Observation> = {},
) => observation(event, "s", turn, payload, at(s), extra);

Deno.test("lazy registration: SessionStart alone waits for a first turn; any turn event opens one", () => {
  const started = fold([ev("SessionStart", null, 1, { source: "startup" })]).session("s")!;
  assert.deepEqual([started.status, started.turn_state, started.source], [
    "online",
    "pending_first_turn",
    "startup",
  ]);
  const f = fold([ev("PreToolUse", "t1", 1, { tool_name: "Bash", tool_use_id: "c1" })]);
  assert.deepEqual([f.session("s")!.status, f.session("s")!.turn_state], ["busy", "working"]);
  assert.deepEqual(f.turnsOf("s").map((t) => [t.turn_id, t.outcome, t.tool_invocations]), [[
    "t1",
    "open",
    1,
  ]]);
});

Deno.test("a prompt makes the session busy; Stop completes the turn and the session is idle", () => {
  const f = fold([
    ev("SessionStart", null, 1),
    ev("UserPromptSubmit", "t1", 2, { prompt: "hi" }),
    ev("Stop", "t1", 3, { stop_hook_active: false, last_assistant_message: "hello" }),
  ]);
  const s = f.session("s")!;
  assert.deepEqual([s.status, s.turn_state, s.current_turn_id, s.turn_count], ["online", "idle", null, 1]);
  const [t] = f.turnsOf("s");
  assert.deepEqual([t!.outcome, t!.prompt, t!.last_assistant_message, t!.ended_at], [
    "completed",
    "hi",
    "hello",
    new Date(at(3)).toISOString(),
  ]);
});

Deno.test("Interrupt ends the turn as interrupted; a new prompt while a turn is open interrupts it", () => {
  const fired = fold([ev("UserPromptSubmit", "t1", 1), ev("Interrupt", "t1", 2)]);
  assert.deepEqual(fired.turnsOf("s").map((t) => t.outcome), ["interrupted"]);
  assert.equal(fired.session("s")!.status, "online");
  // Codex before 0.150 fires nothing on Esc: the next turn is the only sign.
  const silent = fold([ev("UserPromptSubmit", "t1", 1), ev("UserPromptSubmit", "t2", 5)]);
  assert.deepEqual(silent.turnsOf("s").map((t) => [t.turn_id, t.outcome]), [["t1", "interrupted"], [
    "t2",
    "open",
  ]]);
  assert.deepEqual([silent.session("s")!.status, silent.session("s")!.current_turn_id], ["busy", "t2"]);
});

Deno.test("contradictions: recorded with the event's key, and nothing else changes", () => {
  const ended = fold([ev("UserPromptSubmit", "t1", 1), ev("SessionEnd", null, 2, { reason: "exit" })]);
  assert.equal(ended.session("s")!.end_reason, "exit");
  assert.equal(ended.turnsOf("s")[0]!.outcome, "abandoned", "SessionEnd abandons the open turn");
  const late = ev("PreToolUse", "t1", 3, { tool_name: "Bash" });
  const c = ended.apply(late)!;
  assert.deepEqual([c.session, c.turns, c.failures, c.hints], [undefined, [], [], []]);
  assert.deepEqual(c.contradictions.map((x) => [x.key, x.event, x.reason]), [
    [late.key, "PreToolUse", "PreToolUse after the session ended (exit)"],
  ]);
  assert.deepEqual(ended.apply(ev("SessionEnd", null, 4, { reason: "other" })), {
    session: undefined,
    turns: [],
    failures: [],
    contradictions: [],
    hints: [],
  }, "a second SessionEnd changes nothing and is no contradiction");

  const interrupted = fold([ev("UserPromptSubmit", "t1", 1), ev("Interrupt", "t1", 2)]);
  const stop = interrupted.apply(ev("Stop", "t1", 3, { stop_hook_active: false }))!;
  assert.deepEqual(stop.contradictions.map((x) => x.reason), ["Stop for a turn already interrupted"]);
  assert.equal(interrupted.turnsOf("s")[0]!.outcome, "interrupted");
});

Deno.test("stale-busy repair: only a busy session; its turn abandoned; a later event of that turn takes it back", () => {
  const f = fold([ev("SessionStart", null, 1)]);
  assert.equal(
    f.apply(repairObservation("StaleBusyRepair", f.session("s")!, "2026-11-21T01:00:00.000Z"))!.session,
    undefined,
  );
  f.apply(ev("UserPromptSubmit", "t1", 2));
  f.apply(
    repairObservation("StaleBusyRepair", f.session("s")!, new Date(at(2) + STALE_MS + 1).toISOString()),
  );
  assert.deepEqual([f.session("s")!.status, f.session("s")!.turn_state], ["online", "idle"]);
  assert.equal(f.turnsOf("s")[0]!.outcome, "abandoned");
  // Evidence wins over the guess: the turn was alive after all.
  f.apply(ev("PostToolUse", "t1", 4000, { tool_name: "Bash", tool_use_id: "c1", tool_response: "" }));
  assert.deepEqual([f.session("s")!.status, f.turnsOf("s")[0]!.outcome], ["busy", "open"]);
  f.apply(ev("Stop", "t1", 4001, { stop_hook_active: false }));
  assert.deepEqual([f.session("s")!.status, f.turnsOf("s")[0]!.outcome], ["online", "completed"]);
  assert.equal(f.contradictionRows.size, 0);
});

Deno.test("a repair is not taken back once a newer turn started", () => {
  const f = fold([ev("UserPromptSubmit", "t1", 1)]);
  f.apply(
    repairObservation("StaleBusyRepair", f.session("s")!, new Date(at(1) + STALE_MS + 1).toISOString()),
  );
  f.apply(ev("UserPromptSubmit", "t2", 4000));
  const c = f.apply(ev("Stop", "t1", 4001, { stop_hook_active: false }))!;
  assert.deepEqual(c.contradictions.map((x) => x.reason), ["Stop for a turn already abandoned"]);
  assert.deepEqual(f.turnsOf("s").map((t) => t.outcome), ["abandoned", "open"]);
});

Deno.test("process gone: offline with its turn abandoned; only a new SessionStart reopens the session", () => {
  const f = fold([ev("UserPromptSubmit", "t1", 1, {}, { pid: 77 })]);
  f.apply(repairObservation("ProcessGone", f.session("s")!, new Date(at(2)).toISOString()));
  const gone = f.session("s")!;
  assert.deepEqual([gone.status, gone.end_reason, gone.ended_at], [
    "offline",
    "process_gone",
    new Date(at(2)).toISOString(),
  ]);
  assert.equal(f.turnsOf("s")[0]!.outcome, "abandoned");
  // The same repair again finds nothing to do (the store would not even journal it: same key).
  const again = { ...repairObservation("ProcessGone", gone, new Date(at(3)).toISOString()), key: "again" };
  assert.equal(reduce(f, again).session, undefined);
  f.apply(ev("SessionStart", null, 10, { source: "resume" }, { pid: 78 }));
  const back = f.session("s")!;
  assert.deepEqual([back.status, back.turn_state, back.end_reason, back.pid, back.source], [
    "online",
    "idle",
    null,
    78,
    "resume",
  ]);
});

Deno.test("a Stop our hook blocked keeps the turn working; the continued Stop completes it", () => {
  const f = fold([
    ev("UserPromptSubmit", "t1", 1),
    ev("Stop", "t1", 2, { stop_hook_active: false }, { blocked: true }),
  ]);
  assert.deepEqual([f.session("s")!.status, f.turnsOf("s")[0]!.outcome], ["busy", "open"]);
  f.apply(ev("Stop", "t1", 3, { stop_hook_active: true, last_assistant_message: "answered" }));
  assert.deepEqual([f.session("s")!.status, f.turnsOf("s")[0]!.outcome], ["online", "completed"]);
  assert.equal(f.turnsOf("s")[0]!.last_assistant_message, "answered");
});

Deno.test("notify: completes its turn, fills in a missing answer (safety net), even after SessionEnd", () => {
  const notify = (s: number) =>
    ev("Notify", "t1", s, {
      type: "agent-turn-complete",
      "thread-id": "s",
      "turn-id": "t1",
      "last-assistant-message": "done",
    });
  const f = fold([
    ev("UserPromptSubmit", "t1", 1),
    ev("Stop", "t1", 2, { stop_hook_active: false }),
    notify(3),
  ]);
  const t = f.turnsOf("s")[0]!;
  assert.deepEqual([t.outcome, t.last_assistant_message, t.safety_net_used], ["completed", "done", true]);
  assert.deepEqual(t.hook_events, ["UserPromptSubmit", "Stop", "notify"]);

  const late = fold([ev("UserPromptSubmit", "t1", 1), ev("SessionEnd", null, 2), notify(3)]);
  assert.equal(late.session("s")!.status, "offline");
  assert.equal(late.contradictionRows.size, 0);
});

Deno.test("failure hint: once per (session, tool, class), when the threshold is reached", () => {
  const fail = (s: number, id: string) =>
    ev("PostToolUse", "t1", s, { tool_name: "Bash", tool_use_id: id, tool_response: "" }, {
      failure: { tool: "Bash", error_class: "exit_1", message: "boom" },
    });
  const f = fold([ev("UserPromptSubmit", "t1", 1), fail(2, "c1")]);
  assert.equal(f.hintRows.size, 0);
  assert.deepEqual(f.apply(fail(3, "c2"))!.hints.map((h) => h.count), [2]);
  assert.deepEqual(f.apply(fail(4, "c3"))!.hints, [], "a hint is given once");
  assert.equal(f.turnsOf("s")[0]!.tool_failures, 3);
});

Deno.test("upkeep policy: repair is off at an infinite timeout; an unknown liveness is not death", () => {
  assert.equal(staleBefore({ now: "2026-11-21T00:00:00.000Z", staleBusyMs: Infinity }), undefined);
  const s = fold([ev("UserPromptSubmit", "t1", 1, {}, { pid: 5 })]).session("s")!;
  const now = "2026-11-21T01:00:00.000Z";
  assert.equal(processGone({ now, staleBusyMs: STALE_MS, alive: () => undefined }, s), false);
  assert.equal(processGone({ now, staleBusyMs: STALE_MS, alive: () => false }, s), true);
  assert.equal(processGone({ now, staleBusyMs: STALE_MS }, s), false);
  const r = repairObservation("StaleBusyRepair", s, now);
  assert.equal(
    r.key,
    repairObservation("StaleBusyRepair", s, "2026-11-22T00:00:00.000Z").key,
    "one key per state seen",
  );
});

/** The store's derived rows, typed like the fold's. */
function storeRows(obs: readonly Observation[], withUpkeep: boolean) {
  const store = Store.memory();
  for (const o of obs) {
    store.record(o, withUpkeep ? { now: o.observed_at, staleBusyMs: STALE_MS } : undefined);
  }
  const sessions = store.sessions();
  const out = {
    sessions: sessions.sort((a, b) => a.session_id.localeCompare(b.session_id)),
    turns: sessions.flatMap((s) => store.turns(s.session_id)),
    failures: sessions.flatMap((s) => store.failures(s.session_id)).map((r) => ({ ...r })).sort((a, b) =>
      a.key.localeCompare(b.key)
    ),
    contradictions: sessions.flatMap((s) => store.contradictions(s.session_id)).map((c) => c.key).sort(),
    hints: sessions.flatMap((s) => store.hints(s.session_id)).map((r) => ({ ...r })),
  };
  store.close();
  return out;
}

function foldRows(f: Fold) {
  const sessions = [...f.sessionRows.values()].sort((a, b) => a.session_id.localeCompare(b.session_id));
  return {
    sessions,
    turns: sessions.flatMap((s) => f.turnsOf(s.session_id)),
    failures: [...f.failureRows.values()].sort((a, b) => a.key.localeCompare(b.key)),
    contradictions: [...f.contradictionRows.keys()].sort(),
    hints: sessions.flatMap((s) =>
      [...f.hintRows.values()].filter((h) => h.session_id === s.session_id)
        .sort((a, b) => a.tool.localeCompare(b.tool) || a.error_class.localeCompare(b.error_class))
    ),
  };
}

Deno.test("property: folding any history in memory gives the store's tables (with and without upkeep)", () => {
  fc.assert(
    fc.property(history, fc.boolean(), (obs, withUpkeep) => {
      assert.deepEqual(foldRows(fold(obs, withUpkeep)), storeRows(obs, withUpkeep));
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: invariants of every fold step", () => {
  fc.assert(
    fc.property(history, (obs) => {
      const f = new Fold();
      const ended = new Map<string, TurnRow>();
      for (const o of obs) {
        f.upkeep({ now: o.observed_at, staleBusyMs: STALE_MS });
        f.apply(o);
        for (const s of f.sessionRows.values()) {
          if (s.status === "offline") {
            assert.notEqual(s.turn_state, "working", `${s.session_id} offline and working`);
          }
          const open = f.turnsOf(s.session_id).filter((t) => t.outcome === "open");
          assert.ok(open.length <= 1, `${s.session_id} has ${open.length} open turns`);
          if (s.status === "busy") assert.equal(open[0]?.turn_id, s.current_turn_id ?? undefined);
          assert.equal(s.turn_count, f.turnsOf(s.session_id).length);
        }
        // A turn ends once: only a stale-busy guess (`abandoned`) may be taken back.
        for (const t of f.turnRows.values()) {
          const k = `${t.session_id}\0${t.turn_id}`;
          const was = ended.get(k);
          if (was && was.outcome !== "abandoned") {
            assert.deepEqual([t.outcome, t.ended_at], [was.outcome, was.ended_at], `turn ${k} ended twice`);
          }
          if (t.outcome !== "open") ended.set(k, t);
          else ended.delete(k);
        }
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: a history with every event delivered twice folds to the same state", () => {
  fc.assert(
    fc.property(history, (obs) => {
      assert.deepEqual(foldRows(fold(obs.flatMap((o) => [o, o]))), foldRows(fold(obs)));
    }),
    { numRuns: 200 },
  );
});

Deno.test("materialised histories are what the properties fold", () => {
  const obs = materialise([{ kind: "prompt", session: 0 }, { kind: "stop", session: 0, notify: true }]);
  assert.deepEqual(obs.map((o) => o.event), ["SessionStart", "UserPromptSubmit", "Stop", "Notify"]);
  assert.equal(fold(obs).turnsOf("s0")[0]!.safety_net_used, true);
});
