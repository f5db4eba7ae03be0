/**
 * The session commands: `status`, `show`, `watch`, `send`, `ask`, `flush`.
 * Each takes its parsed arguments and the settings, writes through `io`,
 * and returns the exit code.
 *
 * @module
 */

import type { Settings } from "../lifecycle/settings.ts";
import { flushNow, flushText } from "./flush.ts";
import { CliError, postMessage, waitForAnswer } from "./messages.ts";
import type { Args } from "./parser.ts";
import { showText, statusText } from "./render.ts";
import { installed, type ReadOptions, readReport, withStore } from "./report.ts";
import { type Filters, filterSessions, parseDuration, resolveId } from "./sessions.ts";
import type { Style } from "./style.ts";

/** Where a command writes, and how. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  style: Style;
  now: () => Date;
}

type Of<C extends Args["cmd"]> = Extract<Args, { cmd: C }>;

/** A usage error found after parsing (a bad value): exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
  }
}

function readOptions(settings: Settings, stateDir: string | undefined, now: Date): ReadOptions {
  return {
    stateDir: stateDir ?? settings.stateDir,
    staleBusySeconds: settings.staleBusySeconds,
    now,
    home: settings.home,
  };
}

function filtersOf(a: { active?: boolean | undefined; since?: string | undefined }, now: Date): Filters {
  if (a.since === undefined) return { active: a.active };
  const ms = parseDuration(a.since);
  if (ms === undefined) {
    throw new UsageError(`--since "${a.since}" is not a duration: write 30s, 15m, 2h or 7d.`);
  }
  return { active: a.active, since: new Date(now.getTime() - ms) };
}

/** `lifeline status`. */
export function statusCommand(a: Of<"status">, settings: Settings, io: Io): number {
  const now = io.now();
  const f = filtersOf(a, now);
  const o = readOptions(settings, a.stateDir, now);
  const r = readReport(o);
  const shown = { ...r, sessions: filterSessions(r.sessions, f) };
  io.out(
    a.json ? JSON.stringify(shown, null, 2) : statusText(shown, now, io.style, {
      installed: installed(o.stateDir),
      filtered: r.sessions.length > 0,
    }),
  );
  return 0;
}

/** Resolves an id or prefix against the store, or throws the reason. */
export function resolveSession(o: ReadOptions, wanted: string): string {
  const ids = withStore(o, (s) => s.sessions().map((x) => x.session_id)) ?? [];
  const r = resolveId(ids, wanted);
  if (!r.ok) throw new CliError(`${r.error}${ids.length ? "" : ` No store in ${o.stateDir}.`}`);
  return r.id;
}

/** `lifeline show`. */
export function showCommand(a: Of<"show">, settings: Settings, io: Io): number {
  const o = readOptions(settings, a.stateDir, io.now());
  const id = resolveSession(o, a.id);
  const s = readReport(o).sessions.find((x) => x.session_id === id)!;
  const messages = withStore(o, (st) => st.deliveries(id)) ?? [];
  if (a.json) io.out(JSON.stringify({ ...s, messages }, null, 2));
  else {
    const lines = messages.map((m) =>
      `  ${m.created_at} ${m.kind.padEnd(6)} ${m.status}${
        m.delivered_event ? ` at ${m.delivered_event}` : ""
      }: ${m.text.replace(/\s+/g, " ").slice(0, 80)}`
    );
    io.out(
      showText(s, o.now, io.style) +
        (lines.length ? `\n\n${io.style.bold("messages")}\n${lines.join("\n")}` : ""),
    );
  }
  return 0;
}

/** `lifeline watch`: redraws the table in place until SIGINT. */
export async function watchCommand(
  a: Of<"watch">,
  settings: Settings,
  io: Io & { isTerminal: boolean; signal: AbortSignal },
): Promise<number> {
  const every = (a.interval ?? 1) * 1000;
  filtersOf(a, io.now()); // a bad --since fails before the screen is taken
  if (io.isTerminal) io.out("\x1b[?25l\x1b[2J");
  try {
    while (!io.signal.aborted) {
      const now = io.now();
      const o = readOptions(settings, a.stateDir, now);
      const r = readReport(o);
      const text = statusText(
        { ...r, sessions: filterSessions(r.sessions, filtersOf(a, now)) },
        now,
        io.style,
        {
          installed: installed(o.stateDir),
          filtered: r.sessions.length > 0,
        },
      );
      const head = io.style.dim(`lifeline watch — ${now.toISOString().slice(11, 19)} — Ctrl-C to quit`);
      // Home, each line then clear to its end, clear below: redrawn in place without a blank flash.
      const frame = [head, ...text.split("\n")].map((l) => `${l}\x1b[K`).join("\n");
      io.out(io.isTerminal ? `\x1b[H${frame}\n\x1b[J` : `${head}\n${text}\n`);
      await new Promise<void>((done) => {
        const t = setTimeout(done, every);
        io.signal.addEventListener("abort", () => {
          clearTimeout(t);
          done();
        }, { once: true });
      });
    }
  } finally {
    if (io.isTerminal) io.out("\x1b[?25h");
  }
  return 0;
}

/** `lifeline send` and `lifeline ask`. */
export async function messageCommand(a: Of<"send"> | Of<"ask">, settings: Settings, io: Io): Promise<number> {
  const o = readOptions(settings, a.stateDir, io.now());
  const id = resolveSession(o, a.id);
  const kind = a.cmd === "ask" ? "ask" : "notify";
  const sent = await postMessage(o.stateDir, id, kind, a.text);
  if (a.cmd === "send" || (a.cmd === "ask" && a.timeout === 0)) {
    io.out(a.json ? JSON.stringify({ session_id: id, ...sent }) : `${sent.status}: ${sent.detail}`);
    return 0;
  }
  const timeout = a.timeout ?? 300;
  if (!a.json) io.err(`${sent.status}; waiting up to ${timeout} s for the answer (Ctrl-C to stop)…`);
  const ans = await waitForAnswer(
    () => readOptions(settings, a.stateDir, io.now()),
    id,
    sent.id,
    timeout * 1000,
  );
  if (a.json) io.out(JSON.stringify({ session_id: id, ...sent, ...ans }));
  else if (ans.answer !== null) io.out(ans.answer);
  if (ans.answer === null) {
    throw new CliError(
      ans.delivered_at
        ? `No answer within ${timeout} s: Codex got the question at ${ans.delivered_at}; ` +
          "its turn has not ended."
        : `No answer within ${timeout} s: the question has not reached Codex yet ` +
          "(it gets it at its next hook).",
    );
  }
  return 0;
}

/** `lifeline flush`. */
export async function flushCommand(a: Of<"flush">, settings: Settings, io: Io): Promise<number> {
  if (a.retryParked && a.dropParked) {
    throw new UsageError("--retry-parked and --drop-parked exclude each other.");
  }
  const s = await flushNow({
    stateDir: a.stateDir ?? settings.stateDir,
    config: settings.forward,
    retryParked: a.retryParked,
    dropParked: a.dropParked,
  });
  io.out(a.json ? JSON.stringify(s, null, 2) : flushText(s));
  return s.parked_after.length > 0 ? 1 : 0;
}
