/**
 * The scenario format (version 1): JSON Lines. The first line is a header;
 * each following line is one step. Blank lines and lines starting with `//`
 * are ignored. Errors name the file, the line and the field.
 *
 * ```jsonl
 * {"lifeline_scenario": 1, "name": "tool_call", "profile": "0.169"}
 * {"step": "start", "session": "a"}
 * {"step": "prompt", "session": "a", "text": "run the tests"}
 * {"step": "tool", "session": "a", "command": "cargo test", "exit_code": 1, "output": "1 failed"}
 * {"step": "assistant", "session": "a", "text": "one test fails"}
 * {"step": "expect", "session": "a", "status": "online", "turns": ["completed"]}
 * ```
 *
 * The full reference is in `simulator/scenarios/README.md`.
 *
 * @module
 */

import { isHookEventName } from "../codex/events.ts";
import { isObject, type JsonObject, typeName } from "../codex/json.ts";
import { parseTuiClear, parseTuiStep, type TuiStep } from "./tui_scenarios.ts";
import {
  APP_SERVER_STEP_NAMES,
  type AppServerStep,
  type MessageExtras,
  parseAppServerStep,
  parseMessageExtras,
} from "./app_server_scenarios.ts";
import { type Fail, num, parseHeader, type ScenarioHeader, str } from "./scenario_header.ts";

export { type ExtraHook, SCENARIO_VERSION, type ScenarioHeader } from "./scenario_header.ts";

/** A step, with the line it came from. */
export type Step = CodexStep | TuiStep | AppServerStep;
/** A step of the fake Codex and the hub. */
type CodexStep =
  & { line: number }
  & (
    | { step: "start"; session: string; cwd?: string; model?: string }
    | { step: "prompt"; session: string; text: string }
    | {
      step: "tool";
      session: string;
      name: string;
      command: string;
      output: string;
      exit_code: number;
      response?: unknown;
      id?: string;
    }
    | { step: "assistant"; session: string; text: string }
    | { step: "interrupt"; session: string }
    | { step: "compact"; session: string; trigger: string }
    | { step: "clear"; session: string }
    | { step: "resume"; session: string }
    | { step: "exit"; session: string }
    | { step: "kill"; session: string }
    | { step: "advance"; seconds: number }
    | { step: "raw"; event: string; payload: JsonObject; transcript?: string; pid?: number }
    | { step: "expect"; session: string; expect: Expectation }
    | { step: "drop"; session: string }
    | { step: "reconnect"; session: string }
    | { step: "kill_sidecar"; session: string }
    | {
      step: "message";
      session: string;
      kind: "notify" | "ask";
      text: string;
      expect_status?: number;
    } & MessageExtras
  );

/** What an `expect` step checks; every field is optional and compared exactly. */
export interface Expectation {
  status?: string;
  turn_state?: string;
  /** Outcomes of all the session's turns, in order. */
  turns?: string[];
  /** Per-turn fields by index (negative counts from the end). */
  turn?: { index: number } & JsonObject;
  failures?: { tool: string; error_class: string; count: number }[];
  contradictions?: number;
  end_reason?: string | null;
  /** The last run of `event` for this session: its status and/or output. */
  hook?: {
    event: string;
    /** Whose runs: lifeline's (default) or the scenario's extra handlers. */
    handler?: "lifeline" | "user";
    status?: string;
    context_matches?: string;
    /** `"block"`, or `null` for "did not block". */
    decision?: string | null;
    count?: number;
  };
  /** Handlers skipped for this event, e.g. because they are untrusted. */
  skipped?: { event: string; reason: string; count?: number };
  /** The session's transport as the hub shows it (waits up to 10 s for it: sidecars are real processes). */
  transport?: "connected" | "disconnected" | "app-server";
  /** Which sources saw the session (in any order). */
  sources?: string[];
  /** Messages in the session's inbox by state. */
  deliveries?: { delivered?: number; pending?: number };
}

/** A parsed scenario. */
export interface Scenario {
  file: string;
  header: ScenarioHeader;
  steps: Step[];
}

/** A scenario file that cannot be read; the message names file:line and the field. */
export class ScenarioError extends Error {
  constructor(readonly file: string, readonly line: number, detail: string) {
    super(`Cannot read scenario ${file}:${line}: ${detail}`);
    this.name = "ScenarioError";
  }
}

const STEP_NAMES = [
  ..."start prompt tool assistant interrupt compact clear resume exit kill advance raw expect".split(" "),
  ..."drop reconnect kill_sidecar message quit kill_tui kill_daemon daemon_stop new expect_all".split(" "),
  ...APP_SERVER_STEP_NAMES,
];
const SESSION_STEPS = new Set([
  "drop",
  "reconnect",
  "kill_sidecar",
  "message",
  "start",
  "prompt",
  "tool",
  "assistant",
  "interrupt",
  "compact",
  "clear",
  "resume",
  "exit",
  "kill",
  "expect",
]);
/** Expectations read from the session's record in the store. */
export const SESSION_EXPECTATIONS = [
  "status",
  "turn_state",
  "turns",
  "turn",
  "failures",
  "contradictions",
  "end_reason",
  "sources",
] as const;
const EXPECT_KEYS: ReadonlySet<string> = new Set([
  ...SESSION_EXPECTATIONS,
  "hook",
  "skipped",
  "transport",
  "deliveries",
]);

