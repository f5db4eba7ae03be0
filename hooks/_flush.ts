/**
 * A hook sending the forwarding records it just wrote, within a small
 * budget; whatever is not sent stays in the outbox for `deno task flush` or
 * the hub. Loaded only by a hook that wrote outbox rows.
 *
 * @module
 */

import { type ForwardConfig, forwardHosts } from "../lifecycle/forward/config.ts";
import { flush } from "../lifecycle/forward/flush.ts";
import { Store } from "../lifecycle/store/mod.ts";
import { HOOK_FLUSH_BUDGET_MS } from "./limits.ts";

/** Kept back from the budget for what follows the last send (settling the rows, closing the store). */
const SETTLE_MS = 15;

/**
 * Whether this process may reach every configured target: the installer
 * grants `--allow-net` for the targets configured when it ran, and a target
 * added later is left to `deno task flush` rather than prompting or failing.
 */
function mayReach(c: ForwardConfig): boolean {
  try {
    return forwardHosts(c).every((host) =>
      Deno.permissions.querySync({ name: "net", host }).state === "granted"
    );
  } catch {
    return false;
  }
}

/**
 * Sends the rows `ids` if this hook may reach the targets; a failure is logged, never thrown. The budget
 * runs from `startedMs` (when the hook began to load this module), so a hanging target costs the hook
 * at most {@link HOOK_FLUSH_BUDGET_MS} in all.
 */
export async function flushOwnRecords(
  stateDir: string,
  config: ForwardConfig,
  ids: readonly number[],
  log: (e: unknown) => void,
  startedMs: number = Date.now(),
): Promise<void> {
  if (!mayReach(config)) return;
  try {
    const store = Store.open(stateDir, { busyTimeoutMs: 200 });
    try {
      const budgetMs = Math.max(1, HOOK_FLUSH_BUDGET_MS - SETTLE_MS - (Date.now() - startedMs));
      await flush(store, config, { budgetMs, ids });
    } finally {
      store.close();
    }
  } catch (e) {
    log(new Error("Cannot flush forwarding records (they stay in the outbox)", { cause: e }));
  }
}
