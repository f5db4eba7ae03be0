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

/** Characters a shell word may hold without quotes. */
const SAFE_WORD = /[A-Za-z0-9_\/.,:=@%+-]+/;
const SAFE_LINE = new RegExp(`^${SAFE_WORD.source}$`);

/** Quotes one word for a POSIX shell. */
export function shellQuote(s: string): string {
  return SAFE_LINE.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
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
  /**
   * Whether the one-time failure hint is on (`install --hints`). When set, the
   * command starts with the hint threshold, so an installed hook does not steer
   * the agent unless the person asked for it; an explicit environment value wins.
   */
  hints?: boolean;
}

/** The variable of the failure hint threshold; 2 is the threshold `--hints` turns on. */
const HINT_VAR = "LIFELINE_FAILURE_HINT_THRESHOLD";
const hintPrefix = (on: boolean) => `${HINT_VAR}=\${${HINT_VAR}:-${on ? 2 : 0}} `;
const HINT_PREFIX = new RegExp(`^${HINT_VAR}=\\$\\{${HINT_VAR}:-[02]\\} `);

/**
 * The argv of one of lifeline's scripts: the one place the `deno run` flags
 * are chosen, for the event hooks and notify alike. Only the event hooks
 * start a session's hub sidecar, so only they may run `deno`: notify cannot
 * deliver a message (Codex ignores its output and does not wait for it), and
 * the hooks of the same turn already keep the sidecar alive. Every script may
 * reach the forwarding targets, to send the records it just wrote.
 */
function launchArgv(
  script: string,
  p: HandlerPlaces,
  o: { startsSidecar: boolean; deadlineMs?: number; chain?: readonly string[] },
): string[] {
  const chain = o.chain && o.chain.length > 0 ? o.chain : undefined;
  return [
    p.deno,
    ...hookDenoArgs({
      stateDir: p.stateDir,
      codexHome: p.codexHome,
      ...(o.startsSidecar ? { deno: p.deno } : {}),
      ...(p.netHosts ? { netHosts: p.netHosts } : {}),
      ...(chain ? { chain } : {}),
    }),
    `${p.root}/hooks/${script}`,
    `--state-dir=${p.stateDir}`,
    ...(o.deadlineMs !== undefined ? [`--deadline-ms=${o.deadlineMs}`] : []),
    ...(chain ? [`--chain=${JSON.stringify(chain)}`] : []),
  ];
}

/**
 * The shell command of a hook. `--codex-pid=$PPID` lets the hook know the
 * Codex process (the parent of the shell Codex runs it in).
 */
export function hookCommand(event: HookEventName, p: HandlerPlaces): string {
  const words = launchArgv(HOOK_SCRIPTS[event], p, {
    startsSidecar: true,
    deadlineMs: deadlineMs(HOOK_TIMEOUTS[event]),
  });
  const prefix = p.hints === undefined ? "" : hintPrefix(p.hints);
  return `${prefix}${words.map(shellQuote).join(" ")} --codex-pid=$PPID`;
}

/** The `notify` argv (no shell: Codex runs argv[0] directly and appends the payload). */
export function notifyArgv(p: HandlerPlaces, chain?: readonly string[]): string[] {
  return launchArgv("notify.ts", p, { startsSidecar: false, ...(chain ? { chain } : {}) });
}

/** The name the notify shell runs as (`$0`): with the exact script it marks the line as lifeline's. */
const NOTIFY_SH_NAME = "lifeline-notify";
const NOTIFY_SCRIPT = /^("\$@" & )?for p; do :; done; exec (.+) "\$p"$/;

/**
 * The `notify` argv the installer writes: `/bin/sh -c <script> lifeline-notify
 * <user argv…>`, to which Codex appends the payload. The script starts the
 * user's program with exactly its own argv plus the payload (`"$@"`), in the
 * background, and then runs lifeline's notify with the last argument: the
 * user's program never waits for lifeline nor depends on it, and keeps
 * running when lifeline's files or deno are gone. Only lifeline's own words
 * are in the script (quoted); the user's words are positional parameters,
 * never parsed by the shell.
 */
export function notifyShellArgv(p: HandlerPlaces, user?: readonly string[]): string[] {
  const words = notifyArgv(p).map(shellQuote).join(" ");
  const own = user !== undefined && user.length > 0;
  const script = `${own ? `"$@" & ` : ""}for p; do :; done; exec ${words} "$p"`;
  return ["/bin/sh", "-c", script, NOTIFY_SH_NAME, ...(own ? user : [])];
}

