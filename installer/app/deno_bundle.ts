/**
 * Runs `deno bundle` for the installed copy. Deno's own messages are shown only when it fails
 * (the last three lines of its stderr, in the error).
 *
 * @module
 */

import { InstallerError } from "../errors.ts";

/**
 * `deno bundle --quiet <args>` in `cwd`; throws an {@link InstallerError} that starts with `what`
 * (e.g. "Cannot bundle the hooks of …") when it fails.
 */
export function denoBundle(deno: string, args: readonly string[], cwd: string, what: string): void {
  const r = new Deno.Command(deno, {
    args: ["bundle", "--quiet", ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (!r.success) {
    const why = new TextDecoder().decode(r.stderr).trim().split("\n").slice(-3);
    throw new InstallerError(`${what}: ${why.join(" ")}`);
  }
}
