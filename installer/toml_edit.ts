/**
 * Format-preserving edits of `config.toml`. Edits go through
 * `@decimalturn/toml-patch`, or through surgical text edits at positions found
 * in the concrete syntax tree of `toml-eslint-parser` where toml-patch does
 * not produce the layout a person expects (a key rename, new trust tables).
 * Every result is re-parsed with `smol-toml` and compared with the intended
 * document: a file that fails that check is never written.
 *
 * @module
 */

import { patch, TomlFormat } from "@decimalturn/toml-patch";
import { parse as smolParse } from "smol-toml";
import { parseTOML } from "toml-eslint-parser";
import { isDeepStrictEqual } from "node:util";
import { tomlBasicString, type TrustEntry, trustToml } from "../codex/trust.ts";
import { InstallerError } from "./errors.ts";

/** A TOML document as plain data. */
export type TomlDoc = Record<string, unknown>;

/** Parses TOML (1.1, as Codex does); errors name `path:line:col`. */
export function parseToml(text: string, path: string): TomlDoc {
  try {
    return toPlain(smolParse(text)) as TomlDoc;
  } catch (e) {
    const err = e as { line?: number; column?: number; message?: string };
    const first = String(err.message ?? e).split("\n")[0]!.replace(/^Invalid TOML document: /, "");
    const where = err.line ? `${path}:${err.line}:${err.column ?? 1}` : path;
    throw new InstallerError(`Cannot parse ${where}: ${first}`, 1, { cause: e });
  }
}

/** Parses `config.toml` for an edit: a missing or blank file is an empty document. */
export function readConfig(text: string | undefined, path: string): TomlDoc {
  if (text === undefined || text.trim() === "") return {};
  try {
    return parseToml(text, path);
  } catch (e) {
    throw new InstallerError(`${(e as Error).message}; nothing was changed`, 1, { cause: e });
  }
}

/**
 * An edit of `config.toml` in progress: `text` carries the surgical text
 * edits made so far, `intended` the document the result must parse to, and
 * `notes` what to tell the person. Each edit in `edits/` updates all three.
 */
export interface ConfigEdit {
  text: string;
  intended: TomlDoc;
  notes: string[];
}

/** smol-toml returns dates as objects; compare them by their TOML text. */
function toPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Date) return { $date: String(v) };
  if (typeof v === "object" && v !== null) {
    if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) {
      return { $date: String(v) };
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x)]));
  }
  return v;
}

/** Whether `text` parses to exactly `intended`. */
export function parsesTo(text: string, intended: TomlDoc): boolean {
  try {
    return isDeepStrictEqual(toPlain(smolParse(text)), toPlain(intended));
  } catch {
    return false;
  }
}

/** The newline style of a text (CRLF when it uses CRLF anywhere first). */
export function newlineOf(text: string): "\n" | "\r\n" {
  const i = text.indexOf("\n");
  return i > 0 && text[i - 1] === "\r" ? "\r\n" : "\n";
}

interface Node {
  type: string;
  range: [number, number];
  [k: string]: unknown;
}

/** Where one key is defined: the range of its last segment. */
export interface KeySite {
  path: string[];
  keyRange: [number, number];
  kvRange: [number, number];
}

/** Every key/value definition in the document, with full paths. */
export function keySites(text: string): KeySite[] {
  const ast = parseTOML(text, { tomlVersion: "1.1" } as never) as unknown as Node;
  const out: KeySite[] = [];
  const name = (k: Node) => (k.type === "TOMLBare" ? String(k.name) : String(k.value));
  const visitKv = (kv: Node, prefix: string[]) => {
    const keys = (kv.key as Node).keys as Node[];
    const path = [...prefix, ...keys.map(name)];
    out.push({ path, keyRange: keys[keys.length - 1]!.range, kvRange: kv.range });
    const v = kv.value as Node;
    if (v.type === "TOMLInlineTable") { for (const c of v.body as Node[]) visitKv(c, path); }
  };
  const top = (ast.body as Node[])[0]!;
  for (const n of top.body as Node[]) {
    if (n.type === "TOMLKeyValue") visitKv(n, []);
    else if (n.type === "TOMLTable") {
      const base = (n.resolvedKey as (string | number)[]).map(String);
      for (const kv of n.body as Node[]) visitKv(kv, base);
    }
  }
  return out;
}

/** Renames the last segment of every definition of `path` (any form: table, dotted, inline). */
export function renameKey(text: string, path: string[], newName: string): string {
  const sites = keySites(text).filter((s) => isDeepStrictEqual(s.path, path)).sort((a, b) =>
    b.keyRange[0] - a.keyRange[0]
  );
  let out = text;
  for (const s of sites) out = out.slice(0, s.keyRange[0]) + newName + out.slice(s.keyRange[1]);
  return out;
}

