/**
 * How the dry-run diff looks to a person: a summary first, colour on a
 * terminal (none with `NO_COLOR` or when piped: the caller decides), and
 * long command lines shortened. Display only: `--json` and the files written
 * keep every byte.
 *
 * @module
 */

import type { ChangeReport } from "./apply.ts";

/** The longest line shown whole. */
export const MAX_LINE = 160;

const DENO_RUN = /[^\s"']*\/deno run (?:--[^\s"']+ )+\S*\/(hooks\/[a-z_]+\.ts)((?: --[^\s"'\\]+)*)/g;

/**
 * A line for display: a `/…/deno run --flag… /…/hooks/stop.ts --arg…`
 * command becomes `deno run … hooks/stop.ts …`, and a line still too long
 * keeps its start and end around a `…`.
 *
 * @example
 * ```ts
 * import { shortenLine } from "./display.ts";
 * const s = shortenLine(`"command": "/d/deno run --allow-read=/s --allow-write=/s /a/hooks/stop.ts --x",`);
 * if (s !== `"command": "deno run … hooks/stop.ts …",`) throw new Error(s);
 * ```
 */
export function shortenLine(line: string): string {
  let s = line.replace(
    DENO_RUN,
    (_m, script: string, rest: string) => `deno run … ${script}${rest ? " …" : ""}`,
  );
  if (s.length > MAX_LINE) {
    const keep = Math.floor((MAX_LINE - 3) / 2);
    s = `${s.slice(0, keep)} … ${s.slice(s.length - keep)}`;
  }
  return s;
}

const paint = (code: string, on: boolean) => (s: string) => on ? `\x1b[${code}m${s}\x1b[0m` : s;

/** A unified diff for display: shortened lines, coloured when `color`. */
export function displayDiff(diff: string, color: boolean): string {
  const red = paint("31", color),
    green = paint("32", color),
    cyan = paint("36", color),
    bold = paint("1", color);
  return diff.trimEnd().split("\n").map((l) => {
    const s = shortenLine(l);
    if (l.startsWith("+++") || l.startsWith("---")) return bold(s);
    if (l.startsWith("@@")) return cyan(s);
    if (l.startsWith("+")) return green(s);
    if (l.startsWith("-")) return red(s);
    return s;
  }).join("\n");
}

/** Lines added and removed in a unified diff. */
function counts(diff: string): { added: number; removed: number } {
  const lines = diff.split("\n");
  return {
    added: lines.filter((l) => l.startsWith("+") && !l.startsWith("+++")).length,
    removed: lines.filter((l) => l.startsWith("-") && !l.startsWith("---")).length,
  };
}

/** The summary the diff starts with: what changes, in a few lines. */
export function summary(r: ChangeReport, color: boolean): string {
  const bold = paint("1", color);
  const verb = r.dry_run ? "Would" : "Did";
  const changed = r.files.filter((f) => f.changed);
  const head = r.action === "install"
    ? `${verb} install lifeline for Codex ${r.codex_version ?? `(assumed ${r.profile})`}: ` +
      `${r.handlers.length} hook handlers, ${changed.length} file(s) changed`
    : `${verb} uninstall lifeline: ${changed.length} file(s) changed`;
  const files = r.files.map((f) => {
    if (!f.changed) return `  unchanged ${f.path}`;
    const c = counts(f.diff);
    return `  ${f.path}: +${c.added} -${c.removed} lines`;
  });
  return [bold(head), ...files].join("\n");
}
