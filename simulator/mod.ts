/**
 * `deno task simulate [SCENARIO…] [--json] [--html FILE] [--in-process] [--verbose]`:
 * a stand-in for Codex that replays scenarios against lifeline's real hook
 * scripts in a temporary Codex home, and checks what they recorded. With no
 * files, it runs every bundled scenario. Exits 1 when an expectation fails,
 * 2 when a scenario file cannot be read.
 *
 * @module
 */

import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional } from "@optique/core/modifiers";
import { argument, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";
import { run } from "@optique/run";
import { relative } from "node:path";
import { LIFELINE_ROOT } from "../hooks/handlers.ts";
import { parseScenario, type Scenario, ScenarioError } from "./scenario.ts";
import { runScenario, type ScenarioResult } from "./runner.ts";
import { scenarioText, simulateHtml, simulateJson } from "./report.ts";

export { parseScenario, type Scenario, ScenarioError } from "./scenario.ts";
export { type RunOptions, runScenario, type ScenarioResult } from "./runner.ts";
export { check, type ExpectationFailure } from "./expect.ts";
import { recordedDirs } from "./tui_scenarios.ts";
export { scenarioText, simulateHtml, simulateJson } from "./report.ts";

/** The bundled scenarios, sorted. */
export function bundledScenarios(): string[] {
  const dir = `${LIFELINE_ROOT}/simulator/scenarios`;
  const out: string[] = [];
  for (const sub of ["", "recorded/", ...recordedDirs(dir, "tui"), ...recordedDirs(dir, "app_server")]) {
    try {
      for (const e of Deno.readDirSync(`${dir}/${sub}`)) {
        if (e.isFile && e.name.endsWith(".jsonl")) out.push(`${dir}/${sub}${e.name}`);
      }
    } catch { /* no such folder */ }
  }
  return out.sort();
}

/** Reads and parses scenario files; the first bad one throws a {@link ScenarioError}. */
export function loadScenarios(files: readonly string[]): Scenario[] {
  return files.map((f) => {
    let text: string;
    try {
      text = Deno.readTextFileSync(f);
    } catch (e) {
      throw new ScenarioError(f, 0, `cannot read the file: ${(e as Error).message}`);
    }
    const shown = f.startsWith(LIFELINE_ROOT + "/") ? relative(LIFELINE_ROOT, f) : f;
    return parseScenario(text, shown);
  });
}

/** What `simulate` was asked to do. */
export interface SimulateArgs {
  files: readonly string[];
  json?: boolean | undefined;
  html?: string | undefined;
  inProcess?: boolean | undefined;
  verbose?: boolean | undefined;
  keep?: boolean | undefined;
}

/** Runs scenarios, prints their reports, returns the exit code (the task and `lifeline simulate`). */
export async function simulate(
  args: SimulateArgs,
  io: { out: (s: string) => void; err: (s: string) => void },
): Promise<number> {
  const { out, err } = io;
  let scenarios: Scenario[];
  try {
    scenarios = loadScenarios(args.files.length ? args.files : bundledScenarios());
  } catch (e) {
    err(`lifeline simulate: ${(e as Error).message}`);
    return 2;
  }
  if (scenarios.length === 0) {
    err("lifeline simulate: no scenarios found");
    return 2;
  }
  const results: ScenarioResult[] = [];
  const t0 = performance.now();
  for (const [i, sc] of scenarios.entries()) {
    err(`[${i + 1}/${scenarios.length}] ${sc.header.name} …`);
    const r = await runScenario(sc, { inProcess: args.inProcess === true, keep: args.keep === true });
    results.push(r);
    if (!args.json) out(scenarioText(r, args.verbose === true));
  }
  const summary = simulateJson(results);
  if (args.html) {
    await Deno.writeTextFile(args.html, simulateHtml(results));
    err(`wrote ${args.html}`);
  }
  if (args.json) out(JSON.stringify(summary, null, 2));
  else {
    const runs = results.reduce((n, r) => n + r.hook_runs, 0);
    const daemon = results.filter((r) => r.app_server);
    const notes = daemon.reduce((n, r) => n + (r.app_server?.notifications ?? 0), 0);
    const appServer = daemon.length ? ` (${daemon.length} with the app-server, ${notes} notifications)` : "";
    out(
      `\n${summary.passed} passed, ${summary.failed} failed: ${results.length} scenarios${appServer}, ${runs} hook runs in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
  }
  return summary.failed > 0 ? 1 : 0;
}

if (import.meta.main) {
  const args = run(
    object({
      files: multiple(
        argument(string({ metavar: "SCENARIO" }), {
          description: message`Scenario files (.jsonl); default: every bundled scenario.`,
        }),
      ),
      json: optional(
        option("--json", {
          description: message`Print the JSON summary (shape in the README) instead of text.`,
        }),
      ),
      html: optional(
        option("--html", string({ metavar: "FILE" }), {
          description: message`Also write a self-contained HTML page with the timelines.`,
        }),
      ),
      inProcess: optional(
        option("--in-process", {
          description: message`Call lifeline's hooks as functions instead of processes (faster, same logic).`,
        }),
      ),
      verbose: optional(
        option("--verbose", { description: message`Show every scenario's timeline, not only failing ones.` }),
      ),
      keep: optional(
        option("--keep", { description: message`Keep each scenario's temporary Codex home and state dir.` }),
      ),
    }),
    {
      programName: "deno task simulate",
      brief: message`Replay Codex hook sequences against lifeline's real hooks, without Codex.`,
      help: "option",
    },
  );
  const line = (w: typeof Deno.stdout) => (s: string) => w.writeSync(new TextEncoder().encode(s + "\n"));
  Deno.exit(await simulate(args, { out: line(Deno.stdout), err: line(Deno.stderr) }));
}
