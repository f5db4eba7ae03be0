/**
 * Converts a real TUI recording into a simulator scenario written with the
 * process-model steps (`prompt`, `tool`, `assistant`, `interrupt`, manual
 * `compact`, `clear`/`new` with `as`, `quit`, `kill_tui`, `kill_daemon`,
 * `daemon_stop`, `resume`, `advance`), so that `deno task simulate` replays
 * the case through the fake Codex, and a differential test can compare what
 * the simulator fires with what the real TUI fired.
 *
 * What drives the steps: a prompt, tool call, answer, interrupt or manual
 * compaction is emitted where its first hook is in the recording (the TUI
 * waits for its daemon, so the hooks, not the keys, say when a turn starts);
 * `/quit`, `/clear`, `/new`, resume launches, kills and the daemon stop come
 * from the harness's actions. The time between steps becomes `advance`
 * steps, so the 60 s SessionEnds fall where Codex put them. A tool's exit
 * code is not in any payload: it is read from an `exit N` command.
 *
 * Expectations added at the end: as many sessions as the hooks name (no
 * phantom), nobody busy or offline-working, and by case: resume twice gives
 * three completed turns, `/compact` leaves the session idle, `/clear` and
 * `/new` end the old session, killing the daemon takes its sessions offline.
 *
 * `deno run -A tests/harness/tui_to_scenario.ts` rewrites
 * `simulator/scenarios/recorded/tui/`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { isHookEventName } from "../../codex/events.ts";
import type { RecordingLine } from "./tui_recording.ts";
import { readRecording } from "./tui_replay.ts";

/** Cases that mix both process models in one CODEX_HOME, which a scenario cannot (left out). */
export const UNCONVERTED = new Set(["nodaemon_beside_daemon"]);

type P = Record<string, unknown>;

/** The scenario lines (JSON objects) of one recording. */
export function toScenario(lines: readonly RecordingLine[]): P[] {
  const head = lines[0] as P;
  const name = String(head.case);
  const version = String(head.version);
  const daemon = head.daemon === true;
  const titles = name === "title_rejected" && version.startsWith("0.169") ? "rejected" : "once";
  const out: P[] = [{
    lifeline_scenario: 1,
    name: `tui_${version}_${daemon ? "daemon" : "nodaemon"}_${name}`,
    description: `The real TUI ${version} (${daemon ? "daemon" : "no daemon"}), case ${name}, ` +
      `converted from tests/testdata/recorded/tui/ by tests/harness/tui_to_scenario.ts.`,
    profile: version.startsWith("0.171") ? "0.171" : "0.169",
    tui: true,
    process_model: daemon ? "daemon" : "per-session",
    titles,
  }];
  const labels = new Map<string, string>(); // session id → label
  const tuiLabel = new Map<string, string>(); // TUI → its current session label
  const typed = new Map<string, string>();
  let nextLabel: string | undefined; // the label /clear or /new gave the next session
  let n = 0;
  const fresh = () => `s${++n}`;
  let simT = Number(lines.find((l) => l.kind === "action")?.t ?? 0);
  let compactedAt: string | undefined;
  const emit = (t: number, step: P) => {
    const gap = (t - simT) / 1000;
    if (gap >= 0.1) out.push({ step: "advance", seconds: Math.round(gap * 10) / 10 });
    simT = Math.max(simT, t);
    if (step.step !== "mark") out.push(step);
  };
  const labelOf = (sid: string, tui?: string): string => {
    let l = labels.get(sid);
    if (!l) {
      l = nextLabel ?? (tui ? tuiLabel.get(tui) : undefined) ?? fresh();
      nextLabel = undefined;
      labels.set(sid, l);
    }
    return l;
  };
  let lastTui = "a";
  for (const l of lines.slice(1)) {
    const t = Number(l.t);
    if (l.kind === "action") {
      const tui = String(l.tui ?? lastTui);
      if (l.action === "launch") {
        lastTui = tui;
        const args = (l.args as string[]) ?? [];
        const resumed = args[args.indexOf("resume") + 1];
        if (args.includes("resume") && resumed && labels.has(resumed)) {
          const label = labels.get(resumed)!;
          tuiLabel.set(tui, label);
          emit(t, { step: "resume", session: label });
        } else {
          const label = fresh();
          tuiLabel.set(tui, label);
          emit(t, { step: "start", session: label });
        }
      } else if (l.action === "type") typed.set(tui, String(l.text));
      else if (l.action === "keys" && (l.keys as string[]).includes("Enter")) {
        const text = typed.get(tui);
        typed.delete(tui);
        const cur = tuiLabel.get(tui)!;
        if (text === "/quit") emit(t, { step: "quit", session: cur });
        else if (text === "/clear" || text === "/new") {
          const as = fresh();
          nextLabel = as;
          tuiLabel.set(tui, as);
          emit(
            t,
            text === "/clear" ? { step: "clear", session: cur, as } : { step: "new", session: cur, as },
          );
        }
      } else if (l.action === "kill_tui") emit(t, { step: "kill_tui", session: tuiLabel.get(tui)! });
      else if (l.action === "kill_daemon") emit(t, { step: "kill_daemon" });
      else if (l.action === "daemon_stop") emit(t, { step: "daemon_stop" });
      continue;
    }
    if (l.kind !== "hook" || !isHookEventName(l.event)) continue;
    const p = l.payload as P;
    const sid = String(p.session_id);
    const label = labelOf(sid, lastTui);
    simT += 100; // the simulator's clock moves 100 ms per hook event
    switch (l.event) {
      case "UserPromptSubmit":
        emit(t, { step: "prompt", session: label, text: String(p.prompt) });
        break;
      case "PostToolUse": {
        const command = String((p.tool_input as P | undefined)?.command ?? "");
        const exit = /^exit (\d+)$/.exec(command);
        const output = typeof p.tool_response === "string"
          ? p.tool_response
          : JSON.stringify(p.tool_response);
        emit(t, {
          step: "tool",
          session: label,
          name: String(p.tool_name),
          command,
          output,
          exit_code: exit ? Number(exit[1]) : 0,
        });
        break;
      }
      case "Stop":
        emit(t, { step: "assistant", session: label, text: String(p.last_assistant_message ?? "") });
        break;
      case "Interrupt":
        emit(t, { step: "interrupt", session: label });
        break;
      case "PreCompact":
        if (p.trigger === "manual") {
          emit(t, { step: "compact", session: label, trigger: "manual" });
          compactedAt = label;
        }
        break;
      case "PostCompact":
        if (compactedAt) {
          out.push({ step: "expect", session: compactedAt, status: "online", turn_state: "idle" });
          compactedAt = undefined;
        }
        break;
      case "SessionEnd":
        emit(t + 1000, { step: "mark" }); // let a pending SessionEnd fall due
        break;
    }
  }
  out.push(...expectations(name, daemon, labels));
  return out;
}

