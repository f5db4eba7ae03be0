/** `[mcp_servers.lifeline]`: written once, rewritten in place, a user's own table of that name kept aside. */
import assert from "node:assert/strict";
import { HOOK_EVENTS } from "../../codex/events.ts";
import { profileFor } from "../../codex/profiles.ts";
import { MCP_COMMENT, mcpTable } from "../../installer/edits/mcp.ts";
import { validateManifest } from "../../installer/manifest.ts";
import { planInstall, planUninstall } from "../../installer/plan.ts";
import { parseToml } from "../../installer/toml_edit.ts";

const places = { deno: "/opt/deno/bin/deno", root: "/opt/lifeline", stateDir: "/s", codexHome: "/c" };
const o = {
  places,
  events: HOOK_EVENTS,
  profile: profileFor("0.169"),
  now: new Date("2026-12-01T00:00:00Z"),
};
const config = (text: string | undefined) => ({ path: "/c/config.toml", text });
const hooks = { path: "/c/hooks.json", text: undefined };
const lifelineOf = (text: string) =>
  (parseToml(text, "t").mcp_servers as Record<string, unknown> | undefined)?.lifeline;

Deno.test("mcp edit: the table names the hooks' deno, the server entry under root, and the state dir", () => {
  const p = planInstall(config('model = "o3"\n'), hooks, undefined, o);
  const t = lifelineOf(p.config.after!) as { command: string; args: string[]; tool_timeout_sec: number };
  assert.deepEqual(t, mcpTable(places));
  assert.equal(t.command, places.deno);
  assert.ok(t.args.includes("/opt/lifeline/hub/mcp/server.js"), "the installed copy's bundle");
  assert.ok(
    t.args.includes("--no-config") && t.args.includes("--no-lock"),
    "a bundle needs no config or lock",
  );
  assert.equal(t.args.at(-1), "--state-dir=/s");
  assert.ok(t.args.includes("--allow-net=127.0.0.1") && t.args.includes("--allow-write=/s"));
  assert.ok(!t.args.some((a) => a === "-A" || a === "--allow-all" || a === "--allow-run"));
  assert.ok(t.tool_timeout_sec > 600, "above the longest ask");
  assert.deepEqual(p.manifest!.mcp, { table: t, replaced: null, created_parent: true });
});

Deno.test("mcp edit: another deno rewrites the one table in place; a lost manifest adds no second one", () => {
  const first = planInstall(config('model = "o3"\n'), hooks, undefined, o);
  const o2 = { ...o, places: { ...places, deno: "/usr/bin/deno" } };
  const second = planInstall(config(first.config.after), hooks, first.manifest, o2);
  assert.equal((lifelineOf(second.config.after!) as { command: string }).command, "/usr/bin/deno");
  assert.equal(second.config.after!.split(MCP_COMMENT).length, 2, "one comment, one table");
  assert.equal(second.config.after!.match(/^\[mcp_servers\.lifeline\]/gm)?.length, 1);
  const lost = planInstall(config(second.config.after), hooks, undefined, o2);
  assert.equal(lost.config.after, second.config.after);
  // The manifest of the second install still restores the very first original.
  const un = planUninstall(config(second.config.after), hooks, second.manifest!);
  assert.equal(un.config.after, 'model = "o3"\n');
});

Deno.test("mcp edit: after a user edit, uninstall takes out the table and its comment, and a replaced table comes back", () => {
  const mine = '[mcp_servers.lifeline]\ncommand = "/usr/local/bin/mine"\n';
  const p = planInstall(config(mine), hooks, undefined, o);
  assert.deepEqual(p.manifest!.mcp!.replaced, { command: "/usr/local/bin/mine" });
  assert.match(p.notes.join("\n"), /Replaced your \[mcp_servers\.lifeline\]/);
  const edited = p.config.after + "\n[user_added]\nx = 1\n";
  const un = planUninstall(config(edited), hooks, p.manifest!);
  const doc = parseToml(un.config.after!, "after");
  assert.deepEqual(doc.mcp_servers, { lifeline: { command: "/usr/local/bin/mine" } });
  assert.deepEqual(doc.user_added, { x: 1 });

  const fresh = planInstall(config('model = "o3"\n'), hooks, undefined, o);
  const un2 = planUninstall(config(fresh.config.after + "\n[user_added]\nx = 1\n"), hooks, fresh.manifest!);
  assert.ok(!un2.config.after!.includes(MCP_COMMENT));
  assert.equal(parseToml(un2.config.after!, "after").mcp_servers, undefined);
});

Deno.test("mcp edit: a manifest from before the MCP server reads as mcp: null", () => {
  const p = planInstall(config(undefined), hooks, undefined, o);
  const { mcp: _, ...older } = p.manifest!;
  assert.equal(validateManifest(JSON.parse(JSON.stringify(older))).mcp, null);
});
