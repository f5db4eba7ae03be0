/**
 * Failure signals: whether a tool call failed, its `error_class`, and its
 * message. Codex's PostToolUse for a shell call carries only the output text,
 * so the exit code is read from the session transcript (bounded, and tolerant
 * of format changes), falling back to what the payload says.
 *
 * @module
 */

import type { TranscriptCommand } from "../codex/transcript.ts";
import { asText } from "../codex/json.ts";

/** A detected failure, before scrubbing. */
export interface FailureSignal {
  error_class: string;
  message: string;
}

const SIGNALS: Record<number, string> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  6: "SIGABRT",
  9: "SIGKILL",
  11: "SIGSEGV",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
};

const ERRNO = [
  "ECONNREFUSED",
  "ENOTFOUND",
  "ECONNRESET",
  "ETIMEDOUT",
  "EACCES",
  "EPIPE",
  "EPERM",
  "EEXIST",
  "ENOENT",
];

/**
 * The prior art's error classes for a message: `ERR_*` as is, errno codes,
 * `HTTP nnn` → `HTTP_nnn`, `fetch failed`, `timeout`, else `generic_error`.
 */
export function classifyMessage(message: string): string {
  const err = /\bERR_[A-Z0-9_]+\b/.exec(message);
  if (err) return err[0];
  for (const code of ERRNO) if (message.includes(code)) return code;
  const http = /\bHTTP[ /]?(?:\d\.\d )?(\d{3})\b/i.exec(message);
  if (http) return `HTTP_${http[1]}`;
  if (/fetch failed/i.test(message)) return "fetch_failed";
  if (/time[d ]?out/i.test(message)) return "timeout";
  return "generic_error";
}

/**
 * The class of a failed model request from `PostModelRequest.error` (the provider's body, as a
 * string or object): an HTTP status when the text names one, else the provider's error `type` or
 * `code` (Codex passes the body only, not the status), else {@link classifyMessage}.
 */
export function classifyModelError(error: unknown): { error_class: string; message: string } {
  let body: unknown = error;
  if (typeof error === "string") {
    try {
      body = JSON.parse(error);
    } catch { /* plain text */ }
  }
  const text = typeof error === "string" ? error : asText(error);
  const e = typeof body === "object" && body !== null
    ? (body as Record<string, unknown>).error ?? body
    : undefined;
  const o = typeof e === "object" && e !== null ? e as Record<string, unknown> : {};
  const message = typeof o.message === "string" ? o.message : typeof e === "string" ? e : text;
  if (/\bHTTP[ /]?(?:\d\.\d )?\d{3}\b/i.test(text)) return { error_class: classifyMessage(text), message };
  const kind = [o.type, o.code].find((v): v is string =>
    typeof v === "string" && /^[A-Za-z0-9_.-]{1,64}$/.test(v)
  );
  return { error_class: kind ?? classifyMessage(message || "model request failed"), message };
}

/** `exit_<code>`, or `signal_<NAME>` for the shell's 128+N convention. */
export function exitClass(code: number): string {
  const sig = code > 128 && code < 160 ? SIGNALS[code - 128] : undefined;
  return sig ? `signal_${sig}` : `exit_${code}`;
}

// The transcript format lives in codex/transcript.ts (one reader and writer for every release).
export { findCommandInTranscript, type TranscriptCommand } from "../codex/transcript.ts";
/** Inputs to {@link detectToolFailure}. */
export interface ToolOutcome {
  tool_name: string;
  tool_response: unknown;
  /** From the transcript, when found. */
  transcript?: TranscriptCommand | undefined;
}

/**
 * Whether a PostToolUse describes a failed call, and how: transcript exit
 * code first, then an exit code or error flag in the payload (MCP results
 * carry `isError`), then the model-facing text (`Process exited with code N`).
 */
export function detectToolFailure(o: ToolOutcome): FailureSignal | undefined {
  const t = o.transcript;
  const responseText = asText(o.tool_response);
  if (t && t.exit_code !== null && t.exit_code !== 0) {
    return { error_class: exitClass(t.exit_code), message: t.output || responseText };
  }
  if (t && t.exit_code === 0) return undefined;
  const r = o.tool_response;
  if (typeof r === "object" && r !== null && !Array.isArray(r)) {
    const obj = r as Record<string, unknown>;
    const code = obj.exit_code ?? obj.exitCode;
    if (typeof code === "number" && code !== 0) {
      return { error_class: exitClass(code), message: asText(obj.stderr ?? obj.output ?? obj.content ?? r) };
    }
    if (
      obj.isError === true || obj.is_error === true || (typeof obj.error === "string" && obj.error !== "")
    ) {
      const msg = asText(obj.error ?? obj.content ?? r);
      return { error_class: classifyMessage(msg), message: msg };
    }
  }
  const m = /(?:Process exited with code|Exit code:?)\s+(-?\d+)/i.exec(responseText);
  if (m && Number(m[1]) !== 0) return { error_class: exitClass(Number(m[1])), message: responseText };
  return undefined;
}

/** Notify types that report an error (the prior art's set). */
export const ERROR_NOTIFY_TYPES: ReadonlySet<string> = new Set([
  "error",
  "tool_error",
  "task_error",
  "abort",
]);
