/**
 * The fake Codex: turns Codex-level actions (a prompt, a tool call, an
 * answer, Esc, /compact, exit…) into the exact hook sequence the version
 * profile fires, runs the discovered handlers the way Codex does (`sh -c` in
 * the session cwd, compact payload on stdin without a trailing newline, all
 * handlers of one event at once, a timeout that kills), and interprets their
 * output as Codex would.
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import { matcherInput, matcherMatches } from "../codex/hooks_json.ts";
import type { VersionProfile } from "../codex/profiles.ts";
import { commandLines, turnAbortedLine } from "../codex/transcript.ts";
import { modelRequestPayload } from "../codex/payloads.ts";
import { effectiveTimeout } from "../codex/trust.ts";
import type { JsonObject } from "../codex/_validate.ts";
import { sha256Hex } from "../codex/_sha256.ts";
import type { DiscoveredHandler, Discovery } from "./discovery.ts";
import { type Interpretation, interpretRun, type RunStatus } from "./interpret.ts";

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
  /** Handles a notify call itself; returns false to let the engine spawn it. */
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

/** A simulated Codex session. */
export interface SimSession {
  label: string;
  id: string;
  cwd: string;
  model: string;
  pendingSource: string | null;
  turns: number;
  turnId: string | null;
  turnOpen: boolean;
  tools: number;
  transcript: string;
  /** Open for appending, like Codex's rollout writer. */
  transcriptFile: Deno.FsFile;
  standIn: Deno.ChildProcess | null;
  ended: boolean;
  /** Every user prompt of the thread so far (notify's `input-messages`). */
  prompts: string[];
  /** Model requests so far (the model-request hooks' request ids). */
  requests?: number;
}

/** The simulated clock. */
export interface SimClock {
  now(): Date;
  advance(ms: number): void;
}

