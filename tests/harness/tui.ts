/**
 * Drives the real interactive Codex TUI under tmux, offline against the routed
 * mock (`tui_mock.ts`), with the timed recorder (`tui_recorder.ts`) installed in
 * its own CODEX_HOME. Keys go in with `tmux send-keys`, the screen comes back
 * with `tmux capture-pane -p`; every wait polls a log, a file or the screen.
 * Each rig has its own tmux server, so rigs run side by side.
 *
 * @module
 */

import { join } from "node:path";
import type { MockReply } from "./mock_responses.ts";
import { ensureCodexVersion } from "./codex_versions.ts";
import { startTuiMock, type TuiMock } from "./tui_mock.ts";
import { installTuiRecorder, readTimedLog, type TimedLine, type TuiRecorder } from "./tui_recorder.ts";

/** Options of {@link startTuiRig}. */
export interface TuiRigOptions {
  version: string;
  /** Run sessions in the shared app-server daemon (Codex's default); `false` adds `--disable daemon_auto_start`. */
  daemon?: boolean;
  /** Replies to the turns' model requests, in order (title requests are answered apart). */
  replies: MockReply[];
  /** What the title requests get (default a valid `{"title": …}`). */
  titleText?: string;
}

/** A marker the harness writes into a recording: an action it took or a process fact. */
export type Marker = { t: number; kind: "action" | "process" } & Record<string, unknown>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a command and returns its stdout (throws with stderr on failure). */
async function run(cmd: string, args: string[], env?: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...(env ? { env } : {}) })
    .output();
  const dec = new TextDecoder();
  if (!out.success) {
    throw new Error(`"${cmd} ${args.join(" ")}" failed (${out.code}): ${dec.decode(out.stderr)}`);
  }
  return dec.decode(out.stdout);
}