/** Applies toml-patch with the file's own format (newlines, final newline). */
export function tomlPatch(text: string, intended: TomlDoc): string {
  const format = TomlFormat.autoDetectFormat(text === "" ? "\n" : text);
  format.inlineTableStart = 8; // new tables as [sections], as people write them
  return patch(text, intended, format);
}

/**
 * Appends `[hooks.state."<key>"]` tables at the end of the text, keeping its
 * newline style and its final-newline state.
 */
export function appendTrustTables(
  text: string,
  entries: readonly TrustEntry[],
  comment: string,
): string {
  if (entries.length === 0) return text;
  const nl = newlineOf(text === "" ? "\n" : text);
  const endsWithNewline = text === "" || text.endsWith("\n");
  const block = `# ${comment}${nl}${trustToml(entries, nl)}`;
  if (text.trim() === "") return block + (endsWithNewline ? nl : "");
  const sep = text.endsWith(nl + nl) || !endsWithNewline ? (endsWithNewline ? "" : nl + nl) : nl;
  return text + sep + block + (endsWithNewline ? nl : "");
}

/**
 * Removes a `[table]` block for an exact path: its header line through the
 * end of its last line. Comments after it belong to whoever wrote them and
 * stay; so does the blank line before it.
 */
export function removeTable(text: string, path: string[]): string {
  const ast = parseTOML(text, { tomlVersion: "1.1" } as never) as unknown as Node;
  const top = (ast.body as Node[])[0]!;
  const tables = (top.body as Node[]).filter((n) => n.type === "TOMLTable");
  let out = text;
  for (const t of [...tables].reverse()) {
    if (!isDeepStrictEqual((t.resolvedKey as unknown[]).map(String), path)) continue;
    const start = out.lastIndexOf("\n", t.range[0] - 1) + 1;
    const nl = out.indexOf("\n", t.range[1]);
    let end = nl < 0 ? out.length : nl + 1;
    // A trailing comment on the table's last line goes with it; a comment on its own line stays.
    if (
      nl >= 0 && out.slice(t.range[1], nl).trim().startsWith("#") === false &&
      out.slice(t.range[1], nl).trim() !== ""
    ) end = t.range[1];
    let rest = out.slice(end);
    // Two blank lines where the table was become one.
    if (/\n\r?\n$/.test(out.slice(0, start)) && /^\r?\n/.test(rest)) rest = rest.replace(/^\r?\n/, "");
    out = out.slice(0, start) + rest;
  }
  return out;
}

/**
 * Adds a new root-level `key = ["…", …]` line where a person would: right
 * after the line of the last root key, or, in a file without root keys,
 * above the first table and above the comment block that belongs to it (the
 * comment lines directly over its header), never between a comment and the
 * table it describes. Returns `undefined` when the file has no place for it
 * (the caller falls back to toml-patch).
 */
export function insertRootKey(text: string, key: string, value: readonly string[]): string | undefined {
  let ast: Node;
  try {
    ast = parseTOML(text, { tomlVersion: "1.1" } as never) as unknown as Node;
  } catch {
    return undefined;
  }
  const nl = newlineOf(text === "" ? "\n" : text);
  const line = `${key} = [${value.map(tomlBasicString).join(", ")}]`;
  const body = (ast.body as Node[])[0]!.body as Node[];
  const rootKvs = body.filter((n) => n.type === "TOMLKeyValue");
  const lastKv = rootKvs[rootKvs.length - 1];
  if (lastKv) {
    const eol = text.indexOf("\n", lastKv.range[1]);
    if (eol < 0) return text + nl + line + (text.endsWith("\n") ? nl : "");
    // Comment lines right under the last key stay with it, unless they lead into a table header.
    const lineAt = (i: number) =>
      text.slice(i, text.indexOf("\n", i) < 0 ? text.length : text.indexOf("\n", i));
    let at = eol + 1;
    while (at < text.length && lineAt(at).trim().startsWith("#") && text.indexOf("\n", at) >= 0) {
      at = text.indexOf("\n", at) + 1;
    }
    if (at < text.length && lineAt(at).trim().startsWith("[")) at = eol + 1;
    return text.slice(0, at) + line + nl + text.slice(at);
  }
  const table = body.find((n) => n.type !== "TOMLKeyValue");
  if (!table) return text.trim() === "" ? line + nl : text.replace(/(\r?\n)?$/, nl) + line + nl;
  let start = text.lastIndexOf("\n", table.range[0] - 1) + 1;
  // Walk up over the comment lines directly above the header.
  while (start > 0) {
    const prev = text.lastIndexOf("\n", start - 2) + 1;
    if (!text.slice(prev, start).trimStart().startsWith("#")) break;
    start = prev;
  }
  const sep = start === 0 || /\n\r?\n$/.test(text.slice(0, start)) ? "" : nl;
  return text.slice(0, start) + sep + line + nl + nl + text.slice(start);
}
