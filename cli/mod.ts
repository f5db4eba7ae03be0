/**
 * `lifeline`: the one command for everything lifeline does — see sessions
 * (`status`, `watch`, `show`), reach them (`send`, `ask`, `hub`), install
 * into Codex (`install`, `uninstall`, `doctor`), forward (`flush`), replay
 * (`simulate`), and `completion bash|zsh|fish`. The deno tasks run it too.
 *
 * Usage errors print the error first, then one hint line, and exit 2.
 *
 * @module
 */

import { message } from "@optique/core/message";
import { run } from "@optique/run";
import { serveHub } from "../hub/serve.ts";
import { runInstaller } from "../installer/mod.ts";
import { InstallerError } from "../installer/errors.ts";
import { readSettings, type Settings } from "../lifecycle/settings.ts";
import { simulate } from "../simulator/mod.ts";
import {
  flushCommand,
  type Io,
  messageCommand,
  showCommand,
  statusCommand,
  watchCommand,
} from "./commands.ts";
import { CliError } from "./messages.ts";
import { type Args, parser } from "./parser.ts";
import { style, useColor } from "./style.ts";
import { usageHint, withSuggestion } from "./usage.ts";
import { VERSION } from "./version.ts";

export { type Args, parser } from "./parser.ts";
export { VERSION } from "./version.ts";

/** Exit code of a usage error. */
export const EXIT_USAGE = 2;

const line = (w: { writeSync(b: Uint8Array): number }) => (s: string) =>
  w.writeSync(new TextEncoder().encode(s.endsWith("\n") ? s : s + "\n"));

class Exit {
  constructor(readonly code: number) {}
}

/**
 * Parses `argv`. Help, version and completion print and give `{ exit: 0 }`;
 * a usage error prints the error, a suggestion and one hint line to stderr
 * and gives `{ exit: 2 }`.
 */
export function parseArgs(argv: readonly string[], colors: boolean): Args | { exit: number } {
  const args = argv.length === 0 ? ["--help"] : argv;
  let errText = "";
  try {
    return run(parser, {
      programName: "lifeline",
      args,
      brief: message`See, reach and record OpenAI Codex CLI sessions.`,
      help: "both",
      version: VERSION,
      completion: "command",
      aboveError: "none",
      errorExitCode: EXIT_USAGE,
      colors,
      stderr: (t) => (errText += t + "\n"),
      onExit: (code) => {
        throw new Exit(code);
      },
    });
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    const err = line(Deno.stderr);
    if (e.code !== 0 && errText) {
      err(withSuggestion(errText, args, parser.usage));
      err(usageHint(args, parser.usage));
    } else if (errText) err(errText);
    return { exit: e.code };
  }
}

/** Runs parsed arguments; returns the exit code. */
export async function main(a: Args, settings: Settings, io: Io): Promise<number> {
  switch (a.cmd) {
    case "status":
      return statusCommand(a, settings, io);
    case "show":
      return showCommand(a, settings, io);
    case "watch": {
      const stop = new AbortController();
      const onInt = () => stop.abort();
      Deno.addSignalListener("SIGINT", onInt);
      try {
        return await watchCommand(a, settings, {
          ...io,
          isTerminal: Deno.stdout.isTerminal(),
          signal: stop.signal,
        });
      } finally {
        Deno.removeSignalListener("SIGINT", onInt);
      }
    }
    case "send":
    case "ask":
      return await messageCommand(a, settings, io);
    case "flush":
      return await flushCommand(a, settings, io);
    case "hub":
      return await serveHub({ ...settings, stateDir: a.stateDir ?? settings.stateDir }, io);
    case "simulate":
      return await simulate(a, io);
    case "installed":
      return await runInstaller({ ...a, cmd: "status" });
    default:
      return await runInstaller(a);
  }
}

if (import.meta.main) {
  const env = (k: string) => Deno.env.get(k);
  const colors = useColor(env, Deno.stdout.isTerminal());
  const args = parseArgs(Deno.args, colors);
  if ("exit" in args) Deno.exit(args.exit);
  const io: Io = {
    out: line(Deno.stdout),
    err: line(Deno.stderr),
    style: style(colors),
    now: () => new Date(),
  };
  let code: number;
  try {
    code = await main(args, readSettings(env), io);
  } catch (e) {
    if (e instanceof Deno.errors.BrokenPipe) Deno.exit(0); // the reader is gone, e.g. `lifeline watch | head`
    if (!(e instanceof CliError) && !(e instanceof InstallerError)) throw e;
    io.err(`lifeline: ${e.message}`);
    // The installer's usage errors carry their own hint; ours get the one line.
    if (e instanceof CliError && e.exitCode === EXIT_USAGE) io.err(usageHint(Deno.args, parser.usage));
    code = e.exitCode;
  }
  Deno.exit(code);
}
