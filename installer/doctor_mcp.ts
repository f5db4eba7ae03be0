/**
 * `doctor`'s check of lifeline's MCP server: the `[mcp_servers.lifeline]`
 * table is there, and the command it names starts in the environment Codex
 * gives an MCP server and lists exactly lifeline's tools (`initialize`, then
 * `tools/list`, over stdio), within Codex's default start-up timeout.
 *
 * @module
 */

import { isObject, type JsonObject } from "../codex/json.ts";
import { TOOL_NAMES } from "../hub/mcp/names.ts";
import { MCP_SERVER_NAME } from "./edits/mcp.ts";
import { messageOf } from "./errors.ts";

/** Codex's default `startup_timeout_sec`. */
const STARTUP_TIMEOUT_MS = 10_000;

/** The variables Codex passes an MCP server (besides the table's own `env`). */
const CODEX_MCP_ENV = ["HOME", "LOGNAME", "PATH", "SHELL", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR", "TZ"];

/** Starts `command args…`, asks for its tools, and returns their names (stops it in every case). */
export async function listMcpTools(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = STARTUP_TIMEOUT_MS,
): Promise<string[]> {
  const base: Record<string, string> = {};
  for (const k of CODEX_MCP_ENV) {
    const v = Deno.env.get(k);
    if (v !== undefined) base[k] = v;
  }
  const child = new Deno.Command(command, {
    args: [...args],
    clearEnv: true,
    env: { ...base, ...env },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, timeoutMs);
  const stderr = new Response(child.stderr).text();
  try {
    const w = child.stdin.getWriter();
    const send = (m: unknown) => w.write(new TextEncoder().encode(JSON.stringify(m) + "\n"));
    await send({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "lifeline-doctor", version: "1" },
      },
    });
    await send({ jsonrpc: "2.0", method: "notifications/initialized" });
    await send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let msg: { id?: unknown; result?: { tools?: { name: string }[] }; error?: { message?: string } };
        try {
          msg = JSON.parse(line);
        } catch {
          continue;
        }
        if (msg.id !== 2) continue;
        await w.close().catch(() => {});
        if (msg.error) throw new Error(`tools/list failed: ${msg.error.message ?? "no message"}`);
        return (msg.result?.tools ?? []).map((t) => t.name);
      }
    }
    const err = (await stderr).trim().split("\n").slice(-3).join(" ");
    throw new Error(`it exited before listing its tools${err ? `: ${err}` : ""}`);
  } finally {
    clearTimeout(timer);
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await stderr.catch(() => "");
  }
}

/** The MCP check: adds one check named `mcp server`. */
export async function mcpCheck(
  config: JsonObject,
  add: (name: string, status: "ok" | "warn" | "fail", detail: string) => void,
): Promise<void> {
  const servers = isObject(config.mcp_servers) ? config.mcp_servers : undefined;
  const t = servers?.[MCP_SERVER_NAME];
  if (!isObject(t) || typeof t.command !== "string") {
    add(
      "mcp server",
      "warn",
      `[mcp_servers.${MCP_SERVER_NAME}] is not configured: agents cannot reach each other; run lifeline install`,
    );
    return;
  }
  if (t.enabled === false) {
    add("mcp server", "warn", `[mcp_servers.${MCP_SERVER_NAME}] has enabled = false: its tools are off`);
    return;
  }
  const args = Array.isArray(t.args) ? t.args.map(String) : [];
  const env = isObject(t.env)
    ? Object.fromEntries(Object.entries(t.env).map(([k, v]) => [k, String(v)]))
    : {};
  const t0 = performance.now();
  try {
    const names = await listMcpTools(t.command, args, env);
    const ms = Math.round(performance.now() - t0);
    const missing = TOOL_NAMES.filter((n) => !names.includes(n));
    if (missing.length) {
      add(
        "mcp server",
        "fail",
        `started in ${ms} ms but lacks ${missing.join(", ")}: run lifeline install again`,
      );
    } else add("mcp server", "ok", `starts and lists its ${names.length} tools in ${ms} ms`);
  } catch (e) {
    add("mcp server", "fail", `${t.command} did not start lifeline's MCP server: ${messageOf(e)}`);
  }
}
