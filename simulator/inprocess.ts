/**
 * In-process replay: lifeline's own handlers are called as functions on one
 * shared store instead of as `deno run` processes (other handlers still run
 * as processes). Same parsing, observation and reduction; used for speed
 * (`deno task bench`) and for large property runs.
 *
 * @module
 */

import { HOOK_EVENTS, type HookEventName } from "../codex/events.ts";
import { handleHook } from "../hooks/in_process.ts";
import { type HookSettings, hookSettings } from "../hooks/hook_settings.ts";
import { HOOK_SCRIPTS } from "../hooks/handlers.ts";
import { HOOK_ENV_VARS } from "../hooks/permissions.ts";
import { Store } from "../lifecycle/store/mod.ts";
import { type HandlerRunner, processRunner } from "./fire.ts";

/** The hooks' variables that stay the same across a replay's events. */
const STABLE_VARS = HOOK_ENV_VARS.filter((k) => k !== "LIFELINE_FAKE_NOW" && k !== "LIFELINE_CODEX_PID");

const SCRIPT_EVENT = new Map<string, HookEventName | "Notify">([
  ...HOOK_EVENTS.map((e) => [HOOK_SCRIPTS[e], e] as const),
  ["notify.ts", "Notify"],
]);

/** Splits a command line written by `hookCommand` into words (single-quoted words included). */
function words(command: string): string[] {
  return [...command.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replaceAll(`'\\''`, "'") : m[2]!
  );
}

/**
 * An in-process runner over one store (by default an in-memory one: no file
 * I/O, which is most of a hook's cost). Call `close()` when done.
 */
export function inProcessRunner(store: Store = Store.memory()): HandlerRunner & {
  store: Store;
  notify(argv: readonly string[], payload: string, env: Record<string, string>): boolean;
  close(): void;
} {
  const open = () => store;
  // One command line always names the same script and flags, and only the simulated clock and Codex pid
  // differ between events: both are parsed once per command line and environment, not per event.
  const commands = new Map<string, { event: HookEventName | "Notify" | undefined; args: string[] }>();
  const parsed = (command: string) => {
    let c = commands.get(command);
    if (!c) {
      const w = words(command);
      const script = w.find((x) => /\/hooks\/[a-z_]+\.ts$/.test(x));
      const event = script ? SCRIPT_EVENT.get(script.slice(script.lastIndexOf("/") + 1)) : undefined;
      c = { event, args: script ? w.slice(w.indexOf(script) + 1) : [] };
      commands.set(command, c);
    }
    return c;
  };
  const settingsCache = new Map<string, HookSettings>();
  const settingsFor = (args: readonly string[], env: Record<string, string>): HookSettings => {
    const { LIFELINE_FAKE_NOW: fakeNow, LIFELINE_CODEX_PID: pid } = env;
    // Keyed by what a hook reads: its arguments and its variables (the clock and the pid apart).
    const key = [...args, ...STABLE_VARS.map((k) => env[k] ?? "\u0001")].join("\u0000");
    let base = settingsCache.get(key);
    if (!base) {
      base = hookSettings(
        args,
        (k) => (k === "LIFELINE_FAKE_NOW" || k === "LIFELINE_CODEX_PID" ? undefined : env[k]),
      );
      settingsCache.set(key, base);
    }
    // Read as `lifecycle/settings.ts` reads them: an unreadable clock is no clock, an empty pid no pid.
    const now = fakeNow ? new Date(fakeNow) : undefined;
    return {
      ...base,
      fakeNow: now && !Number.isNaN(now.getTime()) ? now : undefined,
      codexPidOverride: pid || undefined,
    };
  };
  const call = (
    event: HookEventName | "Notify",
    input: string | string[],
    args: readonly string[],
    env: Record<string, string>,
  ) => {
    const settings = settingsFor(args, env);
    return handleHook(event, input, {
      settings,
      now: () => settings.fakeNow ?? new Date(),
      ppid: Deno.pid,
      args,
      openStore: open,
      releaseStore: () => {},
    });
  };
  return {
    run(h, stdin, cwd, env, timeoutSec) {
      const { event, args } = parsed(h.handler.command ?? "");
      if (!event || event === "Notify") return processRunner.run(h, stdin, cwd, env, timeoutSec);
      try {
        const r = call(event, stdin, args, env);
        return Promise.resolve({ code: r.exitCode, stdout: r.stdout, stderr: r.stderr, timedOut: false });
      } catch (e) {
        // A real hook logs and exits 0; in-process, the error is surfaced on stderr for the report.
        return Promise.resolve({ code: 0, stdout: "", stderr: String(e), timedOut: false });
      }
    },
    notify(argv, payload, env) {
      const script = argv.find((x) => x.endsWith("/hooks/notify.ts"));
      if (!script) return false;
      call("Notify", [payload], [...argv.slice(argv.indexOf(script) + 1)], env);
      return true;
    },
    store,
    close() {
      store.close();
    },
  };
}
