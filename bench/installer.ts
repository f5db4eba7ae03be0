/**
 * Installer speed: planning (parse, edit, verify) an install and an uninstall
 * on a 500-line config.toml, excluding process start-up.
 *
 * @module
 */

import { HOOK_EVENTS } from "../codex/events.ts";
import { LATEST_PROFILE } from "../codex/profiles.ts";
import { planInstall, planUninstall } from "../installer/plan.ts";

/** A realistic config of about `lines` lines: comments, profiles, MCP servers with inline env tables. */
export function bigConfig(lines: number): string {
  const out = [
    "# generated for the installer bench",
    'model = "gpt-5.4"',
    'approval_policy = "on-request"',
    'notify = ["notify-send", "Codex"]',
    "",
    "[features]",
    "codex_hooks = true",
    "",
    "[history]",
    "max_bytes = 1000000",
  ];
  for (let i = 0; out.length < lines; i++) {
    if (i % 3 === 0) {
      out.push(
        "",
        `# profile ${i}`,
        `[profiles.p${i}]`,
        `model = "gpt-5-mini" # cheap`,
        'model_reasoning_effort = "low"',
      );
    } else {out.push(
        "",
        `[mcp_servers.server_${i}]`,
        'command = "npx"',
        `args = ["-y", "@acme/mcp-${i}@1.0.0"]`,
        `env = { TOKEN = "t${i}", REGION = "eu", DEBUG = "0" }`,
        `startup_timeout_sec = ${10 + i}`,
      );}
  }
  return out.join("\n") + "\n";
}

/** Median milliseconds of `fn` over `runs` runs (after one warm-up). */
export function medianMs(fn: () => void, runs: number): number {
  fn();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)]!;
}

/** Plans install and uninstall on a `lines`-line config; returns median ms of each. */
export function installerTimes(
  lines = 500,
  runs = 15,
): { lines: number; install: number; uninstall: number } {
  const text = bigConfig(lines);
  const places = {
    deno: "/opt/deno/bin/deno",
    root: "/opt/lifeline",
    stateDir: "/home/u/.lifeline",
    codexHome: "/home/u/.codex",
  };
  const o = { places, events: HOOK_EVENTS, profile: LATEST_PROFILE, now: new Date() };
  const config = { path: "/home/u/.codex/config.toml", text };
  const hooks = { path: "/home/u/.codex/hooks.json", text: undefined };
  const plan = planInstall(config, hooks, undefined, o);
  const edited = plan.config.after!.replace('model = "gpt-5.4"', 'model = "gpt-5"'); // forces the surgical path
  return {
    lines: text.split("\n").length - 1,
    install: medianMs(() => planInstall(config, hooks, undefined, o), runs),
    uninstall: medianMs(
      () =>
        planUninstall(
          { ...config, text: edited },
          { ...hooks, text: plan.hooks.after },
          plan.manifest!,
          places.root,
        ),
      runs,
    ),
  };
}

if (import.meta.main) {
  Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(installerTimes()) + "\n"));
}
