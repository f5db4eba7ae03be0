/**
 * The rollout transcript (`transcript_path`, `$CODEX_HOME/sessions/…/rollout-….jsonl`), read and
 * written in one place. It is not a stable interface: every reader here skips lines it cannot
 * parse or does not know, and never throws.
 *
 * What lifeline needs from it, per release (measured on each npm release with `codex exec`):
 * - a shell command's exit code. From 0.148 an `event_msg` `item_completed` line carries a
 *   `CommandExecution` item (`id` = the hook's `tool_use_id`, `exit_code`, `aggregated_output`).
 *   Before, only the model-facing `response_item` `function_call_output` line (`call_id` = the
 *   hook's `tool_use_id`) says `Process exited with code N`.
 * - interrupts: every release writes an `event_msg` `turn_aborted` line with
 *   `reason: "interrupted"` and the turn id, also releases that fire no hook on an interrupt.
 * - token counts: `event_msg` `token_count` lines (`info.total_token_usage`, `last_token_usage`).
 *
 * The writers produce the same lines, per format, for the simulator.
 *
 * @module
 */

import type { TranscriptFormat } from "./profiles.ts";
import { asText } from "./json.ts";

/** What the transcript says about one command execution. */
export interface TranscriptCommand {
  exit_code: number | null;
  status: string | null;
  output: string;
  /** Which line said it. */
  source: "command_execution" | "function_call_output";
}

/** Token counts as the transcript (and `PostModelRequest`) spell them. */
export interface TranscriptTokens {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
  total_tokens: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses one transcript line; `undefined` for a cut, empty or non-object line. */
export function parseTranscriptLine(line: string): Obj | undefined {
  if (line.trim() === "") return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return isObj(v) ? v : undefined;
  } catch {
    return undefined; // the first line of a tail is usually cut
  }
}

const EXITED = /Process exited with code (-?\d+)/;

function fromCommandItem(item: Obj): TranscriptCommand {
  const code = item.exit_code ?? item.exitCode;
  return {
    exit_code: typeof code === "number" ? code : null,
    status: typeof item.status === "string" ? item.status : null,
    output: asText(item.aggregated_output ?? item.aggregatedOutput ?? item.output ?? ""),
    source: "command_execution",
  };
}

/** The exit code in a `function_call_output`'s text ("Process exited with code N", then "Output:"). */
function fromFunctionOutput(output: unknown): TranscriptCommand | undefined {
  const text = typeof output === "string"
    ? output
    : isObj(output) && typeof output.content === "string"
    ? output.content
    : undefined;
  if (text === undefined) return undefined;
  const m = EXITED.exec(text);
  if (!m) return undefined;
  const code = Number(m[1]);
  const at = text.indexOf("\nOutput:\n");
  return {
    exit_code: code,
    status: code === 0 ? "completed" : "failed",
    output: at >= 0 ? text.slice(at + "\nOutput:\n".length) : text,
    source: "function_call_output",
  };
}

