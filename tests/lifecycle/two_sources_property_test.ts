/**
 * The two sources folded together. Each recorded hook session (the exec
 * recordings and the real TUI's, daemon on) gets its app-server view, built
 * the way the daemon reports such a session: listed before its first prompt,
 * busy, the turn, its command runs and tokens, the turn's end, idle, and the
 * thread closed at the end. Random interleavings of the two streams must give
 * the same sessions, turns and failures as the hooks alone wherever the
 * hooks see the event, and more otherwise (a session before any hook,
 * tokens, tool runs, `sources`).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { HOOK_EVENTS, type HookEventName } from "../../codex/events.ts";
import { parseHookInput } from "../../codex/payloads.ts";
import { parseNotifyObject } from "../../codex/notify.ts";
import type { Observation } from "../../lifecycle/model.ts";
import { observeHook, observeNotify } from "../../lifecycle/observe.ts";
import { observeAppServer } from "../../lifecycle/app_server_observe.ts";
import type { AppServerObservation } from "../../lifecycle/app_server_observations.ts";
import { makeScrubber } from "../../lifecycle/scrub.ts";
import { isCompactionOutsideTurn } from "../../lifecycle/compaction.ts";
import { Store } from "../../lifecycle/store/mod.ts";
import { statusReport } from "../../lifecycle/status.ts";
import { readRecorded, RECORDED_NAMES } from "../harness/sessions.ts";

const RUNS = 1000;
const scrubber = makeScrubber("scrubbed", "/root");
const TUI_DIR = new URL("../testdata/recorded/tui/", import.meta.url);

/** The hook stream of one recording, one second apart. */
function hookStream(
  lines: { kind: string; event?: string; pid?: number | null; ppid?: number; payload: unknown }[],
) {
  let t = Date.parse("2026-11-21T00:00:00Z");
  const out: Observation[] = [];
  for (const r of lines) {
    if (r.kind !== "hook" && r.kind !== "notify") continue;
    const p = r.payload as Record<string, unknown>;
    // Events newer than this branch's codex/ (PreModelRequest, …) are not lifeline's yet.
    if (r.kind === "hook" && !HOOK_EVENTS.includes(p.hook_event_name as HookEventName)) continue;
    const ctx = { now: () => new Date(t += 1000), scrubber, pid: r.pid ?? r.ppid ?? null, hintThreshold: 2 };
    out.push(
      r.kind === "hook"
        ? observeHook(parseHookInput(JSON.stringify(p), (p.hook_event_name ?? r.event) as HookEventName), ctx)
        : observeNotify(parseNotifyObject(p), ctx),
    );
  }
  return out;
}

/** What the daemon says about the sessions of a hook stream, at the hooks' times. */
function appServerView(hooks: readonly Observation[]): Observation[] {
  const out: AppServerObservation[] = [];
  const open = new Map<string, string | null>();
  // A repeated delivery (same key) is one event to the hooks; the daemon's view follows what they saw.
  const keys = new Set<string>();
  hooks = hooks.filter((o) => !keys.has(o.key) && keys.add(o.key));
  const base = (o: Observation, dt = 0) => ({
    source: "app-server" as const,
    at: Date.parse(o.observed_at) + dt,
  });
  const tokens = {
    inputTokens: 10,
    cachedInputTokens: 2,
    outputTokens: 5,
    reasoningOutputTokens: 1,
    totalTokens: 15,
  };
  for (const o of hooks) {
    if (o.event === "Notify") continue; // exec sessions and the TUI's ephemeral title threads
    // A manual /compact between turns is no turn to lifeline (its own turn id, no prompt). The real
    // daemon runs it as a turn whose only item is a compaction, which the tracker drops (measured:
    // tests/e2e/app_server_compact_test.ts), so the daemon's view gives nothing for it either.
    if (isCompactionOutsideTurn(o.event, o.payload)) continue;
    const sid = o.session_id;
    const threadId = sid;
    const p = o.payload;
    if (o.event === "SessionStart") {
      out.push({
        ...base(o, -500),
        kind: "session_seen",
        threadId,
        sessionId: sid,
        cwd: typeof p.cwd === "string" ? p.cwd : null,
        model: typeof p.model === "string" ? p.model : null,
        turnState: "pending_first_turn",
        via: "thread/started",
      });
      continue;
    }
    const current = open.get(sid) ?? null;
    if (o.turn_id && o.turn_id !== current && o.event !== "SessionEnd") {
      const isNew = !out.some((a) => a.kind === "turn_started" && a.turnId === o.turn_id);
      if (isNew) {
        if (current) {
          out.push({
            ...base(o),
            kind: "turn_ended",
            threadId,
            turnId: current,
            outcome: "interrupted",
            error: null,
            durationMs: null,
            lastAssistantMessage: null,
          });
        }
        out.push({ ...base(o), kind: "activity", threadId, state: "busy", flags: [] });
        out.push({ ...base(o), kind: "turn_started", threadId, turnId: o.turn_id });
        open.set(sid, o.turn_id);
      }
    }
    const tid = open.get(sid);
    if (o.event === "PostToolUse" && tid && typeof p.tool_use_id === "string") {
      out.push({
        ...base(o),
        kind: "tool_invocation",
        threadId,
        turnId: tid,
        itemId: p.tool_use_id,
        command: "sh -c …",
        status: o.failure ? "failed" : "completed",
        exitCode: o.failure ? 1 : 0,
        durationMs: 10,
      });
    }
    if ((o.event === "Stop" || o.event === "Interrupt") && tid && tid === o.turn_id) {
      if (o.event === "Stop") {
        out.push({
          ...base(o),
          kind: "tokens",
          threadId,
          turnId: tid,
          total: tokens,
          last: tokens,
          modelContextWindow: null,
        });
      }
      out.push({
        ...base(o),
        kind: "turn_ended",
        threadId,
        turnId: tid,
        outcome: o.event === "Stop" ? "completed" : "interrupted",
        error: null,
        durationMs: null,
        lastAssistantMessage: typeof p.last_assistant_message === "string" ? p.last_assistant_message : null,
      });
      out.push({ ...base(o), kind: "activity", threadId, state: "idle", flags: [] });
      open.set(sid, null);
    }
    if (o.event === "SessionEnd") {
      // A turn the TUI left running is never reported ended: the daemon closes the thread.
      out.push({ ...base(o, 500), kind: "offline", threadId, reason: "thread_closed" });
      open.set(sid, null);
    }
  }
  return out.map((a) => observeAppServer(a, "threadId" in a ? a.threadId : "", scrubber)!);
}

