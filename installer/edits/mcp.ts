/**
 * `[mcp_servers.lifeline]`: lifeline's MCP server (`hub/mcp/mod.ts`), which
 * Codex starts for each session over stdio. Codex gives an MCP server a fixed
 * environment without any `LIFELINE_*` variable, so the state dir goes into
 * `args`; the `deno run` flags are least privilege: read and write the state
 * dir (the store, `hub.json`, `hub.token`), reach the hub on 127.0.0.1, read
 * `HOME` (to scrub paths) and nothing else. The script path comes from the
 * same `HandlerPlaces.root` as the hooks'.
 *
 * `tool_timeout_sec` leaves room above the longest ask (Codex's default, 60 s,
 * is shorter than an ask's default wait). A table of that name that was not
 * lifeline's is kept in the manifest and put back by uninstall.
 *
 * @module
 */

import { isDeepStrictEqual } from "node:util";
import { isObject } from "../../codex/json.ts";
import type { HandlerPlaces } from "../../hooks/handlers.ts";
import { MAX_ASK_SECONDS } from "../../hub/mcp/names.ts";
import type { Manifest } from "../manifest.ts";
import { tomlBasicString } from "../../codex/trust.ts";
import { InstallerError } from "../errors.ts";
import { type ConfigEdit, newlineOf, parsesTo, removeTable, type TomlDoc, tomlPatch } from "../toml_edit.ts";

/** The comment above the table lifeline appends. */
export const MCP_COMMENT =
  "lifeline: its MCP server, the tools agents reach each other with (`uninstall` removes it)";

/** The server's name in `config.toml`; Codex shows its tools as the namespace `mcp__lifeline`. */
export const MCP_SERVER_NAME = "lifeline";
/** The server's entry, relative to the lifeline root. */
export const MCP_ENTRY = "hub/mcp/mod.ts";
/** Codex's per-call timeout for lifeline's tools: the longest ask plus a margin. */
export const MCP_TOOL_TIMEOUT_SEC = MAX_ASK_SECONDS + 30;

/** What install writes as `[mcp_servers.lifeline]`. */
export interface McpTable {
  command: string;
  args: string[];
  tool_timeout_sec: number;
}

/** The bundled server inside an installed copy (it runs with no config, lock or download). */
export const MCP_BUNDLE = "hub/mcp/server.js";

/**
 * The `deno run` argv of the server, after `deno`. From an installed copy it
 * is the bundle (`--no-config --no-lock`: no import map, nothing fetched);
 * from a checkout (`checkout: true`, tests and development) the package
 * imports resolve through its `deno.json` (`--frozen`: the lock is never
 * rewritten from Codex's process).
 */
export function mcpServerArgs(p: Pick<HandlerPlaces, "root" | "stateDir">, checkout = false): string[] {
  const load = checkout
    ? [`--config=${p.root}/deno.json`, "--frozen", `${p.root}/${MCP_ENTRY}`]
    : ["--no-config", "--no-lock", `${p.root}/${MCP_BUNDLE}`];
  const script = load.pop()!;
  return [
    "run",
    "--no-prompt",
    ...load,
    `--allow-read=${p.stateDir}`,
    `--allow-write=${p.stateDir}`,
    "--allow-net=127.0.0.1",
    "--allow-env=HOME",
    script,
    `--state-dir=${p.stateDir}`,
  ];
}

/** The table for these places. */
export function mcpTable(p: Pick<HandlerPlaces, "deno" | "root" | "stateDir">, checkout = false): McpTable {
  return { command: p.deno, args: mcpServerArgs(p, checkout), tool_timeout_sec: MCP_TOOL_TIMEOUT_SEC };
}

/** Whether a table is one lifeline wrote (any deno, state dir or timeout, for the checkout at `root`). */
function isOurs(v: unknown, root: string, previous: Manifest | undefined): boolean {
  if (!isObject(v)) return false;
  if (previous?.mcp && isDeepStrictEqual(v, previous.mcp.table)) return true;
  return Array.isArray(v.args) &&
    (v.args.includes(`${root}/${MCP_BUNDLE}`) || v.args.includes(`${root}/${MCP_ENTRY}`));
}

const serversOf = (doc: TomlDoc) => (isObject(doc.mcp_servers) ? doc.mcp_servers : undefined);

