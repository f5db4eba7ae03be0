/**
 * Runs one scenario against the real hook scripts in a temporary Codex home
 * and state dir, checks its expectations, and records a timeline. Every
 * process the run starts or causes is gone before the temporary dir is.
 *
 * @module
 */

import { join } from "node:path";
import type { HookEventName } from "../codex/events.ts";
import { LIFELINE_ROOT } from "../hooks/handlers.ts";
import { type Hub, startHub } from "../hub/server.ts";
import { type SessionReport, sessionReport } from "../lifecycle/status.ts";
import { Store } from "../lifecycle/store/mod.ts";
import type { Observation } from "../lifecycle/model.ts";
import { writeCodexHome } from "./codex_home.ts";
import { discover, type Discovery } from "./discovery.ts";
import { check, type ExpectationFailure } from "./expect.ts";
import { FakeCodex, simClock } from "./fake_codex.ts";
import type { HookRun } from "./fire.ts";
import { inProcessRunner } from "./inprocess.ts";
import { killProcessesReferencing } from "./reap.ts";
import type { Scenario } from "./scenario.ts";
import { describe, perform, transportOf, waitFor } from "./steps.ts";
import { attachTui } from "./process_models.ts";
import { checkAll } from "./tui_scenarios.ts";
import { processModelOf, sharedPids } from "../lifecycle/process_model.ts";
import { type AppServerSim, createAppServerSim, hubAppServerOptions } from "./app_server_steps.ts";

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
  /** The temporary directory the run used (removed unless `keep`). */
  dir: string;
  /** The store's journal at the end (in-process runs): what lifeline recorded, payloads included. */
  journal?: Observation[];
  /** App-server scenarios: what the stand-in daemon sent and was asked. */
  app_server?: { notifications: number; requests: number };
}

