/**
 * The fake Codex: turns Codex-level actions (a prompt, a tool call, an
 * answer, Esc, /compact, exit…) into the exact hook sequence the version
 * profile fires, with the payloads Codex sends. Running the handlers is
 * `fire.ts`'s job; the Codex processes are stand-ins (`stand_ins.ts`).
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import type { JsonObject } from "../codex/json.ts";
import type { VersionProfile } from "../codex/profiles.ts";
import type { Discovery } from "./discovery.ts";
import {
  type EventOutcome,
  fireEvent,
  type HandlerRunner,
  type HookRun,
  processEnv,
  processRunner,
  spawnNotify,
} from "./fire.ts";
import { hookPayload, modelRequestHookPayload, notifyPayload, simId, toolInput } from "./payloads.ts";
import { StandIns } from "./stand_ins.ts";
import { rolloutPath, TranscriptFile } from "./transcript.ts";

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
  transcript: TranscriptFile;
  /** The pid of the session's stand-in Codex process, while it runs. */
  pid: number | null;
  ended: boolean;
  /** Every user prompt of the thread so far (notify's `input-messages`). */
  prompts: string[];
  /** Model requests so far (the model-request hooks' request ids). */
  requests: number;
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

/** Options of the fake Codex. */
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

/** A tool call as a scenario describes it. */
export interface ToolCall {
  name: string;
  command: string;
  output: string;
  exit_code: number;
  response?: unknown;
  id?: string;
}

/** The fake Codex. */
export class FakeCodex {
  readonly sessions = new Map<string, SimSession>();
  readonly runs: HookRun[] = [];
  /** Every notify payload sent, in order. */
  readonly notifications: string[] = [];
  readonly #standIns = new StandIns();
  #pending: Promise<unknown>[] = [];
  #ids = 0;
  #line = 0;

  constructor(readonly o: EngineOptions) {}

  /** Sets the scenario line that the next hook runs belong to. */
  at(line: number): void {
    this.#line = line;
  }