/** Parses scenario text; `file` is used in error messages. */
export function parseScenario(text: string, file: string): Scenario {
  const lines = text.split(/\r?\n/);
  let header: ScenarioHeader | undefined;
  const steps: Step[] = [];
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const t = raw.trim();
    if (t === "" || t.startsWith("//")) continue;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      throw new ScenarioError(file, line, `invalid JSON: ${(e as Error).message}`);
    }
    if (!isObject(v)) throw new ScenarioError(file, line, `expected a JSON object, got ${typeName(v)}`);
    const fail = (detail: string): never => {
      throw new ScenarioError(file, line, detail);
    };
    if (!header) {
      header = parseHeader(v, fail);
      continue;
    }
    steps.push(parseStep(v, line, fail));
  }
  if (!header) throw new ScenarioError(file, 1, "the file is empty: the first line must be a header");
  return { file, header, steps };
}

function parseStep(v: JsonObject, line: number, fail: Fail): Step {
  const kind = v.step;
  if (typeof kind !== "string") {
    fail(kind === undefined ? `field "step" is missing` : `field "step" must be a string`);
  }
  const where = ` in step "${kind}"`;
  const other = parseTuiClear(v, line) ?? parseTuiStep(v, line, fail) ?? parseAppServerStep(v, line, fail);
  if (other) return other;
  const session = SESSION_STEPS.has(kind as string) ? str(v, "session", fail, where) : "";
  switch (kind) {
    case "start":
      return {
        line,
        step: "start",
        session,
        ...(v.cwd !== undefined ? { cwd: str(v, "cwd", fail, where) } : {}),
        ...(v.model !== undefined ? { model: str(v, "model", fail, where) } : {}),
      };
    case "prompt":
    case "assistant":
      return { line, step: kind, session, text: str(v, "text", fail, where) };
    case "tool": {
      const exit = num(v, "exit_code", fail, where, 0);
      if (!Number.isInteger(exit)) fail(`field "exit_code"${where} must be a whole number`);
      return {
        line,
        step: "tool",
        session,
        name: str(v, "name", fail, where, "Bash"),
        command: str(v, "command", fail, where, ""),
        output: str(v, "output", fail, where, ""),
        exit_code: exit,
        ...("response" in v ? { response: v.response } : {}),
        ...(v.id !== undefined ? { id: str(v, "id", fail, where) } : {}),
      };
    }
    case "interrupt":
    case "clear":
    case "resume":
    case "exit":
    case "kill":
      return { line, step: kind, session };
    case "compact":
      return { line, step: "compact", session, trigger: str(v, "trigger", fail, where, "auto") };
    case "advance": {
      const seconds = num(v, "seconds", fail, where);
      if (seconds < 0) fail(`field "seconds"${where} must not be negative`);
      return { line, step: "advance", seconds };
    }
    case "raw": {
      const event = str(v, "event", fail, where);
      if (event !== "notify" && !isHookEventName(event)) {
        fail(`field "event"${where} is "${event}", not a hook event or "notify"`);
      }
      if (!isObject(v.payload)) fail(`field "payload"${where} must be an object, got ${typeName(v.payload)}`);
      return {
        line,
        step: "raw",
        event,
        payload: v.payload as JsonObject,
        ...(v.transcript !== undefined ? { transcript: str(v, "transcript", fail, where) } : {}),
        ...(v.pid !== undefined ? { pid: num(v, "pid", fail, where) } : {}),
      };
    }
    case "expect": {
      const expect: JsonObject = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === "step" || k === "session") continue;
        if (!EXPECT_KEYS.has(k)) {
          fail(`field "${k}" is not an expectation; known: ${[...EXPECT_KEYS].join(", ")}`);
        }
        expect[k] = x;
      }
      if (Object.keys(expect).length === 0) {
        fail(`step "expect" checks nothing: give at least one of ${[...EXPECT_KEYS].join(", ")}`);
      }
      return { line, step: "expect", session, expect: expect as Expectation };
    }
    case "drop":
    case "reconnect":
    case "kill_sidecar":
      return { line, step: kind, session };
    case "message": {
      const k = str(v, "kind", fail, where);
      if (k !== "notify" && k !== "ask") fail(`field "kind"${where} must be "notify" or "ask"`);
      return {
        line,
        step: "message",
        session,
        kind: k as "notify" | "ask",
        text: str(v, "text", fail, where),
        ...(v.expect_status !== undefined ? { expect_status: num(v, "expect_status", fail, where) } : {}),
        ...parseMessageExtras(v, fail),
      };
    }
    default:
      return fail(`field "step" is "${String(kind)}"; known steps: ${[...STEP_NAMES].join(", ")}`);
  }
}
