/**
 * The hooks of an installed copy run from one pre-bundled file. A hook pays
 * its start-up on every Codex event, and loading its ~60 source modules one
 * by one (each resolved, read and looked up in Deno's caches) costs about as
 * much as the rest of the hook; one bundled module costs a fraction.
 *
 * The copy keeps every source file (the hub and its sidecar run from them),
 * and the bundle goes next to them: `hooks/_runner.ts` and everything it
 * imports, dynamic imports included, become `hooks/_hook.js`, and each event
 * script of the copy imports `./_hook.js` instead of `./_runner.ts`. Nothing
 * else changes: the scripts' paths, the commands in `hooks.json` and the
 * hooks' `--allow-*` flags are the same with or without the bundle.
 *
 * @module
 */

import { join } from "node:path";
import { InstallerError } from "../errors.ts";
import { denoBundle } from "./deno_bundle.ts";

/** The bundle inside a copy's `hooks/`. */
export const HOOK_BUNDLE = "_hook.js";
/** The module the bundle is made from. */
const RUNNER = "_runner.ts";
const RUNNER_IMPORT = `from "./${RUNNER}";`;
const BUNDLE_IMPORT = `from "./${HOOK_BUNDLE}";`;

/**
 * The one module of the hook graph that finds a file by its own URL: the
 * sidecar's script is `hub/sidecar.ts`, next to `hub/sidecar_files.ts`. From
 * the bundle in `hooks/`, the same file is `../hub/sidecar.ts`.
 */
const SIDECAR_URL = /new URL\("\.\/sidecar\.ts",\s*import\.meta\.url\)/g;
const SIDECAR_URL_FROM_HOOKS = 'new URL("../hub/sidecar.ts", import.meta.url)';

/**
 * The bundle's text with module-relative URLs rewritten for `hooks/`. Throws
 * when the bundle has not exactly the one URL this knows how to move, so a
 * new `import.meta.url` in the hook graph cannot silently point elsewhere.
 */
export function relocateBundle(text: string): string {
  const urls = text.match(/import\.meta\.url/g)?.length ?? 0;
  const sidecar = text.match(SIDECAR_URL)?.length ?? 0;
  if (urls !== 1 || sidecar !== 1) {
    throw new InstallerError(
      `Cannot bundle the hooks: expected one module-relative URL (the sidecar's script) in the bundle, ` +
        `found ${urls} uses of "import.meta.url", ${sidecar} of them the sidecar's`,
    );
  }
  return text.replace(SIDECAR_URL, SIDECAR_URL_FROM_HOOKS);
}

/**
 * An event script pointed at the bundle (unchanged when it already is, as in
 * a copy made from a copy). Throws for a script that imports the runner other
 * than by the one line every event script has.
 */
export function pointAtBundle(script: string, text: string): string {
  if (text.includes(BUNDLE_IMPORT) && !text.includes(RUNNER_IMPORT)) return text;
  const at = text.indexOf(RUNNER_IMPORT);
  if (at < 0 || text.indexOf(RUNNER_IMPORT, at + 1) >= 0) {
    throw new InstallerError(
      `Cannot point "${script}" at the hook bundle: it has no single ${RUNNER_IMPORT}`,
    );
  }
  return text.replace(RUNNER_IMPORT, BUNDLE_IMPORT);
}

/**
 * Bundles the hooks of the copy at `copy` (its `hooks/`, `codex/`,
 * `lifecycle/` and `hub/` already written) with `deno bundle`, and points
 * every script that imports the runner at the bundle. The bundle is built
 * from the copy's own files, so it is exactly the code the copy holds.
 */
export function bundleHooks(copy: string, deno: string): void {
  const hooks = join(copy, "hooks");
  const out = join(hooks, HOOK_BUNDLE);
  const args = ["--no-config", "--no-lock", "--platform", "deno", "--minify", join(hooks, RUNNER), "-o", out];
  denoBundle(deno, args, copy, `Cannot bundle the hooks of "${copy}"`);
  Deno.writeTextFileSync(out, relocateBundle(Deno.readTextFileSync(out)), { mode: 0o644 });
  Deno.chmodSync(out, 0o644);
  for (const e of Deno.readDirSync(hooks)) {
    if (!e.isFile || !e.name.endsWith(".ts") || e.name.startsWith("_")) continue;
    const path = join(hooks, e.name);
    const text = Deno.readTextFileSync(path);
    if (!text.includes(RUNNER_IMPORT) && !text.includes(BUNDLE_IMPORT)) continue;
    Deno.writeTextFileSync(path, pointAtBundle(e.name, text));
  }
}