function expectations(name: string, daemon: boolean, labels: Map<string, string>): P[] {
  const ids = new Set(labels.values());
  const killedAlone = !daemon && name === "kill_tui_mid_turn";
  const all: P = {
    step: "expect_all",
    sessions: ids.size,
    busy: 0,
    offline_working: 0,
    process_model: daemon ? "daemon" : "process-per-session",
  };
  const out: P[] = [all];
  const first = [...ids][0]!;
  if (name === "resume_twice") {
    out.push({
      step: "expect",
      session: first,
      status: "offline",
      turns: ["completed", "completed", "completed"],
    });
  }
  if (name === "clear" || name === "new") {
    out.push({
      step: "expect",
      session: first,
      status: "offline",
      end_reason: "other",
      turns: ["completed"],
    });
  }
  if (name === "launch_quit") out.push({ step: "expect", session: first, status: "offline", turns: [] });
  if (name === "kill_daemon") all.offline = ids.size;
  if (name === "kill_daemon") out.push({ step: "expect", session: first, end_reason: "daemon_gone" });
  if (killedAlone) {
    out.push({ step: "expect", session: first, status: "offline", end_reason: "process_gone" });
  }
  if (name === "compact") out.push({ step: "expect", session: first, turns: ["completed", "completed"] });
  return out;
}

/** Where the converted scenarios live. */
export const SCENARIO_DIR = fileURLToPath(
  new URL("../../simulator/scenarios/recorded/tui/", import.meta.url),
);
/** Where the recordings live. */
export const RECORDING_DIR = fileURLToPath(new URL("../testdata/recorded/tui/", import.meta.url));

/** Every recording that converts: its set (`0.169.0-daemon`…), case and lines. */
export function convertible(): { set: string; name: string; lines: RecordingLine[] }[] {
  const out = [];
  for (
    const set of [...Deno.readDirSync(RECORDING_DIR)].filter((e) => e.isDirectory).map((e) => e.name).sort()
  ) {
    for (const f of [...Deno.readDirSync(RECORDING_DIR + set)].map((e) => e.name).sort()) {
      const name = f.replace(/\.jsonl$/, "");
      if (f.endsWith(".jsonl") && !UNCONVERTED.has(name)) {
        out.push({ set, name, lines: readRecording(`${RECORDING_DIR}${set}/${f}`) });
      }
    }
  }
  return out;
}

if (import.meta.main) {
  for (const { set, name, lines } of convertible()) {
    Deno.mkdirSync(SCENARIO_DIR + set, { recursive: true });
    const text = toScenario(lines).map((x) => JSON.stringify(x)).join("\n") + "\n";
    Deno.writeTextFileSync(`${SCENARIO_DIR}${set}/${name}.jsonl`, text);
  }
  Deno.stdout.writeSync(
    new TextEncoder().encode(`Wrote ${convertible().length} scenarios to ${SCENARIO_DIR}\n`),
  );
}
