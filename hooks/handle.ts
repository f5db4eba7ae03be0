/**
 * One hook invocation as a function: parse the input with `codex/`, turn it
 * into an observation, record it (claiming hub deliveries and writing the
 * outbox in the same transaction), and answer. No process, no environment:
 * the hook runner and the simulator's in-process runner both call it.
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import { parseHookInput } from "../codex/payloads.ts";
import { parseNotifyArgv } from "../codex/notify.ts";
import type { HookResult } from "../codex/outputs.ts";
import { makeScrubber } from "../lifecycle/scrub.ts";
import { codexPid } from "../lifecycle/process.ts";
import { type ObserveContext, observeHook, observeNotify, readTail } from "../lifecycle/observe.ts";
import type { Observation, SessionRow } from "../lifecycle/model.ts";
import type { Store } from "../lifecycle/store/mod.ts";
import type { HookSettings } from "./hook_settings.ts";
import { respond } from "./respond.ts";
import { appendLog } from "./_log.ts";

/** Everything a hook invocation needs besides its input. */
export interface HookDeps {
  settings: HookSettings;
  now: () => Date;
  ppid: number;
  /** The hook's arguments (for `--codex-pid`). */
  args: readonly string[];
  /** Opened lazily so that bad input never touches the store. */
  openStore: (stateDir: string, busyTimeoutMs: number) => Store;
  /** Gives the store back (default: close it). In-process replays keep one store open. */
  releaseStore?: (store: Store) => void;
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
  const { settings } = deps;
  const ctx: ObserveContext = {
    now: deps.now,
    scrubber: makeScrubber(settings.textMode, settings.home),
    pid: codexPid(deps.args, settings.codexPidOverride, deps.ppid),
    hintThreshold: settings.hintThreshold,
    transcriptTail: readTail,
  };
  const obs = event === "Notify"
    ? observeNotify(parseNotifyArgv(input as string[]), ctx)
    : observeHook(parseHookInput(input as string, event), ctx);
  // The lock wait stays well inside the hook's deadline, leaving time to answer.
  const store = deps.openStore(settings.stateDir, Math.max(100, settings.deadlineMs - 700));
  try {
    // Liveness is checked by the readers: Deno allows /proc/<pid> only with --allow-all.
    const { result, delivered, outbox } = store.recordAndClaim(
      obs,
      { now: obs.observed_at, staleBusyMs: settings.staleBusyMs },
      true,
      settings.forward,
    );
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
    };
  } finally {
    (deps.releaseStore ?? ((st: Store) => st.close()))(store);
  }
}

/** {@link handle}, answering only. */
export function handleHook(
  event: HookEventName | "Notify",
  input: string | readonly string[],
  deps: HookDeps,
): HookResult {
  return handle(event, input, deps).output;
}
