/**
 * Every environment variable lifeline reads, once: its name, default, parser
 * and who reads it. Shells (hook runner, hub, status, flush, installer,
 * simulator) call {@link readSettings} with the env function they are given;
 * nothing else reads the environment. The hooks' `--allow-env` list and the
 * README's table are derived from, or checked against, {@link SETTINGS}.
 *
 * Pure and npm-free: hooks load it on every event.
 *
 * @module
 */

import { type ForwardConfig, forwardConfig } from "./forward/config.ts";
import { type TextMode, textModeFrom } from "./scrub.ts";

/** Reads one environment variable; `undefined` when unset (or not permitted). */
export type Env = (name: string) => string | undefined;

/** Who reads a variable. `hooks` means it must be in every hook's `--allow-env`. */
export type SettingReader = "hooks" | "hub" | "sidecar" | "status" | "flush" | "installer" | "simulator";

/** One environment variable. */
export interface SettingSpec {
  readonly name: string;
  /** The default, as a person would read it (`""` when there is none). */
  readonly default: string;
  readonly description: string;
  readonly readers: readonly SettingReader[];
}

/** Default stale-busy timeout: 30 minutes: long model responses must not be taken for hung turns. */
export const DEFAULT_STALE_BUSY_SECONDS = 1800;
/** The hub's default port on 127.0.0.1. */
export const DEFAULT_HUB_PORT = 7571;
/** How long a queued notify waits for a disconnected session (1 day). */
export const DEFAULT_QUEUE_TTL_SECONDS = 86_400;
/** How many notify messages wait per session. */
export const DEFAULT_QUEUE_CAP = 100;
/** Failures of one (tool, class) in 24 h before the one-time hint. */
export const DEFAULT_HINT_THRESHOLD = 2;

const ALL: readonly SettingReader[] = ["hooks", "hub", "status", "flush", "installer", "simulator"];

/** The table: the single source of every variable's name and default. */
export const SETTINGS: readonly SettingSpec[] = [
  { name: "HOME", default: "", description: "the user's home: default places derive from it", readers: ALL },
  {
    name: "CODEX_HOME",
    default: "~/.codex",
    description: "Codex's home (config.toml, hooks.json, sessions/)",
    readers: ["installer", "hub"],
  },
  {
    name: "LIFELINE_STATE_DIR",
    default: "~/.lifeline",
    description: "the store folder (the installer writes `--state-dir=` into each hook)",
    readers: ALL,
  },
  {
    name: "LIFELINE_STALE_BUSY_SECONDS",
    default: String(DEFAULT_STALE_BUSY_SECONDS),
    description: "stale-busy repair timeout: a busy session with no sign of life for this long becomes idle",
    readers: ["hooks", "hub", "status"],
  },
  {
    name: "LIFELINE_TEXT",
    default: "scrubbed",
    description: "`scrubbed`, `full` or `none`: how much free text is stored",
    readers: ["hooks"],
  },
  {
    name: "LIFELINE_LOG_LEVEL",
    default: "",
    description: "`debug` also logs every recorded event to `hook.log`",
    readers: ["hooks"],
  },
  {
    name: "LIFELINE_FAILURE_HINT_THRESHOLD",
    default: String(DEFAULT_HINT_THRESHOLD),
    description: "failures of one tool and class in 24 h before a one-time hint to Codex (0 = off)",
    readers: ["hooks"],
  },
  {
    name: "LIFELINE_CODEX_PID",
    default: "",
    description: "test override: the Codex process of a hook",
    readers: ["hooks"],
  },
  {
    name: "LIFELINE_FAKE_NOW",
    default: "",
    description: "test override: a fixed clock (ISO-8601) for hooks",
    readers: ["hooks"],
  },
  {
    name: "LIFELINE_HUB_URL",
    default: "",
    description: "the hub's address: hooks start sidecars when it is set or a hub runs",
    readers: ["hooks", "sidecar"],
  },
  {
    name: "LIFELINE_HUB_PORT",
    default: String(DEFAULT_HUB_PORT),
    description: "the hub's port on 127.0.0.1",
    readers: ["hub"],
  },
  {
    name: "LIFELINE_HUB_QUEUE_TTL_SECONDS",
    default: String(DEFAULT_QUEUE_TTL_SECONDS),
    description: "how long a notify waits for a disconnected session",
    readers: ["hub"],
  },
  {
    name: "LIFELINE_HUB_QUEUE_CAP",
    default: String(DEFAULT_QUEUE_CAP),
    description: "how many notify messages wait per session",
    readers: ["hub"],
  },
  {
    name: "LIFELINE_SIDECAR",
    default: "on",
    description: "`off`: never start a sidecar",
    readers: ["hooks"],
  },
  {
    name: "LIFELINE_APP_SERVER",
    default: "on",
    description: "`off`: the hub never reads or delivers through Codex's app-server daemon",
    readers: ["hub"],
  },
  {
    name: "LIFELINE_CODEX_BIN",
    default: "codex",
    description: "the `codex` command the hub runs as `codex exec` to start a session when no daemon runs",
    readers: ["hub"],
  },
  {
    name: "LIFELINE_NEOTOMA_URL",
    default: "",
    description: "forwarding: a Neotoma-compatible store",
    readers: ["hooks", "hub", "flush", "installer"],
  },
  {
    name: "LIFELINE_NEOTOMA_TOKEN",
    default: "",
    description: "forwarding: the Neotoma bearer token",
    readers: ["hooks", "hub", "flush", "installer"],
  },
  {
    name: "OTEL_EXPORTER_OTLP_ENDPOINT",
    default: "",
    description: "forwarding: an OpenTelemetry collector (OTLP/HTTP JSON)",
    readers: ["hooks", "hub", "flush", "installer"],
  },
  {
    name: "OTEL_EXPORTER_OTLP_HEADERS",
    default: "",
    description: "forwarding: OTLP headers, `k1=v1,k2=v2`",
    readers: ["hooks", "hub", "flush", "installer"],
  },
  {
    name: "HOSTNAME",
    default: "",
    description: "the `host.name` of forwarded records (default: the machine's hostname)",
    readers: ["hooks", "hub", "flush"],
  },
];

