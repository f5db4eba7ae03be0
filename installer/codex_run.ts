/**
 * The real {@link RunCodex} and {@link CodexAccepts} ports: run the `codex`
 * on PATH (the one `codex --version` names) with a time limit, and stage a
 * planned `config.toml` and `hooks.json` in a temporary Codex home so Codex
 * can judge them before anything is written.
 *
 * @module
 */

import { join } from "node:path";
import { type AskAbout, askCodex, type CodexAccepts, type RunCodex, showPathsAs } from "./codex_accepts.ts";
import { messageOf } from "./errors.ts";

/** How long Codex may take to answer (it takes about 50 ms). */
export const ASK_TIMEOUT_MS = 10_000;

/** Runs `bin` (default `codex` from PATH); a child that outlives `timeoutMs` is killed. */
export function codexRunner(bin = "codex", timeoutMs = ASK_TIMEOUT_MS): RunCodex {
  return async (args, home) => {
    const cwd = await Deno.makeTempDir({ prefix: "lifeline-ask-codex-" });
    try {
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command(bin, {
          args: [...args],
          env: { CODEX_HOME: home },
          cwd,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return undefined;
        throw e;
      }
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, timeoutMs);
      try {
        const out = await child.output();
        const d = new TextDecoder();
        return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr), timedOut };
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await Deno.remove(cwd, { recursive: true }).catch(() => {});
    }
  };
}

/** Asks through `run`; staged files go into a temporary home that is removed afterwards. */
export function codexAccepts(run: RunCodex = codexRunner()): CodexAccepts {
  return async (about: AskAbout) => {
    if ("home" in about) return await askCodex(run, about.home);
    const home = await Deno.makeTempDir({ prefix: "lifeline-planned-codex-home-" });
    try {
      const { config, hooks } = about.staged;
      if (config !== undefined) await Deno.writeTextFile(join(home, "config.toml"), config, { mode: 0o600 });
      if (hooks !== undefined) await Deno.writeTextFile(join(home, "hooks.json"), hooks, { mode: 0o600 });
      const real = await Deno.realPath(home).catch(() => home);
      return showPathsAs(await askCodex(run, home), [real, home], about.shownAs);
    } catch (e) {
      return { verdict: "unknown", reason: `could not stage the planned files: ${messageOf(e)}` };
    } finally {
      await Deno.remove(home, { recursive: true }).catch(() => {});
    }
  };
}
