/**
 * lifeline's handlers: which script runs for which event, with which
 * command line and timeout. The installer writes exactly these into
 * `hooks.json`; tests and the simulator use the same plan.
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import { hookDenoArgs } from "./permissions.ts";

/** The script file of each event, relative to `hooks/`. */
export const HOOK_SCRIPTS: Readonly<Record<HookEventName, string>> = {
  SessionStart: "session_start.ts",
  UserPromptSubmit: "user_prompt_submit.ts",
  PreToolUse: "pre_tool_use.ts",
  PermissionRequest: "permission_request.ts",
  PostToolUse: "post_tool_use.ts",
  PreCompact: "pre_compact.ts",
  PostCompact: "post_compact.ts",
  SubagentStart: "subagent_start.ts",
  SubagentStop: "subagent_stop.ts",
  Stop: "stop.ts",
  Interrupt: "interrupt.ts",
  SessionEnd: "session_end.ts",
  PreModelRequest: "pre_model_request.ts",
  PostModelRequest: "post_model_request.ts",
};

/**
 * Timeouts (seconds): short everywhere; SessionEnd and Interrupt at most 3 s as Codex clamps them;
 * the model-request hooks run before and after every model request, so they get little.
 */
export const HOOK_TIMEOUTS: Readonly<Record<HookEventName, number>> = {
  SessionStart: 10,
  UserPromptSubmit: 10,
  PreToolUse: 10,
  PermissionRequest: 10,
  PostToolUse: 10,
  PreCompact: 10,
  PostCompact: 10,
  SubagentStart: 10,
  SubagentStop: 10,
  Stop: 10,
  Interrupt: 3,
  SessionEnd: 3,
  PreModelRequest: 5,
  PostModelRequest: 5,
};

/** The internal deadline of a hook with `timeout` seconds: well under it. */
export function deadlineMs(timeoutSeconds: number): number {
  return Math.min(5000, Math.max(500, Math.floor(timeoutSeconds * 1000 * 0.6)));
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Where things are when building commands. */
export interface HandlerPlaces {
  /** The `deno` executable (absolute). */
  deno: string;
  /** The lifeline checkout (absolute, no trailing slash). */
  root: string;
  stateDir: string;
  codexHome: string;
  /** Forwarding targets (`host:port`) the hooks may reach. */
  netHosts?: readonly string[];
}

/**
 * The shell command of a hook. `--codex-pid=$PPID` lets the hook know the
 * Codex process (the parent of the shell Codex runs it in).
 */
export function hookCommand(event: HookEventName, p: HandlerPlaces): string {
  const words = [
    p.deno,
    ...hookDenoArgs({
      stateDir: p.stateDir,
      codexHome: p.codexHome,
      deno: p.deno,
      ...(p.netHosts ? { netHosts: p.netHosts } : {}),
    }),
    `${p.root}/hooks/${HOOK_SCRIPTS[event]}`,
    `--state-dir=${p.stateDir}`,
    `--deadline-ms=${deadlineMs(HOOK_TIMEOUTS[event])}`,
  ];
  return `${words.map(shellQuote).join(" ")} --codex-pid=$PPID`;
}

/** The `notify` argv (no shell: Codex runs argv[0] directly and appends the payload). */
export function notifyArgv(p: HandlerPlaces, chain?: readonly string[]): string[] {
  return [
    p.deno,
    ...hookDenoArgs({ stateDir: p.stateDir, codexHome: p.codexHome, ...(chain ? { chain } : {}) }),
    `${p.root}/hooks/notify.ts`,
    `--state-dir=${p.stateDir}`,
    ...(chain && chain.length > 0 ? [`--chain=${JSON.stringify(chain)}`] : []),
  ];
}

/** The root of this checkout, from a module URL inside it. */
export const LIFELINE_ROOT: string = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(
  /\/$/,
  "",
);
