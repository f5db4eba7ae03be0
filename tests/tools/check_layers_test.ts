/**
 * The layering check (`tools/check_layers.ts`) as a subprocess: it passes on
 * this tree (with the violations main still has listed in
 * `tools/layers_known.txt`), and fails, naming file and line, on a copy with
 * a throwaway commit that breaks R1, R2, R3 and R4.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const repo = decodeURIComponent(new URL("../..", import.meta.url).pathname).replace(/\/$/, "");
const SOURCES = [
  "codex",
  "lifecycle",
  "hub",
  "hooks",
  "installer",
  "simulator",
  "cli",
  "bench",
  "tests",
  "tools",
  "mod.ts",
  "deno.json",
  "deno.lock",
];

async function run(cmd: string, args: string[], cwd: string) {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** Runs the checker that lives in `root` (so it checks `root`), with the permissions of `deno task layers`. */
function checker(root: string, ...args: string[]) {
  return run(
    Deno.execPath(),
    ["run", "--allow-read", "--allow-write", "--allow-run", join(root, "tools/check_layers.ts"), ...args],
    root,
  );
}

async function git(dir: string, ...args: string[]) {
  const r = await run("git", ["-c", "user.name=layers test", "-c", "user.email=layers@test", ...args], dir);
  assert.equal(r.code, 0, `git ${args.join(" ")}: ${r.stderr}`);
}

/** A copy of this tree's source folders, committed in a git repository of its own. */
async function copyRepo(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-layers-test-" });
  const present = SOURCES.filter((s) => {
    try {
      Deno.statSync(join(repo, s));
      return true;
    } catch {
      return false;
    }
  });
  const cp = await run("cp", ["-R", ...present.map((s) => join(repo, s)), dir], repo);
  assert.equal(cp.code, 0, cp.stderr);
  await git(dir, "init", "-q");
  await git(dir, "add", "-A");
  await git(dir, "commit", "-qm", "copy of the tree under test");
  return dir;
}

Deno.test("this tree passes: every violation is allowed by tools/layers_known.txt", async () => {
  const r = await checker(repo);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^layers: ok \(\d+ modules/m);
});

Deno.test("tools/layers_known.txt lists only violations that still occur", async () => {
  const r = await checker(repo);
  const stale = r.stdout.split("\n").filter((l) => l.includes("no longer occurs"));
  assert.deepEqual(stale, [], "remove these lines from tools/layers_known.txt");
});

Deno.test("deno task ok runs the layering check before the tests", () => {
  const tasks = JSON.parse(Deno.readTextFileSync(join(repo, "deno.json"))).tasks;
  assert.match(tasks.layers, /tools\/check_layers\.ts/);
  const ok: string = tasks.ok;
  assert.ok(ok.includes("deno task layers"), ok);
  assert.ok(ok.indexOf("deno task layers") < ok.indexOf("deno task test"), ok);
});

Deno.test("a throwaway commit with an upward, a private, a tests/ and a package import fails with file and line", async () => {
  const dir = await copyRepo();
  try {
    const clean = await checker(dir);
    assert.equal(clean.code, 0, "the unchanged copy passes like this tree: " + clean.stdout + clean.stderr);

    const write = (rel: string, text: string) => Deno.writeTextFileSync(join(dir, rel), text);
    // R1: codex/ (L0) imports lifecycle/ (L1); the statement starts two lines above its specifier.
    write(
      "codex/upward_probe.ts",
      '// probe\nimport {\n  anything,\n} from "../lifecycle/scrub.ts";\nexport { anything };\n',
    );
    // R2: hub/ imports lifecycle/'s private file (lower layer, so R1 holds).
    write("lifecycle/_secret.ts", "export const secret = 1;\n");
    write(
      "hub/private_probe.ts",
      '// probe\nimport { secret } from "../lifecycle/_secret.ts";\nexport { secret };\n',
    );
    // R3: installer/ imports the test harness.
    write("installer/tests_probe.ts", 'export * from "../tests/harness/histories.ts";\n');
    // R4: a package reached from a hook entry through a module that looks harmless.
    write("lifecycle/npm_probe.ts", '// probe\nimport { parse } from "smol-toml";\nexport { parse };\n');
    const stop = Deno.readTextFileSync(join(dir, "hooks/stop.ts"));
    write("hooks/stop.ts", stop + 'import "../lifecycle/npm_probe.ts";\n');
    // R1: the root mod.ts imports hub/.
    const mod = Deno.readTextFileSync(join(dir, "mod.ts"));
    write("mod.ts", mod + 'export { CLOSE } from "./hub/protocol.ts";\n');
    const modLine = mod.split("\n").length;
    await git(dir, "add", "-A");
    await git(dir, "commit", "-qm", "throwaway: break every layering rule once");

    const r = await checker(dir);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const expected = [
      "codex/upward_probe.ts:2: R1 imports lifecycle/scrub.ts: codex/ (L0) may not import lifecycle/ (L1)",
      "hub/private_probe.ts:2: R2 imports lifecycle/_secret.ts: another folder's private file",
      "installer/tests_probe.ts:1: R3 imports tests/harness/histories.ts: nothing outside tests/ imports tests/",
      "lifecycle/npm_probe.ts:2: R4 imports npm:smol-toml@1.9.1: a package in the import graph of hooks/stop.ts",
      `mod.ts:${modLine}: R1 imports hub/protocol.ts: the root mod.ts imports codex/ and lifecycle/ only`,
    ];
    const reported = r.stdout.split("\n").filter((l) => /: R\d /.test(l));
    assert.deepEqual(reported.sort(), expected.sort());
    assert.match(r.stdout, /^layers: 5 violation\(s\)/m);

    // --all ignores the allow-list: the known violations are reported too, with their lines.
    const all = await checker(dir, "--all");
    assert.equal(all.code, 1);
    const known = Deno.readTextFileSync(join(dir, "tools/layers_known.txt")).split("\n")
      .filter((l) => l.trim() !== "" && !l.startsWith("#"));
    for (const k of known) {
      const [file, rest] = [k.slice(0, k.indexOf(": ")), k.slice(k.indexOf(": ") + 2)];
      assert.ok(
        all.stdout.split("\n").some((l) =>
          new RegExp(`^${file.replace(/\./g, "\\.")}:\\d+: `).test(l) && l.endsWith(rest)
        ),
        `--all reports ${k}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
