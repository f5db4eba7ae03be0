/**
 * One hook invocation as a function: parse the input with `codex/`, turn it
 * into an observation, record it (claiming hub deliveries and writing the
 * outbox in the same transaction), and answer. No process, no environment:
 * the hook runner and the simulator's in-process runner both call it.
 *
 * The answer, beyond the empty one: hub messages (as context at SessionStart
 * and UserPromptSubmit, as a Stop block that continues the turn) and the
 * one-time failure hint after PostToolUse, each shown to Codex as a message
 * from its sender, not as a failure.
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import { parseHookInputLenient, parseNotifyArgvLenient } from "../codex/lenient.ts";
import { EMPTY_RESULT, hookOutput, type HookResult } from "../codex/outputs.ts";
import { makeScrubber, type Scrubber, scrubSecrets } from "../lifecycle/scrub.ts";
import { codexPid } from "../lifecycle/process.ts";
import { type ObserveContext, observeHook, observeNotify, readTail } from "../lifecycle/observe.ts";
import type { HintRow, Observation, SessionRow } from "../lifecycle/model.ts";
import type { StoreCore } from "../lifecycle/store/core.ts";
import type { DeliveryRow } from "../lifecycle/store/rows.ts";
import type { Forwarding } from "../lifecycle/forward/records.ts";
import type { HookSettings } from "./hook_settings.ts";
import { appendLog } from "./_log.ts";
import { frameMessage } from "../hub/app_server/frame.ts";

/** Everything a hook invocation needs besides its input. */
export interface HookDeps {
  settings: HookSettings;
  now: () => Date;
  ppid: number;
  /** The hook's arguments (for `--codex-pid`). */
  args: readonly string[];
  /** Opened lazily so that bad input never touches the store. */
  openStore: (stateDir: string, busyTimeoutMs: number) => StoreCore;
  /** Gives the store back (default: close it). In-process replays keep one store open. */
  releaseStore?: (store: StoreCore) => void;
  /** The forwarding mapping, when `settings.forward` is set (loaded only then). */
  forwarding?: Forwarding;
  /** Asked under the write lock before claiming hub messages: is Codex still waiting for this hook? */
  stillWaiting?: () => boolean;
  /** The input was cut at the hook's size limit (its top-level fields before the cut are kept). */
  inputTruncated?: boolean;
  /** Phase marks for `deno task bench` (see {@link PhaseMark}); absent, nothing is timed. */
  phase?: PhaseMark;
}

/**
 * Ends the current phase of a hook (`name`); with `carvedMs`, that much of it
 * is reported as the phase `carved` instead (scrubbing runs inside observing).
 */
export type PhaseMark = (name: string, carved?: { name: string; ms: number }) => void;

/** A scrubber that adds the time spent in it to `spent.ms` (only when profiling). */
function timedScrubber(s: Scrubber, spent: { ms: number }): Scrubber {
  const timed = <A, R>(f: (a: A) => R) => (a: A): R => {
    const t0 = performance.now();
    try {
      return f(a);
    } finally {
      spent.ms += performance.now() - t0;
    }
  };
  return { mode: s.mode, text: timed(s.text), path: timed(s.path), json: timed(s.json) };
}

/** What one invocation did. */
export interface Handled {
  /** The answer for Codex. */
  output: HookResult;
  obs: Observation;
  /** The session after the observation. */
  session: SessionRow | undefined;
  /** Ids of the outbox rows the observation wrote (the runner flushes them). */
  outbox: number[];
  /** Ids of the hub messages it claimed (the runner gives them back when it cannot answer). */
  delivered: string[];
}

/**
 * Handles one hook invocation: parse, observe, record, answer. Throws on bad
 * input or store failure; the hook runner turns that into a log line and exit 0.
 */
