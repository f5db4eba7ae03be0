/**
 * Installs any release of the real Codex CLI (`@openai/codex@<version>`) into
 * `.cache/codex-<version>` once and returns its native binary: the names the
 * app-server tests use for `codex_cli.ts`'s one installer (one lock, one
 * cache layout).
 *
 * Run directly to install: `deno run -A tests/harness/codex_install.ts 0.171.0`.
 *
 * @module
 */

import { codexCache, ensureCodex } from "./codex_cli.ts";

/** Where `version` is (or will be) installed. */
export const codexCacheDir: (version: string) => string = codexCache;

/** The native binary of `version`, installed on first use. */
export function ensureCodexVersion(version: string): Promise<string> {
  return ensureCodex(version);
}

if (import.meta.main) {
  for (const v of Deno.args) {
    // deno-lint-ignore no-console
    console.log(await ensureCodexVersion(v));
  }
}
