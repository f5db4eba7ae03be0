/**
 * The installer's file system port: the real one writes atomically (temp
 * file + rename, mode preserved) with a backup next to the file; the
 * recording one (`--dry-run`) writes nothing and remembers what it would do.
 *
 * @module
 */

/** What the installer does to files. */
export interface InstallerFs {
  read(path: string): string | undefined;
  /** Writes atomically, keeping the file's mode (new files: `mode`), after backing up the old content. */
  write(path: string, text: string, mode?: number): void;
  remove(path: string): void;
  mkdir(path: string): void;
}

/** The real file system. */
export const realFs: InstallerFs = {
  read(path) {
    try {
      return Deno.readTextFileSync(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return undefined;
      throw new Error(`Cannot read "${path}": ${(e as Error).message}`, { cause: e });
    }
  },
  write(path, text, mode = 0o600) {
    let existingMode: number | undefined;
    try {
      const st = Deno.statSync(path);
      existingMode = st.mode === null ? undefined : st.mode & 0o777;
      Deno.copyFileSync(path, `${path}.lifeline.bak`);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new Error(`Cannot back up "${path}": ${(e as Error).message}`, { cause: e });
      }
    }
    const tmp = `${path}.lifeline-tmp-${Deno.pid}`;
    try {
      Deno.writeTextFileSync(tmp, text, { mode: existingMode ?? mode });
      Deno.chmodSync(tmp, existingMode ?? mode);
      Deno.renameSync(tmp, path);
    } catch (e) {
      try {
        Deno.removeSync(tmp);
      } catch { /* nothing to clean */ }
      throw new Error(`Cannot write "${path}": ${(e as Error).message}`, { cause: e });
    }
  },
  remove(path) {
    try {
      Deno.copyFileSync(path, `${path}.lifeline.bak`);
      Deno.removeSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new Error(`Cannot remove "${path}": ${(e as Error).message}`, { cause: e });
      }
    }
  },
  mkdir(path) {
    Deno.mkdirSync(path, { recursive: true, mode: 0o700 });
  },
};

/** A file system that reads for real but only records writes (`--dry-run`). */
export function recordingFs(
  base: InstallerFs = realFs,
): InstallerFs & { writes: { path: string; text: string | undefined }[] } {
  const writes: { path: string; text: string | undefined }[] = [];
  return {
    writes,
    read: (p) => {
      const w = [...writes].reverse().find((x) => x.path === p);
      return w ? w.text : base.read(p);
    },
    write: (p, text) => void writes.push({ path: p, text }),
    remove: (p) => void writes.push({ path: p, text: undefined }),
    mkdir: () => {},
  };
}
