/**
 * The installer's file system port. The real one writes atomically (temp
 * file + rename in the target's folder, mode preserved); tests pass their
 * own. Backups are the apply step's business (it writes the user's original
 * once, not whatever the file holds at each write). `--dry-run` needs no port of its own: it plans and writes nothing.
 *
 * A write or remove may carry what the file held when the plan was made: the
 * real port re-reads the file just before the rename and refuses when it
 * changed, so a plan the person approved is never applied over newer edits.
 *
 * @module
 */

import { basename, dirname, isAbsolute, join } from "node:path";
import { InstallerError, messageOf } from "./errors.ts";

/** Where a write of `path` lands: the final target of a symlink chain, or `path` itself. */
function linkTarget(path: string): string {
  let p = path;
  for (let i = 0; i < 40; i++) {
    let link: string;
    try {
      if (!Deno.lstatSync(p).isSymlink) return p;
      link = Deno.readLinkSync(p);
    } catch {
      return p; // missing: a new file here (or at the dangling link's target)
    }
    p = isAbsolute(link) ? link : join(dirname(p), link);
  }
  throw new InstallerError(`Cannot write "${path}": too many levels of symbolic links`);
}

/** What a file held when the plan was made (`text: undefined`: it did not exist). */
export interface Expected {
  text: string | undefined;
}

/** How a write treats the path. */
export interface WriteOptions {
  /**
   * A symlink at the path is replaced by a regular file instead of written
   * through (backups: a link planted there must not redirect lifeline's copy
   * of a config full of secrets). By default a symlink is followed on
   * purpose: the new text goes to its target, atomically in the target's
   * folder, and the link stays a link.
   */
  replaceLink?: boolean;
  /** Give the file exactly `mode`, even when it exists with another. */
  forceMode?: boolean;
}

/** What the installer does to files. */
export interface InstallerFs {
  read(path: string): string | undefined;
  /** Writes atomically (temp file + rename), keeping the file's mode (new files: `mode`). */
  write(path: string, text: string, mode?: number, expected?: Expected, options?: WriteOptions): void;
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
  write(path, text, mode = 0o600, expected, options = {}) {
    checkUnchanged(realFs, path, expected);
    const target = options.replaceLink ? path : linkTarget(path);
    let existingMode: number | undefined;
    try {
      const st = Deno.statSync(target);
      existingMode = st.mode === null || options.forceMode ? undefined : st.mode & 0o777;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new InstallerError(`Cannot read "${target}": ${messageOf(e)}`, 1, { cause: e });
      }
    }
    const tmp = join(dirname(target), `.${basename(target)}.lifeline-tmp-${Deno.pid}`);
    try {
      Deno.writeTextFileSync(tmp, text, { mode: existingMode ?? mode });
      Deno.chmodSync(tmp, existingMode ?? mode);
      // Last look before the rename: an edit made while the temp file was written still counts.
      checkUnchanged(realFs, path, expected);
      Deno.renameSync(tmp, target);
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