/** Pids whose command line mentions `needle`, with their argv. */
export async function processesMentioning(
  needle: string,
): Promise<{ pid: number; ppid: number; argv: string[] }[]> {
  const found: { pid: number; ppid: number; argv: string[] }[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const argv = (await Deno.readTextFile(`/proc/${e.name}/cmdline`)).split("\0").filter((a) => a !== "");
      if (!argv.some((a) => a.includes(needle))) continue;
      const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      found.push({ pid: Number(e.name), ppid, argv });
    } catch { /* gone meanwhile */ }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** A running rig: a temp root with a home, a CODEX_HOME, a workspace, the mock and a tmux server. */
export class TuiRig {
  readonly markers: Marker[] = [];
  readonly t0 = Date.now();
  readonly tuiPids = new Map<string, number>();
  readonly #seen = new Set<number>();
  readonly #daemons = new Set<number>();
  #n = 0;
  #polling = false;
  /** Notes the daemon's processes as they appear (it starts some seconds after the first TUI). */
  readonly #poll = setInterval(() => {
    if (this.#polling) return;
    this.#polling = true;
    this.noteProcesses().finally(() => (this.#polling = false));
  }, 250);

  constructor(
    readonly opts: Required<TuiRigOptions>,
    readonly root: string,
    readonly bin: string,
    readonly mock: TuiMock,
    readonly recorder: TuiRecorder,
    readonly socket: string,
  ) {}

  get home(): string {
    return join(this.root, "home");
  }
  get codexHome(): string {
    return join(this.root, "home", ".codex");
  }
  get ws(): string {
    return join(this.root, "ws");
  }
  get env(): Record<string, string> {
    return { CODEX_HOME: this.codexHome, HOME: this.home, MOCK_API_KEY: "x", TERM: "xterm-256color" };
  }

  /** Milliseconds since the rig started. */
  now(): number {
    return Date.now() - this.t0;
  }
  mark(kind: Marker["kind"], fields: Record<string, unknown>): void {
    this.markers.push({ t: this.now(), kind, ...fields });
  }

  tmux(...args: string[]): Promise<string> {
    return run("tmux", ["-S", this.socket, "-f", "/dev/null", ...args]);
  }

  /**
   * Starts a TUI (`codex <args>`) in a new tmux session `name`, waits for its
   * composer and returns its pid. With the daemon off it answers the
   * "incompatible feature settings" prompt with "Run without daemon this time".
   */
  async launch(name: string, args: string[] = [], daemon = this.opts.daemon): Promise<number> {
    const extra = daemon ? [] : ["--disable", "daemon_auto_start"];
    const env = Object.entries(this.env).map(([k, v]) => `${k}=${v}`);
    await this.tmux(
      "new-session",
      "-d",
      "-s",
      name,
      "-x",
      "200",
      "-y",
      "50",
      "-c",
      this.ws,
      "env",
      ...env,
      this.bin,
      ...extra,
      ...args,
    );
    await this.tmux("set-option", "-w", "-t", name, "remain-on-exit", "on").catch(() => {});
    const pid = Number((await this.tmux("display-message", "-p", "-t", name, "#{pane_pid}")).trim());
    this.tuiPids.set(name, pid);
    this.mark("action", { action: "launch", tui: name, args: [...extra, ...args] });
    this.mark("process", { fact: "tui_pid", tui: name, pid });
    // The composer shows at once; a TUI without the daemon asks how to run only once it has found a
    // daemon running for this CODEX_HOME (options: run without it, restart it, cancel = the default).
    const asks = !daemon && (await this.daemonPids()).length > 0;
    const screen = await this.waitForScreen(
      name,
      asks ? /incompatible feature settings/ : /incompatible feature settings|Ask Codex|for shortcuts/,
      60_000,
    );
    if (/incompatible feature settings/.test(screen)) {
      const line = screen.split("\n").find((l) => l.includes("Run without daemon"));
      const digit = line?.match(/(\d)\./)?.[1];
      if (!digit) throw new Error(`TUI "${name}": no "Run without daemon" choice on the screen:\n${screen}`);
      this.mark("action", { action: "answer_incompatible_prompt", choice: "Run without daemon this time" });
      await this.keys(name, digit);
      await this.waitForScreen(name, /Ask Codex|for shortcuts/, 60_000);
    }
    await this.noteProcesses();
    return pid;
  }

  /** Records every Codex process of this CODEX_HOME not seen before (the daemon and its helper). */
  async noteProcesses(): Promise<void> {
    for (const p of await processesMentioning(this.codexHome)) {
      if (this.#seen.has(p.pid)) continue;
      this.#seen.add(p.pid);
      // Not facts: the TUI's `--help` probes of the daemon binary, and the daemon's own children
      // between fork and exec (they still show the daemon's argv).
      if (p.argv.includes("--help") || this.#daemons.has(p.ppid)) continue;
      const fact = p.argv.includes("pid-update-loop")
        ? "pid_update_loop_pid"
        : p.argv.includes("--managed-daemon")
        ? "daemon_pid"
        : undefined;
      if (fact === "daemon_pid") this.#daemons.add(p.pid);
      if (fact) this.mark("process", { fact, pid: p.pid, ppid: p.ppid, argv: p.argv });
    }
  }

  /** The pids of this CODEX_HOME's daemon (`--managed-daemon`) processes. */
  async daemonPids(): Promise<number[]> {
    const all = (await processesMentioning(this.codexHome))
      .filter((p) => p.argv.includes("--managed-daemon") && !p.argv.includes("--help"));
    // A child between fork and exec shows the daemon's argv; the daemon's parent is no daemon.
    return all.filter((p) => !all.some((q) => q.pid === p.ppid)).map((p) => p.pid);
  }

  /** Sends tmux key names (`Enter`, `Escape`, `C-c`). */
  async keys(name: string, ...keys: string[]): Promise<void> {
    // Markers carry the time just before the action: a hook it causes is never earlier.
    this.mark("action", { action: "keys", tui: name, keys });
    await this.tmux("send-keys", "-t", name, ...keys);
  }

  /**
   * Types `text` literally, waits for it on the screen and a short settle (the
   * composer treats keys that arrive in one burst as a paste, where Enter is a
   * newline), then presses Enter.
   */
  async submit(name: string, text: string): Promise<void> {
    this.mark("action", { action: "type", tui: name, text });
    await this.tmux("send-keys", "-t", name, "-l", text);
    await this.waitForScreen(name, new RegExp(`› ${text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`), 15_000);
    await sleep(600);
    await this.keys(name, "Enter");
  }

  /** Types a slash command and submits it (e.g. `/quit`). */
  command(name: string, cmd: string): Promise<void> {
    return this.submit(name, cmd);
  }

  async screen(name: string): Promise<string> {
    return await this.tmux("capture-pane", "-p", "-t", name);
  }

  async waitForScreen(name: string, re: RegExp, timeoutMs = 30_000): Promise<string> {
    const end = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < end) {
      last = await this.screen(name).catch(() => last);
      if (re.test(last)) return last;
      await sleep(200);
    }
    throw new Error(
      `Screen of TUI "${name}" never matched ${re} within ${timeoutMs} ms; last screen:\n${last}`,
    );
  }

  hooks(): Promise<TimedLine[]> {
    return readTimedLog(this.recorder.hooksLog);
  }
  notifies(): Promise<TimedLine[]> {
    return readTimedLog(this.recorder.notifyLog);
  }

  /** Waits until `pred` holds for the hook lines recorded so far; returns them. */
  async waitForHooks(
    what: string,
    pred: (lines: TimedLine[]) => boolean,
    timeoutMs = 60_000,
  ): Promise<TimedLine[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const lines = await this.hooks();
      if (pred(lines)) return lines;
      if (Date.now() > end) {
        const seen = lines.map((l) => l.payload.hook_event_name).join(", ");
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${what}; hooks so far: ${seen || "none"}`,
        );
      }
      await sleep(200);
    }
  }

  /** Waits for the `n`-th hook of `event` (counting from the start). */
  waitForEvent(event: string, n = 1, timeoutMs = 60_000): Promise<TimedLine[]> {
    return this.waitForHooks(
      `${n} × ${event}`,
      (ls) => ls.filter((l) => l.payload.hook_event_name === event).length >= n,
      timeoutMs,
    );
  }

  /** Waits for `n` notify payloads in all. */
  async waitForNotifies(n: number, timeoutMs = 60_000): Promise<TimedLine[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const lines = await this.notifies();
      if (lines.length >= n) return lines;
      if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${n} notifies`);
      await sleep(200);
    }
  }

  /** `/quit` in TUI `name`, then waits for its process to exit. */
  async quit(name: string, timeoutMs = 30_000): Promise<void> {
    this.mark("action", { action: "quit", tui: name });
    await this.command(name, "/quit");
    await this.waitForExit(name, timeoutMs);
    await this.markScreen(name);
  }

  /** Writes the last non-empty lines of a TUI's screen into the recording. */
  async markScreen(name: string, lines = 6): Promise<void> {
    const screen = await this.screen(name).catch(() => "");
    this.mark("action", {
      action: "screen",
      tui: name,
      lines: screen.split("\n").filter((l) => l.trim()).slice(-lines),
    });
  }

  async waitForExit(name: string, timeoutMs = 30_000): Promise<void> {
    const pid = this.tuiPids.get(name);
    const end = Date.now() + timeoutMs;
    while (pid !== undefined && alive(pid)) {
      if (Date.now() > end) throw new Error(`TUI "${name}" (pid ${pid}) did not exit within ${timeoutMs} ms`);
      await sleep(100);
    }
    this.mark("process", { fact: "tui_exited", tui: name, pid });
  }

  /** Kills the TUI process of `name`. */
  async killTui(name: string, signal: Deno.Signal = "SIGKILL"): Promise<void> {
    const pid = this.tuiPids.get(name);
    if (pid === undefined) throw new Error(`No TUI named "${name}"`);
    this.mark("action", { action: "kill_tui", tui: name, pid, signal });
    Deno.kill(pid, signal);
    await this.waitForExit(name);
  }

  /** Kills the daemon processes of this CODEX_HOME. */
  async killDaemon(signal: Deno.Signal = "SIGKILL"): Promise<number[]> {
    const pids = await this.daemonPids();
    if (pids.length === 0) throw new Error(`No daemon is running for "${this.codexHome}"`);
    for (const pid of pids) {
      this.mark("action", { action: "kill_daemon", pid, signal });
      try {
        Deno.kill(pid, signal);
      } catch { /* gone */ }
    }
    const end = Date.now() + 15_000;
    while (pids.some(alive) && Date.now() < end) await sleep(100);
    return pids;
  }

  /** Stops the daemon, every process of this CODEX_HOME and every TUI, the tmux server and the mock. */
  async stop(): Promise<void> {
    clearInterval(this.#poll);
    await run(this.bin, ["app-server", "daemon", "stop"], { ...Deno.env.toObject(), ...this.env }).catch(() =>
      ""
    );
    // The tmux server goes first (its own argv names CODEX_HOME); it hangs up on the TUIs it runs.
    await this.tmux("kill-server").catch(() => "");
    const pids = [...this.tuiPids.values(), ...(await processesMentioning(this.codexHome)).map((p) => p.pid)];
    for (const pid of pids) {
      try {
        if (alive(pid)) Deno.kill(pid, "SIGKILL");
      } catch { /* gone */ }
    }
    await this.mock.close().catch(() => {});
  }

  /** A fresh tmux session name. */
  nextName(prefix = "tui"): string {
    return `${prefix}${++this.#n}`;
  }
}

/** Installs the version if needed and starts a rig (mock, recorder, config, tmux server name). */
export async function startTuiRig(options: TuiRigOptions): Promise<TuiRig> {
  const opts: Required<TuiRigOptions> = {
    daemon: true,
    titleText: JSON.stringify({ title: "Mock title" }),
    ...options,
  };
  const bin = await ensureCodexVersion(opts.version);
  const root = await Deno.makeTempDir({ prefix: "lifeline-tui-" });
  const codexHome = join(root, "home", ".codex");
  await Deno.mkdir(join(root, "ws"), { recursive: true });
  const recorder = await installTuiRecorder(codexHome);
  const mock = startTuiMock(opts.replies, opts.titleText);
  await Deno.writeTextFile(
    join(codexHome, "config.toml"),
    `model = "mock-model"
model_provider = "mock"
approval_policy = "never"
sandbox_mode = "danger-full-access"
${recorder.rootToml}

[model_providers.mock]
name = "mock"
base_url = "${mock.url}"
wire_api = "responses"
env_key = "MOCK_API_KEY"

${recorder.trustToml}
`,
  );
  // The tmux socket lives in the rig's root, so removing the root leaves nothing behind.
  return new TuiRig(opts, root, bin, mock, recorder, join(root, "tmux.sock"));
}
