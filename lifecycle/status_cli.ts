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
import { renderStatus } from "./read.ts";
import { readSettings } from "./settings.ts";

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
  const settings = readSettings((k) => Deno.env.get(k));
  try {
    // deno-lint-ignore no-console
    console.log(renderStatus({
      stateDir: args.stateDir ?? settings.stateDir,
      json: args.json === true,
      staleBusySeconds: settings.staleBusySeconds,
      now: new Date(),
      home: settings.home,
    }));
  } catch (e) {
    // deno-lint-ignore no-console
    console.error(`lifeline status: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
