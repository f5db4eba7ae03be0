/**
 * The fallback of `POST /sessions` when no app-server daemon runs: a
 * background `codex exec --json` of the first message, in the given folder.
 *
 * - The child runs detached (its own process group, not waited on by the
 *   hub's exit) with stdin from `/dev/null` and stdout and stderr appended to
 *   files under `<state dir>/exec/`, through `/bin/sh` since a Deno child can
 *   only pipe, inherit or drop its output. Nothing ties it to the hub: the
 *   session is the user's work, it finishes even if the hub stops, and a
 *   pipe to a hub that has gone would break Codex's next write.
 * - `codex exec --json` prints `{"type":"thread.started","thread_id":…}` as
 *   its first event; the hub reads it from the stdout file (with a time
 *   limit, racing the child's exit) and renames both files after it:
 *   `<state dir>/exec/<session id>.jsonl` and `<session id>.stderr.log`.
 * - The session is resumable later with `codex exec resume <session id>`.
 *
 * @module
 */

import { join } from "node:path";

/** How the hub starts `codex exec`. */
export interface ExecSpawnOptions {
  /** The `codex` binary: a path, or a name looked up on PATH (`LIFELINE_CODEX_BIN`, default `codex`). */
  bin: string;
  /** The logs go to `<stateDir>/exec/`. */
  stateDir: string;
  /** Set in the child's environment on top of the hub's own (the hub sets `CODEX_HOME`). */
  env?: Record<string, string> | undefined;
  /** How long Codex may take to print its thread id (default 30 s). */
  startTimeoutMs?: number | undefined;
  /** Told of every child started, with its exit (tests reap them with it). */
  onChild?: ((child: ExecChild) => void) | undefined;
  /** One line per child that ends, for the hub's terminal. */
  log?: ((line: string) => void) | undefined;
}

/** A `codex exec` the hub started. */
export interface ExecChild {
  pid: number;
  /** Its exit. The hub does not wait for it, so await it after {@link ExecChild.ref}. */
  status: Promise<Deno.CommandStatus>;
  /** Makes this process wait for the child (it is unref'd so that the hub can exit before it). */
  ref(): void;
  kill(signal?: Deno.Signal): void;
}

/** What starting gave: the thread id and where its output goes, or an error answer. */
export type ExecStart =
  | { ok: true; sessionId: string; pid: number; log: string; stderrLog: string }
  | { ok: false; status: number; error: string; stderrTail?: string };

/** The environment variable that names the binary, for the errors. */
export const CODEX_BIN_SETTING = "LIFELINE_CODEX_BIN";

const SCRIPT = 'o=$1; e=$2; shift 2; exec "$@" </dev/null >>"$o" 2>>"$e"';
const POLL_MS = 25;

/** The `codex exec` arguments for a first message (`--` so a message starting with `-` is no flag). */
export function execArgs(prompt: string, model?: string): string[] {
  return ["exec", "--json", "--skip-git-repo-check", ...(model ? ["-m", model] : []), "--", prompt];
}

/** The thread id in the first lines of `codex exec --json` output, once its line is complete. */
export function threadIdIn(out: string): string | undefined {
  for (const line of out.split("\n").slice(0, -1).slice(0, 50)) {
    try {
      const o = JSON.parse(line);
      if (o?.type === "thread.started" && typeof o.thread_id === "string" && o.thread_id !== "") {
        return o.thread_id;
      }
    } catch { /* not an event: a warning line */ }
  }
  return undefined;
}

/** The last `n` non-empty lines of a text, at most 1,500 characters. */
export function lastLines(text: string, n = 8): string {
  const lines = text.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
  const tail = lines.slice(-n).join("\n");
  return tail.length > 1500 ? "…" + tail.slice(-1499) : tail;
}

const readText = (p: string) => Deno.readTextFile(p).catch(() => "");

