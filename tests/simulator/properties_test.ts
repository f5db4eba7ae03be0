/**
 * Properties of replay, 1,000 runs each: duplicates and replays change
 * nothing, arrival order does not matter where Codex promises none, no
 * session stays busy past the stale timeout plus one repair, and a
 * model-based test (`fc.commands`) of the store against a small reference
 * model.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { HookEventName } from "../../codex/events.ts";
import { parseHookInput } from "../../codex/payloads.ts";
import { parseNotifyObject } from "../../codex/notify.ts";
import type { Observation } from "../../lifecycle/model.ts";
import { observeHook, observeNotify } from "../../lifecycle/observe.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { readRecorded, RECORDED_NAMES } from "../harness/sessions.ts";
import { history, observation } from "../harness/histories.ts";

const RUNS = 1000;
const STALE = 1800_000;

function recordAll(obs: Observation[]): Store {
  const s = Store.memory();
  for (const o of obs) s.record(o, { now: o.observed_at, staleBusyMs: STALE });
  return s;
}

/** The recorded real sessions as observations, one second apart. */
async function recordedObservations(): Promise<Observation[][]> {
  const out: Observation[][] = [];
  for (const name of RECORDED_NAMES) {
    let t = Date.parse("2026-11-21T00:00:00Z");
    const scrubber = makeScrubber("scrubbed", "/root");
    out.push((await readRecorded(name)).map((r) => {
      const ctx = { now: () => new Date(t += 1000), scrubber, pid: r.pid, hintThreshold: 2 };
      return r.kind === "hook"
        ? observeHook(
          parseHookInput(JSON.stringify(r.payload), r.payload.hook_event_name as HookEventName),
          ctx,
        )
        : observeNotify(parseNotifyObject(r.payload), ctx);
    }));
  }
  return out;
}

const recorded = await recordedObservations();
const anySequence = fc.oneof(history, fc.constantFrom(...recorded));

// Delivering a whole sequence again is not a re-delivery: Codex repeats identical payloads for distinct
// events (a resumed thread's SessionStart and SessionEnd), so identical content after other events is a
// new occurrence. A copy arrives back to back with its original; a journal replayed is its own keys.
Deno.test("property: replaying the journal again, or a sequence with deliveries duplicated in a row, gives an identical store", () => {
  fc.assert(
    fc.property(anySequence, fc.array(fc.nat(), { maxLength: 8 }), (obs, dups) => {
      const store = recordAll(obs);
      const once = store.dump();
      store.replay(store.journal());
      assert.deepEqual(store.dump(), once);
      const withDups = [...obs];
      for (const d of dups) {
        if (withDups.length) withDups.splice(d % withDups.length, 0, withDups[d % withDups.length]!);
      }
      assert.deepEqual(recordAll(withDups).dump(), once);
    }),
    { numRuns: RUNS },
  );
});

