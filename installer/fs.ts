/**
 * The installer's file system port. The real one writes atomically (temp
 * file + rename, mode preserved) with a backup next to the file; tests pass
 * their own. `--dry-run` needs no port of its own: it plans and writes nothing.
 *
 * A write or remove may carry what the file held when the plan was made: the
 * real port re-reads the file just before the rename and refuses when it
 * changed, so a plan the person approved is never applied over newer edits.
 *
 * @module
 */

import { InstallerError, messageOf } from "./errors.ts";

/** What a file held when the plan was made (`text: undefined`: it did not exist). */
export interface Expected {
  text: string | undefined;
}

/** What the installer does to files. */
export interface InstallerFs {
  read(path: string): string | undefined;
  /** Writes atomically, keeping the file's mode (new files: `mode`), after backing up the old content. */
  write(path: string, text: string, mode?: number, expected?: Expected): void;
  remove(path: string, expected?: Expected): void;
  mkdir(path: string): void;
}

/** Throws unless `path` still holds what it held at plan time. */
export function checkUnchanged(
  fs: Pick<InstallerFs, "read">,
  path: string,
  expected: Expected | undefined,
): void {
  if (expected === undefined) return;
  const now = fs.read(path);
  if (now === expected.text) return;
  const what = expected.text === undefined
    ? "was created"
    : now === undefined
    ? "was removed"
    : "was changed";
  throw new InstallerError(
    `Not writing "${path}": it ${what} since the plan was shown; run the command again to see a new plan`,
  );
}

/** The real file system. */
export const realFs: InstallerFs = {
  read(path) {
    try {
      return Deno.readTextFileSync(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw new InstallerError(`Cannot read "${path}": ${messageOf(e)}`, 1, { cause: e });
    }
  },
  write(path, text, mode = 0o600, expected) {
    checkUnchanged(realFs, path, expected);
    let existingMode: number | undefined;
    try {
      const st = Deno.statSync(path);
      existingMode = st.mode === null ? undefined : st.mode & 0o777;
      Deno.copyFileSync(path, `${path}.lifeline.bak`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new InstallerError(`Cannot back up "${path}": ${messageOf(e)}`, 1, { cause: e });
      }
    }
    const tmp = `${path}.lifeline-tmp-${Deno.pid}`;
    try {
      Deno.writeTextFileSync(tmp, text, { mode: existingMode ?? mode });
      Deno.chmodSync(tmp, existingMode ?? mode);
      // Last look before the rename: an edit made while the temp file was written still counts.
      checkUnchanged(realFs, path, expected);
      Deno.renameSync(tmp, path);
    } catch (e) {
      try {
        Deno.removeSync(tmp);
      } catch { /* nothing to clean */ }
      if (e instanceof InstallerError) throw e;
      throw new InstallerError(`Cannot write "${path}": ${messageOf(e)}`, 1, { cause: e });
    }
  },
  remove(path, expected) {
    checkUnchanged(realFs, path, expected);
    try {
      Deno.copyFileSync(path, `${path}.lifeline.bak`);
      Deno.removeSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new InstallerError(`Cannot remove "${path}": ${messageOf(e)}`, 1, { cause: e });
      }
    }
  },
  mkdir(path) {
    try {
      Deno.mkdirSync(path, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new InstallerError(`Cannot create the directory "${path}": ${messageOf(e)}`, 1, { cause: e });
    }
  },
};
