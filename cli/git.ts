/**
 * The repository and branch of a folder, read from `.git/HEAD` (no git
 * process: `status` runs often and must stay cheap), cached per folder.
 *
 * @module
 */

import { basename, dirname, isAbsolute, join, resolve } from "node:path";

/** A folder's repository (the name of its top folder) and branch (or short commit when detached). */
export interface RepoInfo {
  repo: string;
  branch: string;
}

/** Reads a text file, or `undefined` when it cannot. */
export type ReadText = (path: string) => string | undefined;

const readText: ReadText = (p) => {
  try {
    return Deno.readTextFileSync(p);
  } catch {
    return undefined;
  }
};

function headOf(gitDir: string, read: ReadText): string | undefined {
  const head = read(join(gitDir, "HEAD"))?.trim();
  if (!head) return undefined;
  const ref = /^ref:\s*refs\/heads\/(.+)$/.exec(head);
  if (ref) return ref[1]!;
  return /^[0-9a-f]{7,}$/.test(head) ? head.slice(0, 7) : undefined;
}

/** The repository around `cwd`, walking up; a `.git` file (a worktree) points at its git dir. */
export function repoOf(cwd: string, read: ReadText = readText): RepoInfo | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const dotGit = join(dir, ".git");
    const asFile = read(dotGit);
    const gitDir = asFile === undefined
      ? dotGit
      : resolve(dir, /^gitdir:\s*(.+)$/m.exec(asFile)?.[1]?.trim() ?? dotGit);
    const branch = headOf(gitDir, read);
    if (branch !== undefined) return { repo: basename(dir), branch };
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * A stored cwd as a path on this machine: scrubbing writes the home folder
 * as `~`; anything else that is not absolute cannot be located.
 */
export function localPath(cwd: string, home: string | undefined): string | undefined {
  if (cwd === "~" || cwd.startsWith("~/")) return home ? join(home, cwd.slice(1)) : undefined;
  return isAbsolute(cwd) ? cwd : undefined;
}

/** {@link repoOf} with a cache, for one listing. */
export function repoCache(
  home: string | undefined,
  read: ReadText = readText,
): (cwd: string | null) => RepoInfo | undefined {
  const cache = new Map<string, RepoInfo | undefined>();
  return (cwd) => {
    const path = cwd === null ? undefined : localPath(cwd, home);
    if (path === undefined) return undefined;
    if (!cache.has(path)) cache.set(path, repoOf(path, read));
    return cache.get(path);
  };
}