/** The names a reader needs, in table order (for `--allow-env` lists). */
export function envNamesFor(reader: SettingReader): string[] {
  return SETTINGS.filter((s) => s.readers.includes(reader)).map((s) => s.name);
}

/** Everything lifeline's shells read from the environment, parsed. */
export interface Settings {
  home: string | undefined;
  codexHome: string;
  stateDir: string;
  staleBusySeconds: number;
  textMode: TextMode;
  hintThreshold: number;
  debug: boolean;
  hubUrl: string | undefined;
  hubPort: number;
  queueTtlSeconds: number;
  queueCap: number;
  sidecar: "on" | "off";
  /** Whether the hub uses Codex's app-server daemon when its socket exists. */
  appServer: "on" | "off";
  /** The `codex` command the hub starts sessions with when no daemon runs (a path or a name on PATH). */
  codexBin: string;
  forward: ForwardConfig | undefined;
  hostname: string | undefined;
  codexPid: string | undefined;
  fakeNow: Date | undefined;
}

/** The socket of the app-server daemon of a Codex home. */
export function appServerSocketPath(codexHome: string): string {
  return `${codexHome}/app-server-control/app-server-control.sock`;
}

/** An integer at least `min`, or the fallback for anything else (unset, blank, junk). */
export function intOr(v: string | undefined, fallback: number, min = 0): number {
  const n = v === undefined || v.trim() === "" ? NaN : Number(v);
  return Number.isInteger(n) && n >= min ? n : fallback;
}

function fakeNowFrom(v: string | undefined): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d; // an unreadable fake clock falls back to the real one
}

/** `~/x` under `home`, or a relative `.x` when there is no home. */
function underHome(home: string | undefined, name: string): string {
  return home ? `${home}/${name}` : name;
}

/**
 * Parses every setting from `env`. Unset, blank or unreadable values get
 * their defaults; nothing here throws.
 *
 * @example
 * ```ts
 * import { readSettings } from "./settings.ts";
 * const s = readSettings((k) => ({ HOME: "/h", LIFELINE_STALE_BUSY_SECONDS: "60" })[k]);
 * if (s.stateDir !== "/h/.lifeline" || s.staleBusySeconds !== 60) throw new Error("wrong settings");
 * ```
 */
export function readSettings(env: Env): Settings {
  const home = env("HOME") || undefined;
  return {
    home,
    codexHome: env("CODEX_HOME") || underHome(home, ".codex"),
    stateDir: env("LIFELINE_STATE_DIR") || underHome(home, ".lifeline"),
    staleBusySeconds: intOr(env("LIFELINE_STALE_BUSY_SECONDS"), DEFAULT_STALE_BUSY_SECONDS, 1),
    textMode: textModeFrom(env("LIFELINE_TEXT")),
    hintThreshold: intOr(env("LIFELINE_FAILURE_HINT_THRESHOLD"), DEFAULT_HINT_THRESHOLD),
    debug: env("LIFELINE_LOG_LEVEL") === "debug",
    hubUrl: env("LIFELINE_HUB_URL") || undefined,
    hubPort: intOr(env("LIFELINE_HUB_PORT"), DEFAULT_HUB_PORT, 0),
    queueTtlSeconds: intOr(env("LIFELINE_HUB_QUEUE_TTL_SECONDS"), DEFAULT_QUEUE_TTL_SECONDS, 1),
    queueCap: intOr(env("LIFELINE_HUB_QUEUE_CAP"), DEFAULT_QUEUE_CAP, 0),
    sidecar: env("LIFELINE_SIDECAR") === "off" ? "off" : "on",
    appServer: env("LIFELINE_APP_SERVER") === "off" ? "off" : "on",
    codexBin: env("LIFELINE_CODEX_BIN")?.trim() || "codex",
    forward: forwardConfig(env),
    hostname: env("HOSTNAME") || undefined,
    codexPid: env("LIFELINE_CODEX_PID") || undefined,
    fakeNow: fakeNowFrom(env("LIFELINE_FAKE_NOW")),
  };
}