Deno.test("property: arrival order does not matter where Codex promises none (different sessions interleave; SessionStart/first prompt overlap)", () => {
  fc.assert(
    fc.property(history, fc.nat(), (obs, seed) => {
      // Observations of different sessions may arrive in any interleaving: keep each session's own order.
      const bySession = new Map<string, Observation[]>();
      for (const o of obs) bySession.set(o.session_id, [...(bySession.get(o.session_id) ?? []), o]);
      const queues = [...bySession.values()].map((q) => [...q]);
      const shuffled: Observation[] = [];
      let r = seed;
      while (queues.some((q) => q.length)) {
        const live = queues.filter((q) => q.length);
        r = (r * 1103515245 + 12345) >>> 0;
        shuffled.push(live[r % live.length]!.shift()!);
      }
      // …and SessionStart may swap with the first UserPromptSubmit.
      const i = shuffled.findIndex((o) => o.event === "SessionStart");
      if (i >= 0) {
        const j = shuffled.findIndex((o, k) => k > i && o.session_id === shuffled[i]!.session_id);
        if (j >= 0 && shuffled[j]!.event === "UserPromptSubmit") {
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
      }
      // Upkeep depends on arrival time, so compare without it: record with no repairs.
      const a = Store.memory();
      const b = Store.memory();
      for (const o of obs) a.record(o);
      for (const o of shuffled) b.record(o);
      assert.deepEqual(b.dump(), a.dump());
    }),
    { numRuns: RUNS },
  );
});

Deno.test("property: no session stays busy past the stale timeout plus one repair", () => {
  fc.assert(
    fc.property(anySequence, fc.integer({ min: 0, max: 3 * 3600 }), (obs, extra) => {
      const store = recordAll(obs);
      const last = obs.length ? Date.parse(obs.at(-1)!.observed_at) : 0;
      const now = new Date(last + STALE + 1 + extra * 1000).toISOString();
      store.maintain({ now, staleBusyMs: STALE });
      assert.deepEqual(store.sessions().filter((s) => s.status === "busy").map((s) => s.session_id), []);
      assert.equal(store.maintain({ now, staleBusyMs: STALE }), 0, "one repair is enough");
    }),
    { numRuns: RUNS },
  );
});

// ---------------------------------------------------------------------------
// Model-based: the store against a small reference model.

interface ModelSession {
  status: "online" | "busy" | "offline";
  outcomes: string[];
  open: boolean;
  started: boolean;
  lastSeen: number;
  /** The last turn was abandoned by a stale-busy repair: a later event of it takes the repair back. */
  repaired: boolean;
}
interface Model {
  now: number;
  sessions: Map<string, ModelSession>;
}
interface Real {
  store: Store;
  last: Observation | undefined;
  turns: Map<string, number>;
}

let keySeq = 0;

/** The stale-busy rule, applied as the store applies it: before every write, and when the clock moves. */
function repairStale(m: Model): void {
  for (const s of m.sessions.values()) {
    if (s.status === "busy" && s.lastSeen < m.now - STALE) {
      s.status = "online";
      if (s.open) {
        s.outcomes[s.outcomes.length - 1] = "abandoned";
        s.repaired = true;
      }
      s.open = false;
    }
  }
}

/** Evidence wins over a stale-busy repair: the turn is open again. */
function revive(s: ModelSession): void {
  if (!s.repaired) return;
  s.repaired = false;
  s.outcomes[s.outcomes.length - 1] = "open";
  s.open = true;
  s.status = "busy";
}

/**
 * One delivery: the clock moves 1 s, upkeep runs (in the model and, inside
 * `record`, in the store), then the event applies: `apply` is the model's
 * side of it.
 */
function deliver(
  m: Model,
  r: Real,
  event: Observation["event"],
  sid: string,
  turn: string | null,
  payload: Record<string, unknown>,
  apply: () => void,
): void {
  m.now += 1000;
  repairStale(m);
  apply();
  const o = observation(event, sid, turn, { ...payload, n: keySeq++ }, m.now, {
    pid: null,
    hint_threshold: 0,
  });
  r.store.record(o, { now: o.observed_at, staleBusyMs: STALE });
  r.last = o;
  const s = m.sessions.get(sid);
  if (s && s.status !== "offline") s.lastSeen = m.now;
}

const ms = (m: Model, sid: string): ModelSession => {
  let s = m.sessions.get(sid);
  if (!s) {
    m.sessions.set(
      sid,
      s = { status: "online", outcomes: [], open: false, started: false, lastSeen: m.now, repaired: false },
    );
  }
  return s;
};
const turnOf = (r: Real, sid: string) => `${sid}-t${r.turns.get(sid) ?? 0}`;

/** Every command checks the store against the model after it runs. */
abstract class Checked implements fc.Command<Model, Real> {
  abstract check(m: Readonly<Model>): boolean;
  abstract step(m: Model, r: Real): void;
  abstract describe(): string;
  toString(): string {
    return this.describe();
  }
  run(m: Model, r: Real): void {
    this.step(m, r);
    compare(m, r);
  }
}

class Prompt extends Checked {
  constructor(readonly sid: string) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.sessions.get(this.sid)?.status !== "offline";
  }
  step(m: Model, r: Real) {
    if (!m.sessions.get(this.sid)?.started) {
      deliver(
        m,
        r,
        "SessionStart",
        this.sid,
        null,
        { source: "startup" },
        () => void (ms(m, this.sid).started = true),
      );
    }
    r.turns.set(this.sid, (r.turns.get(this.sid) ?? 0) + 1);
    deliver(m, r, "UserPromptSubmit", this.sid, turnOf(r, this.sid), { prompt: "p" }, () => {
      const s = ms(m, this.sid);
      if (s.open) s.outcomes[s.outcomes.length - 1] = "interrupted"; // Codex < 0.150: Esc fired nothing
      s.repaired = false;
      s.outcomes.push("open");
      s.open = true;
      s.status = "busy";
    });
  }
  describe(): string {
    return `prompt(${this.sid})`;
  }
}
class Tool extends Checked {
  constructor(readonly sid: string) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.sessions.get(this.sid)?.open === true;
  }
  step(m: Model, r: Real) {
    // A tool event after a stale repair shows the turn was alive after all.
    deliver(m, r, "PostToolUse", this.sid, turnOf(r, this.sid), {
      tool_name: "Bash",
      tool_use_id: `c${keySeq}`,
    }, () => revive(ms(m, this.sid)));
  }
  describe(): string {
    return `tool(${this.sid})`;
  }
}
class Stop extends Checked {
  constructor(readonly sid: string) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.sessions.get(this.sid)?.open === true;
  }
  step(m: Model, r: Real) {
    deliver(m, r, "Stop", this.sid, turnOf(r, this.sid), { stop_hook_active: false }, () => {
      const s = ms(m, this.sid);
      revive(s);
      s.outcomes[s.outcomes.length - 1] = "completed";
      s.open = false;
      s.status = "online";
    });
  }
  describe(): string {
    return `stop(${this.sid})`;
  }
}
class Interrupt extends Checked {
  constructor(readonly sid: string, readonly fires: boolean) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.sessions.get(this.sid)?.open === true;
  }
  step(m: Model, r: Real) {
    if (!this.fires) return; // Codex < 0.150: nothing at all
    deliver(m, r, "Interrupt", this.sid, turnOf(r, this.sid), {}, () => {
      const s = ms(m, this.sid);
      revive(s);
      s.outcomes[s.outcomes.length - 1] = "interrupted";
      s.open = false;
      s.status = "online";
    });
  }
  describe(): string {
    return `interrupt(${this.sid}, ${this.fires ? "Interrupt" : "nothing"})`;
  }
}
class End extends Checked {
  constructor(readonly sid: string) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.sessions.get(this.sid)?.started === true && m.sessions.get(this.sid)?.status !== "offline";
  }
  step(m: Model, r: Real) {
    deliver(m, r, "SessionEnd", this.sid, null, { reason: "other" }, () => {
      const s = ms(m, this.sid);
      if (s.open) s.outcomes[s.outcomes.length - 1] = "abandoned";
      s.repaired = false;
      s.open = false;
      s.status = "offline";
    });
  }
  describe(): string {
    return `end(${this.sid})`;
  }
}
class Advance extends Checked {
  constructor(readonly seconds: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  step(m: Model, r: Real) {
    m.now += this.seconds * 1000;
    repairStale(m);
    r.store.maintain({ now: new Date(m.now).toISOString(), staleBusyMs: STALE });
  }
  describe(): string {
    return `advance(${this.seconds}s)`;
  }
}
class Duplicate extends Checked {
  check(): boolean {
    return true;
  }
  step(_m: Model, r: Real) {
    if (r.last) assert.equal(r.store.record(r.last).inserted, false);
  }
  describe(): string {
    return "duplicate(last)";
  }
}

function compare(m: Model, r: Real): void {
  for (const [sid, s] of m.sessions) {
    const row = r.store.session(sid);
    assert.ok(row, `session ${sid} is recorded`);
    assert.equal(row.status, s.status, `status of ${sid}`);
    assert.deepEqual(r.store.turns(sid).map((t) => t.outcome), s.outcomes, `turns of ${sid}`);
  }
}

Deno.test("model-based (fc.commands): the lifecycle store agrees with a reference model", () => {
  const sid = fc.constantFrom("s1", "s2");
  const commands = [
    sid.map((s) => new Prompt(s)),
    sid.map((s) => new Tool(s)),
    sid.map((s) => new Stop(s)),
    fc.tuple(sid, fc.boolean()).map(([s, f]) => new Interrupt(s, f)),
    sid.map((s) => new End(s)),
    fc.oneof(fc.integer({ min: 1, max: 4000 }), fc.constantFrom(1798, 1799, 1800)).map((n) => new Advance(n)),
    fc.constant(new Duplicate()),
  ];
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 40 }), (cmds) => {
      const model: Model = { now: Date.parse("2026-11-21T00:00:00Z"), sessions: new Map() };
      const real: Real = { store: Store.memory(), last: undefined, turns: new Map() };
      fc.modelRun(() => ({ model, real }), cmds);
    }),
    { numRuns: RUNS },
  );
});
