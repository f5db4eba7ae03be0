/**
 * Firing one event the way Codex does: every discovered handler whose
 * matcher accepts the payload runs at once, as `sh -c <command>` in the
 * session cwd with the compact payload on stdin (no trailing newline); a
 * handler that outlives its timeout is killed with its whole process group;
 * each finished run is interpreted by Codex's rules. Notify is spawned with the
 * payload as its last argument, no shell, and not awaited.
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import { matcherInput, matcherMatches } from "../codex/hooks_json.ts";
import { type Interpretation, interpretRun, type RunStatus } from "../codex/interpret.ts";
import type { JsonObject } from "../codex/json.ts";
import type { VersionProfile } from "../codex/profiles.ts";
import { effectiveTimeout } from "../codex/trust.ts";
import type { DiscoveredHandler, Discovery } from "./discovery.ts";

/** One hook run, as the report shows it. */
export interface HookRun {
  /** The scenario line that caused it. */
  line: number;
  session: string;
  event: HookEventName;
  /** Which handler: its trust key. */
  key: string;
  lifeline: boolean;
  status: RunStatus;
  exit_code: number | null;
  duration_ms: number;
  started_at: string;
  stdout: string;
  stderr: string;
  error?: string;
  context?: string;
  decision?: string;
}

/** The raw result of running a handler. */
export interface RawRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs one handler command (a subprocess by default). */
export interface HandlerRunner {
  run(
    h: DiscoveredHandler,
    stdin: string,
    cwd: string,
    env: Record<string, string>,
    timeoutSec: number,
  ): Promise<RawRun>;
  /** Handles a notify call itself; returns false to let the fake Codex spawn it. */
  notify?(argv: readonly string[], payload: string, env: Record<string, string>): boolean;
}

let setsidPath: string | null | undefined;
function setsid(): string | null {
  if (setsidPath === undefined) {
    setsidPath = ["/usr/bin/setsid", "/bin/setsid"].find((p) => {
      try {
        return Deno.statSync(p).isFile;
      } catch {
        return false;
      }
    }) ?? null;
  }
  return setsidPath;
}

/** Runs handlers as Codex does: `sh -c <command>`; on timeout the process group is killed. */
export const processRunner: HandlerRunner = {
  async run(h, stdin, cwd, env, timeoutSec) {
    const command = h.handler.command ?? "";
    const ss = setsid();
    const child = new Deno.Command(ss ?? "sh", {
      args: ss ? ["sh", "-c", command] : ["-c", command],
      cwd,
      env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const out = child.output();
    try {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(stdin));
      await w.close();
    } catch { /* the hook did not read its input: fine */ }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((
      r,
    ) => (timer = setTimeout(() => r("timeout"), timeoutSec * 1000)));
    const first = await Promise.race([out, timeout]);
    clearTimeout(timer);
    const dec = new TextDecoder("utf-8");
    if (first === "timeout") {
      try {
        if (ss) Deno.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch { /* already gone */ }
      const late = await out;
      return { code: null, stdout: dec.decode(late.stdout), stderr: dec.decode(late.stderr), timedOut: true };
    }
    return {
      code: first.signal ? null : first.code,
      stdout: dec.decode(first.stdout),
      stderr: dec.decode(first.stderr),
      timedOut: false,
    };
  },
};

/** What firing one event did. */
export interface EventOutcome {
  runs: HookRun[];
  contexts: string[];
  blocks: string[];
  stop: boolean;
}

/** Where and how one event fires. */
export interface FireContext {
  profile: VersionProfile;
  discovery: Discovery;
  /** The cwd when the payload's does not exist. */
  workspace: string;
  /** The environment of every hook process (Codex passes its own). */
  env: Record<string, string>;
  runner: HandlerRunner;
  now: Date;
  /** The scenario line and the session label the runs belong to. */
  line: number;
  session: string;
  /** The Codex pid the hooks see as their grandparent. */
  pid: number | undefined;
}

/** The environment a hook or notify process gets: Codex's, the simulated clock and Codex pid. */
export function processEnv(
  env: Record<string, string>,
  now: Date,
  pid: number | undefined,
): Record<string, string> {
  return {
    ...env,
    LIFELINE_FAKE_NOW: now.toISOString(),
    ...(pid ? { LIFELINE_CODEX_PID: String(pid) } : {}),
  };
}

/** A command written by lifeline's installer: one of its hook scripts with a state dir. */
function isLifeline(command: string): boolean {
  return /\/hooks\/[a-z_]+\.ts\b/.test(command) && command.includes("--state-dir=");
}

/** Fires one event with a given payload: every matching handler at once. */
export async function fireEvent(
  c: FireContext,
  event: HookEventName,
  payload: JsonObject,
): Promise<EventOutcome> {
  const outcome: EventOutcome = { runs: [], contexts: [], blocks: [], stop: false };
  if (!c.profile.events.includes(event)) return outcome;
  const input = matcherInput(event, payload);
  const handlers = c.discovery.handlers.filter((h) =>
    h.event === event && matcherMatches(event, h.matcher, input)
  );
  if (handlers.length === 0) return outcome;
  const stdin = JSON.stringify(payload);
  const env = processEnv(c.env, c.now, c.pid);
  const cwd = typeof payload.cwd === "string" && isDir(payload.cwd) ? payload.cwd : c.workspace;
  const results = await Promise.all(handlers.map(async (h) => {
    const t0 = performance.now();
    const timeout = effectiveTimeout(event, h.handler);
    const raw = await c.runner.run(h, stdin, cwd, env, timeout);
    const ms = performance.now() - t0;
    const i: Interpretation = raw.timedOut
      ? { status: "timed_out", error: `hook timed out after ${timeout}s` }
      : interpretRun(event, raw.code, raw.stdout, raw.stderr);
    const run: HookRun = {
      line: c.line,
      session: c.session,
      event,
      key: h.key,
      lifeline: isLifeline(h.handler.command ?? ""),
      status: i.status,
      exit_code: raw.code,
      duration_ms: Math.round(ms * 10) / 10,
      started_at: c.now.toISOString(),
      stdout: raw.stdout,
      stderr: raw.stderr,
      ...(i.error ? { error: i.error } : {}),
      ...(i.context ? { context: i.context } : {}),
      ...(i.block ? { decision: "block" } : {}),
    };
    return { run, i };
  }));
  for (const { run, i } of results) {
    outcome.runs.push(run);
    if (i.context) outcome.contexts.push(i.context);
    if (i.block) outcome.blocks.push(i.block.reason);
    if (i.stop) outcome.stop = true;
  }
  return outcome;
}

/**
 * Spawns notify like Codex: argv plus the payload as the last argument, no
 * shell, not awaited. Returns the process's status, or undefined when it
 * could not start (Codex logs a warning and carries on).
 */
export function spawnNotify(
  argv: readonly string[],
  payload: string,
  env: Record<string, string>,
): Promise<Deno.CommandStatus> | undefined {
  const [cmd, ...args] = argv;
  try {
    return new Deno.Command(cmd!, {
      args: [...args, payload],
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn().status;
  } catch {
    return undefined;
  }
}

function isDir(p: string): boolean {
  try {
    return Deno.statSync(p).isDirectory;
  } catch {
    return false;
  }
}
