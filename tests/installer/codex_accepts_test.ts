/**
 * Reading Codex's answer to "do you load this config?", from what the real
 * releases printed (tests/testdata/codex_refusals/: 0.169 and 0.171 asked
 * `codex app-server --print-startup-config`, 0.114 `codex features list`, each
 * on seven configs: one that loads and six that stop 0.169), and the runner's
 * time limit.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type Acceptance,
  askCodex,
  type CodexRun,
  readFallback,
  readStartup,
  type RunCodex,
  showPathsAs,
} from "../../installer/codex_accepts.ts";
import { codexAccepts, codexRunner } from "../../installer/codex_run.ts";

const DIR = new URL("../testdata/codex_refusals/", import.meta.url).pathname;

interface Fixture extends CodexRun {
  version: string;
  args: string[];
  codex_home: string;
  config_toml: string;
}

const fixture = (name: string): Fixture => ({
  timedOut: false,
  ...JSON.parse(Deno.readTextFileSync(join(DIR, `${name}.json`))),
});

/** What 0.169 and 0.171 say about each refused config (the part of the message that names the cause). */
const REFUSED: Record<string, string> = {
  untrusted: 'approval_policy = "untrusted" is no longer supported; remove this setting',
  profile: 'legacy `profile = "work"` config is no longer supported; use `--profile work` with ' +
    "`work.config.toml` instead",
  chat: 'config.toml:4:12: `wire_api = "chat"` is no longer supported.\nHow to fix: set ' +
    '`wire_api = "responses"` in your provider config.',
  reserved: "config.toml:1:2: model_providers contains reserved built-in provider IDs: `openai`. " +
    "Built-in providers cannot be overridden.",
  syntax: 'config.toml:1:15: invalid basic string, expected `"`',
  type: "config.toml:1:9: invalid type: integer `3`, expected a string",
};

function refusedMessage(a: Acceptance | "unsupported"): string {
  assert.ok(a !== "unsupported" && a.verdict === "refused", `expected a refusal, got ${JSON.stringify(a)}`);
  return a.message;
}

for (const version of ["0.169.0", "0.171.0"]) {
  Deno.test(`${version} --print-startup-config loads the plain config`, () => {
    assert.deepEqual(readStartup(fixture(`${version}-startup-ok`)), {
      verdict: "accepted",
      asked: "codex app-server --print-startup-config",
    });
  });
  for (const [name, expected] of Object.entries(REFUSED)) {
    Deno.test(`${version} --print-startup-config refuses ${name} with Codex's message`, () => {
      const f = fixture(`${version}-startup-${name}`);
      assert.notEqual(f.code, 0);
      const message = refusedMessage(readStartup(f));
      assert.ok(message.includes(expected), message);
      // Codex's detail, without its "failed to load configuration:" wrapper or the backtrace.
      assert.doesNotMatch(message, /failed to load configuration|Stack backtrace|startup configuration/);
    });
  }
}

Deno.test("0.114 has no --print-startup-config: the answer is 'unsupported', so the fallback is asked", () => {
  assert.equal(readStartup(fixture("0.114.0-startup-unsupported")), "unsupported");
});

Deno.test("0.114 features list loads what 0.114 loads: approval untrusted, a root profile, provider openai", () => {
  for (const name of ["ok", "untrusted", "profile", "reserved"]) {
    assert.deepEqual(readFallback(fixture(`0.114.0-features-${name}`)), {
      verdict: "accepted",
      asked: "codex features list",
    }, name);
  }
});

Deno.test("0.114 features list refuses wire_api chat, a syntax error and a wrong type, with the message", () => {
  const chat = refusedMessage(readFallback(fixture("0.114.0-features-chat")));
  assert.ok(chat.includes('`wire_api = "chat"` is no longer supported.\nHow to fix:'), chat);
  // Said once: 0.114 repeats the message as the cause.
  assert.equal(chat.split("is no longer supported").length, 2, chat);
  const syntax = refusedMessage(readFallback(fixture("0.114.0-features-syntax")));
  assert.match(syntax, /^\/tmp\/acc\/home-syntax\/config\.toml:1:15: invalid basic string, expected `"`: /);
  assert.ok(syntax.includes('1 | model = "gpt-5'), syntax);
  const type = refusedMessage(readFallback(fixture("0.114.0-features-type")));
  assert.ok(type.includes("config.toml:1:9: invalid type: integer `3`, expected a string"), type);
  for (const m of [chat, syntax, type]) assert.doesNotMatch(m, /WARNING|Stack backtrace|^Error:/);
});

