/**
 * The `lifeline` command on the person's PATH: a small shell script in the
 * bin dir (default `~/.local/bin`) that runs the installed copy's bundled
 * command with the deno install ran with. Upgrading rewrites it to point at
 * the new copy; uninstall removes it, but only while it is still lifeline's.
 *
 * @module
 */

import { delimiter, join, resolve } from "node:path";
import { shellQuote } from "../../hooks/handlers.ts";
import { CLI_BUNDLE } from "./copy.ts";

/** The first line after the shebang: marks the file as lifeline's launcher. */
export const LAUNCHER_MARK =
  "# lifeline launcher: written by `lifeline install`; `lifeline uninstall` removes it";

/** The `deno run` flags of the command: no config or lock (the bundle needs neither), every permission. */
export const LAUNCHER_FLAGS: readonly string[] = ["--no-config", "--no-lock", "--allow-all"];

/** The launcher's path in `binDir`. */
export function launcherPath(binDir: string): string {
  return join(binDir, "lifeline");
}

/** The launcher script: `<deno> run <flags> <copy>/cli/lifeline.js "$@"`. */
export function launcherText(deno: string, copy: string): string {
  const words = [deno, "run", ...LAUNCHER_FLAGS, join(copy, CLI_BUNDLE)].map(shellQuote).join(" ");
  return `#!/bin/sh\n${LAUNCHER_MARK}\nexec ${words} "$@"\n`;
}

/** Whether a file's text is a launcher lifeline wrote (any version). */
export function isLauncher(text: string | undefined): boolean {
  return text !== undefined && text.split("\n")[1] === LAUNCHER_MARK;
}

/** Whether `dir` is one of the folders of a `PATH` value. */
export function onPath(dir: string, path: string | undefined): boolean {
  const want = resolve(dir);
  return (path ?? "").split(delimiter).filter(Boolean).some((d) => resolve(d) === want);
}
