/**
 * The `lifeline` command as a user runs it: help for every subcommand, usage
 * errors (error first, one hint, exit 2), no colour when piped or with
 * NO_COLOR, `status --json` from any folder, completion scripts bash accepts
 * (zsh and fish: completion_test.ts).
 */
import assert from "node:assert/strict";
import meta from "../../deno.json" with { type: "json" };
import { VERSION } from "../../cli/mod.ts";
import { lifeline, sessionsOf, writeStore } from "./_fixture.ts";

const SUBCOMMANDS = [
  "status",
  "watch",
  "show",
  "send",
  "ask",
  "hub",
  "doctor",
  "install",
  "uninstall",
  "flush",
  "simulate",
  "completion",
];
// deno-lint-ignore no-control-regex
const ESC = /\x1b\[/;

Deno.test("every subcommand's --help exits 0 and names it; a bare lifeline prints the help", async () => {
  const runs = await Promise.all(SUBCOMMANDS.map((c) => lifeline([c, "--help"])));
  for (const [i, r] of runs.entries()) {
    assert.equal(r.code, 0, `${SUBCOMMANDS[i]} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`Usage: lifeline ${SUBCOMMANDS[i]}\\b`));
  }
  const bare = await lifeline([]);
  assert.equal(bare.code, 0);
  for (const c of SUBCOMMANDS) assert.match(bare.stdout, new RegExp(`lifeline ${c}\\b`));
  assert.doesNotMatch(bare.stdout + bare.stderr, /No matching command/);
});

Deno.test("--version prints deno.json's version", async () => {
  assert.equal(VERSION, meta.version);
  const r = await lifeline(["--version"]);
  assert.deepEqual([r.code, r.stdout.trim()], [0, meta.version]);
});

Deno.test("a usage error: the error first, a did-you-mean, one hint line, exit 2", async () => {
  const cases: [string[], RegExp, RegExp][] = [
    [["install", "--dryrun"], /`--dryrun`/, /Did you mean `--dry-run`\?/],
    [["stauts"], /`stauts`/, /Did you mean `status`\?/],
    [["status", "--since", "soon"], /"soon" is not a duration/, /./],
    [["show"], /ID/, /./],
  ];
  for (const [args, error, extra] of cases) {
    const r = await lifeline(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.match(lines[0]!, error, r.stderr);
    assert.match(r.stderr, extra);
    assert.match(lines.at(-1)!, /^Run `lifeline( \w+)? --help` for/, r.stderr);
    assert.equal(
      lines.filter((l) => /^Usage:/.test(l)).length,
      0,
      "no usage block before or after the error",
    );
    assert.equal(lines.filter((l) => /--help/.test(l)).length, 1, "exactly one hint line");
  }
});

Deno.test("status --json works from any folder; the table shows no escape codes", async () => {
  const dir = await Deno.makeTempDir();
  const repo = `${dir}/proj`;
  await Deno.mkdir(`${repo}/.git`, { recursive: true });
  await Deno.writeTextFile(`${repo}/.git/HEAD`, "ref: refs/heads/feature/x\n");
  try {
    writeStore(`${dir}/state`, sessionsOf("aaaa1111-0001", "aaaa2222-0002", repo));
    const r = await lifeline(["status", "--json", "--state-dir", `${dir}/state`], {}, "/");
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      sessions: { session_id: string; state: string; end: string | null; repo: string; branch: string }[];
    };
    const byId = new Map(doc.sessions.map((s) => [s.session_id, s]));
    assert.deepEqual(
      [byId.get("aaaa2222-0002")!.state, byId.get("aaaa2222-0002")!.end],
      ["ended", "exit"],
    );
    assert.deepEqual([byId.get("aaaa1111-0001")!.repo, byId.get("aaaa1111-0001")!.branch], [
      "proj",
      "feature/x",
    ]);
    for (const env of [{}, { NO_COLOR: "1" }]) {
      const t = await lifeline(["status", "--state-dir", `${dir}/state`], env);
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /proj@feature\/x/);
      assert.match(t.stdout, /Bash: ls -la/);
      assert.doesNotMatch(t.stdout, ESC);
      const active = await lifeline(["status", "--active", "--state-dir", `${dir}/state`], env);
      assert.match(active.stdout, /aaaa1111/);
      assert.doesNotMatch(active.stdout, /aaaa2222/);
    }
    const help = await lifeline(["status", "--help"], { NO_COLOR: "1" });
    assert.doesNotMatch(help.stdout, ESC);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("show: a unique prefix works, an ambiguous or unknown one fails, blocked calls show", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writeStore(dir, sessionsOf("aaaa1111-0001", "aaaa2222-0002", "/"));
    const ok = await lifeline(["show", "aaaa2", "--json", "--state-dir", dir]);
    assert.equal(ok.code, 0, ok.stderr);
    const s = JSON.parse(ok.stdout) as { session_id: string; blocked: { tool: string; command: string }[] };
    assert.equal(s.session_id, "aaaa2222-0002");
    assert.deepEqual(s.blocked.map((b) => [b.tool, b.command]), [["Bash", "rm -rf x"]]);
    const ambiguous = await lifeline(["show", "aaaa", "--state-dir", dir]);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /"aaaa" is ambiguous: 2 sessions/);
    const none = await lifeline(["show", "zzz", "--state-dir", dir]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No session id starts with "zzz"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("status after install does not tell the user to install", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const before = await lifeline(["status", "--state-dir", dir]);
    assert.match(before.stdout, /Install lifeline into Codex with: lifeline install/);
    await Deno.writeTextFile(`${dir}/install-manifest.json`, "{}");
    const after = await lifeline(["status", "--state-dir", dir]);
    assert.equal(after.code, 0);
    assert.doesNotMatch(after.stdout, /Install lifeline/);
    assert.match(after.stdout, /lifeline is installed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("send without a running hub says so and how to start one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writeStore(dir, sessionsOf("aaaa1111-0001", "aaaa2222-0002", "/"));
    const r = await lifeline(["send", "aaaa1", "hello", "--state-dir", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No hub is running for .*Start one in another terminal with: lifeline hub/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("completion bash prints a script bash accepts and that registers lifeline", async () => {
  const r = await lifeline(["completion", "bash"]);
  assert.equal(r.code, 0, r.stderr);
  const file = await Deno.makeTempFile({ suffix: ".bash" });
  try {
    await Deno.writeTextFile(file, r.stdout);
    const syntax = await new Deno.Command("bash", { args: ["-n", file] }).output();
    assert.equal(syntax.code, 0, new TextDecoder().decode(syntax.stderr));
    const reg = await new Deno.Command("bash", { args: ["-c", `source ${file} && complete -p lifeline`] })
      .output();
    assert.equal(reg.code, 0, new TextDecoder().decode(reg.stderr));
    assert.match(new TextDecoder().decode(reg.stdout), /complete -F \w+ lifeline/);
    // Completing for real: the script asks `lifeline` (here a launcher of cli/mod.ts on PATH).
    const bin = await Deno.makeTempDir();
    const mod = new URL("../../cli/mod.ts", import.meta.url).pathname;
    await Deno.writeTextFile(
      `${bin}/lifeline`,
      `#!/bin/sh\nexec "${Deno.execPath()}" run -A --quiet "${mod}" "$@"\n`,
      {
        mode: 0o755,
      },
    );
    const complete = await new Deno.Command("bash", {
      args: [
        "-c",
        `source ${file}; COMP_WORDS=(lifeline install --dr); COMP_CWORD=2; ` +
        'COMP_LINE="lifeline install --dr"; COMP_POINT=${#COMP_LINE}; _lifeline; ' +
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ],
      env: { PATH: `${bin}:${Deno.env.get("PATH") ?? ""}` },
    }).output();
    await Deno.remove(bin, { recursive: true });
    assert.equal(new TextDecoder().decode(complete.stdout).trim(), "--dry-run");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("watch prints the table, and Ctrl-C (SIGINT) ends it with exit 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writeStore(dir, sessionsOf("cccc1111-0001", "cccc2222-0002", "/"));
    const mod = new URL("../../cli/mod.ts", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", mod, "watch", "--interval", "0.2", "--state-dir", dir],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    // Two frames: the first can come before the signal listener matters; the second proves it refreshes.
    while ((seen.match(/lifeline watch/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    child.kill("SIGINT");
    for (;;) if ((await reader.read()).done) break;
    const status = await child.status;
    await child.stderr.cancel();
    assert.match(seen, /cccc1111/);
    assert.doesNotMatch(seen, ESC);
    assert.equal(status.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("colour on a terminal (util-linux script), none with NO_COLOR or TERM=dumb", async () => {
  const dir = await Deno.makeTempDir();
  try {
    writeStore(dir, sessionsOf("eeee1111-0001", "eeee2222-0002", "/"));
    const mod = new URL("../../cli/mod.ts", import.meta.url).pathname;
    const onTerminal = async (env: Record<string, string>) => {
      const line = `"${Deno.execPath()}" run -A --quiet "${mod}" status --state-dir "${dir}"`;
      const out = await new Deno.Command("script", {
        args: ["-q", "-e", "-c", line, "/dev/null"],
        env: { TERM: "xterm", ...env },
        stdin: "null",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout);
    };
    const coloured = await onTerminal({ NO_COLOR: "" });
    assert.match(coloured, /eeee1111/);
    assert.match(coloured, ESC, "a terminal gets colour");
    assert.doesNotMatch(await onTerminal({ NO_COLOR: "1" }), ESC);
    assert.doesNotMatch(await onTerminal({ NO_COLOR: "", TERM: "dumb" }), ESC);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
