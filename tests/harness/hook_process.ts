/**
 * Runs a real hook script as a `deno run` subprocess with exactly the flags
 * the installer writes, a clean environment, and a payload on stdin.
 *
 * @module
 */

import { join } from "node:path";
import type { HookEventName } from "../../codex/events.ts";
import { type HandlerPlaces, HOOK_SCRIPTS, LIFELINE_ROOT, notifyArgv } from "../../hooks/handlers.ts";
import { hookDenoArgs } from "../../hooks/permissions.ts";

/** A temporary lifeline + Codex home pair. */
export interface Sandbox extends HandlerPlaces {
  home: string;
  cleanup(): Promise<void>;
}

/** Makes a temporary HOME with a Codex home and a state dir inside it. */
export async function sandbox(): Promise<Sandbox> {
  const home = await Deno.makeTempDir({ prefix: "lifeline-home-" });
  const codexHome = join(home, ".codex");
  const stateDir = join(home, ".lifeline");
  await Deno.mkdir(join(codexHome, "sessions"), { recursive: true });
  return {
    home,
    codexHome,
    stateDir,
    deno: Deno.execPath(),
    root: LIFELINE_ROOT,
    cleanup: () => Deno.remove(home, { recursive: true }).catch(() => {}),
  };
}

/** What a hook process did. */
export interface HookRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `hooks/<event>.ts` like Codex would (stdin = payload, no trailing newline). */
export async function runHookProcess(
  event: HookEventName,
  stdin: string | Uint8Array,
  sb: HandlerPlaces & { home: string },
  opts: { env?: Record<string, string>; extraArgs?: string[] } = {},
): Promise<HookRun> {
  const child = new Deno.Command(sb.deno, {
    args: [
      ...hookDenoArgs(sb),
      join(sb.root, "hooks", HOOK_SCRIPTS[event]),
      `--state-dir=${sb.stateDir}`,
      ...(opts.extraArgs ?? []),
    ],
    clearEnv: true,
    env: { HOME: sb.home, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...opts.env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(typeof stdin === "string" ? new TextEncoder().encode(stdin) : stdin);
  await w.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Runs `hooks/notify.ts` like Codex would: payload as the last argument, stdin closed. */
export async function runNotifyProcess(
  payload: string,
  sb: HandlerPlaces & { home: string },
  chain?: string[],
): Promise<HookRun> {
  const [deno, ...args] = notifyArgv(sb, chain);
  const out = await new Deno.Command(deno!, {
    args: [...args, payload],
    clearEnv: true,
    env: { HOME: sb.home, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Reads the hook error log ("" when there is none). */
export async function errorLog(stateDir: string): Promise<string> {
  try {
    return await Deno.readTextFile(join(stateDir, "hook-errors.log"));
  } catch {
    return "";
  }
}
