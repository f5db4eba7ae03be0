/**
 * Whether Codex is still waiting for this hook. Codex gives a hook a timeout
 * and, when it passes, kills the shell it started, not the Deno process under
 * it; and a timer cannot fire while synchronous work runs. So the hook asks
 * at the moments that matter instead: before claiming hub messages (under the
 * write lock) and before answering. A hook past its deadline, or whose parent
 * is gone (the parent pid changed, or is 1 already: the orphan was re-parented), claims
 * nothing, and gives back what it claimed, so a message is marked delivered
 * only when Codex can read it.
 *
 * @module
 */

import { StoreCore } from "../lifecycle/store/core.ts";

/** The check {@link waiting} returns, with the reason it last said no. */
export interface Waiting {
  (): boolean;
  /** Why the last call answered false ("" while it answers true). */
  reason: string;
}

/**
 * A check that answers true while `now()` is before `startedMs + deadlineMs`
 * and the parent pid is the one the hook started with (and not 1, the
 * parent of orphans: the shell may be killed before the hook starts).
 */
export function waiting(
  startedMs: number,
  deadlineMs: number,
  now: () => number = Date.now,
  ppid: () => number = () => Deno.ppid,
  codexPid?: number,
): Waiting {
  const parent = ppid();
  // Codex itself may be pid 1 (a container) and the shell may exec the hook: then 1 is a live parent.
  const orphan = (p: number) => p === 1 && codexPid !== 1;
  const check = (() => {
    const t = now();
    if (t >= startedMs + deadlineMs) {
      check.reason = `the hook's deadline of ${deadlineMs} ms passed (${t - startedMs} ms after its start)`;
    } else if (ppid() !== parent || orphan(parent)) check.reason = `its parent process ${parent} is gone`;
    else check.reason = "";
    return check.reason === "";
  }) as Waiting;
  check.reason = "";
  return check;
}

/** Returns the hub messages the observation `key` claimed to pending; never throws (errors go to `log`). */
export function giveBack(stateDir: string, key: string, log: (e: unknown) => void): void {
  let store: StoreCore | undefined;
  try {
    store = StoreCore.open(stateDir, { busyTimeoutMs: 1000 });
    store.unclaim(key);
  } catch (e) {
    log(new Error(`Cannot give back the hub messages claimed by "${key}"`, { cause: e }));
  } finally {
    store?.close();
  }
}
