/**
 * `deno run -A --no-lock installer/mod.ts install|uninstall|status|doctor [--codex-home DIR]
 * [--state-dir DIR] [--events LIST] [--dry-run] [--yes] [--json]`
 *
 * Installs lifeline's hooks into Codex (`$CODEX_HOME/hooks.json`, trust
 * entries and `notify` in `config.toml`), safely and reversibly: every edit
 * keeps comments and layout, is checked by re-parsing before it is written,
 * is atomic with a backup next to the file, and is recorded in a manifest in
 * the state dir so that `uninstall` removes exactly it.
 *
 * @module
 */

import { merge, object, or } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { optional } from "@optique/core/modifiers";
import { command, constant, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { run } from "@optique/run";
import { applyPlan, changeReport, planFor } from "./apply.ts";
import { checkAfterWrite, checkCurrent, checkPlanned } from "./codex_check.ts";
import { doctor } from "./doctor.ts";
import { EXIT_FAILURE, EXIT_USAGE, InstallerError, UsageError } from "./errors.ts";
import { realFs } from "./fs.ts";
import { realPorts } from "./ports.ts";
import { printChange, printDoctor, printStatus } from "./print.ts";
import type { CommonOptions } from "./options.ts";
import { status } from "./status.ts";

export { applyPlan, change, type ChangeReport, changeReport, planFor, type Planned } from "./apply.ts";
export { type Check, doctor } from "./doctor.ts";
export { EXIT_FAILURE, EXIT_USAGE, InstallerError, UsageError } from "./errors.ts";
export { type Manifest, readManifest, validateManifest } from "./manifest.ts";
export { type CommonOptions, type Resolved, resolveOptions } from "./options.ts";
export { planInstall, planUninstall } from "./plan.ts";
export { type Ports, realPorts } from "./ports.ts";
export { status, type StatusReportJson } from "./status.ts";
export { unifiedDiff } from "./diff.ts";

const common = object({
  codexHome: optional(
    option("--codex-home", string({ metavar: "DIR" }), {
      description: message`Codex's home (default $CODEX_HOME or ~/.codex).`,
    }),
  ),
  stateDir: optional(
    option("--state-dir", string({ metavar: "DIR" }), {
      description: message`lifeline's store (default $LIFELINE_STATE_DIR or ~/.lifeline).`,
    }),
  ),
  json: optional(option("--json", { description: message`Print a JSON report.` })),
  binDir: optional(
    option("--bin-dir", string({ metavar: "DIR" }), {
      description: message`Where the lifeline command goes (default ~/.local/bin).`,
    }),
  ),
  codexVersion: optional(
    option("--codex-version", string({ metavar: "VERSION" }), {
      description: message`Assume this Codex version instead of asking \`codex --version\`.`,
    }),
  ),
});
const writing = object({
  events: optional(
    option("--events", string({ metavar: "LIST" }), {
      description: message`Comma-separated hook events to install (default: all the Codex version fires).`,
    }),
  ),
  dryRun: optional(
    option("--dry-run", {
      description: message`Print a unified diff of every file it would touch; write nothing.`,
    }),
  ),
  yes: optional(
    option("--yes", {
      description: message`Do not ask before writing (needed when stdin is not a terminal).`,
    }),
  ),
});
const installOnly = object({
  hints: optional(
    option("--hints", {
      description:
        message`Let lifeline tell Codex once after repeated failures of one tool (off by default).`,
    }),
  ),
  force: optional(
    option("--force", {
      description: message`Write even when the installed Codex refuses to load the config (shown as a note).`,
    }),
  ),
});
const uninstallOnly = object({
  purge: optional(
    option("--purge", { description: message`Remove the state dir (every recorded session) too.` }),
  ),
});

const parser = or(
  command("install", merge(object({ cmd: constant("install" as const) }), common, writing, installOnly), {
    description: message`Add lifeline's hooks, trust entries and notify to Codex's config.`,
  }),
  command(
    "uninstall",
    merge(object({ cmd: constant("uninstall" as const) }), common, writing, uninstallOnly),
    {
      description: message`Remove exactly what install added.`,
    },
  ),
  command("status", merge(object({ cmd: constant("status" as const) }), common), {
    description: message`Say what is installed, where, and whether each handler is trusted.`,
  }),
  command("doctor", merge(object({ cmd: constant("doctor" as const) }), common), {
    description: message`Check the installation and fire each hook once against a temporary store.`,
  }),
);

const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s + "\n"));
const err = (s: string) => Deno.stderr.writeSync(new TextEncoder().encode(s + "\n"));

