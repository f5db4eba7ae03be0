/**
 * Forwarding to a target that hangs: a loopback TCP server that accepts
 * connections and never answers. A hook that wrote forwarding records sends
 * them within its flush budget and leaves them in the outbox after; the
 * bench reports how long its flush phase and the whole hook took.
 *
 * @module
 */

import { join } from "node:path";
import { hookDenoArgs } from "../hooks/permissions.ts";
import { PROFILE_FLAG } from "../hooks/limits.ts";
import { HOOK_FLUSH_BUDGET_MS } from "../hooks/limits.ts";
import { hookScript, payloadFor, phasesOf, summarise, timed } from "./hooks.ts";

/** What {@link hangingTarget} measured (medians, ms). */
export interface HangingReport {
  /** The whole hook, forwarding to the hanging target. */
  hook: number;
  /** The same hook with no forwarding configured. */
  plain: number;
  /** The hook's flush phase (loading the flush, opening the store, sending, settling). */
  flush: number;
  budget: number;
}

/** Runs the UserPromptSubmit hook under `root` `runs` times against a hanging target, and without one. */
export async function hangingTarget(root: string, runs: number, path: string): Promise<HangingReport> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const c of listener) held.push(c); // accepted, never read, never answered
    } catch { /* closed */ }
  })();
  const home = await Deno.makeTempDir({ prefix: "lifeline-bench-fwd-" });
  try {
    const host = `127.0.0.1:${listener.addr.port}`;
    const stateDir = join(home, "state");
    const places = { stateDir, codexHome: join(home, ".codex"), deno: Deno.execPath() };
    const env = { HOME: home, PATH: path, LIFELINE_SIDECAR: "off" };
    const fwdEnv = { ...env, LIFELINE_NEOTOMA_URL: `http://${host}` };
    const fwdFlags = hookDenoArgs({ ...places, netHosts: [host] });
    const plainFlags = hookDenoArgs(places);
    const script = hookScript(root, "UserPromptSubmit");
    const hook: number[] = [], plain: number[] = [], flush: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await timed(
        [...fwdFlags, script, `--state-dir=${stateDir}`, PROFILE_FLAG],
        payloadFor("UserPromptSubmit", 50_000 + i),
        fwdEnv,
      );
      hook.push(r.ms);
      flush.push(phasesOf(r)?.find(([k]) => k === "flush")?.[1] ?? NaN);
      plain.push(
        (await timed(
          [...plainFlags, script, `--state-dir=${stateDir}`],
          payloadFor("UserPromptSubmit", 60_000 + i),
          env,
        )).ms,
      );
    }
    return {
      hook: summarise(hook).median,
      plain: summarise(plain).median,
      flush: summarise(flush).median,
      budget: HOOK_FLUSH_BUDGET_MS,
    };
  } finally {
    listener.close();
    await accepting;
    for (const c of held) {
      try {
        c.close();
      } catch { /* closed by the peer */ }
    }
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}
