/**
 * Turns a parsed Codex payload into a journal {@link Observation}: the
 * idempotency key from the raw payload, scrubbed text, the Codex process, and
 * any failure signal (reading the transcript tail for shell exit codes).
 *
 * @module
 */

import type { HookPayload } from "../codex/payloads.ts";
import type { NotifyPayload } from "../codex/notify.ts";
import type { JsonObject } from "../codex/json.ts";
import type { Observation } from "./model.ts";
import type { Scrubber } from "./scrub.ts";
import { findCommandInTranscript, functionOutputExits, interruptedTurns } from "../codex/transcript.ts";
import { classifyModelError, detectToolFailure, ERROR_NOTIFY_TYPES, exitClass } from "./failures.ts";
import { idempotencyKey } from "./keys.ts";
import { isTitleThreadNotify } from "./internal_threads.ts";

/** What observing needs from the outside world. */
export interface ObserveContext {
  now: () => Date;
  scrubber: Scrubber;
  /** The Codex process id, when known. */
  pid: number | null;
  hintThreshold: number;
  /** The last `max` bytes of a transcript, or `undefined` when unreadable. */
  transcriptTail?: (path: string, max: number) => string | undefined;
}

/** Bytes read from the end of a transcript when looking for an exit code: a little first, then more. */
export const TRANSCRIPT_TAIL_BYTES = [8 * 1024, 256 * 1024] as const;

/** Reads the tail of a file, bounded; `undefined` on any error (denied, missing). */
export function readTail(path: string, max: number = TRANSCRIPT_TAIL_BYTES[1]): string | undefined {
  let file: Deno.FsFile | undefined;
  try {
    // Only a regular file: opening a FIFO (or a device) at the transcript path would block the hook.
    if (!Deno.statSync(path).isFile) return undefined;
    file = Deno.openSync(path, { read: true });
    const size = file.statSync().size;
    const start = Math.max(0, size - max);
    file.seekSync(start, Deno.SeekMode.Start);
    const buf = new Uint8Array(size - start);
    let read = 0;
    while (read < buf.length) {
      const n = file.readSync(buf.subarray(read));
      if (n === null || n === 0) break;
      read += n;
    }
    return new TextDecoder().decode(buf.subarray(0, read));
  } catch {
    return undefined;
  } finally {
    file?.close();
  }
}

const FREE_TEXT = new Set([
  "prompt",
  "last_assistant_message",
  "tool_input",
  "tool_response",
  "input-messages",
  "last-assistant-message",
]);
const PATHS = new Set(["cwd", "transcript_path", "agent_transcript_path"]);
/** Ids and enums Codex defines: kept as they are (scrubbing them would only cost time). */
const STRUCTURAL = new Set([
  "session_id",
  "turn_id",
  "hook_event_name",
  "model",
  "permission_mode",
  "tool_name",
  "tool_use_id",
  "source",
  "trigger",
  "agent_id",
  "agent_type",
  "reason",
  "type",
  "thread-id",
  "turn-id",
  "client",
  "stop_hook_active",
  "kind",
]);

/**
 * Scrubs a payload: free-text fields by the text mode, paths by the home
 * directory; any other string (a field Codex may add later) is scrubbed as
 * text too.
 */
export function scrubPayload(payload: JsonObject, s: Scrubber): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(payload)) {
    if (FREE_TEXT.has(k)) out[k] = s.json(v);
    else if (PATHS.has(k) && typeof v === "string") out[k] = s.path(v);
    else if (STRUCTURAL.has(k) || s.mode === "full" || typeof v !== "string" && typeof v !== "object") {
      out[k] = v;
    } else out[k] = s.json(v) ?? (typeof v === "string" ? "" : null);
  }
  return out;
}

function base(
  event: Observation["event"],
  raw: JsonObject,
  sessionId: string,
  turnId: string | null,
  ctx: ObserveContext,
) {
  return {
    key: idempotencyKey(event, raw, ctx.pid),
    event,
    session_id: sessionId,
    turn_id: turnId,
    observed_at: ctx.now().toISOString(),
    payload: scrubPayload(raw, ctx.scrubber),
    pid: ctx.pid,
    // Whether our hook blocks this event is decided when it is recorded (the delivery claim), not here.
    blocked: false,
    hint_threshold: ctx.hintThreshold,
  };
}

