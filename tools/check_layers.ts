/**
 * `deno task layers`: checks the layering rules of `docs/layout.md` over the
 * module graph that `deno info --json` reports, and names the file and line
 * of every import that breaks one:
 *
 * - R1 a module imports only its own folder or a lower layer; the root `mod.ts`
 *   imports codex/ and lifecycle/ only;
 * - R2 no import of another folder's `_private.ts` file;
 * - R3 nothing outside tests/ imports tests/;
 * - R4 the import graph of every hook entry (`hooks/<event>.ts`, `hooks/notify.ts`)
 *   holds no npm or jsr package.
 *
 * One `deno info` call covers every source module: it is given a generated
 * module that imports them all, so the graph is built once (well under a second).
 *
 * Violations listed in `tools/layers_known.txt` (without their line number,
 * which moves with every edit) are allowed; the rest make the check fail.
 * `--all` ignores that list; `--root=DIR` checks another checkout.
 *
 * @module
 */

import { isAbsolute, join, relative } from "node:path";
import { pathToFileURL } from "node:url";

/** Folder ranks: a module may import its own folder or a folder of a lower rank. */
export const RANKS: Readonly<Record<string, number>> = {
  codex: 0,
  lifecycle: 1,
  hub: 2,
  hooks: 3,
  installer: 4,
  simulator: 5,
  cli: 6,
  bench: 7,
  tools: 7,
  tests: 7,
};

/** The folders the root `mod.ts` may import. */
const ROOT_MAY_IMPORT = new Set(["codex", "lifecycle"]);

/** One broken rule at one import. */
export interface Violation {
  /** Path relative to the checked root, with `/`. */
  file: string;
  /** 1-based line of the import statement. */
  line: number;
  rule: "R1" | "R2" | "R3" | "R4";
  what: string;
}

/** `file:line: R<n> what`, the form printed and grepped for. */
export function formatViolation(v: Violation): string {
  return `${v.file}:${v.line}: ${v.rule} ${v.what}`;
}

/** `file: R<n> what`, the form of `tools/layers_known.txt` (lines move; the import does not). */
export function violationKey(v: Violation): string {
  return `${v.file}: ${v.rule} ${v.what}`;
}

/** The part of `deno info --json` this reads. */
export interface ModuleGraph {
  modules: {
    specifier: string;
    error?: string;
    dependencies?: { specifier: string; code?: Resolved; type?: Resolved }[];
  }[];
}
interface Resolved {
  specifier?: string;
  span?: { start: { line: number } };
}

/** One import site: who imports what, at which 1-based line (of the specifier). */
export interface Edge {
  from: string;
  to: string;
  line: number;
}

const SOURCE = /\.(ts|tsx|mts|js|mjs)$/;

/** The first path segment of `rel` (`""` for a file at the root). */
export function folderOf(rel: string): string {
  const i = rel.indexOf("/");
  return i < 0 ? "" : rel.slice(0, i);
}

function isPackage(specifier: string): boolean {
  return specifier.startsWith("npm:") || specifier.startsWith("jsr:") ||
    specifier.startsWith("https://jsr.io/");
}

/** Every source module under the ranked folders, plus the root `mod.ts` (paths relative to root). */
export function sourceModules(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(join(root, dir))];
    } catch {
      return; // a folder that does not exist yet (cli/, tools/ in older trees)
    }
    for (const e of entries) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory && e.name !== "node_modules" && rel !== "tests/testdata") walk(rel);
      else if (e.isFile && SOURCE.test(e.name)) out.push(rel);
    }
  };
  for (const f of Object.keys(RANKS)) walk(f);
  try {
    if (Deno.statSync(join(root, "mod.ts")).isFile) out.push("mod.ts");
  } catch { /* no root module */ }
  return out.sort();
}

