/**
 * The scenario format's process-model part: the header's `process_model`
 * (and `tui`, `titles`), the interactive-TUI steps (`quit`, `kill_tui`,
 * `kill_daemon`, `daemon_stop`, `new`, `clear` with `as`, `compact` with
 * `trigger: "manual"` in a TUI scenario), and `expect_all`, which checks
 * every session of the store at once. The reference is in
 * `simulator/scenarios/README.md`; the behaviour is `process_models.ts`.
 *
 * @module
 */

import type { JsonObject } from "../codex/json.ts";
import type { SessionReport } from "../lifecycle/status.ts";

/** Which process model a scenario's Codex runs sessions in. */
export type SimProcessModel = "daemon" | "per-session";

/** The header fields of the process model. */
export interface TuiHeader {
  /** The interactive TUI (true) or `codex exec` (false, the default). */
  tui: boolean;
  process_model: SimProcessModel;
  /** Title threads: `once` per thread, `rejected` (0.169 asks again at every prompt), `off`. */
  titles: "once" | "rejected" | "off";
}

/** The steps of the process model. */
export type TuiStep =
  & { line: number }
  & (
    | { step: "quit"; session: string }
    | { step: "kill_tui"; session: string }
    | { step: "kill_daemon" }
    | { step: "daemon_stop" }
    | { step: "new"; session: string; as: string }
    | { step: "tui_clear"; session: string; as: string }
    | { step: "expect_all"; expect: AllExpectation }
  );

/** What `expect_all` checks over every session in the store. */
export interface AllExpectation {
  /** How many sessions the store holds (a phantom session makes one more). */
  sessions?: number;
  busy?: number;
  /** Offline sessions whose turn state is still `working` (always 0 when right). */
  offline_working?: number;
  offline?: number;
  /** The process model every session reports. */
  process_model?: string;
}

type Fail = (detail: string) => never;

/** Profiles whose TUI runs sessions in the daemon by default. */
const DAEMON_PROFILES: ReadonlySet<string> = new Set(["0.169", "0.171"]);

/** Reads the header's process-model fields. */
export function parseTuiHeader(v: JsonObject, profile: string, fail: Fail): TuiHeader {
  const tui = v.tui === true;
  const pm = v.process_model ?? (tui && DAEMON_PROFILES.has(profile) ? "daemon" : "per-session");
  if (pm !== "daemon" && pm !== "per-session") {
    fail(`field "process_model" is ${JSON.stringify(pm)}; expected "daemon" or "per-session"`);
  }
  const titles = v.titles ?? (tui ? "once" : "off");
  if (titles !== "once" && titles !== "rejected" && titles !== "off") {
    fail(`field "titles" is ${JSON.stringify(titles)}; expected "once", "rejected" or "off"`);
  }
  if (pm === "daemon" && !tui) {
    fail(`field "process_model" is "daemon": only the TUI runs one (add "tui": true)`);
  }
  return { tui, process_model: pm as SimProcessModel, titles: titles as TuiHeader["titles"] };
}

const ALL_KEYS: ReadonlySet<string> = new Set([
  "sessions",
  "busy",
  "offline_working",
  "offline",
  "process_model",
]);

/** Reads one process-model step, or `undefined` when `v` is none. */
export function parseTuiStep(v: JsonObject, line: number, fail: Fail): TuiStep | undefined {
  const where = ` in step "${String(v.step)}"`;
  const label = (k: string): string => {
    if (typeof v[k] !== "string") fail(`field "${k}" must be a string${where}, got ${typeof v[k]}`);
    return v[k] as string;
  };
  switch (v.step) {
    case "quit":
    case "kill_tui":
      return { line, step: v.step, session: label("session") };
    case "kill_daemon":
    case "daemon_stop":
      return { line, step: v.step };
    case "new":
      return { line, step: "new", session: label("session"), as: label("as") };
    case "expect_all": {
      const expect: JsonObject = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === "step") continue;
        if (!ALL_KEYS.has(k)) {
          fail(`field "${k}" is not an expect_all field; known: ${[...ALL_KEYS].join(", ")}`);
        }
        expect[k] = x;
      }
      return { line, step: "expect_all", expect: expect as AllExpectation };
    }
  }
  return undefined;
}

/** `clear` with `as`: the real TUI's `/clear` (a new session id, named by `as`). */
export function parseTuiClear(v: JsonObject, line: number): TuiStep | undefined {
  if (v.step !== "clear" || typeof v.as !== "string" || typeof v.session !== "string") return undefined;
  return { line, step: "tui_clear", session: v.session, as: v.as };
}

/** The step names this file adds (for the error listing the known steps). */
export const TUI_STEP_NAMES = ["quit", "kill_tui", "kill_daemon", "daemon_stop", "new", "expect_all"];

/** Whether a parsed step is one of this file's. */
export function isTuiStep(step: { step: string }): step is TuiStep {
  return TUI_STEP_NAMES.includes(step.step) || step.step === "tui_clear";
}

/** Checks an `expect_all` step against every session's report. */
export function checkAll(
  step: { step: string; line: number },
  reports: readonly SessionReport[],
): { step: number; expected: unknown; actual: unknown }[] {
  if (step.step !== "expect_all") return [];
  const e = (step as Extract<TuiStep, { step: "expect_all" }>).expect;
  const actual: Record<string, unknown> = {
    sessions: reports.length,
    busy: reports.filter((r) => r.status === "busy").length,
    offline_working: reports.filter((r) => r.status === "offline" && r.turn_state === "working").length,
    offline: reports.filter((r) => r.status === "offline").length,
  };
  const out = [];
  for (const [k, want] of Object.entries(e)) {
    if (k === "process_model") {
      const wrong = reports.filter((r) => r.process_model !== want).map((r) =>
        `${r.session_id}: ${r.process_model}`
      );
      if (wrong.length) {
        out.push({ step: step.line, expected: { process_model: want }, actual: { process_model: wrong } });
      }
    } else if (actual[k] !== want) {
      out.push({ step: step.line, expected: { [k]: want }, actual: { [k]: actual[k] } });
    }
  }
  return out;
}

/** The folders of converted recordings of one kind (`recorded/<kind>/<set>/`: `tui`, `app_server`). */
export function recordedDirs(scenarioDir: string, kind: string): string[] {
  try {
    return [...Deno.readDirSync(`${scenarioDir}/recorded/${kind}`)].filter((e) => e.isDirectory)
      .map((e) => `recorded/${kind}/${e.name}/`).sort();
  } catch {
    return [];
  }
}
