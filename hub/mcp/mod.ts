/**
 * lifeline's MCP server over stdio: the tools by which a Codex session lists
 * the others, messages and asks them, answers, and spawns new ones
 * (`tools.ts`). Codex starts it once per thread (or once per thread inside
 * its app-server daemon) with a fixed environment that holds no `LIFELINE_*`
 * and no `CODEX_*` variable, so everything it needs comes from argv:
 *
 * `deno run … hub/mcp/mod.ts --state-dir=<dir> [--stale-busy-seconds=<n>]`
 *
 * @module
 */

// The package's "./*" export points types at "*.js.d.ts"; the types are at "*.d.ts".
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/server/stdio"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { DEFAULT_STALE_BUSY_SECONDS } from "../../lifecycle/settings.ts";
import { hubClient } from "./hub_client.ts";
import { registerTools, type ToolDeps } from "./tools.ts";

import { SERVER_NAME } from "./names.ts";

export { MAX_ASK_SECONDS, SERVER_NAME, TOOL_NAMES } from "./names.ts";

/** What argv gives the server. */
export interface McpArgs {
  stateDir: string;
  staleBusySeconds: number;
}

/** Parses the server's argv; throws with the flag named. */
export function parseMcpArgs(argv: readonly string[]): McpArgs {
  let stateDir: string | undefined;
  let staleBusySeconds = DEFAULT_STALE_BUSY_SECONDS;
  for (const a of argv) {
    const [k, v] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, ""];
    if (k === "--state-dir" && v !== "") stateDir = v;
    else if (k === "--stale-busy-seconds" && /^\d+$/.test(v)) staleBusySeconds = Number(v);
    else throw new Error(`lifeline MCP server: unknown or malformed argument ${JSON.stringify(a)}`);
  }
  if (!stateDir) throw new Error("lifeline MCP server: --state-dir=<dir> is required");
  return { stateDir, staleBusySeconds };
}

/** The server with every tool registered (not connected). */
export function createMcpServer(d: ToolDeps, version = "0.1.0"): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version });
  registerTools(server, d);
  return server;
}

if (import.meta.main) {
  let args: McpArgs;
  try {
    args = parseMcpArgs(Deno.args);
  } catch (e) {
    Deno.stderr.writeSync(new TextEncoder().encode(`${(e as Error).message}\n`));
    Deno.exit(2);
  }
  let home: string | undefined;
  try {
    home = Deno.env.get("HOME");
  } catch { /* not granted: paths are then scrubbed without the home folder */ }
  const server = createMcpServer({
    stateDir: args.stateDir,
    hub: hubClient({ stateDir: args.stateDir }),
    now: () => new Date(),
    home,
    staleBusyMs: args.staleBusySeconds * 1000,
  });
  await server.connect(new StdioServerTransport());
}
