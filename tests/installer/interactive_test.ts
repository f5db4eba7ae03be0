/**
 * The interactive install, at a real terminal (a pty from `script`): the
 * person sees the diff, answers, and exactly the plan they saw is written;
 * when a file changes while the question is open, nothing is overwritten.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LIFELINE_ROOT, shellQuote } from "../../hooks/handlers.ts";
import { shortenLine } from "../../installer/display.ts";

const CONFIG = '# mine\nmodel = "o3"\n';
const PROMPT = "Apply these changes? [y/N]";

/** Starts the installer on a pty; resolves `asked` once the question is on screen. */
function atTerminal(args: string[]) {
  const line = [Deno.execPath(), "run", "-A", join(LIFELINE_ROOT, "installer/mod.ts"), ...args].map(
    shellQuote,
  )
    .join(" ");
  const child = new Deno.Command("script", {
    args: ["-qec", line, "/dev/null"],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let screen = "";
  const { promise: asked, resolve: onAsked } = Promise.withResolvers<void>();
  const reading = (async () => {
    const d = new TextDecoder();
    for await (const chunk of child.stdout) {
      screen += d.decode(chunk, { stream: true });
      if (screen.includes(PROMPT)) onAsked();
    }
    onAsked(); // it ended without asking: the assertions on the screen say why
  })();
  const stdin = child.stdin.getWriter();
  return {
    asked,
    answer: async (text: string) => {
      await stdin.write(new TextEncoder().encode(text)).then(() => stdin.close()).catch(() => {});
      const status = await child.status;
      await reading;
      await child.stderr.cancel();
      return { code: status.code, screen: screen.replaceAll("\r\n", "\n") };
    },
  };
}

async function withHome(f: (h: { codex: string; args: string[] }) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-tty-" });
  try {
    const codex = join(dir, ".codex");
    await Deno.mkdir(codex);
    await Deno.writeTextFile(join(codex, "config.toml"), CONFIG);
    await f({
      codex,
      args: [
        "install",
        "--codex-home",
        codex,
        "--state-dir",
        join(dir, "state"),
        "--bin-dir",
        join(dir, "bin"),
        "--codex-version",
        "0.169.0",
      ],
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("at a terminal: the diff is shown, 'y' writes the config that was shown", () =>
  withHome(async ({ codex, args }) => {
    const run = atTerminal(args);
    await run.asked;
    const r = await run.answer("y\n");
    assert.equal(r.code, 0, r.screen);
    const written = await Deno.readTextFile(join(codex, "config.toml"));
    // Every line the diff added is in the file, and the file has no line the diff did not show
    // (long command lines are shown shortened: the display only, never the file).
    const shown = r.screen.split("\n").filter((l) => l.startsWith("+") && !l.startsWith("+++"));
    const kept = CONFIG.trimEnd().split("\n");
    for (const l of written.trimEnd().split("\n")) {
      assert.ok(shown.includes(shortenLine(`+${l}`)) || kept.includes(l), l);
    }
    assert.ok(written.includes("--allow-write="), "the file holds the whole command");
    assert.match(r.screen, /Installed 14 hook handlers/);
  }));

Deno.test("at a terminal: a config.toml edited while the question is open is not overwritten", () =>
  withHome(async ({ codex, args }) => {
    const run = atTerminal(args);
    await run.asked;
    const cfg = join(codex, "config.toml");
    const theirs = CONFIG + "# edited while lifeline asked\n";
    await Deno.writeTextFile(cfg, theirs);
    const r = await run.answer("y\n");
    assert.equal(r.code, 1, r.screen);
    assert.match(
      r.screen,
      new RegExp(`lifeline: Not writing "${cfg}": it was changed since the plan was shown`),
    );
    assert.equal(await Deno.readTextFile(cfg), theirs);
    assert.deepEqual([...Deno.readDirSync(codex)].map((e) => e.name), ["config.toml"]);
  }));

Deno.test("at a terminal: any answer but yes changes nothing", () =>
  withHome(async ({ codex, args }) => {
    const run = atTerminal(args);
    await run.asked;
    const r = await run.answer("n\n");
    assert.equal(r.code, 1);
    assert.match(r.screen, /lifeline: nothing changed/);
    assert.deepEqual([...Deno.readDirSync(codex)].map((e) => e.name), ["config.toml"]);
  }));