/** The observation of one hook payload. */
export function observeHook(payload: HookPayload, ctx: ObserveContext): Observation {
  let failure: Observation["failure"] = null;
  if (payload.hook_event_name === "PostToolUse") {
    const id = payload.tool_use_id;
    const path = payload.transcript_path;
    let transcript = undefined;
    if (id && typeof path === "string" && ctx.transcriptTail) {
      // The tool's line is almost always at the very end: read a little, then more if needed.
      for (const max of TRANSCRIPT_TAIL_BYTES) {
        const tail = ctx.transcriptTail(path, max);
        if (tail === undefined) break;
        transcript = findCommandInTranscript(tail, id);
        if (transcript || tail.length < max) break;
      }
    }
    const signal = detectToolFailure({
      tool_name: payload.tool_name,
      tool_response: payload.tool_response,
      transcript,
    });
    if (signal) {
      failure = {
        tool: payload.tool_name,
        error_class: signal.error_class,
        message: ctx.scrubber.text(signal.message.slice(0, 4000))?.slice(0, 400) ?? null,
      };
    }
  }
  if (payload.hook_event_name === "PostModelRequest" && payload.status === "failed") {
    const c = classifyModelError(payload.error ?? null);
    failure = {
      tool: "model",
      error_class: c.error_class,
      message: ctx.scrubber.text(c.message.slice(0, 4000))?.slice(0, 400) ?? null,
    };
  }
  const late = payload.hook_event_name === "Stop" ? lateToolFailures(payload, ctx) : [];
  const interrupted = payload.hook_event_name === "SessionEnd" ? transcriptInterrupts(payload, ctx) : [];
  return {
    ...base(payload.hook_event_name, payload, payload.session_id, payload.turn_id ?? null, ctx),
    failure,
    ...(interrupted.length ? { interrupted_turns: interrupted } : {}),
    ...(late.length ? { late_tool_failures: late } : {}),
  };
}

/** Non-zero exit codes of shell calls whose only record is a `function_call_output` (before 0.148). */
function lateToolFailures(
  payload: { transcript_path?: string | null | undefined },
  ctx: ObserveContext,
): NonNullable<Observation["late_tool_failures"]> {
  const path = payload.transcript_path;
  if (typeof path !== "string" || !ctx.transcriptTail) return [];
  const tail = ctx.transcriptTail(path, TRANSCRIPT_TAIL_BYTES[1]);
  if (tail === undefined || !tail.includes("Process exited with code")) return [];
  return functionOutputExits(tail).filter((e) => e.exit_code !== 0).map((e) => ({
    tool_use_id: e.tool_use_id,
    tool: "Bash",
    error_class: exitClass(e.exit_code),
    message: ctx.scrubber.text(e.output.slice(0, 4000))?.slice(0, 400) ?? null,
  }));
}

/**
 * The turns the transcript says were interrupted: at SessionEnd an open turn
 * may have been interrupted by a release that fires no Interrupt hook (before
 * 0.150), which only the transcript's `turn_aborted` line tells.
 */
export function transcriptInterrupts(
  payload: { transcript_path?: string | null | undefined },
  ctx: Pick<ObserveContext, "transcriptTail">,
): string[] {
  const path = payload.transcript_path;
  if (typeof path !== "string" || !ctx.transcriptTail) return [];
  for (const max of TRANSCRIPT_TAIL_BYTES) {
    const tail = ctx.transcriptTail(path, max);
    if (tail === undefined) return [];
    const found = interruptedTurns(tail);
    if (found.length || tail.length < max) return found;
  }
  return [];
}

/** The observation of one notify payload (`thread-id` is the session, `turn-id` the turn). */
export function observeNotify(payload: NotifyPayload, ctx: ObserveContext): Observation {
  let failure: Observation["failure"] = null;
  if (ERROR_NOTIFY_TYPES.has(payload.type)) {
    const msg = String(payload["last-assistant-message"] ?? payload.message ?? payload.type);
    failure = {
      tool: typeof payload.tool === "string" ? payload.tool : "codex",
      error_class: payload.type,
      message: ctx.scrubber.text(msg)?.slice(0, 400) ?? null,
    };
  }
  return {
    ...base(
      "Notify",
      payload,
      payload["thread-id"] ?? "codex-unknown-thread",
      payload["turn-id"] ?? null,
      ctx,
    ),
    failure,
    ...(isTitleThreadNotify(payload) ? { internal: true } : {}),
  };
}