/** A missing or unrunnable binary given as a path, said before anything starts. */
async function binProblem(bin: string): Promise<string | undefined> {
  if (!bin.includes("/")) return undefined; // a name on PATH: the shell says (exit 127)
  const st = await Deno.stat(bin).catch(() => undefined);
  if (!st) return `the codex binary ${JSON.stringify(bin)} does not exist`;
  if (!st.isFile || ((st.mode ?? 0o755) & 0o111) === 0) {
    return `the codex binary ${JSON.stringify(bin)} is not an executable file`;
  }
  return undefined;
}

const setIt = (bin: string) =>
  `${CODEX_BIN_SETTING} names the Codex command (now ${JSON.stringify(bin)}): set it to the path of ` +
  "`codex` in the hub's environment, or start a Codex TUI so that the hub can use its app-server daemon";

/** Starts `codex exec` of `prompt` in `cwd` and waits for its thread id. */
export async function startExec(
  o: ExecSpawnOptions,
  req: { cwd: string; prompt: string; model?: string | undefined },
): Promise<ExecStart> {
  const problem = await binProblem(o.bin);
  if (problem) {
    return { ok: false, status: 503, error: `Cannot start codex exec: ${problem}; ${setIt(o.bin)}` };
  }
  const dir = join(o.stateDir, "exec");
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const base = join(dir, `spawn-${crypto.randomUUID()}`);
  let [out, err] = [`${base}.jsonl`, `${base}.stderr.log`];
  for (const p of [out, err]) await Deno.writeTextFile(p, "", { createNew: true, mode: 0o600 });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("/bin/sh", {
      args: ["-c", SCRIPT, "lifeline-spawn", out, err, o.bin, ...execArgs(req.prompt, req.model)],
      cwd: req.cwd,
      ...(o.env ? { env: o.env } : {}),
      stdin: "null",
      stdout: "null",
      stderr: "null",
      detached: true,
    }).spawn();
  } catch (e) {
    return { ok: false, status: 500, error: `Cannot start /bin/sh for codex exec: ${(e as Error).message}` };
  }
  child.unref();
  let exit: Deno.CommandStatus | undefined;
  const status = child.status.then((s) => (exit = s));
  const kill = (sig: Deno.Signal = "SIGTERM") => {
    try {
      child.kill(sig);
    } catch { /* already gone */ }
  };
  o.onChild?.({ pid: child.pid, status, kill, ref: () => child.ref() });
  const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
  let sessionId: string | undefined;
  for (;;) {
    const ended = exit !== undefined;
    sessionId = threadIdIn(await readText(out));
    if (sessionId || ended) break;
    if (Date.now() > deadline) {
      kill();
      return {
        ok: false,
        status: 504,
        error: `codex exec (pid ${child.pid}) printed no thread id within ${
          (o.startTimeoutMs ?? 30_000) / 1000
        } s, so it was stopped; its output is in ${JSON.stringify(out)} and ${JSON.stringify(err)}`,
      };
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([status, new Promise((r) => (timer = setTimeout(r, POLL_MS)))]);
    clearTimeout(timer);
  }
  if (!sessionId) {
    const code = exit!.code;
    const stderrTail = lastLines(await readText(err));
    const why = code === 127
      ? `no codex command was found (exit 127); ${setIt(o.bin)}`
      : code === 126
      ? `the codex command could not be run (exit 126); ${setIt(o.bin)}`
      : `codex exec exited (${exit!.signal ? `signal ${exit!.signal}` : `code ${code}`}) before it printed ` +
        `a thread id; its log is ${JSON.stringify(err)}`;
    return { ok: false, status: code === 127 || code === 126 ? 503 : 502, error: why, stderrTail };
  }
  const [named, namedErr] = [join(dir, `${sessionId}.jsonl`), join(dir, `${sessionId}.stderr.log`)];
  // The child keeps writing to the same files under their new names.
  out = await Deno.rename(out, named).then(() => named, () => out);
  err = await Deno.rename(err, namedErr).then(() => namedErr, () => err);
  void status.then((s) =>
    o.log?.(`codex exec of session ${sessionId} (pid ${child.pid}) ended with code ${s.code}`)
  );
  return { ok: true, sessionId, pid: child.pid, log: out, stderrLog: err };
}
