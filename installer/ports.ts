/**
 * The world the installer's commands see: file system, environment, clock,
 * `codex --version` and whether that Codex accepts a config, and where deno
 * and this checkout are. Tests and `--dry-run` pass other ports and run the
 * same code as a real install.
 *
 * @module
 */

import { LIFELINE_ROOT } from "../hooks/handlers.ts";
import type { InstallerFs } from "./fs.ts";
import { sourceVersion } from "./app/copy.ts";
import type { CodexAccepts } from "./codex_accepts.ts";
import { codexAccepts } from "./codex_run.ts";

/** The world the commands see. */
export interface Ports {
  fs: InstallerFs;
  env: (k: string) => string | undefined;
  now: () => Date;
  /** `codex --version`, or undefined when codex is not on PATH. */
  codexVersion: () => string | undefined;
  /** Asks that codex whether it loads a config (absent: nobody is asked, as in the pure tests). */
  codexAccepts?: CodexAccepts;
  /** The deno executable and this checkout. */
  deno: string;
  root: string;
  /** The version of the code at `root` (names the installed copy's folder). */
  sourceVersion: () => string;
}

function once<T>(f: () => T): () => T {
  let done: { v: T } | undefined;
  return () => (done ??= { v: f() }).v;
}

/** Default ports for the real machine. */
export function realPorts(fs: InstallerFs): Ports {
  return {
    fs,
    env: (k) => Deno.env.get(k),
    now: () => new Date(),
    // Asked once per run: install resolves the options before and after asking Codex about the config.
    codexVersion: once(() => {
      try {
        const out = new Deno.Command("codex", {
          args: ["--version"],
          stdout: "piped",
          stderr: "null",
          stdin: "null",
        }).outputSync();
        return out.success ? new TextDecoder().decode(out.stdout).trim() : undefined;
      } catch {
        return undefined;
      }
    }),
    codexAccepts: codexAccepts(),
    deno: Deno.execPath(),
    root: LIFELINE_ROOT,
    sourceVersion: () => sourceVersion(LIFELINE_ROOT),
  };
}
