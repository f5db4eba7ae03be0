/**
 * `deno run -A installer/mod.ts install|uninstall|status|doctor [--codex-home DIR]
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
import { change, type ChangeReport, doctor, realPorts, status, UsageError } from "./commands.ts";
import { realFs, recordingFs } from "./fs.ts";
import { InstallError } from "./plan.ts";
import { TomlEditError } from "./_toml.ts";

export { change, doctor, planFor, resolveOptions, status } from "./commands.ts";
export { type Manifest, planInstall, planUninstall } from "./plan.ts";
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

const parser = or(
  command("install", merge(object({ cmd: constant("install" as const) }), common, writing), {
    description: message`Add lifeline's hooks, trust entries and notify to Codex's config.`,
  }),
  command("uninstall", merge(object({ cmd: constant("uninstall" as const) }), common, writing), {
    description: message`Remove exactly what install added.`,
  }),
  command("status", merge(object({ cmd: constant("status" as const) }), common), {
    description: message`Say what is installed, where, and whether each handler is trusted.`,
  }),
  command("doctor", merge(object({ cmd: constant("doctor" as const) }), common), {
    description: message`Check the installation and fire each hook once against a temporary store.`,
  }),
);

function printChange(r: ChangeReport): string {
  const lines: string[] = [];
  const verb = r.dry_run ? "would change" : "changed";
  for (const f of r.files) {
    if (!f.changed) lines.push(`unchanged ${f.path}`);
    else if (r.dry_run) lines.push(f.diff.trimEnd());
    else lines.push(`${verb} ${f.path} (backup: ${f.path}.lifeline.bak)`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.action === "install") {
    lines.push(
      `${r.dry_run ? "Would install" : "Installed"} ${r.handlers.length} hook handlers for Codex ${
        r.codex_version ?? `(assumed ${r.profile})`
      } into ${r.codex_home}; sessions are recorded in ${r.state_dir}.`,
    );
    if (!r.dry_run) {
      lines.push(
        "Check it with: deno run -A installer/mod.ts doctor — then see sessions with: deno task status",
      );
    }
  } else lines.push(r.dry_run ? "Would uninstall lifeline." : "Uninstalled lifeline.");
  return lines.join("\n");
}

if (import.meta.main) {
  const args = run(parser, {
    programName: "deno run -A installer/mod.ts",
    brief: message`Install lifeline's hooks into OpenAI Codex CLI, safely and reversibly.`,
    help: "both",
    completion: "both",
  });
  const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s + "\n"));
  const err = (s: string) => Deno.stderr.writeSync(new TextEncoder().encode(s + "\n"));
  try {
    if (args.cmd === "install" || args.cmd === "uninstall") {
      const dryRun = args.dryRun === true;
      if (!dryRun && args.yes !== true) {
        // Show what would change, then ask (only a person at a terminal can answer).
        const preview = change(args.cmd, { ...args, dryRun: true }, realPorts(recordingFs()));
        if (!preview.files.some((f) => f.changed)) {
          out(args.json ? JSON.stringify(preview, null, 2) : printChange(preview));
          Deno.exit(0);
        }
        if (!Deno.stdin.isTerminal()) {
          err(
            `lifeline: not writing anything: stdin is not a terminal, so I cannot ask before changing ${
              preview.files.filter((f) => f.changed).map((f) => f.path).join(" and ")
            }.\nRun again with --yes to apply, or with --dry-run to see the diff.`,
          );
          Deno.exit(2);
        }
        out(printChange(preview));
        const answer = prompt(`Apply these changes? [y/N]`);
        if (!/^y(es)?$/i.test(answer?.trim() ?? "")) {
          err("lifeline: nothing changed");
          Deno.exit(1);
        }
      }
      const r = change(args.cmd, { ...args, dryRun }, realPorts(dryRun ? recordingFs() : realFs));
      out(args.json ? JSON.stringify(r, null, 2) : printChange(r));
    } else if (args.cmd === "status") {
      const s = status(args, realPorts(realFs));
      if (args.json) out(JSON.stringify(s, null, 2));
      else {
        out(
          `${s.installed ? "lifeline is installed" : "lifeline is not installed"} in ${s.codex_home} (Codex ${
            s.codex_version ?? `not found; assuming ${s.profile}`
          }); store: ${s.state_dir}`,
        );
        out(
          `hooks ${s.hooks_enabled ? "enabled" : "DISABLED by [features]"}; notify: ${
            s.notify.lifeline
              ? "lifeline" + (s.notify.chained ? ` → ${JSON.stringify(s.notify.chained)}` : "")
              : "not lifeline's"
          }`,
        );
        for (const h of s.handlers) {
          out(
            `  ${h.trusted ? "trusted  " : "UNTRUSTED"} ${
              h.event.padEnd(18)
            } ${s.hooks_json}:${h.group}:${h.handler}`,
          );
        }
      }
    } else {
      const d = await doctor(args, realPorts(realFs));
      if (args.json) out(JSON.stringify(d, null, 2));
      else {
        for (const c of d.checks) {
          out(
            `${c.status === "ok" ? "ok  " : c.status === "warn" ? "warn" : "FAIL"}  ${
              c.name.padEnd(24)
            } ${c.detail}`,
          );
        }
        out(d.ok ? "\nAll checks passed." : "\nSome checks failed: see FAIL above.");
      }
      Deno.exit(d.ok ? 0 : 1);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`lifeline: ${e.message}`);
      Deno.exit(e.exitCode);
    }
    if (e instanceof InstallError || e instanceof TomlEditError) {
      err(`lifeline: ${e.message}`);
      Deno.exit(1);
    }
    throw e;
  }
}
