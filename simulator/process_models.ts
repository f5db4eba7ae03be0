/**
 * The fake Codex in both process models, for interactive-TUI scenarios
 * (header `"tui": true`). Times are those measured on the real TUI of 0.169
 * and 0.171 (docs/process_models.md), on the simulated clock:
 *
 * - `per-session`: each TUI is one Codex process, which runs its sessions.
 *   `quit` fires SessionEnd at once for every session the TUI opened
 *   (`/clear` and `/new` end nothing until then); `kill_tui` ends the
 *   process and nothing fires.
 * - `daemon`: one app-server daemon runs every session, so every hook's pid
 *   is the daemon's. `quit` detaches: SessionEnd 60.1 s later. `kill_tui`
 *   leaves the turn running: its Stop and notify still come, and SessionEnd
 *   60.3 s after that Stop (or after the kill when no turn runs). `/clear`
 *   and `/new` end the old session 60.3 s later. Resuming a session the
 *   daemon still holds ends it first (3.5 s after the new TUI starts).
 *   `kill_daemon` ends every session with no hook; a later prompt fires
 *   nothing. `daemon_stop` fires SessionEnd for every loaded session at once.
 * - Both: manual `/compact` fires PreCompact and PostCompact under a turn
 *   id of its own and SessionStart(compact) at the next prompt; a thread's
 *   first prompt fires the notify of an internal title thread (new thread
 *   and turn ids, no hook), at every prompt while titles are `rejected`.
 *
 * Pending SessionEnds are timers on the simulated clock, fired by `advance`.
 *
 * @module
 */

import type { JsonObject } from "../codex/json.ts";
import type { FakeCodex, SimSession } from "./fake_codex.ts";
import { hookPayload, simId } from "./payloads.ts";
import type { TuiHeader } from "./tui_scenarios.ts";

/** SessionEnd after `/quit` in the daemon (60.03–60.16 s measured). */
export const QUIT_END_MS = 60_100;
/** SessionEnd after a killed TUI's Stop, and after `/clear` or `/new` (60.2–60.4 s measured). */
export const DETACHED_END_MS = 60_300;
/** A resume of a session the daemon still holds ends it this long after the new TUI starts (2.4–4.6 s). */
export const RESUME_END_MS = 3_500;

/** The title prompt of the internal title thread, as Codex 0.169–0.171 words it (its start). */
export const TITLE_PROMPT = "Generate a concise, single-line task title of at most 36 characters and under " +
  "five words where possible.";

interface Timer {
  at: number;
  label: string;
}

/** The TUI/daemon layer over one fake Codex. */
export class TuiModel {
  readonly #timers: Timer[] = [];
  /** Labels whose killed TUI left a turn running: SessionEnd follows its Stop. */
  readonly #endAfterStop = new Set<string>();
  /** Per-session: the labels each TUI process holds (a TUI is named by its first label). */
  readonly #tuiOf = new Map<string, string>();
  readonly #titled = new Set<string>();
  #daemonPid: number | undefined;
  #daemonDead = false;
  #ids = 0;

  constructor(readonly engine: FakeCodex, readonly h: TuiHeader) {}

  get daemon(): boolean {
    return this.h.process_model === "daemon";
  }

  /** Whether `pid` is the simulated daemon (for the reader's process-model check). */
  isDaemon(pid: number): boolean | undefined {
    if (!this.daemon) return false;
    return this.#daemonPid === undefined ? undefined : pid === this.#daemonPid;
  }

