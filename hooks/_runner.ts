/**
 * The shell of every hook script: read stdin (or, for notify, the last
 * argument), call {@link handle}, write the answer, exit. It never breaks
 * Codex: every error is appended with its causes to
 * `<state dir>/hook-errors.log`, an internal deadline well under Codex's
 * timeout ends the hook, and it exits 0 unless it deliberately blocks.
 *
 * What only some invocations need is imported when needed, so the common
 * path loads less: the forwarding mapping and the flush (when targets are
 * configured), keeping the hub sidecar alive (event hooks of a live
 * session), and chaining the user's notify program (notify with `--chain`).
 *
 * @module
 */

import type { HookEventName } from "../codex/events.ts";
import { EMPTY_RESULT, type HookResult } from "../codex/outputs.ts";
import { StoreCore } from "../lifecycle/store/core.ts";
import { type HookSettings, hookSettings } from "./hook_settings.ts";
import { handle, type Handled, type PhaseMark } from "./handle.ts";
import { appendLog, errorLine } from "./_log.ts";
import { giveBack, waiting } from "./deadline.ts";
import { codexPid } from "../lifecycle/process.ts";
import { PROFILE_FLAG } from "./limits.ts";

/** Past this size a hook closes its store (checkpointing the write-ahead log), below it leaves it open. */
const HOOK_WAL_MAX_BYTES = 256 * 1024;

/**
 * A hook's store is left open at exit while the write-ahead log is short. Closing the last connection
 * checkpoints the log (two fsyncs) and removes it, and the next hook's commit starts a new one: on a
 * busy disk that is half of a hook's time. Left open, the log is replayed by the next opener, which a
 * short log keeps cheap; once it is long, this hook closes the store and so checkpoints it.
 */
function releaseStore(store: StoreCore, stateDir: string): void {
  let size = Infinity;
  try {
    size = Deno.statSync(`${stateDir}/lifeline.db-wal`).size;
  } catch { /* no log: closing costs nothing */ }
  if (size > HOOK_WAL_MAX_BYTES || size === Infinity) store.close();
}

/** The most stdin a hook reads (Codex payloads with big tool output can be large). */
const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** Reads an environment variable without throwing when it is not permitted. */
function safeEnv(k: string): string | undefined {
  try {
    return Deno.env.get(k);
  } catch {
    return undefined;
  }
}

/**
 * Reads all of stdin synchronously (the stream API costs ~3.5 ms of start-up; see `deno task bench`).
 * Past `max` bytes the rest is read and discarded (Codex must not block on a full pipe) and the text
 * is marked truncated; a UTF-8 sequence cut at the limit is dropped.
 */
function readStdinSync(max: number): { text: string; truncated: boolean } {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  const buf = new Uint8Array(1 << 16);
  for (;;) {
    const n = Deno.stdin.readSync(buf);
    if (n === null || n === 0) break;
    if (truncated) continue;
    const keep = Math.min(n, max - size);
    if (keep < n) truncated = true;
    size += keep;
    chunks.push(buf.slice(0, keep));
  }
  const all = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  const text = new TextDecoder("utf-8", { fatal: !truncated }).decode(all);
  return { text: truncated ? text.replace(/\uFFFD$/, "") : text, truncated };
}

/**
 * Resolves after `ms`. Not `setTimeout`: in Deno 2.9 the global timers are Node's, and their first use
 * loads `node:timers` (about 10 ms, a third of a bare `deno run`); `Atomics.waitAsync` is V8's own timer.
 * It does not keep the process alive, which a deadline does not need: the hook ends with `Deno.exit`.
 */
function afterMs(ms: number): Promise<unknown> {
  return (Atomics.waitAsync(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) as {
    value: Promise<unknown>;
  })
    .value;
}

async function writeAll(stream: { write(p: Uint8Array): Promise<number> }, text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  while (off < bytes.length) off += await stream.write(bytes.subarray(off));
}

/**
 * SessionStart may never come (a resumed session, an older Codex), so any
 * event hook of a live session restarts a missing sidecar when the hub is in
 * use. notify does not: see `hooks/handlers.ts`.
 */
async function keepSidecar(settings: HookSettings, h: Handled): Promise<void> {
  if (settings.sidecar === "off" || h.session?.status === "offline" || h.obs.event === "SessionEnd") return;
  const { ensureSidecar } = await import("./_sidecar.ts");
  ensureSidecar({
    stateDir: settings.stateDir,
    sessionId: h.obs.session_id,
    codexPid: h.obs.pid,
    hubUrl: settings.hubUrl,
    sidecarSetting: settings.sidecar,
    now: Date.now(),
  });
}

