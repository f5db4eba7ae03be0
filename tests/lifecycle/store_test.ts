import assert from "node:assert/strict";
import fc from "fast-check";
import type { Observation } from "../../lifecycle/model.ts";
import { idempotencyKey } from "../../lifecycle/keys.ts";
import { Store, type Upkeep } from "../../lifecycle/store/mod.ts";
import { openExisting } from "../../lifecycle/read.ts";
import { history, materialise } from "../harness/histories.ts";

const STALE_MS = 1800 * 1000;
const upkeepAt = (o: Observation): Upkeep => ({ now: o.observed_at, staleBusyMs: STALE_MS });

function recordAll(obs: Observation[]): Store {
  const store = Store.memory();
  for (const o of obs) store.record(o, upkeepAt(o));
  return store;
}

Deno.test("a session with a tool call: one completed turn, online/idle", () => {
  const obs = materialise([{ kind: "prompt", session: 0 }, { kind: "tool", session: 0, fail: false }, {
    kind: "stop",
    session: 0,
    notify: false,
  }]);
  const store = recordAll(obs);
  const s = store.session("s0")!;
  assert.equal(s.status, "online");
  assert.equal(s.turn_state, "idle");
  assert.equal(s.source, "startup");
  const [t] = store.turns("s0");
  assert.equal(t!.outcome, "completed");
  assert.equal(t!.tool_invocations, 1);
  assert.deepEqual(t!.hook_events, ["UserPromptSubmit", "PreToolUse", "PostToolUse", "Stop"]);
});

Deno.test("Codex < 0.150: a new prompt while a turn is open closes it as interrupted", () => {
  const store = recordAll(materialise([
    { kind: "prompt", session: 0 },
    { kind: "interrupt", session: 0, fires: false },
    { kind: "prompt", session: 0 },
  ]));
  const turns = store.turns("s0");
  assert.deepEqual(turns.map((t) => t.outcome), ["interrupted", "open"]);
  assert.equal(store.session("s0")!.status, "busy");
});

Deno.test("Interrupt (≥ 0.150): the turn is interrupted and the session idle", () => {
  const store = recordAll(
    materialise([{ kind: "prompt", session: 0 }, { kind: "interrupt", session: 0, fires: true }]),
  );
  assert.equal(store.turns("s0")[0]!.outcome, "interrupted");
  assert.equal(store.session("s0")!.status, "online");
  assert.equal(store.session("s0")!.turn_state, "idle");
});

Deno.test("lazy registration: any first event registers the session; SessionStart may never come", () => {
  const obs = materialise([{ kind: "prompt", session: 0 }]).filter((o) => o.event !== "SessionStart");
  const store = recordAll(obs);
  assert.equal(store.session("s0")!.status, "busy");
  assert.equal(store.session("s0")!.source, null);
});

Deno.test("safety net: notify records the answer Stop did not carry", () => {
  const store = recordAll(
    materialise([{ kind: "prompt", session: 0 }, { kind: "stop", session: 0, notify: true }]),
  );
  const t = store.turns("s0")[0]!;
  assert.equal(t.last_assistant_message, "done");
  assert.equal(t.safety_net_used, true);
  assert.deepEqual(t.hook_events, ["UserPromptSubmit", "Stop", "notify"]);
});

Deno.test("notify after SessionEnd still completes its turn without reopening the session", () => {
  const obs = materialise([{ kind: "prompt", session: 0 }, { kind: "stop", session: 0, notify: true }, {
    kind: "end",
    session: 0,
  }]);
  const notify = obs.findIndex((o) => o.event === "Notify");
  const [n] = obs.splice(notify, 1);
  obs.push({ ...n!, observed_at: new Date(Date.parse(obs.at(-1)!.observed_at) + 10).toISOString() });
  const store = recordAll(obs);
  assert.equal(store.session("s0")!.status, "offline");
  assert.equal(store.turns("s0")[0]!.safety_net_used, true);
  assert.deepEqual(store.contradictions("s0"), []);
});

Deno.test("an event after SessionEnd is a contradiction, recorded and not applied", () => {
  const obs = materialise([{ kind: "prompt", session: 0 }, { kind: "end", session: 0 }]);
  const late: Observation = {
    ...obs[1]!,
    key: "late",
    event: "PreToolUse",
    payload: { ...obs[1]!.payload, tool_name: "Bash" },
  };
  const store = recordAll([...obs, late]);
  const [c] = store.contradictions("s0");
  assert.equal(c!.event, "PreToolUse");
  assert.match(c!.reason, /after the session ended \(other\)/);
  assert.equal(store.turns("s0")[0]!.hook_events.includes("PreToolUse"), false);
  assert.equal(store.session("s0")!.status, "offline");
});

Deno.test("Stop for an interrupted turn is a contradiction", () => {
  const obs = materialise([{ kind: "prompt", session: 0 }, { kind: "interrupt", session: 0, fires: true }]);
  const stop: Observation = {
    ...obs.at(-1)!,
    key: "stop",
    event: "Stop",
    payload: { stop_hook_active: false },
  };
  const store = recordAll([...obs, stop]);
  assert.match(store.contradictions("s0")[0]!.reason, /Stop for a turn already interrupted/);
});