  #now(): number {
    return this.engine.o.clock.now().getTime();
  }

  #daemon(): number {
    // One stand-in process plays the daemon: every session's hooks name it.
    this.#daemonPid ??= this.engine.standInFor(-1);
    return this.#daemonPid;
  }

  /** The session of a label, launched (in the daemon, with the daemon's pid) if it is not running. */
  #ensure(label: string, cwd?: string, model?: string): SimSession {
    const known = this.engine.sessions.get(label);
    if (known && !known.ended) return known;
    const s = this.engine.start(label, cwd, model);
    if (this.daemon) s.pid = this.#daemon();
    if (!this.#tuiOf.has(label)) this.#tuiOf.set(label, label);
    return s;
  }

  #schedule(label: string, afterMs: number): void {
    this.#cancel(label);
    this.#timers.push({ at: this.#now() + afterMs, label });
    this.#timers.sort((a, b) => a.at - b.at);
  }

  #cancel(label: string): boolean {
    const i = this.#timers.findIndex((t) => t.label === label);
    if (i >= 0) this.#timers.splice(i, 1);
    return i >= 0;
  }

  async #end(label: string, mark = true): Promise<void> {
    const s = this.engine.sessions.get(label);
    if (!s || s.ended) return;
    s.turnOpen = false;
    await this.engine.fire(
      "SessionEnd",
      hookPayload(this.engine.o.profile, s, "SessionEnd", {
        reason: "other",
      }),
      s.label,
      s.pid ?? undefined,
    );
    if (mark) s.ended = true;
  }

  /** Per-session: the running labels of the TUI process that runs `label`. */
  #tuiLabels(label: string): string[] {
    const tui = this.#tuiOf.get(label) ?? label;
    return [...this.#tuiOf].filter(([l, t]) => t === tui && this.engine.sessions.get(l)?.ended === false)
      .map(([l]) => l);
  }

  /** Moves the clock, firing every pending SessionEnd that falls due on the way, at its time. */
  async advance(ms: number): Promise<void> {
    const until = this.#now() + ms;
    while (this.#timers.length > 0 && this.#timers[0]!.at <= until) {
      const t = this.#timers.shift()!;
      if (t.at > this.#now()) this.engine.o.clock.advance(t.at - this.#now());
      await this.#end(t.label);
    }
    if (until > this.#now()) this.engine.o.clock.advance(until - this.#now());
  }

  start(label: string, cwd?: string, model?: string): void {
    this.#ensure(label, cwd, model);
  }

  /** A prompt; with a dead daemon nothing fires. Then the title thread's notify, when due. */
  async prompt(label: string, text: string): Promise<void> {
    if (this.daemon && this.#daemonDead) return;
    const s = this.#ensure(label);
    await this.engine.prompt(label, text);
    const argv = this.engine.o.discovery.notify;
    const due = this.h.titles === "rejected" || (this.h.titles === "once" && !this.#titled.has(s.id));
    if (!argv || !due) return;
    this.#titled.add(s.id);
    const payload: JsonObject = {
      type: "agent-turn-complete",
      "thread-id": simId(`${this.engine.o.seed}:title-thread:${++this.#ids}`),
      "turn-id": simId(`${this.engine.o.seed}:title-turn:${this.#ids}`),
      cwd: s.cwd,
      client: "codex-tui",
      "input-messages": [`${TITLE_PROMPT}\n\nUser prompt:\n${text}`],
      "last-assistant-message": this.h.titles === "rejected" ? "Not a title" : '{"title":"Mock title"}',
    };
    this.engine.spawnNotify(argv, JSON.stringify(payload), s.pid ?? undefined);
  }

  /** The answer: Stop and notify (a killed TUI's turn too); a detached session's end follows. */
  async assistant(label: string, text: string): Promise<void> {
    if (this.daemon && this.#daemonDead) return;
    await this.engine.assistant(label, text);
    if (this.#endAfterStop.delete(label)) this.#schedule(label, DETACHED_END_MS);
  }

  /** `/quit`. */
  async quit(label: string): Promise<void> {
    this.#ensure(label);
    if (this.daemon) {
      if (!this.#daemonDead) this.#schedule(label, QUIT_END_MS);
      return;
    }
    const labels = this.#tuiLabels(label);
    for (const l of labels) await this.#end(l, false);
    for (const l of labels) this.engine.kill(l); // the TUI process exits
  }

  /** SIGKILL of the TUI. */
  killTui(label: string): void {
    const s = this.#ensure(label);
    if (!this.daemon) {
      for (const l of this.#tuiLabels(label)) this.engine.kill(l);
      return;
    }
    if (s.turnOpen) this.#endAfterStop.add(label);
    else this.#schedule(label, DETACHED_END_MS);
  }

  /** SIGKILL of the daemon: every session ends, no hook fires. */
  killDaemon(): void {
    if (!this.daemon) throw new Error(`step "kill_daemon" needs "process_model": "daemon"`);
    this.#daemonDead = true;
    this.#timers.length = 0;
    this.#endAfterStop.clear();
    let killed = false;
    for (const s of this.engine.sessions.values()) {
      if (s.ended) continue;
      if (!killed) this.engine.kill(s.label); // stops the daemon's stand-in
      killed = true;
      s.turnOpen = false;
      s.ended = true;
      s.pid = null;
    }
  }

  /** `codex app-server daemon stop`: SessionEnd for every loaded session at once, then the daemon
   * exits; with no daemon nothing happens. */
  async daemonStop(): Promise<void> {
    if (!this.daemon) return; // no daemon runs: the command finds nothing to stop
    this.#timers.length = 0;
    for (const s of [...this.engine.sessions.values()]) await this.#end(s.label);
    this.killDaemon();
  }

  /** `/new` (source startup) or `/clear` (source clear): a new session id under `as`. */
  fresh(label: string, as: string, source: "startup" | "clear"): void {
    const old = this.#ensure(label);
    const s = this.#ensure(as, old.cwd, old.model);
    s.pendingSource = source;
    if (this.daemon) {
      this.#schedule(label, DETACHED_END_MS);
    } else {
      // The same TUI process runs the new session; the old one ends at its quit.
      s.pid = old.pid;
      this.#tuiOf.set(as, this.#tuiOf.get(label) ?? label);
    }
  }

  /** Manual `/compact`: PreCompact, PostCompact under a turn id of its own; SessionStart(compact) next. */
  async compactManual(label: string): Promise<void> {
    const s = this.#ensure(label);
    const was = s.turnId;
    s.turnId = simId(`${this.engine.o.seed}:compact:${label}:${++this.#ids}`);
    await this.engine.fire(
      "PreCompact",
      hookPayload(this.engine.o.profile, s, "PreCompact", {
        trigger: "manual",
      }),
      s.label,
      s.pid ?? undefined,
    );
    await this.engine.fire(
      "PostCompact",
      hookPayload(this.engine.o.profile, s, "PostCompact", {
        trigger: "manual",
      }),
      s.label,
      s.pid ?? undefined,
    );
    s.turnId = was;
    s.pendingSource ??= "compact";
  }

  /** `codex resume`: the same thread in a new TUI (per-session: a new process; daemon: the same daemon). */
  async resume(label: string): Promise<void> {
    if (!this.daemon) {
      this.engine.resume(label);
      return;
    }
    const s = this.engine.sessions.get(label) ?? this.#ensure(label);
    if (!s.ended && this.#cancel(label)) {
      // Still loaded (detached): the daemon ends it while the new TUI attaches.
      await this.advance(RESUME_END_MS);
      await this.#end(label);
    }
    s.ended = false;
    s.turnOpen = false;
    s.pendingSource = "resume";
    s.pid = this.#daemon();
  }
}

const MODELS = new WeakMap<FakeCodex, TuiModel>();

/** Attaches the TUI layer to a fake Codex (TUI scenarios only). */
export function attachTui(engine: FakeCodex, h: { tui?: TuiHeader }): TuiModel | undefined {
  if (!h.tui?.tui) return undefined;
  const m = new TuiModel(engine, h.tui);
  MODELS.set(engine, m);
  return m;
}

/** The TUI layer of a fake Codex, if its scenario is a TUI one. */
export function tuiOf(engine: FakeCodex): TuiModel | undefined {
  return MODELS.get(engine);
}