/** What every command `hookCommand` builds ends with, outside the quoted words. */
const PID_SUFFIX = " --codex-pid=$PPID";
const WORD = new RegExp(`'((?:[^']|'\\\\'')*)'|(${SAFE_WORD.source})`, "y");

/**
 * The words of a line that `shellQuote` words joined by single spaces make, or
 * `undefined` for any other line: re-quoting the words must give the line back
 * byte for byte, so a line written any other way (double quotes, `;`, `$(…)`,
 * two spaces) is never mistaken for one the builder made.
 */
export function quotedWords(line: string): string[] | undefined {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    WORD.lastIndex = i;
    const m = WORD.exec(line);
    if (!m) return undefined;
    words.push(m[1] !== undefined ? m[1].replaceAll(`'\\''`, "'") : m[2]!);
    i = WORD.lastIndex;
    if (i < line.length && line[i++] !== " ") return undefined;
  }
  return words.map(shellQuote).join(" ") === line ? words : undefined;
}

/** Where the script word is in a `deno run --flag… <script> …` argv (index ≥ 2), or -1. */
function scriptIndex(words: readonly string[]): number {
  if (words.length < 3 || words[0] === "" || words[1] !== "run") return -1;
  return words.findIndex((w, i) => i >= 2 && !w.startsWith("--"));
}

const SCRIPT_EVENT: ReadonlyMap<string, HookEventName> = new Map(
  (Object.entries(HOOK_SCRIPTS) as [HookEventName, string][]).map(([e, s]) => [s, e]),
);

/** The words of a command `hookCommand` built (without the hint prefix and `--codex-pid=$PPID`). */
export function hookCommandWords(command: string): string[] | undefined {
  if (!command.endsWith(PID_SUFFIX)) return undefined;
  return quotedWords(command.replace(HINT_PREFIX, "").slice(0, -PID_SUFFIX.length));
}

/**
 * The one rule for "is this hook handler lifeline's?": the event whose command
 * `hookCommand` builds for the checkout at `root`, whatever deno, state dir or
 * deadline it was built with, or `undefined` for any other command. A command
 * that merely mentions lifeline or one of its paths is not lifeline's.
 */
export function lifelineHookEvent(command: string, root: string): HookEventName | undefined {
  const w = hookCommandWords(command);
  if (!w) return undefined;
  const at = scriptIndex(w);
  if (at < 0 || w.length !== at + 3) return undefined;
  if (!w[at + 1]!.startsWith("--state-dir=") || !/^--deadline-ms=\d+$/.test(w[at + 2]!)) return undefined;
  const prefix = `${root}/hooks/`;
  const script = w[at]!;
  return script.startsWith(prefix) ? SCRIPT_EVENT.get(script.slice(prefix.length)) : undefined;
}

/**
 * The same rule for `notify`: whether `argv` is one `notifyArgv` or
 * `notifyShellArgv` builds for the checkout at `root`, and if so the user's
 * program it chains or runs beside lifeline (`null`: none).
 */
export function lifelineNotify(argv: unknown, root: string): { chain: string[] | null } | undefined {
  if (!Array.isArray(argv) || !argv.every((x): x is string => typeof x === "string")) return undefined;
  if (argv[0] === "/bin/sh" && argv[1] === "-c" && argv[3] === NOTIFY_SH_NAME) {
    const m = NOTIFY_SCRIPT.exec(argv[2]!);
    const user = argv.slice(4);
    if (!m || (m[1] !== undefined) !== (user.length > 0)) return undefined;
    const inner = lifelineNotify(quotedWords(m[2]!), root);
    return inner && inner.chain === null ? { chain: user.length > 0 ? user : null } : undefined;
  }
  const at = scriptIndex(argv);
  if (at < 0 || argv[at] !== `${root}/hooks/notify.ts` || !argv[at + 1]?.startsWith("--state-dir=")) {
    return undefined;
  }
  const rest = argv.slice(at + 2);
  if (rest.length === 0) return { chain: null };
  if (rest.length !== 1 || !rest[0]!.startsWith("--chain=")) return undefined;
  try {
    const chain: unknown = JSON.parse(rest[0]!.slice("--chain=".length));
    if (Array.isArray(chain) && chain.length > 0 && chain.every((x) => typeof x === "string")) {
      return { chain };
    }
  } catch { /* not an argv notifyArgv builds */ }
  return undefined;
}

/** The root of this checkout, from a module URL inside it. */
export const LIFELINE_ROOT: string = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(
  /\/$/,
  "",
);
