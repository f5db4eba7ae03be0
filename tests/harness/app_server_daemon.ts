/**
 * The real Codex app-server daemon for one temporary `CODEX_HOME`, started
 * the way the TUI starts it (`codex app-server daemon start` runs
 * `codex app-server --listen unix:// --managed-daemon` from a copy under
 * `<CODEX_HOME>/packages/app-server-daemon/`, plus a `pid-update-loop`
 * helper), and stopped with `codex app-server daemon stop` followed by a kill
 * of both pids it reported, so no process outlives the test.
 *
 * @module
 */

import { join } from "node:path";
import { ensureCodexVersion } from "./codex_install.ts";

/** A started daemon. */
export interface Daemon {
  bin: string;
  pid: number;
  /** The `pid-update-loop` helper, when its pid file was readable. */
  helperPid: number | null;
  socketPath: string;
  /** Stops the daemon and kills what is left of it. */
  stop(): Promise<void>;
}

/** Options for {@link startDaemon}. */
export interface DaemonOptions {
  version: string;
  codexHome: string;
  home: string;
  cwd: string;
  env?: Record<string, string>;
}

/** Whether `pid` runs (a zombie counts as gone: nobody here can reap it). */
export function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

async function kill(pid: number | null): Promise<void> {
  if (pid === null || !alive(pid)) return;
  try {
    Deno.kill(pid, "SIGTERM");
  } catch { /* already gone */ }
  if (await waitGone(pid, 3000)) return;
  try {
    Deno.kill(pid, "SIGKILL");
  } catch { /* already gone */ }
  await waitGone(pid, 3000);
}

/** Starts the daemon of `opts.version` for `opts.codexHome` (config.toml must exist). */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const bin = await ensureCodexVersion(opts.version);
  const env = {
    HOME: opts.home,
    CODEX_HOME: opts.codexHome,
    MOCK_API_KEY: "x",
    RUST_LOG: "warn",
    ...opts.env,
  };
  const run = (cmd: string) =>
    new Deno.Command(bin, {
      args: ["app-server", "daemon", cmd],
      cwd: opts.cwd,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
  const out = await run("start");
  const text = new TextDecoder().decode(out.stdout);
  let started: { pid?: unknown; socketPath?: unknown };
  try {
    started = JSON.parse(text.trim().split("\n").at(-1) ?? "");
  } catch {
    throw new Error(`Cannot start the app-server daemon: "daemon start" printed "${text}"`);
  }
  if (!out.success || typeof started.pid !== "number" || typeof started.socketPath !== "string") {
    throw new Error(`Cannot start the app-server daemon: ${text} ${new TextDecoder().decode(out.stderr)}`);
  }
  let helperPid: number | null = null;
  try {
    const file = join(opts.codexHome, "app-server-daemon", "daemon-updater.pid");
    const pid = JSON.parse(await Deno.readTextFile(file)).pid;
    if (typeof pid === "number") helperPid = pid;
  } catch { /* no helper pid file: only the daemon pid is killed */ }
  const pid = started.pid;
  return {
    bin,
    pid,
    helperPid,
    socketPath: started.socketPath,
    async stop() {
      await run("stop").catch(() => undefined);
      await kill(pid);
      await kill(helperPid);
    },
  };
}
