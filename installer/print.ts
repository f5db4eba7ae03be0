/**
 * The installer's reports as text for a person (`--json` prints the objects
 * themselves).
 *
 * @module
 */

import type { ChangeReport } from "./apply.ts";
import type { Check } from "./doctor.ts";
import type { StatusReportJson } from "./status.ts";
import { displayDiff, summary } from "./display.ts";

/**
 * What install or uninstall changed (or would change): a dry run starts with
 * a summary, then the diff (long command lines shortened, coloured when
 * `color`).
 */
export function printChange(r: ChangeReport, color = false): string {
  const lines: string[] = [];
  if (r.dry_run) lines.push(summary(r, color), "");
  for (const f of r.files) {
    if (!f.changed) lines.push(`unchanged ${f.path}`);
    else if (r.dry_run) lines.push(displayDiff(f.diff, color));
    else lines.push(`changed ${f.path}`);
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
        "Check it with: lifeline doctor — then see sessions with: lifeline status",
      );
    }
  } else lines.push(r.dry_run ? "Would uninstall lifeline." : "Uninstalled lifeline.");
  return lines.join("\n");
}

/** What is installed, one handler a line. */
export function printStatus(s: StatusReportJson): string {
  const notify = s.notify.lifeline
    ? "lifeline" + (s.notify.chained ? ` → ${JSON.stringify(s.notify.chained)}` : "")
    : "not lifeline's";
  return [
    `${s.installed ? "lifeline is installed" : "lifeline is not installed"} in ${s.codex_home} (Codex ${
      s.codex_version ?? `not found; assuming ${s.profile}`
    }); store: ${s.state_dir}`,
    `hooks ${s.hooks_enabled ? "enabled" : "DISABLED by [features]"}; notify: ${notify}`,
    ...(s.profile_note ? [`note: ${s.profile_note}`] : []),
    ...s.handlers.map((h) =>
      `  ${h.trusted ? "trusted  " : "UNTRUSTED"} ${
        h.event.padEnd(18)
      } ${s.hooks_json}:${h.group}:${h.handler}`
    ),
  ].join("\n");
}

/** Every check, one a line, then the verdict. */
export function printDoctor(d: { ok: boolean; checks: Check[] }): string {
  const mark = (c: Check) => (c.status === "ok" ? "ok  " : c.status === "warn" ? "warn" : "FAIL");
  return [
    ...d.checks.map((c) => `${mark(c)}  ${c.name.padEnd(24)} ${c.detail}`),
    d.ok ? "\nAll checks passed." : "\nSome checks failed: see FAIL above.",
  ].join("\n");
}
