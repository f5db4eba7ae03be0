/**
 * Usage errors the way a person wants them: the error first, a "did you
 * mean" for a near miss, then one line saying where the help is; exit 2.
 *
 * @module
 */

import { findSimilar } from "@optique/core/suggestion";
import type { Usage, UsageTerm } from "@optique/core/usage";

function optionNames(terms: readonly UsageTerm[], into: Set<string>): void {
  for (const t of terms) {
    if (t.type === "option") { for (const n of t.names) into.add(n); }
    // A command's own alternatives (`install` or `install --status`): the options of each.
    else if (t.type === "exclusive") { for (const branch of t.terms) optionNames(branch, into); }
    else if ("terms" in t && Array.isArray(t.terms)) optionNames(t.terms as UsageTerm[], into);
  }
}

/** The subcommands and the options each takes, from the parser's usage. */
export function commandOptions(usage: Usage): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const t of usage) {
    if (t.type !== "exclusive") continue;
    for (const branch of t.terms) {
      const head = branch[0];
      if (head?.type !== "command") continue;
      const names = new Set<string>();
      optionNames(branch.slice(1), names);
      out.set(head.name, names);
    }
  }
  return out;
}

/** The subcommand named in `args`, if any. */
export function subcommandOf(args: readonly string[], commands: Iterable<string>): string | undefined {
  const known = new Set(commands);
  return args.find((a) => !a.startsWith("-") && known.has(a));
}

/**
 * The error text optique printed, plus a suggestion when it names an
 * unknown option close to a real one and has none yet.
 */
export function withSuggestion(error: string, args: readonly string[], usage: Usage): string {
  const trimmed = error.trimEnd();
  if (/did you mean/i.test(trimmed)) return trimmed;
  const bad = /`(--?[A-Za-z0-9][\w-]*)(=[^`]*)?`/.exec(trimmed)?.[1];
  if (!bad) return trimmed;
  const opts = commandOptions(usage);
  const sub = subcommandOf(args, opts.keys());
  const candidates = sub ? [...opts.get(sub)!, "--help"] : ["--help", "--version"];
  const near = findSimilar(bad, candidates, { maxDistance: 3 });
  return near.length ? `${trimmed}\n\nDid you mean \`${near[0]}\`?` : trimmed;
}

/** The one hint line under a usage error. */
export function usageHint(args: readonly string[], usage: Usage): string {
  const sub = subcommandOf(args, commandOptions(usage).keys());
  return sub ? `Run \`lifeline ${sub} --help\` for its usage.` : "Run `lifeline --help` for the commands.";
}