/** Runs `deno info --json` once over all of `files` (relative to `root`). */
export async function moduleGraph(root: string, files: string[]): Promise<ModuleGraph> {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-layers-" });
  try {
    const entry = join(dir, "all.ts");
    const lines = files.map((f) => `import ${JSON.stringify(pathToFileURL(join(root, f)).href)};`);
    await Deno.writeTextFile(entry, lines.join("\n") + "\n");
    // --no-npm/--no-remote: packages are only named, never fetched; the specifier is all R4 needs.
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--no-npm", "--no-remote", "--config", join(root, "deno.json"), entry],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `Cannot build the module graph: deno info failed: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
    return JSON.parse(new TextDecoder().decode(out.stdout)) as ModuleGraph;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The import sites of the graph, from modules inside `root` (targets as given by deno: URLs or `npm:`). */
export function edges(graph: ModuleGraph, root: string): Edge[] {
  const base = pathToFileURL(root.endsWith("/") ? root : root + "/").href;
  const out: Edge[] = [];
  for (const m of graph.modules) {
    if (!m.specifier.startsWith(base)) continue;
    const from = decodeURIComponent(m.specifier.slice(base.length));
    for (const d of m.dependencies ?? []) {
      for (const r of [d.code, d.type]) {
        if (!r?.specifier || !r.span) continue;
        const to = r.specifier.startsWith(base)
          ? decodeURIComponent(r.specifier.slice(base.length))
          : r.specifier;
        out.push({ from, to, line: r.span.start.line + 1 });
      }
    }
  }
  return out;
}

const ENTRY_BLOCK = /\bimport\.meta\.main\b/;

/** The hook entries: `hooks/*.ts` not starting with `_` that run as a program (an `import.meta.main` block). */
export function hookEntries(files: string[], read: (rel: string) => string): string[] {
  return files.filter((f) => /^hooks\/[^_/][^/]*\.ts$/.test(f) && ENTRY_BLOCK.test(read(f)));
}

/** The line of the statement that holds the specifier on `line`: multi-line imports start higher up. */
export function statementLine(text: string, line: number): number {
  const lines = text.split("\n");
  for (let l = line; l >= 1 && l > line - 40; l--) {
    const s = lines[l - 1] ?? "";
    if (/^\s*(import|export)\b/.test(s) || /\bimport\s*\(/.test(s)) return l;
  }
  return line;
}

/** The rules, applied to the import sites. Pure: `read` gives a module's text (for lines and entries). */
export function violations(es: Edge[], files: string[], read: (rel: string) => string): Violation[] {
  const out: Violation[] = [];
  const at = (e: Edge, rule: Violation["rule"], what: string) =>
    out.push({ file: e.from, line: statementLine(read(e.from), e.line), rule, what });
  for (const e of es) {
    if (isPackage(e.to) || isAbsolute(e.to) || /^[a-z]+:/.test(e.to)) continue;
    const [from, to] = [folderOf(e.from), folderOf(e.to)];
    if (from === to) continue;
    if (to === "tests") {
      at(e, "R3", `imports ${e.to}: nothing outside tests/ imports tests/`);
      continue;
    }
    if (from === "") {
      if (!ROOT_MAY_IMPORT.has(to)) {
        at(e, "R1", `imports ${e.to}: the root mod.ts imports codex/ and lifecycle/ only`);
      }
    } else if (to === "") {
      if (!["bench", "tools", "tests"].includes(from)) {
        at(e, "R1", `imports ${e.to}: only bench/, tools/ and tests/ import the root mod.ts`);
      }
    } else if (!(from in RANKS && to in RANKS)) {
      at(e, "R1", `imports ${e.to}: ${from}/ or ${to}/ is not a ranked folder`);
    } else if (!(RANKS[to]! < RANKS[from]! || (from === "tests" && RANKS[to] === RANKS.tests))) {
      at(e, "R1", `imports ${e.to}: ${from}/ (L${RANKS[from]}) may not import ${to}/ (L${RANKS[to]})`);
    }
    if (/(^|\/)_[^/]*$/.test(e.to)) at(e, "R2", `imports ${e.to}: another folder's private file`);
  }
  // R4: walk each hook's graph; report the import that brings a package in, once per site.
  const next = new Map<string, Edge[]>();
  for (const e of es) {
    const list = next.get(e.from);
    if (list) list.push(e);
    else next.set(e.from, [e]);
  }
  const sites = new Map<string, { e: Edge; hooks: string[] }>();
  const hooks = hookEntries(files, read);
  if (files.some((f) => f.startsWith("hooks/")) && hooks.length === 0) {
    // Without entries R4 would pass vacuously: say so instead.
    throw new Error("Cannot check R4: no hook entry in hooks/ (a hooks/*.ts with an import.meta.main block)");
  }
  for (const hook of hooks) {
    const seen = new Set([hook]);
    const queue = [hook];
    while (queue.length) {
      for (const e of next.get(queue.shift()!) ?? []) {
        if (isPackage(e.to)) {
          const k = `${e.from}\n${e.line}\n${e.to}`;
          const s = sites.get(k) ?? { e, hooks: [] };
          s.hooks.push(hook);
          sites.set(k, s);
        } else if (!seen.has(e.to)) {
          seen.add(e.to);
          queue.push(e.to);
        }
      }
    }
  }
  for (const { e, hooks } of sites.values()) {
    const more = hooks.length > 1 ? ` and ${hooks.length - 1} more hook(s)` : "";
    at(e, "R4", `imports ${e.to}: a package in the import graph of ${hooks[0]}${more}`);
  }
  const seen = new Set<string>();
  return out
    .filter((v) => !seen.has(formatViolation(v)) && seen.add(formatViolation(v)))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
}

/** Checks the tree at `root`. */
export async function checkLayers(root: string): Promise<Violation[]> {
  const files = sourceModules(root);
  const graph = await moduleGraph(root, files);
  const cache = new Map<string, string>();
  const read = (rel: string) => {
    if (!cache.has(rel)) {
      let text = "";
      try {
        text = Deno.readTextFileSync(join(root, rel));
      } catch { /* outside the tree */ }
      cache.set(rel, text);
    }
    return cache.get(rel)!;
  };
  return violations(edges(graph, root), files, read);
}

/** The allowed violations of a `layers_known.txt` text: one `file: R<n> what` per line, `#` comments. */
export function parseKnown(text: string): Set<string> {
  return new Set(text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")));
}

if (import.meta.main) {
  const arg = (n: string) => Deno.args.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);
  const root = arg("root") ?? decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
  const knownPath = join(root, "tools/layers_known.txt");
  let known = new Set<string>();
  if (!Deno.args.includes("--all")) {
    try {
      known = parseKnown(Deno.readTextFileSync(knownPath));
    } catch { /* no allow-list: every violation counts */ }
  }
  let found: Violation[];
  try {
    found = await checkLayers(root);
  } catch (e) {
    Deno.stderr.writeSync(new TextEncoder().encode(`layers: ${(e as Error).message}\n`));
    Deno.exit(2);
  }
  const fresh = found.filter((v) => !known.has(violationKey(v)));
  const write = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s + "\n"));
  for (const v of fresh) write(formatViolation(v));
  const keys = new Set(found.map(violationKey));
  const stale = [...known].filter((k) => !keys.has(k));
  const rel = relative(Deno.cwd(), knownPath) || knownPath;
  for (const k of stale) write(`${rel}: no longer occurs, remove it: ${k}`);
  const allowed = found.length - fresh.length;
  write(
    fresh.length
      ? `layers: ${fresh.length} violation(s)${allowed ? `, ${allowed} more allowed by ${rel}` : ""}`
      : `layers: ok (${sourceModules(root).length} modules${
        allowed ? `, ${allowed} allowed by ${rel}` : ""
      })`,
  );
  Deno.exit(fresh.length ? 1 : 0);
}
