/**
 * `deno task status [--json] [--state-dir DIR]`: lists Codex sessions with
 * their turns and failures. Reading applies upkeep first: stale-busy repair
 * and sessions whose Codex process is gone.
 *
 * @module
 */

import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { optional } from "@optique/core/modifiers";
import { option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { run } from "@optique/run";
import { Store } from "./store.ts";
import { statusReport, statusTable } from "./status.ts";
import { processAlive } from "./process.ts";
import { readTail } from "./observe.ts";
import { interruptedTurns } from "../codex/transcript.ts";
import { DEFAULT_STALE_BUSY_SECONDS } from "../hooks/_runner.ts";

/** Options of the status command. */
export interface StatusOptions {
  stateDir: string;
  json: boolean;
  staleBusySeconds: number;
  now: Date;
  /** The home directory, to find a transcript journaled as `~/…`. */
  home?: string;
}

/** Opens the store (if there is one), applies upkeep, and renders. */
export function renderStatus(o: StatusOptions): string {
  let exists = true;
  try {
    Deno.statSync(`${o.stateDir}/lifeline.db`);
  } catch {
    exists = false;
  }
  if (!exists) {
    return o.json
      ? JSON.stringify({ sessions: [], forwarding: { pending: 0, sent: 0, parked: [] } })
      : `No sessions recorded yet in ${o.stateDir}.\nInstall lifeline into Codex with: deno run -A installer/mod.ts install`;
  }
  const store = Store.open(o.stateDir);
  try {
    store.maintain({
      now: o.now.toISOString(),
      staleBusyMs: o.staleBusySeconds * 1000,
      alive: (pid, startedAt) => processAlive(pid, startedAt),
      interruptedTurns: (path) => {
        const full = o.home && path.startsWith("~/") ? o.home + path.slice(1) : path;
        return interruptedTurns(readTail(full) ?? "");
      },
    });
    const report = statusReport(store);
    return o.json ? JSON.stringify(report, null, 2) : statusTable(report, o.now);
  } finally {
    store.close();
  }
}

if (import.meta.main) {
  const args = run(
    object({
      json: optional(
        option("--json", { description: message`Print the JSON report (shape in the README).` }),
      ),
      stateDir: optional(
        option("--state-dir", string({ metavar: "DIR" }), {
          description: message`The lifeline store (default $LIFELINE_STATE_DIR or ~/.lifeline).`,
        }),
      ),
    }),
    {
      programName: "deno task status",
      brief: message`List Codex sessions seen by lifeline's hooks.`,
      help: "option",
    },
  );
  const home = Deno.env.get("HOME") ?? ".";
  const stale = Number(Deno.env.get("LIFELINE_STALE_BUSY_SECONDS") ?? DEFAULT_STALE_BUSY_SECONDS);
  try {
    // deno-lint-ignore no-console
    console.log(renderStatus({
      stateDir: args.stateDir ?? Deno.env.get("LIFELINE_STATE_DIR") ?? `${home}/.lifeline`,
      json: args.json === true,
      staleBusySeconds: Number.isFinite(stale) && stale > 0 ? stale : DEFAULT_STALE_BUSY_SECONDS,
      now: new Date(),
      home,
    }));
  } catch (e) {
    // deno-lint-ignore no-console
    console.error(`lifeline status: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
