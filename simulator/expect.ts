/**
 * Checking one `expect` step: the session as the store reports it, the hook
 * runs Codex saw, what discovery skipped, and the hub's view of transport and
 * deliveries. Pure: every input is data.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import type { SessionReport } from "../lifecycle/status.ts";
import type { Discovery } from "./discovery.ts";
import type { HookRun } from "./fire.ts";
import { type Expectation, SESSION_EXPECTATIONS } from "./scenario.ts";

/** One failed expectation. */
export interface ExpectationFailure {
  /** The scenario line of the step. */
  step: number;
  expected: unknown;
  actual: unknown;
}

/** What the hub says about a session (no hub: transport undefined, no deliveries). */
export interface HubState {
  transport: "connected" | "disconnected" | "app-server" | undefined;
  delivered: number;
  pending: number;
}

/** Compares one expectation with what the store and the runs say. */
export function check(
  line: number,
  e: Expectation,
  report: SessionReport | undefined,
  runs: HookRun[],
  discovery: Discovery,
  hubState: HubState = { transport: undefined, delivered: 0, pending: 0 },
): ExpectationFailure[] {
  const out: ExpectationFailure[] = [];
  const fail = (field: string, expected: unknown, actual: unknown) =>
    out.push({ step: line, expected: { [field]: expected }, actual: { [field]: actual } });
  if (!report && SESSION_EXPECTATIONS.some((f) => e[f] !== undefined)) {
    out.push({ step: line, expected: { session: "recorded" }, actual: { session: "not in the store" } });
  } else if (report) {
    if (e.status !== undefined && e.status !== report.status) fail("status", e.status, report.status);
    if (e.turn_state !== undefined && e.turn_state !== report.turn_state) {
      fail("turn_state", e.turn_state, report.turn_state);
    }
    if (e.end_reason !== undefined && e.end_reason !== report.end_reason) {
      fail("end_reason", e.end_reason, report.end_reason);
    }
    if (e.turns !== undefined) {
      const actual = report.turns.map((t) => t.outcome);
      if (!isDeepStrictEqual(actual, e.turns)) fail("turns", e.turns, actual);
    }
    if (e.turn !== undefined) {
      const { index, ...fields } = e.turn;
      const t = report.turns.at(index) as Record<string, unknown> | undefined;
      for (const [k, v] of Object.entries(fields)) {
        if (!t || !isDeepStrictEqual(t[k], v)) fail(`turn[${index}].${k}`, v, t ? t[k] : "no such turn");
      }
    }
    if (e.failures !== undefined) {
      const key = (f: { tool: string; error_class: string; count: number }) =>
        `${f.tool} ${f.error_class} ×${f.count}`;
      const actual = report.failures.map(key).sort();
      const expected = e.failures.map(key).sort();
      if (!isDeepStrictEqual(actual, expected)) fail("failures", expected, actual);
    }
    if (e.sources !== undefined) {
      const actual = [...report.sources].sort();
      if (!isDeepStrictEqual(actual, [...e.sources].sort())) fail("sources", e.sources, actual);
    }
    if (e.contradictions !== undefined && e.contradictions !== report.contradictions.length) {
      fail("contradictions", e.contradictions, report.contradictions.map((c) => `${c.event}: ${c.reason}`));
    }
  }
  if (e.hook !== undefined) {
    const user = e.hook.handler === "user";
    const of = runs.filter((r) => r.event === e.hook!.event && r.lifeline !== user);
    const last = of.at(-1);
    if (e.hook.count !== undefined && of.length !== e.hook.count) {
      fail(`hook ${e.hook.event} runs`, e.hook.count, of.length);
    }
    if (
      e.hook.status !== undefined || e.hook.context_matches !== undefined || e.hook.decision !== undefined
    ) {
      if (!last) fail(`hook ${e.hook.event}`, "a run", "no run");
      else {
        if (e.hook.status !== undefined && last.status !== e.hook.status) {
          fail(`hook ${e.hook.event} status`, e.hook.status, last.status);
        }
        if (e.hook.decision !== undefined && (last.decision ?? null) !== e.hook.decision) {
          fail(`hook ${e.hook.event} decision`, e.hook.decision, last.decision ?? null);
        }
        if (
          e.hook.context_matches !== undefined && !new RegExp(e.hook.context_matches).test(last.context ?? "")
        ) {
          fail(`hook ${e.hook.event} context`, `/${e.hook.context_matches}/`, last.context ?? null);
        }
      }
    }
  }
  if (e.transport !== undefined && e.transport !== hubState.transport) {
    fail("transport", e.transport, hubState.transport ?? "no hub");
  }
  if (e.deliveries?.delivered !== undefined && e.deliveries.delivered !== hubState.delivered) {
    fail("deliveries.delivered", e.deliveries.delivered, hubState.delivered);
  }
  if (e.deliveries?.pending !== undefined && e.deliveries.pending !== hubState.pending) {
    fail("deliveries.pending", e.deliveries.pending, hubState.pending);
  }
  if (e.skipped !== undefined) {
    const n = discovery.skipped.filter((s) =>
      s.event === e.skipped!.event && s.reason === e.skipped!.reason
    ).length;
    if (e.skipped.count !== undefined ? n !== e.skipped.count : n === 0) {
      fail(`skipped ${e.skipped.event} (${e.skipped.reason})`, e.skipped.count ?? "at least 1", n);
    }
  }
  return out;
}