/**
 * Phase marks, only under {@link PROFILE_FLAG} (a flag, not a variable: it needs no `--allow-env`, and
 * off it costs one look at argv). Each phase's milliseconds run from the previous mark; the first,
 * "module loading", from the runtime's time origin, which the bench relates to when it spawned the hook.
 */
function profiler(on: boolean): { mark: PhaseMark; report(): string } | undefined {
  if (!on) return undefined;
  const phases: [string, number][] = [];
  let last = 0;
  const mark: PhaseMark = (name, carved) => {
    const now = performance.now();
    let ms = now - last;
    if (carved) {
      phases.push([carved.name, carved.ms]);
      ms -= carved.ms;
    }
    phases.push([name, ms]);
    last = now;
  };
  return {
    mark,
    report: () =>
      JSON.stringify({ origin: performance.timeOrigin, end: performance.timeOrigin + last, phases }) + "\n",
  };
}

/**
 * The entry point of every hook script: never throws, never prints anything
 * Codex would reject, exits 0 unless the hook deliberately blocks.
 */
export async function runHook(event: HookEventName | "Notify"): Promise<never> {
  const prof = profiler(Deno.args.includes(PROFILE_FLAG));
  prof?.mark("module loading");
  const started = new Date();
  let settings: HookSettings;
  try {
    settings = hookSettings(Deno.args, safeEnv);
  } catch (e) {
    settings = hookSettings([], safeEnv);
    appendLog(settings.stateDir, "hook-errors.log", errorLine(started, event, Deno.pid, e));
  }
  prof?.mark("settings");
  const log = (e: unknown) =>
    appendLog(settings.stateDir, "hook-errors.log", errorLine(new Date(), event, Deno.pid, e));
  const stillWaiting = waiting(
    started.getTime(),
    settings.deadlineMs,
    Date.now,
    () => Deno.ppid,
    codexPid(Deno.args, settings.codexPidOverride, Deno.ppid) ?? undefined,
  );
  let finished = false;
  afterMs(settings.deadlineMs).then(() => {
    if (finished) return;
    log(new Error(`Hook deadline of ${settings.deadlineMs} ms passed: exiting without recording`));
    Deno.exit(0);
  });
  let result: HookResult = EMPTY_RESULT;
  let handled: Handled | undefined;
  try {
    const stdin = event === "Notify" ? undefined : readStdinSync(MAX_INPUT_BYTES);
    prof?.mark("stdin");
    const input = stdin?.text ?? Deno.args.filter((a) => !a.startsWith("--"));
    const payloadArg = Deno.args.at(-1);
    if (event === "Notify" && settings.chain && payloadArg !== undefined && !payloadArg.startsWith("--")) {
      (await import("./_chain.ts")).chainNotify(settings.chain, payloadArg, log);
    }
    const forwarding = settings.forward
      ? (await import("../lifecycle/forward/records.ts")).forwarding(settings.forward)
      : undefined;
    handled = handle(event, input, {
      settings,
      now: () => settings.fakeNow ?? new Date(),
      ppid: Deno.ppid,
      args: Deno.args,
      openStore: (dir, busy) => StoreCore.open(dir, { busyTimeoutMs: busy }),
      releaseStore: (store) => releaseStore(store, settings.stateDir),
      stillWaiting,
      inputTruncated: stdin?.truncated ?? false,
      ...(forwarding ? { forwarding } : {}),
      ...(prof ? { phase: prof.mark } : {}),
    });
    result = handled.output;
  } catch (e) {
    log(e);
  }
  if (handled && event !== "Notify") await keepSidecar(settings, handled).catch(log);
  prof?.mark("sidecar check");
  if (handled && handled.outbox.length > 0 && settings.forward) {
    const forward = settings.forward;
    const ids = handled.outbox;
    const startedMs = Date.now();
    await import("./_flush.ts").then((m) =>
      m.flushOwnRecords(settings.stateDir, forward, ids, log, startedMs)
    )
      .catch(log);
  }
  prof?.mark("flush");
  finished = true;
  if (!stillWaiting()) {
    if (handled && handled.delivered.length > 0) {
      log(new Error(`Not answering: ${stillWaiting.reason}; hub messages returned to pending`));
      giveBack(settings.stateDir, handled.obs.key, log);
    }
    Deno.exit(0);
  }
  try {
    if (result.stdout) await writeAll(Deno.stdout, result.stdout);
  } catch (e) {
    log(new Error("Cannot write the hook's answer to stdout", { cause: e }));
    if (handled && handled.delivered.length > 0) giveBack(settings.stateDir, handled.obs.key, log);
    Deno.exit(0);
  }
  if (result.stderr) await writeAll(Deno.stderr, result.stderr);
  if (prof) {
    prof.mark("output");
    Deno.stderr.writeSync(new TextEncoder().encode(prof.report()));
  }
  Deno.exit(result.exitCode);
}