/**
 * The first half of the edit, before the file is rendered: a table already
 * there (lifeline's, or one it replaces) is set in the intended document, and
 * toml-patch edits it in place. Returns what the manifest records.
 */
export function installMcp(
  edit: ConfigEdit,
  doc0: TomlDoc,
  places: HandlerPlaces,
  previous: Manifest | undefined,
): NonNullable<Manifest["mcp"]> {
  const table = mcpTable(places);
  const cur = serversOf(doc0)?.[MCP_SERVER_NAME];
  let replaced: unknown = previous?.mcp?.replaced ?? null;
  if (cur !== undefined && !isOurs(cur, places.root, previous)) {
    replaced = cur;
    edit.notes.push(
      `Replaced your [mcp_servers.${MCP_SERVER_NAME}] with lifeline's MCP server (uninstall puts yours back)`,
    );
  }
  if (cur !== undefined) (serversOf(edit.intended) as TomlDoc)[MCP_SERVER_NAME] = table;
  const createdParent = previous?.mcp?.created_parent ?? serversOf(doc0) === undefined;
  return { table, replaced, created_parent: createdParent };
}

/**
 * The second half, on the rendered text: a new table is appended under its
 * comment, as a person writes it (toml-patch would add an empty
 * `[mcp_servers]` header, or an inline table). When that does not parse to
 * the intended document (an inline `mcp_servers = {…}` in the file),
 * toml-patch writes it instead; a result that does not parse is never used.
 */
export function appendMcp(rendered: string, edit: ConfigEdit, m: NonNullable<Manifest["mcp"]>, path: string) {
  if (isDeepStrictEqual(serversOf(edit.intended)?.[MCP_SERVER_NAME], m.table)) return rendered;
  const intended = structuredClone(edit.intended);
  ((serversOf(intended) ?? (intended.mcp_servers = {})) as TomlDoc)[MCP_SERVER_NAME] = m.table;
  edit.intended = intended;
  const appended = appendTable(rendered, m.table);
  if (parsesTo(appended, intended)) return appended;
  const patched = tomlPatch(rendered, intended);
  if (parsesTo(patched, intended)) return patched;
  throw new InstallerError(
    `Cannot add [mcp_servers.${MCP_SERVER_NAME}] to ${path} safely: the edited file would not parse ` +
      `to the intended settings; nothing was changed`,
  );
}

/** `text` with the table appended under its comment, in the file's newline style and ending. */
function appendTable(text: string, t: McpTable): string {
  const nl = newlineOf(text === "" ? "\n" : text);
  const block = [
    `# ${MCP_COMMENT}`,
    `[mcp_servers.${MCP_SERVER_NAME}]`,
    `command = ${tomlBasicString(t.command)}`,
    `args = [${t.args.map(tomlBasicString).join(", ")}]`,
    `tool_timeout_sec = ${t.tool_timeout_sec}`,
  ].join(nl);
  const endsWithNewline = text === "" || text.endsWith("\n");
  if (text.trim() === "") return block + (endsWithNewline ? nl : "");
  const sep = endsWithNewline ? (text.endsWith(nl + nl) ? "" : nl) : nl + nl;
  return text + sep + block + (endsWithNewline ? nl : "");
}

/** Removes lifeline's table while it is still the one install wrote, putting back one it replaced. */
export function uninstallMcp(edit: ConfigEdit, m: Manifest): void {
  const servers = serversOf(edit.intended);
  if (!m.mcp || !servers || !isDeepStrictEqual(servers[MCP_SERVER_NAME], m.mcp.table)) return;
  if (m.mcp.replaced !== null) {
    servers[MCP_SERVER_NAME] = m.mcp.replaced;
    return;
  }
  delete servers[MCP_SERVER_NAME];
  const ending = /(\r?\n)*$/.exec(edit.text)![0];
  edit.text = edit.text.split(/(?<=\n)/).filter((l) => l.replace(/\r?\n$/, "") !== `# ${MCP_COMMENT}`).join(
    "",
  );
  edit.text = removeTable(edit.text, ["mcp_servers", MCP_SERVER_NAME]);
  edit.text = edit.text.replace(/(\r?\n)*$/, "") + (edit.text.trim() === "" ? "" : ending);
  if (Object.keys(servers).length === 0 && m.mcp.created_parent) delete edit.intended.mcp_servers;
}