/** A clock that starts at `start` and moves only when told. */
export function simClock(start: Date): SimClock {
  let t = start.getTime();
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

/** Options of the engine. */
export interface EngineOptions {
  profile: VersionProfile;
  discovery: Discovery;
  codexHome: string;
  workspace: string;
  clock: SimClock;
  /** The environment of every hook and notify process (Codex passes its own). */
  env: Record<string, string>;
  runner?: HandlerRunner;
  /** A stable seed for ids. */
  seed: string;
}

/** What firing one event did. */
export interface EventOutcome {
  runs: HookRun[];
  contexts: string[];
  blocks: string[];
  stop: boolean;
}

const CLIENT = "codex-tui";

/** Formats 32 hex digits as a UUID. */
function uuidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${
    hex.slice(20, 32)
  }`;
}

/** The fake Codex. */
export class FakeCodex {
  readonly sessions = new Map<string, SimSession>();
  readonly runs: HookRun[] = [];
  readonly killedPids = new Set<number>();
  /** Every notify payload sent, in order. */
  readonly notifications: string[] = [];
  readonly livePids = new Set<number>();
  #pending: Promise<unknown>[] = [];
  #ids = 0;
  #line = 0;

  constructor(readonly o: EngineOptions) {}

  /** Sets the scenario line that the next hook runs belong to. */
  at(line: number): void {
    this.#line = line;
  }

  #id(kind: string): string {
    return uuidFrom(sha256Hex(`${this.o.seed}:${kind}:${++this.#ids}`));
  }

  /** Whether a pid belongs to a stand-in that is gone (`false`), alive (`true`), or unknown. */
  alive(pid: number): boolean | undefined {
    if (this.killedPids.has(pid)) return false;
    if (this.livePids.has(pid)) return true;
    return undefined;
  }

  #spawnStandIn(s: SimSession): void {
    const child = new Deno.Command("sleep", {
      args: ["86400"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    child.status.catch(() => {});
    s.standIn = child;
    this.livePids.add(child.pid);
  }

  #stopStandIn(s: SimSession): void {
    if (!s.standIn) return;
    try {
      s.standIn.kill("SIGKILL");
    } catch { /* already gone */ }
    this.livePids.delete(s.standIn.pid);
    this.killedPids.add(s.standIn.pid);
    s.standIn = null;
  }

  /** Launches Codex for a session (no hook fires: SessionStart waits for the first prompt). */
  start(label: string, cwd?: string, model?: string): SimSession {
    const existing = this.sessions.get(label);
    if (existing && !existing.ended) return existing;
    const id = this.#id(`session:${label}`);
    const d = this.o.clock.now();
    const day = d.toISOString().slice(0, 10).replaceAll("-", "/");
    const transcript = `${this.o.codexHome}/sessions/${day}/rollout-${
      d.toISOString().slice(0, 19).replaceAll(":", "-")
    }-${id}.jsonl`;
    Deno.mkdirSync(transcript.slice(0, transcript.lastIndexOf("/")), { recursive: true });
    const transcriptFile = Deno.openSync(transcript, { append: true, create: true });
    writeLine(transcriptFile, { type: "session_meta", payload: { id, cwd: cwd ?? this.o.workspace } });
    const s: SimSession = {
      label,
      id,
      cwd: cwd ?? this.o.workspace,
      model: model ?? "gpt-5.4",
      pendingSource: "startup",
      turns: 0,
      turnId: null,
      turnOpen: false,
      tools: 0,
      transcript,
      transcriptFile,
      standIn: null,
      ended: false,
      prompts: [],
    };
    this.#spawnStandIn(s);
    this.sessions.set(label, s);
    return s;
  }

  #session(label: string): SimSession {
    const s = this.sessions.get(label);
    if (s && !s.ended) return s;
    return this.start(label);
  }

  #payload(s: SimSession, event: HookEventName, extra: JsonObject): JsonObject {
    const p = this.o.profile;
    const turnScoped = event !== "SessionStart" && event !== "SessionEnd";
    const withTurn = turnScoped && s.turnId !== null &&
      !(!p.toolEventsCarryTurnId && (event === "PreToolUse" || event === "PostToolUse")) &&
      !p.eventsWithoutTurnId.includes(event);
    const base: JsonObject = { session_id: s.id };
    if (withTurn) base.turn_id = s.turnId;
    base.transcript_path = s.transcript;
    base.cwd = s.cwd;
    base.hook_event_name = event;
    if (event !== "SessionEnd") base.model = s.model;
    if (event !== "SessionEnd" && event !== "PreCompact" && event !== "PostCompact") {
      base.permission_mode = "bypassPermissions";
    }
    return { ...base, ...extra };
  }

  /** Fires one event with a given payload: every matching handler at once. */
  async fire(
    event: HookEventName,
    payload: JsonObject,
    sessionLabel: string,
    pid?: number,
  ): Promise<EventOutcome> {
    const outcome: EventOutcome = { runs: [], contexts: [], blocks: [], stop: false };
    if (!this.o.profile.events.includes(event)) return outcome;
    const input = matcherInput(event, payload);
    const handlers = this.o.discovery.handlers.filter((h) =>
      h.event === event && matcherMatches(event, h.matcher, input)
    );
    if (handlers.length === 0) return outcome;
    const stdin = JSON.stringify(payload);
    const now = this.o.clock.now();
    const env = {
      ...this.o.env,
      LIFELINE_FAKE_NOW: now.toISOString(),
      ...(pid ? { LIFELINE_CODEX_PID: String(pid) } : {}),
    };
    const cwd = typeof payload.cwd === "string" && isDir(payload.cwd) ? payload.cwd : this.o.workspace;
    const runner = this.o.runner ?? processRunner;
    const results = await Promise.all(handlers.map(async (h) => {
      const t0 = performance.now();
      const timeout = effectiveTimeout(event, h.handler);
      const raw = await runner.run(h, stdin, cwd, env, timeout);
      const ms = performance.now() - t0;
      const i: Interpretation = raw.timedOut
        ? { status: "timed_out", error: `hook timed out after ${timeout}s` }
        : interpretRun(event, raw.code, raw.stdout, raw.stderr);
      const run: HookRun = {
        line: this.#line,
        session: sessionLabel,
        event,
        key: h.key,
        lifeline: /\/hooks\/[a-z_]+\.ts\b/.test(h.handler.command ?? "") &&
          (h.handler.command ?? "").includes("--state-dir="),
        status: i.status,
        exit_code: raw.code,
        duration_ms: Math.round(ms * 10) / 10,
        started_at: now.toISOString(),
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
    this.runs.push(...outcome.runs);
    this.o.clock.advance(100);
    return outcome;
  }

  #fireFor(s: SimSession, event: HookEventName, extra: JsonObject): Promise<EventOutcome> {
    return this.fire(event, this.#payload(s, event, extra), s.label, s.standIn?.pid);
  }

  /** A prompt: late SessionStart (if pending), then UserPromptSubmit. */
  async prompt(label: string, text: string): Promise<void> {
    const s = this.#session(label);
    s.turns++;
    s.turnId = this.#id(`turn:${label}:${s.turns}`);
    s.turnOpen = true;
    s.tools = 0;
    s.prompts.push(text);
    if (s.pendingSource) {
      const source = s.pendingSource;
      s.pendingSource = null;
      const ss = await this.#fireFor(s, "SessionStart", { source });
      if (ss.stop) {
        s.turnOpen = false;
        return;
      }
    }
    const ups = await this.#fireFor(s, "UserPromptSubmit", { prompt: text });
    if (ups.blocks.length > 0 || ups.stop) s.turnOpen = false;
    else await this.#modelRequest(s, "PreModelRequest");
  }

  /** A model-request hook (0.169+), in the profile's payload shape; Post reports `status`. */
  async #modelRequest(
    s: SimSession,
    event: "PreModelRequest" | "PostModelRequest",
    status: "completed" | "cancelled" = "completed",
  ): Promise<void> {
    const shape = this.o.profile.modelRequestPayload;
    if (!shape || s.turnId === null) return;
    if (event === "PreModelRequest") s.requests = (s.requests ?? 0) + 1;
    const n = s.requests ?? 1;
    const usage = status === "completed"
      ? { input_tokens: 10, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 5 }
      : undefined;
    const payload = modelRequestPayload(shape, event, {
      session_id: s.id,
      turn_id: s.turnId,
      cwd: s.cwd,
      transcript_path: s.transcript,
      model: s.model,
      request_id: this.#id(`request:${s.label}:${n}`),
      status,
      token_usage: usage ? { ...usage, reasoning_output_tokens: 0, total_tokens: 15 } : null,
      response_id: usage ? `resp_${n}` : null,
    });
    await this.fire(event, payload, s.label, s.standIn?.pid);
  }

  #needTurn(s: SimSession, what: string): void {
    if (!s.turnOpen) {
      throw new Error(
        `Cannot simulate ${what} for session "${s.label}": no turn is open (send a prompt first)`,
      );
    }
  }

  /** A tool call: PreToolUse, the tool (its exit code goes to the transcript), PostToolUse. */
  async tool(
    label: string,
    t: { name: string; command: string; output: string; exit_code: number; response?: unknown; id?: string },
  ): Promise<void> {
    const s = this.#session(label);
    this.#needTurn(s, "a tool call");
    const id = t.id ?? `call_${s.turns}_${++s.tools}`;
    const within = this.o.profile.modelRequestOrder === "tools_within_request";
    if (!within) await this.#modelRequest(s, "PostModelRequest");
    const input = t.name === "Bash" || t.name === "apply_patch"
      ? { command: t.command }
      : (isObjectLike(t.response) ? {} : { command: t.command });
    const pre = await this.#fireFor(s, "PreToolUse", {
      tool_name: t.name,
      tool_input: input,
      tool_use_id: id,
    });
    if (within) await this.#modelRequest(s, "PostModelRequest");
    if (pre.blocks.length > 0) return await this.#modelRequest(s, "PreModelRequest"); // denied: not run
    if (t.name === "Bash") {
      const rec = {
        turnId: s.turnId,
        callId: id,
        command: t.command,
        output: t.output,
        exitCode: t.exit_code,
      };
      for (const line of commandLines(this.o.profile.transcriptFormat, rec)) {
        writeLine(s.transcriptFile, line);
      }
    }
    await this.#fireFor(s, "PostToolUse", {
      tool_name: t.name,
      tool_input: input,
      tool_response: t.response !== undefined ? t.response : t.output,
      tool_use_id: id,
    });
    await this.#modelRequest(s, "PreModelRequest"); // the tool's output goes back to the model
  }

  /** The model's final answer: Stop (continued while a hook blocks), then notify. */
  async assistant(label: string, text: string): Promise<void> {
    const s = this.#session(label);
    this.#needTurn(s, "an answer");
    let active = false;
    let stopped = false;
    await this.#modelRequest(s, "PostModelRequest");
    for (let round = 0; round < 5; round++) {
      const o = await this.#fireFor(s, "Stop", { stop_hook_active: active, last_assistant_message: text });
      if (o.stop) {
        stopped = true;
        break;
      }
      if (o.blocks.length === 0) break;
      active = true; // Codex continues the turn with the block reason as a new prompt
      await this.#modelRequest(s, "PreModelRequest");
      await this.#modelRequest(s, "PostModelRequest");
    }
    s.turnOpen = false;
    if (!stopped) this.#notify(s, text);
  }

  #notify(s: SimSession, lastMessage: string | null): void {
    const argv = this.o.discovery.notify;
    if (!argv) return;
    const payload = {
      type: "agent-turn-complete",
      "thread-id": s.id,
      "turn-id": s.turnId,
      cwd: s.cwd,
      client: CLIENT,
      "input-messages": [...s.prompts],
      "last-assistant-message": lastMessage,
    };
    this.spawnNotify(argv, JSON.stringify(payload), s.standIn?.pid);
  }

  /** Spawns notify like Codex: argv plus the payload as the last argument, no shell, not awaited. */
  spawnNotify(argv: readonly string[], payload: string, pid?: number): void {
    const [cmd, ...args] = argv;
    this.notifications.push(payload);
    const env = {
      ...this.o.env,
      LIFELINE_FAKE_NOW: this.o.clock.now().toISOString(),
      ...(pid ? { LIFELINE_CODEX_PID: String(pid) } : {}),
    };
    if (this.o.runner?.notify?.(argv, payload, env)) return;
    try {
      const child = new Deno.Command(cmd!, {
        args: [...args, payload],
        env,
        clearEnv: true,
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      this.#pending.push(child.status);
    } catch { /* Codex logs a warning and carries on */ }
  }

  /** Esc during a turn: `Interrupt` on ≥ 0.150, nothing before; never Stop or notify. */
  async interrupt(label: string): Promise<void> {
    const s = this.#session(label);
    this.#needTurn(s, "an interrupt");
    s.turnOpen = false;
    await this.#modelRequest(s, "PostModelRequest", "cancelled");
    if (s.turnId !== null) writeLine(s.transcriptFile, turnAbortedLine(s.turnId));
    if (this.o.profile.interrupt === "Interrupt") await this.#fireFor(s, "Interrupt", {});
  }

  /** Compaction: PreCompact, PostCompact, then SessionStart(compact). */
  async compact(label: string, trigger: string): Promise<void> {
    const s = this.#session(label);
    await this.#fireFor(s, "PreCompact", { trigger });
    await this.#fireFor(s, "PostCompact", { trigger });
    await this.#fireFor(s, "SessionStart", { source: "compact" });
  }

  /** `/clear`: the conversation starts over; SessionStart(clear) at the next prompt. */
  clear(label: string): void {
    const s = this.#session(label);
    s.pendingSource = "clear";
    s.prompts = [];
  }

  /** `codex resume`: a new Codex process for the same thread; SessionStart(resume) at the next prompt. */
  resume(label: string): void {
    const s = this.sessions.get(label) ?? this.start(label);
    this.#stopStandIn(s);
    s.ended = false;
    s.turnOpen = false;
    s.pendingSource = "resume";
    this.#spawnStandIn(s);
  }

  /** Codex exits: an open turn is interrupted, then SessionEnd; the process ends. */
  async exit(label: string): Promise<void> {
    const s = this.#session(label);
    if (s.turnOpen) await this.interrupt(label);
    await this.#fireFor(s, "SessionEnd", { reason: "other" });
    this.#stopStandIn(s);
    s.ended = true;
  }

  /** The Codex process is killed: no hook fires. */
  kill(label: string): void {
    const s = this.#session(label);
    this.#stopStandIn(s);
    s.turnOpen = false;
    s.ended = true;
  }

  /** Waits for notify processes (Codex does not; the simulator settles before it reads the store). */
  async settle(): Promise<void> {
    const p = this.#pending;
    this.#pending = [];
    await Promise.allSettled(p);
  }

  #recorded = new Map<number, Deno.ChildProcess>();

  /**
   * A stand-in process for a Codex pid seen in a recording, so that replayed
   * deliveries keep their process identity (one stand-in per recorded pid).
   */
  standInFor(recordedPid: number): number {
    let child = this.#recorded.get(recordedPid);
    if (!child) {
      child = new Deno.Command("sleep", { args: ["86400"], stdin: "null", stdout: "null", stderr: "null" })
        .spawn();
      child.status.catch(() => {});
      this.#recorded.set(recordedPid, child);
      this.livePids.add(child.pid);
    }
    return child.pid;
  }

  /** Ends every stand-in process. */
  async close(): Promise<void> {
    await this.settle();
    for (const s of this.sessions.values()) {
      this.#stopStandIn(s);
      try {
        s.transcriptFile.close();
      } catch { /* already closed */ }
    }
    for (const c of this.#recorded.values()) {
      try {
        c.kill("SIGKILL");
      } catch { /* gone */ }
    }
    this.#recorded.clear();
  }
}

function writeLine(file: Deno.FsFile, value: unknown): void {
  const bytes = new TextEncoder().encode(JSON.stringify(value) + "\n");
  for (let off = 0; off < bytes.length;) off += file.writeSync(bytes.subarray(off));
}

function isDir(p: string): boolean {
  try {
    return Deno.statSync(p).isDirectory;
  } catch {
    return false;
  }
}

function isObjectLike(v: unknown): boolean {
  return typeof v === "object" && v !== null;
}