export function handle(
  event: HookEventName | "Notify",
  input: string | readonly string[],
  deps: HookDeps,
): Handled {
  const { settings, phase } = deps;
  const scrubbing = { ms: 0 };
  const scrubber = makeScrubber(settings.textMode, settings.home);
  const ctx: ObserveContext = {
    now: deps.now,
    scrubber: phase ? timedScrubber(scrubber, scrubbing) : scrubber,
    pid: codexPid(deps.args, settings.codexPidOverride, deps.ppid),
    hintThreshold: settings.hintThreshold,
    transcriptTail: readTail,
  };
  let obs: Observation;
  if (event === "Notify") {
    const payload = parseNotifyArgvLenient(input as string[]);
    phase?.("parse");
    obs = observeNotify(payload, ctx);
  } else {
    const payload = parseHookInputLenient(input as string, event, {
      truncated: deps.inputTruncated ?? false,
      excerpt: scrubSecrets,
    });
    phase?.("parse");
    obs = observeHook(payload, ctx);
  }
  phase?.("key and signals", { name: "scrub", ms: scrubbing.ms });
  // The lock wait stays well inside the hook's deadline, leaving time to answer.
  const store = deps.openStore(settings.stateDir, Math.max(100, settings.deadlineMs - 700));
  phase?.("open");
  try {
    // Liveness is checked by the readers: Deno allows /proc/<pid> only with --allow-all.
    const { result, delivered, outbox } = store.recordAndClaim(
      obs,
      { now: obs.observed_at, staleBusyMs: settings.staleBusyMs },
      deps.stillWaiting ?? true,
      settings.forward ? deps.forwarding : undefined,
    );
    phase?.("transaction");
    if (settings.debug) {
      appendLog(
        settings.stateDir,
        "hook.log",
        `${obs.observed_at} ${event} session=${obs.session_id} turn=${obs.turn_id} inserted=${result.inserted}`,
      );
    }
    return {
      output: respond(event, delivered, result.changes.hints),
      obs,
      session: result.changes.session ?? store.session(obs.session_id),
      outbox,
      delivered: delivered.map((d) => d.id),
    };
  } finally {
    (deps.releaseStore ?? ((st: StoreCore) => st.close()))(store);
    phase?.("close");
  }
}

/**
 * How hub messages reach Codex at one of the delivery events: each framed as
 * a message from its sender (the hub frames what it sends; a message added
 * another way is framed here), never worded as a failure. A Stop block is
 * the last resort, used only when the hub had no app-server to deliver through.
 */
function deliveryOutput(
  event: "SessionStart" | "UserPromptSubmit" | "Stop",
  messages: readonly DeliveryRow[],
): HookResult {
  const text = messages.map((m) =>
    m.text.startsWith("<lifeline-message ") ? m.text : frameMessage(m.text, { kind: m.kind, id: m.id })
  ).join("\n\n");
  if (event === "Stop") return hookOutput("Stop", { decision: "block", reason: text });
  if (event === "SessionStart") {
    return hookOutput("SessionStart", {
      hookSpecificOutput: { hookEventName: "SessionStart", additionalContext: text },
    });
  }
  return hookOutput("UserPromptSubmit", {
    hookSpecificOutput: { hookEventName: "UserPromptSubmit", additionalContext: text },
  });
}

/** The text of the one-time failure hint. */
function hintText(h: HintRow): string {
  return `lifeline: the tool "${h.tool}" has failed ${h.count} times with ${h.error_class} in this session ` +
    `in the last 24 hours. Check the command and its inputs before retrying it the same way.`;
}

/**
 * The answer to one recorded event: its deliveries if it claimed any, else
 * the hint a PostToolUse earned, else nothing.
 */
function respond(
  event: string,
  delivered: readonly DeliveryRow[],
  hints: readonly HintRow[],
): HookResult {
  if (
    delivered.length > 0 && (event === "SessionStart" || event === "UserPromptSubmit" || event === "Stop")
  ) {
    return deliveryOutput(event, delivered);
  }
  const hint = hints[0];
  if (event === "PostToolUse" && hint) {
    return hookOutput("PostToolUse", {
      hookSpecificOutput: { hookEventName: "PostToolUse", additionalContext: hintText(hint) },
    });
  }
  return EMPTY_RESULT;
}
