/**
 * The installer's one error family. Every failure the installer can explain
 * is an {@link InstallerError} carrying its exit code; `installer/mod.ts`
 * catches them in one place, prints the message and exits with that code.
 *
 * @module
 */

/** Exit code of a command the person has to change (bad option, nothing to do without asking). */
export const EXIT_USAGE = 2;
/** Exit code of a command that could not do its job (a file it cannot read, parse or write). */
export const EXIT_FAILURE = 1;

/** A failure the installer explains: what was wrong, where, and the exit code. */
export class InstallerError extends Error {
  constructor(
    message: string,
    readonly exitCode: typeof EXIT_USAGE | typeof EXIT_FAILURE = EXIT_FAILURE,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "InstallerError";
  }
}

/** A command line the person has to change (exit code 2). */
export class UsageError extends InstallerError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT_USAGE, options);
    this.name = "UsageError";
  }
}

/** The message of any thrown value, for a report line. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
