/**
 * Runs one scenario against the real hook scripts in a temporary Codex home
 * and state dir, checks its expectations, and records a timeline.
 *
 * @module
 */

import { basename, dirname, isAbsolute, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { HookEventName } from "../codex/events.ts";
import { LIFELINE_ROOT } from "../hooks/handlers.ts";
import { Store } from "../lifecycle/store/mod.ts";
import { type SessionReport, sessionReport } from "../lifecycle/status.ts";
import { writeCodexHome } from "./codex_home.ts";
import { discover, type Discovery } from "./discovery.ts";
import { FakeCodex, type HookRun, simClock } from "./engine.ts";
import { inProcessRunner } from "./inprocess.ts";
import { type Hub, startHub } from "../hub/server.ts";
import { heartbeatPath } from "../hooks/_sidecar.ts";
import { type Expectation, type Scenario, SESSION_EXPECTATIONS, type Step } from "./scenario.ts";

/** One failed expectation. */
export interface ExpectationFailure {
  /** The scenario line of the step. */
  step: number;
  expected: unknown;
  actual: unknown;
}

/** One point of the timeline: the state of each session after a step. */
export interface TimelineEntry {
  line: number;
  step: string;
  at: string;
  sessions: Record<string, { status: string; turn_state: string } | null>;
  runs: { event: string; status: string; duration_ms: number; lifeline: boolean }[];
}

/** The result of one scenario. */
export interface ScenarioResult {
  name: string;
  file: string;
  profile: string;
  description: string;
  passed: boolean;
  failures: ExpectationFailure[];
  hook_runs: number;
  runs: HookRun[];
  /** Every notify payload the fake Codex sent. */
  notifications: string[];
  timeline: TimelineEntry[];
  skipped: Discovery["skipped"];
  warnings: string[];
  duration_ms: number;
}

/** Options of {@link runScenario}. */
export interface RunOptions {
  /** Call lifeline's hooks as functions instead of processes (fast; same logic). */
  inProcess?: boolean;
  /** Keep the temporary directory (its path is printed in the report). */
  keep?: boolean;
}

function describe(step: Step): string {
  switch (step.step) {
    case "advance":
      return `advance ${step.seconds}s`;
    case "raw":
      return `raw ${step.event}`;
    case "prompt":
    case "assistant":
      return `${step.session}: ${step.step} "${
        step.text.length > 30 ? step.text.slice(0, 29) + "…" : step.text
      }"`;
    case "tool":
      return `${step.session}: tool ${step.name}${
        step.command ? ` "${step.command}"` : ""
      } → exit ${step.exit_code}`;
    case "expect":
      return `${step.session}: expect ${Object.keys(step.expect).join(", ")}`;
    default:
      return `${step.session}: ${step.step}`;
  }
}

/** Runs a scenario. Never throws for a failing scenario: failures are in the result. */
export async function runScenario(sc: Scenario, opts: RunOptions = {}): Promise<ScenarioResult> {
  const t0 = performance.now();
  const h = sc.header;
  const dir = await Deno.makeTempDir({ prefix: `lifeline-sim-${h.name.replace(/[^A-Za-z0-9_-]/g, "_")}-` });
  const places = {
    deno: Deno.execPath(),
    root: LIFELINE_ROOT,
    codexHome: join(dir, ".codex"),
    stateDir: join(dir, ".lifeline"),
  };
  const workspace = join(dir, "workspace");
  await Deno.mkdir(workspace, { recursive: true });
  await writeCodexHome({
    places,
    profile: h.profile,
    trusted: h.trusted,
    ...(h.events ? { events: h.events as HookEventName[] } : {}),
    extra: h.hooks.map((x) => ({ ...x, event: x.event as HookEventName })),
  });
  const discovery = discover(places.codexHome, h.profile);
  const clock = simClock(h.start ?? new Date());
  // Hub scenarios need real hook processes: the hooks start the sidecars.
  const runner = opts.inProcess && !h.hub ? inProcessRunner() : undefined;
  const engine = new FakeCodex({
    profile: h.profile,
    discovery,
    codexHome: places.codexHome,
    workspace,
    clock,
    seed: `${h.name}:${clock.now().toISOString()}`,
    env: {
      HOME: dir,
      PATH: Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
      LIFELINE_STALE_BUSY_SECONDS: String(h.settings.stale_busy_seconds),
      LIFELINE_FAILURE_HINT_THRESHOLD: String(h.settings.failure_hint_threshold),
      LIFELINE_TEXT: h.settings.text,
    },
    ...(runner ? { runner } : {}),
  });
  const hub = h.hub
    ? startHub({ stateDir: places.stateDir, port: 0, pingMs: 60_000, alive: (pid) => engine.alive(pid) })
    : undefined;
  const failures: ExpectationFailure[] = [];
  const timeline: TimelineEntry[] = [];
  const read = (): Map<string, SessionReport> => {
    const out = new Map<string, SessionReport>();
    if (!runner) {
      try {
        Deno.statSync(join(places.stateDir, "lifeline.db"));
      } catch {
        return out;
      }
    }
    const store = runner?.store ?? Store.open(places.stateDir);
    try {
      store.maintain({
        now: clock.now().toISOString(),
        staleBusyMs: h.settings.stale_busy_seconds * 1000,
        alive: (pid) => engine.alive(pid),
      });
      for (const s of store.sessions()) out.set(s.session_id, sessionReport(store, s));
    } finally {
      if (!runner) store.close();
    }
    return out;
  };
  const idOf = (label: string) => engine.sessions.get(label)?.id ?? label;
  try {
    for (const step of sc.steps) {
      engine.at(step.line);
      const before = engine.runs.length;
      try {
        await perform(engine, step, sc.file, hub, places.stateDir);
      } catch (e) {
        failures.push({
          step: step.line,
          expected: `step "${step.step}" runs`,
          actual: (e as Error).message,
        });
      }
      await engine.settle();
      // Sidecars are real processes: give an expected transport its time before reading.
      if (step.step === "expect" && step.expect.transport !== undefined && hub) {
        await waitFor(() => transportOf(hub, idOf(step.session)) === step.expect.transport, 10_000);
      }
      const reports = read();
      if (step.step === "expect") {
        const report = reports.get(idOf(step.session));
        const st = runner?.store ?? (report ? Store.open(places.stateDir) : undefined);
        const inbox = st ? st.deliveries(idOf(step.session)) : [];
        if (st && !runner) st.close();
        failures.push(
          ...check(
            step.line,
            step.expect,
            report,
            engine.runs.filter((r) => r.session === step.session),
            discovery,
            {
              transport: hub ? transportOf(hub, idOf(step.session)) : undefined,
              delivered: inbox.filter((d) => d.status === "delivered").length,
              pending: inbox.filter((d) => d.status === "pending").length,
            },
          ),
        );
      }
      const labels = new Set([...engine.sessions.keys()]);
      timeline.push({
        line: step.line,
        step: describe(step),
        at: clock.now().toISOString(),
        sessions: Object.fromEntries([...labels].map((l) => {
          const r = reports.get(idOf(l));
          return [l, r ? { status: r.status, turn_state: r.turn_state } : null];
        })),
        runs: engine.runs.slice(before).map((r) => ({
          event: r.event,
          status: r.status,
          duration_ms: r.duration_ms,
          lifeline: r.lifeline,
        })),
      });
    }
  } finally {
    await engine.close();
    await hub?.close();
    runner?.close();
    if (!opts.keep) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return {
    name: h.name,
    file: sc.file,
    profile: h.profile.version,
    description: h.description,
    passed: failures.length === 0,
    failures,
    hook_runs: engine.runs.length,
    runs: engine.runs,
    notifications: engine.notifications,
    timeline,
    skipped: discovery.skipped,
    warnings: opts.keep ? [...discovery.warnings, `kept: ${dir}`] : discovery.warnings,
    duration_ms: Math.round(performance.now() - t0),
  };
}

function transportOf(hub: Hub, sessionId: string): "connected" | "disconnected" {
  return hub.connected().includes(sessionId) ? "connected" : "disconnected";
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

async function perform(
  engine: FakeCodex,
  step: Step,
  file: string,
  hub: Hub | undefined,
  stateDir = "",
): Promise<void> {
  const hubStep = step.step === "drop" || step.step === "reconnect" || step.step === "kill_sidecar" ||
    step.step === "message";
  if (hubStep && !hub) throw new Error(`step "${step.step}" needs a hub: add "hub": true to the header`);
  const sid = "session" in step ? engine.sessions.get(step.session)?.id ?? step.session : "";
  switch (step.step) {
    case "start":
      engine.start(step.session, step.cwd, step.model);
      return;
    case "prompt":
      return engine.prompt(step.session, step.text);
    case "tool":
      return engine.tool(step.session, step);
    case "assistant":
      return engine.assistant(step.session, step.text);
    case "interrupt":
      return engine.interrupt(step.session);
    case "compact":
      return engine.compact(step.session, step.trigger);
    case "clear":
      engine.clear(step.session);
      return;
    case "resume":
      engine.resume(step.session);
      return;
    case "exit":
      return engine.exit(step.session);
    case "kill":
      engine.kill(step.session);
      return;
    case "advance":
      engine.o.clock.advance(step.seconds * 1000);
      return;
    case "raw": {
      const pid = step.pid === undefined ? undefined : engine.standInFor(step.pid);
      if (step.event === "notify") {
        if (engine.o.discovery.notify) {
          engine.spawnNotify(engine.o.discovery.notify, JSON.stringify(step.payload), pid);
        }
        return;
      }
      const payload = { ...step.payload };
      if (step.transcript) {
        // A recorded transcript travels with the scenario: copy it where Codex keeps them.
        const src = isAbsolute(step.transcript)
          ? step.transcript
          : join(dirname(isAbsolute(file) ? file : join(LIFELINE_ROOT, file)), step.transcript);
        const dest = join(engine.o.codexHome, "sessions", basename(step.transcript));
        await Deno.copyFile(src, dest);
        payload.transcript_path = dest;
      }
      const label = typeof payload.session_id === "string" ? payload.session_id : "raw";
      await engine.fire(step.event as HookEventName, payload, label, pid);
      return;
    }
    case "expect":
      return;
    case "drop":
      if (!hub!.drop(sid)) {
        throw new Error(`cannot drop session "${step.session}": its sidecar is not connected`);
      }
      await waitFor(() => !hub!.connected().includes(sid), 5000);
      return;
    case "reconnect":
      if (!await waitFor(() => hub!.connected().includes(sid), 15_000)) {
        throw new Error(`the sidecar of session "${step.session}" did not reconnect within 15 s`);
      }
      return;
    case "kill_sidecar": {
      const hb = heartbeatPath(stateDir, sid);
      const pid = Number(Deno.readTextFileSync(hb));
      if (!Number.isInteger(pid) || pid <= 0) {
        throw new Error(`session "${step.session}" has no running sidecar`);
      }
      Deno.kill(pid, "SIGKILL");
      // A killed sidecar leaves its heartbeat behind; let it age as it would (no beat for a minute).
      const old = new Date(Date.now() - 60_000);
      Deno.utimeSync(hb, old, old);
      await waitFor(() => !hub!.connected().includes(sid), 5000);
      return;
    }
    case "message": {
      const res = await fetch(`${hub!.url}/sessions/${encodeURIComponent(sid)}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${hub!.token}`, "content-type": "application/json" },
        body: JSON.stringify({ kind: step.kind, text: step.text }),
      });
      const body = await res.text();
      if (step.expect_status !== undefined && res.status !== step.expect_status) {
        throw new Error(
          `expected HTTP ${step.expect_status} for the ${step.kind}, got ${res.status}: ${body}`,
        );
      }
      return;
    }
  }
}

/** Compares one expectation with what the store and the runs say. */
export function check(
  line: number,
  e: Expectation,
  report: SessionReport | undefined,
  runs: HookRun[],
  discovery: Discovery,
  hubState: { transport: "connected" | "disconnected" | undefined; delivered: number; pending: number } = {
    transport: undefined,
    delivered: 0,
    pending: 0,
  },
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
