/** `doctor` starts the installed MCP server and lists its tools; a broken table is a failure that says so. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LIFELINE_ROOT } from "../../hooks/handlers.ts";
import { TOOL_NAMES } from "../../hub/mcp/names.ts";
import { listMcpTools } from "../../installer/doctor_mcp.ts";
import { mcpServerArgs } from "../../installer/edits/mcp.ts";

async function installer(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(LIFELINE_ROOT, "installer/mod.ts"), ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

type Check = { name: string; status: string; detail: string };

Deno.test("doctor: the installed MCP server starts and lists its tools; uninstall removes the table exactly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-mcp-inst-" });
  try {
    const codex = join(dir, ".codex");
    await Deno.mkdir(codex);
    const cfg = join(codex, "config.toml");
    const original = '# mine\nmodel = "o3"\n\n[mcp_servers.docs]\ncommand = "npx"\n';
    await Deno.writeTextFile(cfg, original);
    const args = ["--codex-home", codex, "--state-dir", join(dir, "state"), "--codex-version", "0.169.0"];
    assert.equal((await installer(["install", ...args, "--yes"])).code, 0);
    assert.match(await Deno.readTextFile(cfg), /^\[mcp_servers\.lifeline\]$/m);

    const ok = await installer(["doctor", ...args, "--json"]);
    const check = (JSON.parse(ok.stdout).checks as Check[]).find((c) => c.name === "mcp server");
    assert.equal(check?.status, "ok", JSON.stringify(check));
    assert.match(check!.detail, new RegExp(`lists its ${TOOL_NAMES.length} tools`));

    const text = await Deno.readTextFile(cfg);
    await Deno.writeTextFile(cfg, text.replace("/hub/mcp/server.js", "/hub/mcp/gone.js"));
    const bad = await installer(["doctor", ...args, "--json"]);
    const failed = (JSON.parse(bad.stdout).checks as Check[]).find((c) => c.name === "mcp server");
    assert.equal(failed?.status, "fail");
    assert.match(failed!.detail, /did not start lifeline's MCP server/);
    await Deno.writeTextFile(cfg, text);

    assert.equal((await installer(["uninstall", ...args, "--yes"])).code, 0);
    assert.equal(await Deno.readTextFile(cfg), original);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listMcpTools names the server's tools over stdio, in the environment Codex gives", async () => {
  const state = await Deno.makeTempDir({ prefix: "lifeline-mcp-list-" });
  try {
    const names = await listMcpTools(
      Deno.execPath(),
      mcpServerArgs({ root: LIFELINE_ROOT, stateDir: state }, true),
    );
    assert.deepEqual(names, [...TOOL_NAMES]);
    await assert.rejects(
      listMcpTools(Deno.execPath(), ["run", "--no-prompt", join(state, "missing.ts")]),
      /exited before listing its tools/,
    );
  } finally {
    await Deno.remove(state, { recursive: true });
  }
});
