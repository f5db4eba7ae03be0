/**
 * The shared hook runner: read stdin (or, for notify, the last argument),
 * parse with `codex/`, record the observation, answer with output valid for
 * the event, within an internal deadline. It never breaks Codex: every error
 * is appended with its cause to `$LIFELINE_STATE_DIR/hook-errors.log` and the
 * hook exits 0.
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import { parseHookInput } from "../codex/payloads.ts";
import { parseNotifyArgv } from "../codex/notify.ts";
import { EMPTY_RESULT, hookOutput, type HookResult } from "../codex/outputs.ts";
import { makeScrubber, type TextMode } from "../lifecycle/scrub.ts";
import { type Env, intOr, readSettings } from "../lifecycle/settings.ts";
import { codexPid } from "../lifecycle/process.ts";
import { type ObserveContext, observeHook, observeNotify, readTail } from "../lifecycle/observe.ts";
import { Store } from "../lifecycle/store/mod.ts";
import type { HintRow, Observation, SessionRow } from "../lifecycle/model.ts";
import type { DeliveryRow } from "../lifecycle/store/mod.ts";
import { ensureSidecar } from "./_sidecar.ts";
import type { ForwardConfig } from "../lifecycle/forward/config.ts";
import { flush } from "../lifecycle/forward/flush.ts";

/** A hook spends at most this long sending its own new records; the rest waits in the outbox. */
export const HOOK_FLUSH_BUDGET_MS = 300;

/** Whether this process may reach every configured forwarding target. */
function mayReach(c: ForwardConfig): boolean {
  const urls = [c.neotoma?.url, c.otlp?.endpoint].filter((u): u is string => !!u);
  try {
    return urls.every((u) =>
      Deno.permissions.querySync({ name: "net", host: new URL(u).host }).state === "granted"
    );
  } catch {
    return false;
  }
}

/** Settings a hook runs with (from argv and the environment). */
export interface HookSettings {
  stateDir: string;
  staleBusyMs: number;
  textMode: TextMode;
  hintThreshold: number;
  deadlineMs: number;
  home: string | undefined;
  codexPidOverride: string | undefined;
  debug: boolean;
  /** A fixed "now" (ISO-8601) for simulators and tests: `LIFELINE_FAKE_NOW`. */
  fakeNow: Date | undefined;
  /** `LIFELINE_HUB_URL`: the hub is in use even before it wrote `hub.json`. */
  hubUrl: string | undefined;
  /** `LIFELINE_SIDECAR`: `off` starts no sidecar. */
  sidecar: "on" | "off";
  /** Forwarding targets, when configured. */
  forward: ForwardConfig | undefined;
  /** notify only: the user's previous notify program, run afterwards with the same payload. */
  chain: string[] | undefined;
}

/** Default internal deadline; the installer's timeouts are well above it. */
export const DEFAULT_DEADLINE_MS = 2500;

/**
 * Reads the settings: the environment through `lifecycle/settings.ts`, and
 * `--state-dir=`, `--deadline-ms=`, `--chain=<json argv>`, which win over it.
 */
export function hookSettings(args: readonly string[], env: Env): HookSettings {
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const s = readSettings(env);
  const chainRaw = flag("chain");
  let chain: string[] | undefined;
  if (chainRaw) {
    const parsed: unknown = JSON.parse(chainRaw);
    if (!Array.isArray(parsed) || parsed.some((x) => typeof x !== "string")) {
      throw new Error(`Cannot read --chain: expected a JSON array of strings, got ${chainRaw}`);
    }
    chain = parsed as string[];
  }
  return {
    stateDir: flag("state-dir") ?? s.stateDir,
    staleBusyMs: s.staleBusySeconds * 1000,
    textMode: s.textMode,
    hintThreshold: s.hintThreshold,
    deadlineMs: intOr(flag("deadline-ms"), DEFAULT_DEADLINE_MS, 100),
    home: s.home,
    codexPidOverride: s.codexPid,
    debug: s.debug,
    fakeNow: s.fakeNow,
    hubUrl: s.hubUrl,
    sidecar: s.sidecar,
    forward: s.forward,
    chain,
  };
}

/** Reads an environment variable without throwing when it is not permitted. */
export function safeEnv(k: string): string | undefined {
  try {
    return Deno.env.get(k);
  } catch {
    return undefined;
  }
}