/** Options of {@link runScenario}. */
export interface RunOptions {
  /** Call lifeline's hooks as functions instead of processes (fast; same logic). */
  inProcess?: boolean;
  /** Keep the temporary directory (its path is printed in the report). */
  keep?: boolean;
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
  const tui = attachTui(engine, h);
  const sim = h.app_server
    ? await createAppServerSim(places.codexHome, () => clock.now().getTime())
    : undefined;
  const makeHub = () =>
    startHub({
      stateDir: places.stateDir,
      port: 0,
      pingMs: 60_000,
      alive: (pid) => engine.alive(pid),
      ...(sim ? hubAppServerOptions(sim, () => clock.now()) : {}),
    });
  // A scenario with a `hub_start` step starts the hub there (say, after the daemon); else at once.
  let hub: Hub | undefined = h.hub && !sc.steps.some((s) => s.step === "hub_start") ? makeHub() : undefined;
  const app = sim ? { sim, hub: () => hub, startHub: () => (hub = makeHub()) } : undefined;
  const failures: ExpectationFailure[] = [];
  let journal: Observation[] | undefined;
  const timeline: TimelineEntry[] = [];
  /** Opens the store the hooks write (the shared one in-process), or undefined before the first write. */
  const openStore = (): Store | undefined => {
    if (runner) return runner.store;
    try {
      Deno.statSync(join(places.stateDir, "lifeline.db"));
    } catch {
      return undefined;
    }
    return Store.open(places.stateDir);
  };
  const withStore = <T>(f: (st: Store) => T): T | undefined => {
    const st = openStore();
    if (!st) return undefined;
    try {
      return f(st);
    } finally {
      if (!runner) st.close();
    }
  };
  const idOf = (label: string) => engine.sessions.get(label)?.id ?? label;
  try {
    for (const step of sc.steps) {
      engine.at(step.line);
      const before = engine.runs.length;
      // The daemon's notifications take a little time, as hooks do (100 ms each), so that times stay ordered.
      if (step.step === "app_server") clock.advance(10);
      try {
        await perform({ engine, file: sc.file, hub, stateDir: places.stateDir, app }, step);
      } catch (e) {
        failures.push({
          step: step.line,
          expected: `step "${step.step}" runs`,
          actual: (e as Error).message,
        });
      }
      await engine.settle();
      // Sidecars are real processes: give an expected transport, and the deliveries a sidecar
      // writes into the inbox after it reconnects, their time before reading.
      const liveHub = hub;
      if (step.step === "expect" && liveHub) {
        const id = idOf(step.session);
        const { transport, deliveries } = step.expect;
        if (transport !== undefined) await waitFor(() => transportOf(liveHub, id) === transport, 10_000);
        if (deliveries !== undefined) {
          await waitFor(() => {
            const c = withStore((st) => inboxCounts(st.deliveries(id)));
            return c !== undefined && (deliveries.delivered ?? c.delivered) === c.delivered &&
              (deliveries.pending ?? c.pending) === c.pending;
          }, 10_000);
        }
      }
      const reports = new Map<string, SessionReport>();
      const store = openStore();
      try {
        if (store) {
          store.maintain({
            now: clock.now().toISOString(),
            staleBusyMs: h.settings.stale_busy_seconds * 1000,
            alive: (pid) => engine.alive(pid),
            isDaemon: (pid) => tui?.isDaemon(pid),
          });
          const all = store.sessions();
          const shared = sharedPids(all);
          const model = (pid: number) => tui?.isDaemon(pid);
          for (const s of all) {
            reports.set(s.session_id, sessionReport(store, s, processModelOf(s, shared, model)));
          }
        }
        failures.push(...checkAll(step, [...reports.values()]));
        if (step.step === "expect") {
          const id = idOf(step.session);
          const report = reports.get(id);
          const inbox = store && (runner || report) ? store.deliveries(id) : [];
          failures.push(
            ...check(
              step.line,
              step.expect,
              report,
              engine.runs.filter((r) => r.session === step.session),
              discovery,
              { transport: hub ? transportOf(hub, id) : undefined, ...inboxCounts(inbox) },
            ),
          );
        }
      } finally {
        if (store && !runner) store.close();
      }
      timeline.push({
        line: step.line,
        step: describe(step),
        at: clock.now().toISOString(),
        sessions: Object.fromEntries([
          ...[...engine.sessions.keys()].map((l) => {
            const r = reports.get(idOf(l));
            return [l, r ? { status: r.status, turn_state: r.turn_state } : null];
          }),
          // The daemon's sessions have no label: shown by the start of their id.
          ...(sim ? [...reports.values()] : []).filter((r) =>
            ![...engine.sessions.values()].some((x) => x.id === r.session_id)
          )
            .map((r) => [r.session_id.slice(0, 8), { status: r.status, turn_state: r.turn_state }]),
        ]),
        runs: engine.runs.slice(before).map((r) => ({
          event: r.event,
          status: r.status,
          duration_ms: r.duration_ms,
          lifeline: r.lifeline,
        })),
      });
    }
  } finally {
    journal = runner?.store.journal();
    await cleanUp(dir, { engine, hub, sim, closeRunner: () => runner?.close(), keep: opts.keep === true });
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
    dir,
    ...(journal ? { journal } : {}),
    ...(sim ? { app_server: daemonCounts(sim) } : {}),
  };
}

function inboxCounts(inbox: readonly { status: string }[]): { delivered: number; pending: number } {
  return {
    delivered: inbox.filter((d) => d.status === "delivered").length,
    pending: inbox.filter((d) => d.status === "pending").length,
  };
}

function daemonCounts(sim: AppServerSim): { notifications: number; requests: number } {
  return {
    notifications: sim.fake.sent,
    requests: sim.fake.received.filter((r) => r.msg["id"] !== undefined).length,
  };
}

/**
 * Ends the run: the fake Codex's processes, the hub, then every process that
 * still names the temporary dir (sidecars the hooks started detached, which
 * would otherwise outlive the dir), and last the dir itself (unless kept).
 */
async function cleanUp(
  dir: string,
  o: {
    engine: FakeCodex;
    hub: Hub | undefined;
    sim: AppServerSim | undefined;
    closeRunner: () => void;
    keep: boolean;
  },
): Promise<void> {
  await o.engine.close();
  await o.hub?.close();
  await o.sim?.close();
  o.closeRunner();
  await killProcessesReferencing(`${dir}/`);
  if (!o.keep) await Deno.remove(dir, { recursive: true }).catch(() => {});
}
