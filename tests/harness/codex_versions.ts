/**
 * The releases the TUI recordings cover, installed through `codex_cli.ts`'s
 * one installer (one lock, one cache layout, the native binary).
 *
 * Run directly to install them: `deno run -A tests/harness/codex_versions.ts [VERSION…]`.
 *
 * @module
 */

import { codexCache, ensureCodex } from "./codex_cli.ts";

/** The releases with TUI recordings. */
export const TUI_VERSIONS = ["0.169.0", "0.171.0"] as const;

export { codexCache };

/** The native binary of `version`, installed on first use. */
export function ensureCodexVersion(version: string): Promise<string> {
  return ensureCodex(version);
}

if (import.meta.main) {
  for (const v of Deno.args.length ? Deno.args : TUI_VERSIONS) {
    // deno-lint-ignore no-console
    console.log(await ensureCodexVersion(v));
  }
}
