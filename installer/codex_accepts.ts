/**
 * Does the installed Codex accept a config? Codex itself is asked, because
 * what it refuses changes from release to release (`approval_policy =
 * "untrusted"`, a root `profile = "…"`, `wire_api = "chat"` and reserved
 * provider ids load on 0.114 and stop Codex on 0.169). This module reads
 * Codex's answer; the process is started through a {@link RunCodex} port.
 *
 * The question is `codex app-server --print-startup-config`: it loads
 * `config.toml` the way a session does, prints JSON (the requirements, or
 * the load error with Codex's message) and exits in about 50 ms without
 * starting a server, a session or any network request. Releases without
 * that flag (0.114 has none) are asked `codex features list`, which loads
 * the same config and exits 1 with `Error: <message>`. Measured facts:
 * docs/codex_facts.md#asking-codex.
 *
 * @module
 */

/** Codex's answer about one config. */
export type Acceptance =
  | { verdict: "accepted"; asked: string }
  | { verdict: "refused"; asked: string; message: string }
  | { verdict: "unknown"; reason: string };

/** One run of `codex`. */
export interface CodexRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Killed after the time limit. */
  timedOut: boolean;
}

/**
 * Runs the installed `codex` with `args`, `CODEX_HOME` set to `home`, in an
 * empty working folder (so no project `.codex/config.toml` joins in), and
 * kills it after a time limit. `undefined`: there is no `codex` to run.
 */
export type RunCodex = (args: readonly string[], home: string) => Promise<CodexRun | undefined>;

/** What to ask about: a Codex home as it is, or files to stage in a temporary one. */
export type AskAbout =
  | { home: string }
  | { staged: { config: string | undefined; hooks: string | undefined }; shownAs: string };

/** Asks the installed Codex whether it loads the config in a Codex home. */
export type CodexAccepts = (about: AskAbout) => Promise<Acceptance>;

/** The exact question, and the one for releases that lack it. */
export const STARTUP_ARGS = ["app-server", "--print-startup-config"] as const;
export const FALLBACK_ARGS = ["features", "list"] as const;

const ask = (args: readonly string[]) => `codex ${args.join(" ")}`;

/** Codex's own noise around the answer: the PATH-alias warning and anyhow's backtrace. */
function cleanStderr(stderr: string): string {
  const cut = stderr.search(/^Stack backtrace:/m);
  return (cut < 0 ? stderr : stderr.slice(0, cut))
    .split("\n")
    .filter((l) => !/^WARNING: proceeding, even though/.test(l))
    .join("\n")
    .trim();
}

function firstLine(s: string): string {
  return s.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
}

function silent(what: string, r: CodexRun): Acceptance {
  const said = firstLine(cleanStderr(r.stderr)) || firstLine(r.stdout) || "nothing";
  return { verdict: "unknown", reason: `${what} exited ${r.code} and said ${JSON.stringify(said)}` };
}

function timedOut(what: string): Acceptance {
  return { verdict: "unknown", reason: `${what} did not answer in time and was stopped` };
}

/** The JSON object `--print-startup-config` prints on one line of stdout, if any. */
function jsonLine(stdout: string): Record<string, unknown> | undefined {
  for (const line of stdout.split("\n")) {
    if (!line.trim().startsWith("{")) continue;
    try {
      const v = JSON.parse(line);
      if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch { /* not the answer */ }
  }
  return undefined;
}

/**
 * Reads the answer of `codex app-server --print-startup-config`;
 * `"unsupported"` when this release has no such flag (clap's usage error).
 */
export function readStartup(r: CodexRun): Acceptance | "unsupported" {
  const what = ask(STARTUP_ARGS);
  if (r.timedOut) return timedOut(what);
  if (r.code === 2 && /unexpected argument '--print-startup-config'|unrecognized subcommand/.test(r.stderr)) {
    return "unsupported";
  }
  const json = jsonLine(r.stdout);
  const error = json?.error as
    | { message?: unknown; data?: { reason?: unknown; detail?: unknown } }
    | undefined;
  if (error && typeof error === "object") {
    const detail = typeof error.data?.detail === "string" ? error.data.detail : undefined;
    const message = detail ?? (typeof error.message === "string" ? error.message : JSON.stringify(error));
    // Only a config load error is a refusal; anything else (requirements, auth) says nothing about the file.
    if (error.data?.reason === "configLoad") return { verdict: "refused", asked: what, message };
    return { verdict: "unknown", reason: `${what} failed for another reason: ${message}` };
  }
  if (r.code === 0 && json && ("configRequirements" in json || "appServerVersion" in json)) {
    return { verdict: "accepted", asked: what };
  }
  return silent(what, r);
}

/** Reads the answer of `codex features list` (exit 0: loaded; 1 with `Error: …`: refused). */
export function readFallback(r: CodexRun): Acceptance {
  const what = ask(FALLBACK_ARGS);
  if (r.timedOut) return timedOut(what);
  if (r.code === 0) return { verdict: "accepted", asked: what };
  const text = cleanStderr(r.stderr);
  const at = text.search(/^Error: /m);
  if (r.code === 2 || at < 0) return silent(what, r);
  // anyhow prints `Error: <context>`, then `Caused by:` and the indented cause: keep both, unindented.
  const [context = "", cause] = text.slice(at + "Error: ".length)
    .split("\n").map((l) => l.replace(/^ {4}/, "").trimEnd()).join("\n")
    .replace(/\n{3,}/g, "\n\n").split(/\n\nCaused by:\n/);
  // The context often repeats the cause already (0.114 puts the whole message in both).
  const repeated = cause === undefined || context.includes(firstLine(cause));
  const message = (repeated ? context : `${context}: ${cause}`).trim();
  return { verdict: "refused", asked: what, message };
}

/** Writes `from` (a staged home, possibly under another name) as `to` in Codex's message. */
export function showPathsAs(a: Acceptance, from: readonly string[], to: string): Acceptance {
  if (a.verdict !== "refused") return a;
  let message = a.message;
  for (const f of from) if (f) message = message.split(f).join(to);
  return { ...a, message };
}

/** Asks Codex about the config in `home`: the exact question, or the fallback where it is missing. */
export async function askCodex(run: RunCodex, home: string): Promise<Acceptance> {
  const first = await run(STARTUP_ARGS, home);
  if (!first) return { verdict: "unknown", reason: "codex is not on PATH" };
  const answer = readStartup(first);
  if (answer !== "unsupported") return answer;
  const second = await run(FALLBACK_ARGS, home);
  if (!second) return { verdict: "unknown", reason: "codex is not on PATH" };
  return readFallback(second);
}
