/**
 * Where hook errors go when the state dir cannot take them (read-only, a
 * path under a regular file, a full disk): a folder in `/tmp` named after the
 * state dir, so that a person reading `status` or `doctor` finds out why
 * nothing was recorded, instead of a silent total loss. The name hashes the
 * state dir (which holds the user's home by default), so users of one
 * machine do not share it; the folder is 0700, the file 0600.
 *
 * The path needs no environment variable or user id: hooks run with the
 * fewest permissions, and reading either would need another grant.
 *
 * @module
 */

/** FNV-1a of a string, as 8 hex digits: stable, no crypto needed. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * The fallback folder of a state dir.
 *
 * @example
 * ```ts
 * import { fallbackLogDir } from "./fallback_log.ts";
 * const d = fallbackLogDir("/home/ann/.lifeline");
 * if (!/^\/tmp\/lifeline-errors-[0-9a-f]{8}$/.test(d)) throw new Error(d);
 * ```
 */
export function fallbackLogDir(stateDir: string, tmp: string = "/tmp"): string {
  return `${tmp}/lifeline-errors-${fnv1a(stateDir.replace(/\/+$/, ""))}`;
}

/** The fallback error log of a state dir. */
export function fallbackLogPath(stateDir: string, tmp?: string): string {
  return `${fallbackLogDir(stateDir, tmp)}/hook-errors.log`;
}

/** What a reader can tell about a store hooks cannot write. */
export interface StoreProblem {
  /** One sentence: what is wrong and where. */
  problem: string;
  /** The fallback log, when hooks wrote there. */
  fallbackLog: string | undefined;
  /** Its last line, when there is one. */
  lastError: string | undefined;
}

/**
 * Whether hooks can write to `stateDir`, checked without creating anything
 * there (a probe file is created and removed only in an existing folder);
 * and whether they have written errors to the fallback log.
 */
export function storeProblem(stateDir: string, tmp?: string): StoreProblem | undefined {
  let problem: string | undefined;
  try {
    const st = Deno.statSync(stateDir);
    if (!st.isDirectory) problem = `The state dir "${stateDir}" is not a folder`;
    else {
      const probe = `${stateDir}/.probe-${Deno.pid}`;
      try {
        Deno.writeTextFileSync(probe, "", { mode: 0o600 });
        Deno.removeSync(probe);
      } catch (e) {
        problem = `The store in "${stateDir}" is not writable: ${(e as Error).message}`;
      }
    }
  } catch (e) {
    if (e instanceof Deno.errors.NotADirectory || /not a directory/i.test((e as Error).message)) {
      problem = `The state dir "${stateDir}" is under a regular file: nothing can be recorded`;
    }
  }
  const log = fallbackLogPath(stateDir, tmp);
  let lastError: string | undefined;
  try {
    lastError = Deno.readTextFileSync(log).trimEnd().split("\n").at(-1) || undefined;
  } catch { /* no fallback log */ }
  if (!problem && !lastError) return undefined;
  return {
    problem: problem ?? `Hooks could not write to the store in "${stateDir}"`,
    fallbackLog: lastError !== undefined ? log : undefined,
    lastError,
  };
}
