/**
 * The `lifeline` command line: every subcommand, its options and its help.
 * Parsing only; `cli/mod.ts` runs what was parsed.
 *
 * @module
 */

import { merge, object, or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional } from "@optique/core/modifiers";
import type { InferValue } from "@optique/core/parser";
import { argument, command, constant, option } from "@optique/core/primitives";
import { float, string } from "@optique/core/valueparser";

const stateDir = optional(
  option("--state-dir", string({ metavar: "DIR" }), {
    description: message`lifeline's store (default $LIFELINE_STATE_DIR or ~/.lifeline).`,
  }),
);
const json = optional(option("--json", { description: message`Print JSON instead of text.` }));
const filters = {
  active: optional(option("--active", { description: message`Only sessions that are not offline.` })),
  since: optional(
    option("--since", string({ metavar: "DURATION" }), {
      description: message`Only sessions seen within DURATION (30s, 15m, 2h, 7d).`,
    }),
  ),
};
const id = argument(string({ metavar: "ID" }), {
  description: message`A session id, or a prefix of one that matches a single session.`,
});
const text = argument(string({ metavar: "TEXT" }), { description: message`The message.` });

const installerCommon = {
  stateDir,
  json,
  codexHome: optional(
    option("--codex-home", string({ metavar: "DIR" }), {
      description: message`Codex's home (default $CODEX_HOME or ~/.codex).`,
    }),
  ),
  codexVersion: optional(
    option("--codex-version", string({ metavar: "VERSION" }), {
      description: message`Assume this Codex version instead of asking \`codex --version\`.`,
    }),
  ),
  binDir: optional(
    option("--bin-dir", string({ metavar: "DIR" }), {
      description: message`Where the lifeline command goes (default ~/.local/bin).`,
    }),
  ),
};
const writing = object({
  events: optional(
    option("--events", string({ metavar: "LIST" }), {
      description: message`Comma-separated hook events (default: all the Codex version fires).`,
    }),
  ),
  dryRun: optional(
    option("--dry-run", { description: message`Print a diff of every file it would touch; write nothing.` }),
  ),
  yes: optional(
    option("--yes", {
      description: message`Do not ask before writing (needed when stdin is not a terminal).`,
    }),
  ),
});
const installOnly = object({
  force: optional(
    option("--force", { description: message`Write even when the installed Codex refuses the config.` }),
  ),
});

const cmd = <T extends string>(name: T) => ({ cmd: constant(name) });

/** The whole command line. */
export const parser = or(
  command("status", object({ ...cmd("status"), stateDir, json, ...filters }), {
    description: message`List Codex sessions: status, turns, tokens, last tool, repo and branch.`,
  }),
  command(
    "watch",
    object({
      ...cmd("watch"),
      stateDir,
      ...filters,
      interval: optional(
        option("--interval", float({ min: 0.2, metavar: "SECONDS" }), {
          description: message`Refresh every SECONDS (default 1).`,
        }),
      ),
    }),
    { description: message`The status table, refreshed in place until Ctrl-C.` },
  ),
  command("show", object({ ...cmd("show"), id, stateDir, json }), {
    description: message`One session in detail: turns, tools, failures, blocked calls, messages.`,
  }),
  command("send", object({ ...cmd("send"), id, text, stateDir, json }), {
    description: message`Send a message to a session through the hub (queued if it is not connected).`,
  }),
  command(
    "ask",
    object({
      ...cmd("ask"),
      id,
      text,
      stateDir,
      json,
      timeout: optional(
        option("--timeout", float({ min: 0, metavar: "SECONDS" }), {
          description: message`Wait this long for the answer (default 300; 0: do not wait).`,
        }),
      ),
    }),
    { description: message`Ask a session a question through the hub and print its answer.` },
  ),
  command("hub", object({ ...cmd("hub"), stateDir }), {
    description: message`Serve the live page and the hub API on 127.0.0.1 until Ctrl-C.`,
  }),
  command("doctor", object({ ...cmd("doctor"), ...installerCommon }), {
    description: message`Check the installation and fire each hook once against a temporary store.`,
  }),
  command(
    "install",
    or(
      // The installer's report of what is installed: `lifeline status` lists sessions.
      object({
        ...cmd("installed"),
        status: option("--status", {
          description: message`Say what is installed, where, and whether each handler is trusted.`,
        }),
        ...installerCommon,
      }),
      merge(
        object({
          ...cmd("install"),
          ...installerCommon,
          hints: optional(
            option("--hints", {
              description:
                message`Let lifeline tell Codex once after repeated failures of one tool (off by default).`,
            }),
          ),
        }),
        writing,
        installOnly,
      ),
    ),
    {
      description:
        message`Add lifeline's hooks, trust and notify to Codex's config (--status: what is installed).`,
    },
  ),
  command(
    "uninstall",
    merge(
      object({
        ...cmd("uninstall"),
        ...installerCommon,
        purge: optional(
          option("--purge", { description: message`Remove the state dir (every recorded session) too.` }),
        ),
      }),
      writing,
    ),
    { description: message`Remove exactly what install added.` },
  ),
  command(
    "flush",
    object({
      ...cmd("flush"),
      stateDir,
      json,
      retryParked: optional(
        option("--retry-parked", { description: message`Send parked records again too.` }),
      ),
      dropParked: optional(
        option("--drop-parked", { description: message`Delete parked records instead of sending them.` }),
      ),
    }),
    { description: message`Send every pending forwarding record now, backoff or not.` },
  ),
  command(
    "simulate",
    object({
      ...cmd("simulate"),
      files: multiple(
        argument(string({ metavar: "SCENARIO" }), {
          description: message`Scenario files (.jsonl); default: every bundled scenario.`,
        }),
      ),
      json,
      html: optional(
        option("--html", string({ metavar: "FILE" }), {
          description: message`Also write a self-contained HTML page with the timelines.`,
        }),
      ),
      inProcess: optional(
        option("--in-process", { description: message`Call the hooks as functions instead of processes.` }),
      ),
      verbose: optional(option("--verbose", { description: message`Show every scenario's timeline.` })),
      keep: optional(
        option("--keep", { description: message`Keep each scenario's temporary Codex home and state dir.` }),
      ),
    }),
    { description: message`Replay Codex hook sequences against lifeline's real hooks, without Codex.` },
  ),
);

/** What parsing yields. */
export type Args = InferValue<typeof parser>;