/** Appends one line to a log in the state dir; never throws. */
export function appendLog(stateDir: string, file: string, line: string): void {
  try {
    Deno.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const path = `${stateDir}/${file}`;
    try {
      if (Deno.statSync(path).size > 5 * 1024 * 1024) Deno.renameSync(path, `${path}.1`);
    } catch { /* no log yet */ }
    Deno.writeTextFileSync(path, line.endsWith("\n") ? line : line + "\n", { append: true, mode: 0o600 });
  } catch { /* the log is best effort; Codex must not be disturbed */ }
}

/** One error as a log line: time, event, message and every cause. */
export function errorLine(now: Date, event: string, e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let i = 0; cur !== undefined && i < 5; i++) {
    parts.push(cur instanceof Error ? cur.message : String(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return `${now.toISOString()} ${event} pid=${Deno.pid}: ${
    parts.join(" | cause: ").replace(/\s*\n\s*/g, " ")
  }`;
}

/** How hub messages reach Codex: context at SessionStart and UserPromptSubmit; a Stop block continues the turn with them. */
export function deliveryOutput(
  event: "SessionStart" | "UserPromptSubmit" | "Stop",
  messages: readonly DeliveryRow[],
): HookResult {
  const text = messages.map((m) =>
    m.kind === "ask"
      ? `A question for you, sent through lifeline's hub; please answer it: ${m.text}`
      : `A message for you, sent through lifeline's hub: ${m.text}`
  ).join("\n\n");
  if (event === "Stop") return hookOutput("Stop", { decision: "block", reason: text });
  if (event === "SessionStart") {
    return hookOutput("SessionStart", {
      hookSpecificOutput: { hookEventName: "SessionStart", additionalContext: text },
    });
  }
  return hookOutput("UserPromptSubmit", {
    hookSpecificOutput: { hookEventName: "UserPromptSubmit", additionalContext: text },
  });
}

/** The text of the one-time failure hint. */
export function hintText(h: HintRow): string {
  return `lifeline: the tool "${h.tool}" has failed ${h.count} times with ${h.error_class} in this session ` +
    `in the last 24 hours. Check the command and its inputs before retrying it the same way.`;
}

/** Everything a hook invocation needs besides its input. */
export interface HookDeps {
  settings: HookSettings;
  now: () => Date;
  ppid: number;
  /** The hook's arguments (for `--codex-pid`). */
  args: readonly string[];
  /** Opened lazily so that bad input never touches the store. */
  openStore: (stateDir: string, busyTimeoutMs: number) => Store;
  /** Gives the store back (default: close it). In-process replays keep one store open. */
  releaseStore?: (store: Store) => void;
  /** Receives the ids of the outbox rows this observation wrote (the runner flushes them). */
  onOutbox?: (ids: number[]) => void;
  /** Called after a delivery is recorded (the runner keeps the session's sidecar alive here). */
  afterRecord?: (obs: Observation, session: SessionRow | undefined) => void;
}

/**
 * Handles one hook invocation: parse, observe, record, answer. Throws on bad
 * input or store failure; {@link runHook} turns that into a log line + exit 0.
 */
export function handleHook(
  event: HookEventName | "Notify",
  input: string | readonly string[],
  deps: HookDeps,
): HookResult {
  const { settings } = deps;
  const payload = event === "Notify"
    ? parseNotifyArgv(input as string[])
    : parseHookInput(input as string, event);
  const ctx: ObserveContext = {
    now: deps.now,
    scrubber: makeScrubber(settings.textMode, settings.home),
    pid: codexPid(deps.args, settings.codexPidOverride, deps.ppid),
    hintThreshold: settings.hintThreshold,
    transcriptTail: readTail,
  };
  const obs = event === "Notify"
    ? observeNotify(payload as ReturnType<typeof parseNotifyArgv>, ctx)
    : observeHook(payload as ReturnType<typeof parseHookInput>, ctx);
  const store = deps.openStore(settings.stateDir, Math.max(100, settings.deadlineMs - 700));
  try {
    // Liveness is checked by the readers: Deno allows /proc/<pid> only with --allow-all.
    const { result, delivered, outbox } = store.recordAndClaim(
      obs,
      { now: obs.observed_at, staleBusyMs: settings.staleBusyMs },
      true,
      settings.forward,
    );
    if (outbox.length > 0) deps.onOutbox?.(outbox);
    deps.afterRecord?.(obs, result.changes.session ?? store.session(obs.session_id));
    if (settings.debug) {
      appendLog(
        settings.stateDir,
        "hook.log",
        `${obs.observed_at} ${event} session=${obs.session_id} turn=${obs.turn_id} inserted=${result.inserted}`,
      );
    }
    if (delivered.length > 0) {
      return deliveryOutput(event as "SessionStart" | "UserPromptSubmit" | "Stop", delivered);
    }
    const hint = result.changes.hints[0];
    if (event === "PostToolUse" && hint) {
      return hookOutput("PostToolUse", {
        hookSpecificOutput: { hookEventName: "PostToolUse", additionalContext: hintText(hint) },
      });
    }
    return EMPTY_RESULT;
  } finally {
    (deps.releaseStore ?? ((st: Store) => st.close()))(store);
  }
}

/** The most stdin a hook reads (Codex payloads with big tool output can be large). */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Reads all of stdin synchronously (the stream API costs ~3.5 ms of start-up; see `deno task bench`). */
export function readStdinSync(max: number): string {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const buf = new Uint8Array(1 << 16);
  for (;;) {
    const n = Deno.stdin.readSync(buf);
    if (n === null || n === 0) break;
    size += n;
    if (size > max) throw new Error(`Cannot read hook input: stdin is larger than ${max} bytes`);
    chunks.push(buf.slice(0, n));
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(all);
}

function chainNotify(chain: readonly string[], payloadArg: string, log: (e: unknown) => void): void {
  const [cmd, ...rest] = chain;
  if (!cmd) return;
  try {
    const child = new Deno.Command(cmd, {
      args: [...rest, payloadArg],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    })
      .spawn();
    child.unref();
  } catch (e) {
    log(new Error(`Cannot run the chained notify program "${cmd}"`, { cause: e }));
  }
}

/**
 * The entry point of every hook script: never throws, never prints anything
 * Codex would reject, exits 0 unless the hook deliberately blocks.
 */
export async function runHook(event: HookEventName | "Notify"): Promise<never> {
  const started = new Date();
  let settings: HookSettings;
  try {
    settings = hookSettings(Deno.args, safeEnv);
  } catch (e) {
    settings = hookSettings([], safeEnv);
    appendLog(settings.stateDir, "hook-errors.log", errorLine(started, event, e));
  }
  const log = (e: unknown) =>
    appendLog(settings.stateDir, "hook-errors.log", errorLine(new Date(), event, e));
  const timer = setTimeout(() => {
    log(new Error(`Hook deadline of ${settings.deadlineMs} ms passed: exiting without recording`));
    Deno.exit(0);
  }, settings.deadlineMs);
  let result: HookResult = EMPTY_RESULT;
  let outbox: number[] = [];
  try {
    const input = event === "Notify"
      ? Deno.args.filter((a) => !a.startsWith("--"))
      : readStdinSync(MAX_INPUT_BYTES);
    if (event === "Notify" && settings.chain) {
      const last = Deno.args.at(-1);
      if (last !== undefined && !last.startsWith("--")) chainNotify(settings.chain, last, log);
    }
    result = handleHook(event, input, {
      settings,
      now: () => settings.fakeNow ?? new Date(),
      ppid: Deno.ppid,
      args: Deno.args,
      openStore: (dir, busy) => Store.open(dir, { busyTimeoutMs: busy }),
      onOutbox: (ids) => (outbox = ids),
      afterRecord: (obs, session) => {
        // SessionStart may never come: any hook restarts a missing sidecar (only when the hub is in use).
        if (session?.status !== "offline" && obs.event !== "SessionEnd") {
          ensureSidecar({
            stateDir: settings.stateDir,
            sessionId: obs.session_id,
            codexPid: obs.pid,
            hubUrl: settings.hubUrl,
            sidecarSetting: settings.sidecar,
            now: Date.now(),
          });
        }
      },
    });
  } catch (e) {
    log(e);
    result = EMPTY_RESULT;
  }
  if (outbox.length > 0 && settings.forward && mayReach(settings.forward)) {
    // Send what this hook just wrote, within a small budget; the rest stays in the outbox.
    try {
      const store = Store.open(settings.stateDir, { busyTimeoutMs: 200 });
      try {
        await flush(store, settings.forward, { budgetMs: HOOK_FLUSH_BUDGET_MS, ids: outbox });
      } finally {
        store.close();
      }
    } catch (e) {
      log(new Error("Cannot flush forwarding records (they stay in the outbox)", { cause: e }));
    }
  }
  clearTimeout(timer);
  if (result.stdout) await writeAll(Deno.stdout, result.stdout);
  if (result.stderr) await writeAll(Deno.stderr, result.stderr);
  Deno.exit(result.exitCode);
}

async function writeAll(stream: { write(p: Uint8Array): Promise<number> }, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  while (off < bytes.length) off += await stream.write(bytes.subarray(off));
}
