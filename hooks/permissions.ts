/**
 * The least-privilege `deno run` flags of every lifeline hook. The installer
 * writes exactly these; the subprocess tests run hooks with exactly these.
 *
 * - read: the state dir and Codex's `sessions/` folder (shell exit codes
 *   live in the transcript). Not `/proc`: Deno grants `/proc/<pid>` only
 *   with `--allow-all`, so the Codex process comes from `--codex-pid=$PPID`
 *   and liveness is checked by the readers (`status`, the simulator);
 * - write: the state dir, and the fallback error log's folder in `/tmp`
 *   (errors the state dir cannot take: `lifecycle/fallback_log.ts`);
 * - env: only the variables the hooks read;
 * - run: `deno` for the event hooks (they start a session's hub sidecar);
 *   for `notify.ts`, the user's previous notify program when it chains one;
 * - net: the forwarding targets configured at install time, if any.
 *
 * Nothing here imports from npm: hooks pay their start-up on every event.
 *
 * @module
 */

import { envNamesFor } from "../lifecycle/settings.ts";
import { fallbackLogDir } from "../lifecycle/fallback_log.ts";

/** Environment variables a hook reads: those `lifecycle/settings.ts` lists for the hooks. */
export const HOOK_ENV_VARS: readonly string[] = envNamesFor("hooks");

/** Where a hook may read and write. */
export interface HookPlaces {
  stateDir: string;
  codexHome: string;
  /** Programs notify may run (a chained user notify program). */
  chain?: readonly string[];
  /** The deno executable: hooks may start a session's hub sidecar with it. */
  deno?: string;
  /** Forwarding targets (`host:port`) the hooks may reach to flush their own records. */
  netHosts?: readonly string[];
}

/**
 * The `deno run` arguments (everything between `deno` and the script path).
 *
 * @example
 * ```ts
 * import { hookDenoArgs } from "./permissions.ts";
 * const args = hookDenoArgs({ stateDir: "/s", codexHome: "/c" });
 * if (!args.some((a) => a.startsWith("--allow-write=/s,"))) throw new Error(args.join(" "));
 * ```
 */
export function hookDenoArgs(places: HookPlaces): string[] {
  const args = [
    "run",
    "--no-prompt",
    "--no-config",
    "--no-lock",
    `--allow-read=${places.stateDir},${places.codexHome}/sessions,${fallbackLogDir(places.stateDir)}`,
    `--allow-write=${places.stateDir},${fallbackLogDir(places.stateDir)}`,
    `--allow-env=${HOOK_ENV_VARS.join(",")}`,
  ];
  const run = [...(places.deno ? [places.deno] : []), ...(places.chain?.length ? [places.chain[0]!] : [])];
  if (run.length > 0) args.push(`--allow-run=${run.join(",")}`);
  if (places.netHosts && places.netHosts.length > 0) args.push(`--allow-net=${places.netHosts.join(",")}`);
  return args;
}