Deno.test("stale-busy repair: a busy session with no sign of life goes online/idle, its turn abandoned", () => {
  const obs = materialise([{ kind: "prompt", session: 0 }]);
  const store = recordAll(obs);
  const last = Date.parse(obs.at(-1)!.observed_at);
  assert.equal(
    store.maintain({ now: new Date(last + STALE_MS - 1000).toISOString(), staleBusyMs: STALE_MS }),
    0,
  );
  assert.equal(store.session("s0")!.status, "busy");
  assert.equal(
    store.maintain({ now: new Date(last + STALE_MS + 1000).toISOString(), staleBusyMs: STALE_MS }),
    1,
  );
  assert.equal(store.session("s0")!.status, "online");
  assert.equal(store.turns("s0")[0]!.outcome, "abandoned");
  assert.equal(store.journal().at(-1)!.event, "StaleBusyRepair");
});

Deno.test("a session whose Codex process is gone is offline", () => {
  // Each session in a process of its own (process per session): s1's process is another one.
  const store = recordAll(
    materialise([{ kind: "prompt", session: 0 }, { kind: "prompt", session: 1 }]).map((o) =>
      o.session_id === "s1" ? { ...o, pid: 4343 } : o
    ),
  );
  const now = new Date(Date.parse("2026-11-21T01:00:00Z")).toISOString();
  store.maintain({ now, staleBusyMs: STALE_MS * 10, alive: () => undefined });
  assert.equal(store.session("s0")!.status, "busy", "cannot tell = leave it");
  store.maintain({ now, staleBusyMs: STALE_MS * 10, alive: () => false });
  assert.equal(store.session("s0")!.status, "offline");
  assert.equal(store.session("s0")!.end_reason, "process_gone");
  assert.equal(store.turns("s0")[0]!.outcome, "abandoned");
});

Deno.test("failure hint: once per (session, tool, class), at the threshold, within 24 h", () => {
  const store = recordAll(materialise([
    { kind: "prompt", session: 0 },
    { kind: "tool", session: 0, fail: true },
    { kind: "tool", session: 0, fail: true },
    { kind: "tool", session: 0, fail: true },
  ]));
  assert.deepEqual(store.hints("s0").map((h) => [h.tool, h.error_class, h.count]), [["Bash", "exit_1", 2]]);
  const old = materialise([{ kind: "prompt", session: 1 }, { kind: "tool", session: 1, fail: true }, {
    kind: "wait",
    seconds: 90_000,
  }, {
    kind: "tool",
    session: 1,
    fail: true,
  }]);
  const store2 = recordAll(old.map((o) => ({ ...o, hint_threshold: 2 })));
  assert.deepEqual(store2.hints("s1"), [], "failures more than 24 h apart do not add up");
});