  #id(kind: string): string {
    return simId(`${this.o.seed}:${kind}:${++this.#ids}`);
  }

  /** Whether a pid belongs to a stand-in that is gone (`false`), alive (`true`), or unknown. */
  alive(pid: number): boolean | undefined {
    return this.#standIns.alive(pid);
  }

  /** A stand-in process for a Codex pid seen in a recording (one per recorded pid). */
  standInFor(recordedPid: number): number {
    return this.#standIns.forRecorded(recordedPid);
  }

  #stop(s: SimSession): void {
    if (s.pid !== null) this.#standIns.stop(s.pid);
    s.pid = null;
  }

  /** Launches Codex for a session (no hook fires: SessionStart waits for the first prompt). */
  start(label: string, cwd?: string, model?: string): SimSession {
    const existing = this.sessions.get(label);
    if (existing && !existing.ended) return existing;
    existing?.transcript.close(); // a new thread under the same label gets a new rollout
    const id = this.#id(`session:${label}`);
    const transcript = new TranscriptFile(
      rolloutPath(this.o.codexHome, id, this.o.clock.now()),
      this.o.profile,
    );
    transcript.append({ kind: "session_meta", id, cwd: cwd ?? this.o.workspace });
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
      pid: this.#standIns.spawn(),
      ended: false,
      prompts: [],
      requests: 0,
    };
    this.sessions.set(label, s);
    return s;
  }

  #session(label: string): SimSession {
    const s = this.sessions.get(label);
    if (s && !s.ended) return s;
    return this.start(label);
  }

  /** Fires one event with a given payload: every matching handler at once. */
  async fire(
    event: HookEventName,
    payload: JsonObject,
    sessionLabel: string,
    pid?: number,
  ): Promise<EventOutcome> {
    const outcome = await fireEvent(
      {
        profile: this.o.profile,
        discovery: this.o.discovery,
        workspace: this.o.workspace,
        env: this.o.env,
        runner: this.o.runner ?? processRunner,
        now: this.o.clock.now(),
        line: this.#line,
        session: sessionLabel,
        pid,
      },
      event,
      payload,
    );
    if (outcome.runs.length === 0) return outcome;
    this.runs.push(...outcome.runs);
    this.o.clock.advance(100);
    return outcome;
  }

  #fireFor(s: SimSession, event: HookEventName, extra: JsonObject): Promise<EventOutcome> {
    const payload = hookPayload(this.o.profile, s, event, extra);
    return this.fire(event, payload, s.label, s.pid ?? undefined);
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
    if (!this.o.profile.modelRequestPayload || s.turnId === null) return;
    if (event === "PreModelRequest") s.requests++;
    const n = Math.max(s.requests, 1);
    const payload = modelRequestHookPayload(
      this.o.profile,
      s,
      event,
      this.#id(`request:${s.label}:${n}`),
      n,
      status,
    );
    if (payload) await this.fire(event, payload, s.label, s.pid ?? undefined);
  }

  #needTurn(s: SimSession, what: string): void {
    if (!s.turnOpen) {
      throw new Error(
        `Cannot simulate ${what} for session "${s.label}": no turn is open (send a prompt first)`,
      );
    }
  }

  /** A tool call: PreToolUse, the tool (its exit code goes to the transcript), PostToolUse. */
  async tool(label: string, t: ToolCall): Promise<void> {
    const s = this.#session(label);
    this.#needTurn(s, "a tool call");
    const id = t.id ?? `call_${s.turns}_${++s.tools}`;
    // 0.171 starts the tool inside the request; 0.169 ends the request first.
    const within = this.o.profile.modelRequestOrder === "tools_within_request";
    if (!within) await this.#modelRequest(s, "PostModelRequest");
    const input = toolInput(t);
    const pre = await this.#fireFor(s, "PreToolUse", {
      tool_name: t.name,
      tool_input: input,
      tool_use_id: id,
    });
    if (within) await this.#modelRequest(s, "PostModelRequest");
    if (pre.blocks.length > 0) return await this.#modelRequest(s, "PreModelRequest"); // denied: not run
    if (t.name === "Bash") {
      s.transcript.append({
        kind: "command",
        turnId: s.turnId,
        callId: id,
        command: t.command,
        output: t.output,
        exitCode: t.exit_code,
      });
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
    const argv = this.o.discovery.notify;
    if (stopped || !argv) return;
    const payload = notifyPayload(s, text);
    this.spawnNotify(argv, JSON.stringify(payload), s.pid ?? undefined);
  }

  /** Spawns notify like Codex: argv plus the payload as the last argument, no shell, not awaited. */
  spawnNotify(argv: readonly string[], payload: string, pid?: number): void {
    this.notifications.push(payload);
    const env = processEnv(this.o.env, this.o.clock.now(), pid);
    if (this.o.runner?.notify?.(argv, payload, env)) return;
    const status = spawnNotify(argv, payload, env);
    if (status) this.#pending.push(status);
  }

  /** Esc during a turn: `Interrupt` on ≥ 0.150, nothing before; never Stop or notify. */
  async interrupt(label: string): Promise<void> {
    const s = this.#session(label);
    this.#needTurn(s, "an interrupt");
    s.turnOpen = false;
    await this.#modelRequest(s, "PostModelRequest", "cancelled");
    if (s.turnId !== null) s.transcript.append({ kind: "turn_aborted", turnId: s.turnId });
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
    this.#stop(s);
    s.ended = false;
    s.turnOpen = false;
    s.pendingSource = "resume";
    s.pid = this.#standIns.spawn();
  }

  /** Codex exits: an open turn is interrupted, then SessionEnd; the process ends. */
  async exit(label: string): Promise<void> {
    const s = this.#session(label);
    if (s.turnOpen) await this.interrupt(label);
    await this.#fireFor(s, "SessionEnd", { reason: "other" });
    this.#stop(s);
    s.ended = true;
  }

  /** The Codex process is killed: no hook fires. */
  kill(label: string): void {
    const s = this.#session(label);
    this.#stop(s);
    s.turnOpen = false;
    s.ended = true;
  }

  /** Waits for notify processes (Codex does not; the simulator settles before it reads the store). */
  async settle(): Promise<void> {
    const p = this.#pending;
    this.#pending = [];
    await Promise.allSettled(p);
  }

  /** Waits for notify, ends every stand-in process and closes the transcripts. */
  async close(): Promise<void> {
    await this.settle();
    for (const s of this.sessions.values()) {
      this.#stop(s);
      s.transcript.close();
    }
    await this.#standIns.close();
  }
}
