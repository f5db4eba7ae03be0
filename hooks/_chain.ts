/**
 * notify's chaining: the user's previous notify program (replaced by
 * lifeline's at install) still runs, detached, with the same payload. Loaded
 * only by a notify that chains one.
 *
 * @module
 */

/** Starts `chain` with `payloadArg` appended, detached; a failure to start is logged, not thrown. */
export function chainNotify(chain: readonly string[], payloadArg: string, log: (e: unknown) => void): void {
  const [cmd, ...rest] = chain;
  if (!cmd) return;
  try {
    const child = new Deno.Command(cmd, {
      args: [...rest, payloadArg],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    })
      .spawn();
    child.unref();
  } catch (e) {
    log(new Error(`Cannot run the chained notify program "${cmd}"`, { cause: e }));
  }
}