Deno.test("property: folding the journal from scratch equals the incremental tables", () => {
  fc.assert(
    fc.property(history, fc.integer({ min: 0, max: 10 }), (obs, extraHours) => {
      const store = recordAll(obs);
      if (obs.length) {
        store.maintain({
          now: new Date(Date.parse(obs.at(-1)!.observed_at) + extraHours * 3600_000).toISOString(),
          staleBusyMs: STALE_MS,
        });
      }
      const fresh = Store.memory();
      fresh.replay(store.journal());
      assert.deepEqual(fresh.dump(), store.dump());
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: delivering any event twice in a row changes nothing", () => {
  fc.assert(
    fc.property(history, fc.array(fc.nat(), { maxLength: 10 }), (obs, dups) => {
      fc.pre(obs.length > 0);
      const twice = [...obs];
      for (const d of dups) {
        const i = d % twice.length;
        twice.splice(i + 1, 0, twice[i]!);
      }
      assert.deepEqual(recordAll(twice).dump(), recordAll(obs).dump());
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: SessionStart and the first UserPromptSubmit in either order give the same state", () => {
  fc.assert(
    fc.property(history, (obs) => {
      const i = obs.findIndex((o) => o.event === "SessionStart");
      fc.pre(i >= 0 && obs[i + 1]?.event === "UserPromptSubmit");
      const swapped = [...obs];
      [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
      assert.deepEqual(recordAll(swapped).dump(), recordAll(obs).dump());
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: no session stays busy past the stale timeout once the clock passes it", () => {
  fc.assert(
    fc.property(history, (obs) => {
      const store = recordAll(obs);
      const last = obs.length ? Date.parse(obs.at(-1)!.observed_at) : 0;
      store.maintain({ now: new Date(last + STALE_MS + 1).toISOString(), staleBusyMs: STALE_MS });
      assert.deepEqual(store.sessions().filter((s) => s.status === "busy"), []);
      assert.equal(
        store.maintain({ now: new Date(last + 2 * STALE_MS).toISOString(), staleBusyMs: STALE_MS }),
        0,
      );
    }),
    { numRuns: 300 },
  );
});

Deno.test("the idempotency key depends on the event and the canonical payload only", () => {
  assert.equal(idempotencyKey("Stop", { a: 1, b: 2 }), idempotencyKey("Stop", { b: 2, a: 1 }));
  assert.notEqual(idempotencyKey("Stop", { a: 1 }), idempotencyKey("Interrupt", { a: 1 }));
});

Deno.test("the store file is private and survives reopening (migrations run once)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const state = `${dir}/state`;
    const a = Store.open(state);
    a.record(materialise([{ kind: "prompt", session: 0 }])[0]!);
    a.close();
    const b = Store.open(state);
    assert.equal(b.journal().length, 1);
    b.close();
    assert.equal(Deno.statSync(state).mode! & 0o777, 0o700);
    assert.equal(Deno.statSync(`${state}/lifeline.db`).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a stale-busy repair is a guess: a later event of that turn takes it back", () => {
  const obs = materialise([{ kind: "prompt", session: 0 }]);
  const store = recordAll(obs);
  const last = Date.parse(obs.at(-1)!.observed_at);
  store.maintain({ now: new Date(last + STALE_MS + 1000).toISOString(), staleBusyMs: STALE_MS });
  assert.equal(store.turns("s0")[0]!.outcome, "abandoned");
  const turn = obs.at(-1)!.turn_id!;
  const at = (s: number) => new Date(last + STALE_MS + s * 1000).toISOString();
  const ev = (event: Observation["event"], payload: Record<string, unknown>, s: number): Observation => ({
    ...obs.at(-1)!,
    key: `late-${event}`,
    event,
    turn_id: turn,
    observed_at: at(s),
    payload: { ...payload, turn_id: turn },
  });
  // A tool event: the turn was alive after all.
  store.record(ev("PreToolUse", { tool_name: "Bash", tool_use_id: "c9" }, 2));
  assert.deepEqual([store.session("s0")!.status, store.turns("s0")[0]!.outcome], ["busy", "open"]);
  // Its Stop completes it.
  store.record(ev("Stop", { stop_hook_active: false, last_assistant_message: "finally" }, 3));
  assert.deepEqual([store.session("s0")!.status, store.turns("s0")[0]!.outcome], ["online", "completed"]);
  assert.deepEqual(store.contradictions("s0"), []);
});

Deno.test("a repair is not taken back once a newer turn started or the session ended", () => {
  const obs = materialise([{ kind: "prompt", session: 0 }, { kind: "wait", seconds: 2000 }, {
    kind: "prompt",
    session: 0,
  }]);
  const store = recordAll(obs);
  assert.deepEqual(store.turns("s0").map((t) => t.outcome), ["abandoned", "open"]);
  const first = store.turns("s0")[0]!.turn_id;
  store.record({
    ...obs.at(-1)!,
    key: "late-stop",
    event: "Stop",
    turn_id: first,
    payload: { turn_id: first, stop_hook_active: false },
  });
  assert.deepEqual(store.turns("s0").map((t) => t.outcome), ["abandoned", "open"]);
  assert.match(store.contradictions("s0")[0]!.reason, /Stop for a turn already abandoned/);
});

Deno.test("a Stop that claims hub messages is journaled as blocked (the one place `blocked` is set)", () => {
  const obs = materialise([{ kind: "prompt", session: 0 }]);
  const store = recordAll(obs);
  const last = obs.at(-1)!;
  const turn = last.turn_id!;
  store.addDelivery({ id: "m1", session_id: "s0", kind: "notify", text: "hi", created_at: last.observed_at });
  const stop = (active: boolean, s: number): Observation => ({
    ...last,
    key: `stop-${active}`,
    event: "Stop",
    observed_at: new Date(Date.parse(last.observed_at) + s * 1000).toISOString(),
    payload: { turn_id: turn, stop_hook_active: active },
  });
  assert.deepEqual(store.recordAndClaim(stop(false, 1), undefined, false).delivered, [], "no claim asked");
  const fresh = recordAll(obs);
  fresh.addDelivery({ id: "m1", session_id: "s0", kind: "notify", text: "hi", created_at: last.observed_at });
  const first = fresh.recordAndClaim(stop(false, 1), undefined, true);
  assert.deepEqual(first.delivered.map((d) => d.id), ["m1"]);
  assert.equal(fresh.journal().at(-1)!.blocked, true);
  assert.deepEqual([fresh.session("s0")!.status, fresh.turns("s0")[0]!.outcome], ["busy", "open"]);
  const second = fresh.recordAndClaim(stop(true, 2), undefined, true);
  assert.deepEqual(second.delivered, []);
  assert.equal(fresh.journal().at(-1)!.blocked, false);
  assert.deepEqual([fresh.session("s0")!.status, fresh.turns("s0")[0]!.outcome], ["online", "completed"]);
  assert.deepEqual(fresh.deliveries("s0").map((d) => [d.status, d.delivered_event]), [["delivered", "Stop"]]);
});

Deno.test("a reader never creates a store: openExisting is undefined where nothing was recorded", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(openExisting(`${dir}/state`), undefined);
    await assert.rejects(Deno.stat(`${dir}/state`), Deno.errors.NotFound);
    Store.open(`${dir}/state`).close();
    const st = openExisting(`${dir}/state`);
    assert.ok(st instanceof Store);
    st.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
