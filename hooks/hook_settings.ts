/**
 * The settings one hook invocation runs with: the environment (through
 * `lifecycle/settings.ts`) and the flags the installer writes into its
 * command line, which win over it.
 *
 * @module
 */

import type { TextMode } from "../lifecycle/scrub.ts";
import { type Env, envNamesFor, intOr, readSettings } from "../lifecycle/settings.ts";
import type { ForwardConfig } from "../lifecycle/forward/config.ts";

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

const HOOK_VARS: ReadonlySet<string> = new Set(envNamesFor("hooks"));

/** Default internal deadline; the installer's timeouts are well above it. */
const DEFAULT_DEADLINE_MS = 2500;

/**
 * Reads the settings: the environment through `lifecycle/settings.ts`, and
 * `--state-dir=`, `--deadline-ms=`, `--chain=<json argv>`, which win over it.
 *
 * @example
 * ```ts
 * import { hookSettings } from "./hook_settings.ts";
 * const s = hookSettings(["--state-dir=/s", "--deadline-ms=900"], (k) => ({ HOME: "/h" })[k]);
 * if (s.stateDir !== "/s" || s.deadlineMs !== 900 || s.sidecar !== "on") throw new Error("wrong settings");
 * ```
 */
export function hookSettings(args: readonly string[], env: Env): HookSettings {
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  // Only the hooks' variables are asked for: any other is outside their `--allow-env`, and each denied
  // read costs a thrown error (about 0.1 ms each, cold).
  const s = readSettings((k) => (HOOK_VARS.has(k) ? env(k) : undefined));
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