/** A `CommandExecution` item with id `id` anywhere shallow in a record (shapes move between releases). */
function findCommandItem(rec: unknown, id: string, depth = 0): Obj | undefined {
  if (depth > 4 || !isObj(rec)) return undefined;
  if ((rec.id === id || rec.call_id === id) && ("exit_code" in rec || "exitCode" in rec)) return rec;
  for (const v of Object.values(rec)) {
    const found = findCommandItem(v, id, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * What the transcript (or its tail) says about tool call `toolUseId`: the
 * `CommandExecution` item when there is one (0.148+), else the exit code in
 * the `function_call_output` (0.117–0.147). `undefined` when neither is there.
 *
 * @example
 * ```ts
 * import { findCommandInTranscript } from "./transcript.ts";
 * const line = '{"type":"response_item","payload":{"type":"function_call_output","call_id":"call_1",' +
 *   '"output":"Process exited with code 3\\nOutput:\\noops\\n"}}';
 * if (findCommandInTranscript(line, "call_1")?.exit_code !== 3) throw new Error("expected exit 3");
 * ```
 */
export function findCommandInTranscript(tail: string, toolUseId: string): TranscriptCommand | undefined {
  const lines = tail.split("\n");
  let fallback: TranscriptCommand | undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!line.includes(toolUseId)) continue;
    const rec = parseTranscriptLine(line);
    if (!rec) continue;
    const p = rec.payload;
    if (isObj(p) && p.type === "function_call_output" && p.call_id === toolUseId) {
      fallback ??= fromFunctionOutput(p.output);
      continue;
    }
    if (!line.includes("xit")) continue; // exit_code / exitCode
    const item = findCommandItem(rec, toolUseId);
    if (item) return fromCommandItem(item);
  }
  return fallback;
}

/** A shell call's exit code known only from its `function_call_output` line. */
export interface FunctionOutputExit {
  tool_use_id: string;
  exit_code: number;
  output: string;
}

/**
 * Exit codes of shell calls that have a `function_call_output` line and no
 * `CommandExecution` item (releases before 0.148), oldest first. Those
 * releases write the output line only after PostToolUse's hooks have
 * finished, so a hook reads it later (at Stop).
 *
 * @example
 * ```ts
 * import { commandLines, functionOutputExits } from "./transcript.ts";
 * const rec = { turnId: "t1", callId: "call_1", command: "exit 3", output: "", exitCode: 3 };
 * const old = commandLines("function_call_output", rec).map((l) => JSON.stringify(l)).join("\n");
 * if (functionOutputExits(old)[0]?.exit_code !== 3) throw new Error("expected exit 3");
 * const now = commandLines("command_execution", rec).map((l) => JSON.stringify(l)).join("\n");
 * if (functionOutputExits(now).length !== 0) throw new Error("0.148+ has the item: nothing late");
 * ```
 */
export function functionOutputExits(tail: string): FunctionOutputExit[] {
  const outputs = new Map<string, FunctionOutputExit>();
  const items = new Set<string>();
  for (const line of tail.split("\n")) {
    const isOutput = line.includes("function_call_output");
    if (!isOutput && !line.includes("CommandExecution")) continue;
    const p = parseTranscriptLine(line)?.payload;
    if (!isObj(p)) continue;
    if (p.type === "function_call_output" && typeof p.call_id === "string") {
      const c = fromFunctionOutput(p.output);
      if (c?.exit_code != null) {
        outputs.set(p.call_id, { tool_use_id: p.call_id, exit_code: c.exit_code, output: c.output });
      }
    } else if (isObj(p.item) && p.item.type === "CommandExecution" && typeof p.item.id === "string") {
      items.add(p.item.id);
    }
  }
  return [...outputs.values()].filter((o) => !items.has(o.tool_use_id));
}

/**
 * The turns the transcript says were interrupted (`turn_aborted` with reason
 * `interrupted`), oldest first.
 *
 * @example
 * ```ts
 * import { interruptedTurns, turnAbortedLine } from "./transcript.ts";
 * const text = JSON.stringify(turnAbortedLine("t1")) + "\n";
 * if (interruptedTurns(text)[0] !== "t1") throw new Error("expected t1");
 * ```
 */
export function interruptedTurns(tail: string): string[] {
  const out: string[] = [];
  for (const line of tail.split("\n")) {
    if (!line.includes("turn_aborted")) continue;
    const p = parseTranscriptLine(line)?.payload;
    if (!isObj(p) || p.type !== "turn_aborted" || p.reason !== "interrupted") continue;
    const id = typeof p.turn_id === "string" ? p.turn_id : undefined;
    if (id && !out.includes(id)) out.push(id);
  }
  return out;
}

function tokens(v: unknown): TranscriptTokens | undefined {
  if (!isObj(v)) return undefined;
  const n = (k: string) => (typeof v[k] === "number" ? v[k] as number : 0);
  if (typeof v.input_tokens !== "number" && typeof v.total_tokens !== "number") return undefined;
  return {
    input_tokens: n("input_tokens"),
    cached_input_tokens: n("cached_input_tokens"),
    output_tokens: n("output_tokens"),
    reasoning_output_tokens: n("reasoning_output_tokens"),
    total_tokens: n("total_tokens"),
  };
}

/** The session's running token total from the last `token_count` line that has one. */
export function lastTokenTotal(tail: string): TranscriptTokens | undefined {
  const lines = tail.split("\n");
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!lines[i]!.includes("token_count")) continue;
    const p = parseTranscriptLine(lines[i]!)?.payload;
    if (!isObj(p) || p.type !== "token_count" || !isObj(p.info)) continue;
    const t = tokens(p.info.total_token_usage);
    if (t) return t;
  }
  return undefined;
}

// ---- writers (the simulator) ----------------------------------------------------------------------

/** One command execution, as a writer takes it. */
export interface CommandRecord {
  turnId: string | null;
  callId: string;
  command: string;
  output: string;
  exitCode: number;
}

/** The first line of every transcript. */
export function sessionMetaLine(id: string, cwd: string, cliVersion?: string): Obj {
  return { type: "session_meta", payload: { id, cwd, ...(cliVersion ? { cli_version: cliVersion } : {}) } };
}

/** The model-facing output text of a shell call, as Codex writes it. */
export function functionOutputText(output: string, exitCode: number): string {
  return `Chunk ID: 000000\nWall time: 0.0000 seconds\nProcess exited with code ${exitCode}\n` +
    `Original token count: ${Math.ceil(output.length / 4)}\nOutput:\n${output}`;
}

/**
 * The lines one shell call adds in `format`: `item_completed`/`CommandExecution`
 * then `function_call_output` (0.148+), or only `function_call_output` (before).
 *
 * @example
 * ```ts
 * import { commandLines, findCommandInTranscript } from "./transcript.ts";
 * const rec = { turnId: "t1", callId: "call_1", command: "exit 3", output: "", exitCode: 3 };
 * for (const format of ["function_call_output", "command_execution"] as const) {
 *   const text = commandLines(format, rec).map((l) => JSON.stringify(l)).join("\n");
 *   if (findCommandInTranscript(text, "call_1")?.exit_code !== 3) throw new Error(format);
 * }
 * ```
 */
export function commandLines(format: TranscriptFormat, c: CommandRecord): Obj[] {
  const fco: Obj = {
    type: "response_item",
    payload: {
      type: "function_call_output",
      call_id: c.callId,
      output: functionOutputText(c.output, c.exitCode),
    },
  };
  if (format === "function_call_output") return [fco];
  return [
    {
      type: "event_msg",
      payload: {
        type: "item_completed",
        ...(c.turnId !== null ? { turn_id: c.turnId } : {}),
        item: {
          type: "CommandExecution",
          id: c.callId,
          command: ["/bin/bash", "-lc", c.command],
          status: c.exitCode === 0 ? "completed" : "failed",
          aggregated_output: c.output,
          exit_code: c.exitCode,
        },
      },
    },
    fco,
  ];
}

/** The line every release writes when a turn is interrupted. */
export function turnAbortedLine(turnId: string): Obj {
  return { type: "event_msg", payload: { type: "turn_aborted", turn_id: turnId, reason: "interrupted" } };
}

/** A `token_count` line with the running total and the last request's counts. */
export function tokenCountLine(total: TranscriptTokens, last: TranscriptTokens): Obj {
  return {
    type: "event_msg",
    payload: { type: "token_count", info: { total_token_usage: total, last_token_usage: last } },
  };
}
