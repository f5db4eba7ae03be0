/**
 * `deno task record [NAME…] [--out DIR]`: runs the real Codex CLI
 * (`@openai/codex@0.169.0`, offline, against the scripted mock Responses
 * server) with a recorder hook for every event, and writes a scenario file of
 * what it fired: raw steps with the recorded payloads (notify included) and
 * expectations derived from what Codex did (SessionEnd → offline; Stop →
 * completed; Interrupt → interrupted; a non-zero exit code in the transcript
 * → a failure). Needs the npm registry the first time (about 400 MB).
 *
 * Scripts are the harness's `SCRIPTS` (tool_call, failing_tool, interrupt,
 * two_turns, plain_answer).
 *
 * @module
 */

import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional } from "@optique/core/modifiers";
import { argument, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { run } from "@optique/run";
import { join } from "node:path";
import { exitClass } from "../../lifecycle/failures.ts";
import { findCommandInTranscript } from "../../codex/transcript.ts";
import { LIFELINE_ROOT } from "../../hooks/handlers.ts";
import { CODEX_VERSION } from "./codex_cli.ts";
import { runScript, SCRIPTS, type SessionScript } from "./sessions.ts";
import type { RecordedLine } from "./recorder.ts";

type Payload = Record<string, unknown>;

/** Builds the scenario lines for one recorded run. */
export function scenarioLines(
  script: SessionScript,
  hookLines: RecordedLine[],
  notifyLines: RecordedLine[],
  transcriptName: string,
  transcriptText: string,
): string[] {
  const hooks = hookLines.map((l) => l.payload);
  const lines = [JSON.stringify({
    lifeline_scenario: 1,
    name: `recorded_${script.name}`,
    description:
      `Recorded from the real Codex ${CODEX_VERSION} (offline, mock model): ${script.description}.`,
    profile: "0.169",
  })];
  const pendingNotify = [...notifyLines];
  const raw = (event: unknown, l: RecordedLine, transcript: boolean) =>
    JSON.stringify({
      step: "raw",
      event,
      pid: l.pid,
      payload: l.payload,
      ...(transcript ? { transcript: transcriptName } : {}),
    });
  for (const l of hookLines) {
    const p = l.payload;
    lines.push(raw(p.hook_event_name, l, typeof p.transcript_path === "string"));
    if (p.hook_event_name === "Stop") {
      const i = pendingNotify.findIndex((n) => n.payload["turn-id"] === p.turn_id);
      if (i >= 0) lines.push(raw("notify", pendingNotify.splice(i, 1)[0]!, false));
    }
  }
  for (const n of pendingNotify) lines.push(raw("notify", n, false));
  // Expectations from what Codex fired, per session.
  const sessions = [...new Set(hooks.map((h) => String(h.session_id)))];
  for (const sid of sessions) {
    const of = hooks.filter((h) => h.session_id === sid);
    const turns = [
      ...new Set(of.filter((h) => h.hook_event_name === "UserPromptSubmit").map((h) => String(h.turn_id))),
    ];
    const outcomes = turns.map((t) => {
      const evs = of.filter((h) => h.turn_id === t).map((h) => h.hook_event_name);
      return evs.includes("Interrupt")
        ? "interrupted"
        : evs.includes("Stop")
        ? "completed"
        : of.some((h) => h.hook_event_name === "SessionEnd")
        ? "abandoned"
        : "open";
    });
    const failures = new Map<string, number>();
    for (
      const h of of.filter((x) => x.hook_event_name === "PostToolUse" && typeof x.tool_use_id === "string")
    ) {
      const cmd = findCommandInTranscript(transcriptText, h.tool_use_id as string);
      if (cmd?.exit_code) {
        const k = `${h.tool_name}\u0000${exitClass(cmd.exit_code)}`;
        failures.set(k, (failures.get(k) ?? 0) + 1);
      }
    }
    const ended = of.some((h) => h.hook_event_name === "SessionEnd");
    lines.push(JSON.stringify({
      step: "expect",
      session: sid,
      status: ended ? "offline" : outcomes.at(-1) === "open" ? "busy" : "online",
      turns: outcomes,
      failures: [...failures].map(([k, count]) => ({
        tool: k.split("\u0000")[0],
        error_class: k.split("\u0000")[1],
        count,
      })),
      contradictions: 0,
    }));
  }
  return lines;
}

if (import.meta.main) {
  const args = run(
    object({
      names: multiple(
        argument(string({ metavar: "NAME" }), {
          description: message`Scripts to record (default: all): ${SCRIPTS.map((s) => s.name).join(", ")}.`,
        }),
      ),
      out: optional(
        option("--out", string({ metavar: "DIR" }), {
          description: message`Where to write (default simulator/scenarios/recorded).`,
        }),
      ),
    }),
    {
      programName: "deno task record",
      brief: message`Record scenarios from the real Codex CLI, offline.`,
      help: "option",
    },
  );
  const out = args.out ?? join(LIFELINE_ROOT, "simulator", "scenarios", "recorded");
  const unknown = args.names.filter((n) => !SCRIPTS.some((s) => s.name === n));
  if (unknown.length) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        `lifeline record: unknown script "${unknown[0]}"; known: ${SCRIPTS.map((s) => s.name).join(", ")}\n`,
      ),
    );
    Deno.exit(2);
  }
  await Deno.mkdir(out, { recursive: true });
  for (const script of SCRIPTS.filter((s) => args.names.length === 0 || args.names.includes(s.name))) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(`recording ${script.name} with codex ${CODEX_VERSION} …\n`),
    );
    const r = await runScript(script);
    const tp = r.hooks.find((h) => typeof h.transcript_path === "string")?.transcript_path as
      | string
      | undefined;
    const transcriptName = `transcripts/${script.name}.jsonl`;
    const transcriptText = tp ? await Deno.readTextFile(tp) : "";
    await Deno.mkdir(join(out, "transcripts"), { recursive: true });
    if (tp) await Deno.writeTextFile(join(out, transcriptName), transcriptText);
    const file = join(out, `${script.name}.jsonl`);
    await Deno.writeTextFile(
      file,
      scenarioLines(script, r.hookLines, r.notifyLines, transcriptName, transcriptText).join("\n") + "\n",
    );
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        `  wrote ${file}: ${r.hooks.length} hook payloads, ${r.notify.length} notify\n`,
      ),
    );
  }
}