Deno.test("0.171 features list: anyhow's context and cause become one message", () => {
  const chat = refusedMessage(readFallback(fixture("0.171.0-features-chat")));
  assert.ok(
    chat.startsWith('failed to load bootstrap configuration: `wire_api = "chat"` is no longer supported.'),
    chat,
  );
  assert.ok(chat.endsWith("in `model_providers.x.wire_api`"), chat);
  const untrusted = refusedMessage(readFallback(fixture("0.171.0-features-untrusted")));
  assert.equal(
    untrusted,
    'failed to load configuration: approval_policy = "untrusted" is no longer supported; remove this setting',
  );
});

Deno.test("an answer that is neither is unknown, with what codex said", () => {
  const odd: CodexRun = { code: 1, stdout: "", stderr: "Segmentation fault\n", timedOut: false };
  assert.deepEqual(readStartup(odd), {
    verdict: "unknown",
    reason: 'codex app-server --print-startup-config exited 1 and said "Segmentation fault"',
  });
  const other = {
    code: 1,
    stdout: '{"error":{"code":-32600,"data":{"reason":"cloudRequirements"},"message":"no network"}}\n',
    stderr: "",
    timedOut: false,
  };
  const a = readStartup(other);
  assert.ok(a !== "unsupported" && a.verdict === "unknown" && a.reason.includes("no network"), String(a));
  assert.equal(
    readFallback({ ...odd, code: 2, stderr: "error: unrecognized subcommand 'features'" }).verdict,
    "unknown",
  );
  assert.equal(readFallback({ ...odd, timedOut: true }).verdict, "unknown");
});

Deno.test("askCodex asks the fallback only where the exact question is missing", async () => {
  const f = (name: string) => fixture(name);
  const asked: string[] = [];
  const old: RunCodex = (args) => {
    asked.push(args.join(" "));
    return Promise.resolve(
      args[0] === "app-server" ? f("0.114.0-startup-unsupported") : f("0.114.0-features-chat"),
    );
  };
  const a = await askCodex(old, "/home/u/.codex");
  assert.equal(a.verdict, "refused");
  assert.deepEqual(asked, ["app-server --print-startup-config", "features list"]);
  asked.length = 0;
  const current: RunCodex = (args) => {
    asked.push(args.join(" "));
    return Promise.resolve(f("0.169.0-startup-ok"));
  };
  assert.equal((await askCodex(current, "/home/u/.codex")).verdict, "accepted");
  assert.deepEqual(asked, ["app-server --print-startup-config"]);
  assert.deepEqual(await askCodex(() => Promise.resolve(undefined), "/x"), {
    verdict: "unknown",
    reason: "codex is not on PATH",
  });
});

Deno.test("a staged home's path is shown as the real Codex home in the message", () => {
  const a = readStartup(fixture("0.169.0-startup-chat"));
  assert.ok(a !== "unsupported");
  const shown = showPathsAs(a, ["/tmp/acc/home-chat"], "/home/u/.codex");
  assert.ok(refusedMessage(shown).startsWith("/home/u/.codex/config.toml:4:12: "), refusedMessage(shown));
});

async function script(body: string): Promise<{ bin: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-fake-codex-" });
  const bin = join(dir, "codex");
  await Deno.writeTextFile(bin, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return { bin, dir };
}

Deno.test("the runner kills a codex that does not answer within its time limit", async () => {
  const { bin, dir } = await script(`echo $$ > "$CODEX_HOME/pid"; exec sleep 30`);
  try {
    const run = await codexRunner(bin, 300)(["app-server", "--print-startup-config"], dir);
    assert.ok(run?.timedOut, JSON.stringify(run));
    const pid = Number(Deno.readTextFileSync(join(dir, "pid")));
    // The child is gone: signal 0 to its pid fails.
    assert.throws(() => Deno.kill(pid, "SIGCONT"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the runner says there is no codex when the program does not exist", async () => {
  assert.equal(await codexRunner("/nonexistent/codex")(["features", "list"], "/tmp"), undefined);
});

Deno.test("staged files are asked about in a temporary home, then removed; its path is not shown", async () => {
  const { bin, dir } = await script(
    `echo "$CODEX_HOME" > "\${0%/codex}/home"; cat "$CODEX_HOME/config.toml" > "\${0%/codex}/seen"
printf '{"error":{"code":-32600,"data":{"reason":"configLoad","detail":"%s/config.toml:1:1: no"}}}\\n' "$CODEX_HOME"
exit 1`,
  );
  try {
    const a = await codexAccepts(codexRunner(bin))({
      staged: { config: "model = 1\n", hooks: undefined },
      shownAs: "/home/u/.codex",
    });
    assert.deepEqual(a, {
      verdict: "refused",
      asked: "codex app-server --print-startup-config",
      message: "/home/u/.codex/config.toml:1:1: no",
    });
    assert.equal(Deno.readTextFileSync(join(dir, "seen")), "model = 1\n");
    const home = Deno.readTextFileSync(join(dir, "home")).trim();
    assert.throws(() => Deno.statSync(home), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