function fold(obs: readonly Observation[]): Store {
  const s = Store.memory();
  for (const o of obs) s.record(o);
  return s;
}

/** What hooks alone decide: every field but `started_at` (the daemon may see a session earlier). */
function hookFacts(store: Store) {
  return store.sessions().map((s) => {
    const { started_at: _, ...rest } = s;
    return {
      ...rest,
      turns: store.turns(s.session_id),
      failures: store.failures(s.session_id).map((f) => [f.turn_id, f.tool, f.error_class]),
    };
  }).sort((a, b) => a.session_id.localeCompare(b.session_id));
}

async function tuiRecordings(): Promise<Observation[][]> {
  const out: Observation[][] = [];
  for (const version of ["0.169.0-daemon", "0.171.0-daemon"]) {
    for await (const e of Deno.readDir(new URL(`${version}/`, TUI_DIR))) {
      if (!e.name.endsWith(".jsonl")) continue;
      const text = await Deno.readTextFile(new URL(`${version}/${e.name}`, TUI_DIR));
      out.push(hookStream(text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l))));
    }
  }
  return out;
}

const sessions: Observation[][] = [];
for (const name of RECORDED_NAMES) sessions.push(hookStream(await readRecorded(name)));
sessions.push(...await tuiRecordings());
const cases = sessions.filter((h) => h.length > 0).map((hooks) => {
  const app = appServerView(hooks);
  return { hooks, app, alone: hookFacts(fold(hooks)) };
});

/** A random merge of two streams, each kept in its own order. */
const interleaving = fc.integer({ min: 0, max: cases.length - 1 }).chain((i) =>
  fc.tuple(
    fc.constant(i),
    fc.shuffledSubarray(
      [...Array(cases[i]!.hooks.length + cases[i]!.app.length).keys()],
      { minLength: cases[i]!.hooks.length, maxLength: cases[i]!.hooks.length },
    ),
  )
);

Deno.test("two sources: the recorded sessions have an app-server view to interleave", () => {
  assert.ok(cases.length >= 20, `only ${cases.length} recorded sessions`);
  assert.ok(cases.every((c) => c.app.length > 0), "every session has app-server observations");
  assert.ok(cases.some((c) => c.app.some((o) => o.event === "AppServerTool")), "some run a command");
});

Deno.test("property: interleaving the app-server stream never changes what the hooks alone give", () => {
  fc.assert(
    fc.property(interleaving, ([i, hookSlots]) => {
      const c = cases[i]!;
      const slots = new Set(hookSlots);
      const merged: Observation[] = [];
      let h = 0, a = 0;
      for (let k = 0; k < c.hooks.length + c.app.length; k++) {
        merged.push(slots.has(k) ? c.hooks[h++]! : c.app[a++]!);
      }
      const both = fold(merged);
      try {
        assert.deepEqual(hookFacts(both), c.alone);
        // More complete: tokens and sources where the daemon saw the session.
        const report = statusReport(both);
        for (const s of report.sessions) {
          if (c.app.some((o) => o.session_id === s.session_id)) {
            assert.ok(s.sources.includes("app-server"), `sources of ${s.session_id}: ${s.sources}`);
          }
        }
        const stopped = c.app.filter((o) => o.event === "AppServerTokens").map((o) => o.turn_id);
        const hookCounted = new Map<string | null, number>();
        for (const o of c.hooks) {
          const usage = o.event === "PostModelRequest" ? o.payload.token_usage : undefined;
          const total = (usage as { total_tokens?: unknown } | undefined)?.total_tokens;
          if (typeof total === "number") {
            hookCounted.set(o.turn_id, (hookCounted.get(o.turn_id) ?? 0) + total);
          }
        }
        for (const s of report.sessions) {
          for (const t of s.turns) {
            if (!stopped.includes(t.turn_id)) continue;
            // The model-request hooks count every request: where they saw the turn, their account
            // stands; elsewhere the daemon's count (15 in this view) fills in.
            if (hookCounted.has(t.turn_id)) {
              assert.equal(t.tokens?.total, hookCounted.get(t.turn_id), t.turn_id);
            } else assert.equal(t.tokens?.total, 15, `tokens of ${t.turn_id}`);
          }
        }
      } finally {
        both.close();
      }
    }),
    { numRuns: RUNS },
  );
});

Deno.test("before any hook, the daemon's view alone is a session in pending_first_turn", () => {
  for (const c of cases) {
    const seen = c.app.filter((o) => o.event === "AppServerSeen");
    if (seen.length === 0) continue;
    const s = fold([seen[0]!]);
    try {
      const row = s.session(seen[0]!.session_id);
      assert.deepEqual([row?.status, row?.turn_state], ["online", "pending_first_turn"]);
      assert.deepEqual(s.sources(seen[0]!.session_id), ["app-server"]);
      // The hooks alone know nothing of it yet.
      assert.equal(fold([]).session(seen[0]!.session_id), undefined);
    } finally {
      s.close();
    }
  }
});