/** How help and errors name this entry point. */
const PROGRAM = "deno run -A --no-lock installer/mod.ts";

/**
 * Whether `args` ask for a completion script. A script registers a command
 * name, which `deno run …` is not; the script is the `lifeline` command's,
 * whose subcommands include these, and it asks `lifeline` on PATH as you type.
 */
export function asksCompletion(args: readonly string[]): boolean {
  return args[0] === "completion" || args.some((a) => a === "--completion" || a.startsWith("--completion="));
}

type Args = ReturnType<typeof parse>;
function parse(args: readonly string[]) {
  if (args.length === 0) args = ["--help"]; // a bare command shows what it can do
  const completion = asksCompletion(args);
  if (completion && !args.includes("--help")) {
    err("note: this completes the lifeline command that install puts on your PATH");
  }
  return run(parser, {
    programName: completion ? "lifeline" : PROGRAM,
    args,
    brief: message`Install lifeline's hooks into OpenAI Codex CLI, safely and reversibly.`,
    help: "both",
    completion: "both",
    aboveError: "none",
    errorExitCode: EXIT_USAGE,
  });
}

/** Install or uninstall: plan once, show it, ask, then write exactly the plan that was shown. */
async function changeCommand(args: Extract<Args, { cmd: "install" | "uninstall" }>): Promise<number> {
  const dryRun = args.dryRun === true;
  const ports = realPorts(realFs);
  // Install asks the installed Codex whether it loads the config: as it is, as planned, as written.
  const force = "force" in args && args.force === true;
  const current = args.cmd === "install" ? await checkCurrent(args, ports, force) : undefined;
  const planned = planFor(args.cmd, args, ports);
  const asked = current && await checkPlanned(planned, current, ports.codexAccepts, force);
  planned.plan.notes.push(...current?.notes ?? [], ...asked?.notes ?? []);
  const preview = changeReport(planned, true);
  // Colour only for a person at a terminal who did not ask for none (https://no-color.org).
  const color = Deno.stdout.isTerminal() && !Deno.noColor;
  const print = (r: typeof preview) => out(args.json ? JSON.stringify(r, null, 2) : printChange(r, color));
  if (dryRun) {
    print(preview);
    return 0;
  }
  if (args.yes !== true) {
    if (!preview.files.some((f) => f.changed)) {
      print(preview);
      return 0;
    }
    // Only a person at a terminal can answer the question.
    if (!Deno.stdin.isTerminal()) {
      throw new UsageError(
        `not writing anything: stdin is not a terminal, so I cannot ask before changing ${
          preview.files.filter((f) => f.changed).map((f) => f.path).join(" and ")
        }.\nRun again with --yes to apply, or with --dry-run to see the diff.`,
      );
    }
    out(printChange(preview, color));
    const answer = prompt(`Apply these changes? [y/N]`);
    if (!/^y(es)?$/i.test(answer?.trim() ?? "")) throw new InstallerError("nothing changed", EXIT_FAILURE);
  }
  applyPlan(planned, realFs);
  if (asked) {
    planned.plan.notes.push(...await checkAfterWrite(planned, asked, ports.codexAccepts, realFs, force));
  }
  print(changeReport(planned, false));
  return 0;
}

/** An installer command as `lifeline install|uninstall|doctor` parsed it. */
export interface InstallerCommand extends CommonOptions {
  cmd: "install" | "uninstall" | "status" | "doctor";
  json?: boolean | undefined;
  dryRun?: boolean | undefined;
  yes?: boolean | undefined;
}

/** Runs an installer command: what `lifeline install|uninstall|doctor` call. */
export function runInstaller(args: InstallerCommand): Promise<number> {
  return main(args as Args);
}

async function main(args: Args): Promise<number> {
  if (args.cmd === "install" || args.cmd === "uninstall") return await changeCommand(args);
  if (args.cmd === "status") {
    const s = status(args, realPorts(realFs));
    out(args.json ? JSON.stringify(s, null, 2) : printStatus(s));
    return 0;
  }
  const d = await doctor(args, realPorts(realFs));
  out(args.json ? JSON.stringify(d, null, 2) : printDoctor(d));
  return d.ok ? 0 : EXIT_FAILURE;
}

if (import.meta.main) {
  const args = parse(Deno.args);
  let code: number;
  try {
    code = await main(args);
  } catch (e) {
    if (!(e instanceof InstallerError)) throw e;
    err(`lifeline: ${e.message}`);
    code = e.exitCode;
  }
  Deno.exit(code);
}
