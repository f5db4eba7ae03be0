/**
 * Paths of any shape: a comma (which Deno's allow lists cannot express) is
 * refused with a reason before anything is written; quotes, spaces, `$` and
 * unicode work, and `doctor` fires every hook into a temporary store, never
 * into the real one.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { exists, installer, makeHome } from "./_run.ts";

for (const name of ["state,dir", "state,"]) {
  Deno.test(`a state dir with a comma (${JSON.stringify(name)}) is refused with a reason; nothing is written`, async () => {
    const h = await makeHome(name);
    try {
      await Deno.writeTextFile(join(h.codex, "config.toml"), 'model = "o3"\n');
      const r = await installer(["install", ...h.args, "--yes"]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /it contains a comma, which Deno's --allow-read and --allow-write lists cannot express/,
      );
      assert.match(r.stderr, /Choose another folder with --state-dir DIR/);
      assert.deepEqual([...Deno.readDirSync(h.codex)].map((e) => e.name), ["config.toml"]);
      assert.ok(!exists(h.state) && !exists(h.bin));
    } finally {
      await Deno.remove(h.dir, { recursive: true });
    }
  });
}

Deno.test("a Codex home with a comma is refused too, and doctor says so instead of reporting all OK", async () => {
  const h = await makeHome();
  try {
    const args = h.args.map((a) => (a === h.codex ? `${h.codex},x` : a));
    const r = await installer(["install", ...args, "--yes"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Cannot install with Codex's home ".*,x": it contains a comma/);
    const d = await installer([
      "doctor",
      ...args.filter((a, i) => a !== "--bin-dir" && args[i - 1] !== "--bin-dir"),
    ]);
    assert.equal(d.code, 1);
    assert.match(d.stdout, /FAIL +options +Cannot install with Codex's home/);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("a state dir with quotes, spaces, $ and unicode works; doctor never writes into the real store", async () => {
  const h = await makeHome(`it's a "state" $HOME dïr`);
  try {
    const inst = await installer(["install", ...h.args, "--yes"]);
    assert.equal(inst.code, 0, inst.stderr);
    const doctorArgs = h.args.filter((a, i) => a !== "--bin-dir" && h.args[i - 1] !== "--bin-dir");
    const d = await installer(["doctor", ...doctorArgs, "--json"]);
    const report = JSON.parse(d.stdout) as { ok: boolean; checks: { name: string; status: string }[] };
    assert.equal(d.code, 0, d.stdout);
    const hooks = report.checks.filter((c) => c.name.startsWith("hook "));
    assert.equal(hooks.length, 14);
    assert.ok(hooks.every((c) => c.status === "ok"), JSON.stringify(hooks));
    assert.ok(report.checks.some((c) => c.name === "installed copy" && c.status === "ok"));
    assert.ok(!exists(join(h.state, "lifeline.db")), "doctor wrote nothing into the real store");
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("doctor says when forwarding targets are set but the installed hooks may not reach them", async () => {
  const h = await makeHome();
  try {
    assert.equal((await installer(["install", ...h.args, "--yes"])).code, 0);
    const doctorArgs = h.args.filter((a, i) => a !== "--bin-dir" && h.args[i - 1] !== "--bin-dir");
    const d = await installer(["doctor", ...doctorArgs], {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
    });
    assert.equal(d.code, 1);
    assert.match(
      d.stdout,
      /FAIL +forwarding +127\.0\.0\.1:4318 configured, but 14 installed hook\(s\) may not reach it/,
    );
    assert.match(d.stdout, /ok +outbox +no store yet/);
  } finally {
    await Deno.remove(h.dir, { recursive: true });
  }
});

Deno.test("doctor's test events never reach a forwarding target, even one the hooks may reach", async () => {
  const h = await makeHome();
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    requests++;
    return new Response("{}");
  });
  try {
    const env = { LIFELINE_NEOTOMA_URL: `http://127.0.0.1:${server.addr.port}` };
    assert.equal((await installer(["install", ...h.args, "--yes"], env)).code, 0);
    const d = await installer(["doctor", ...h.args], env);
    assert.equal(d.code, 0, d.stdout);
    assert.match(d.stdout, /ok +forwarding +the hooks may reach 127\.0\.0\.1:\d+/);
    assert.match(d.stdout, /ok +hook Stop +ran and recorded/);
    assert.equal(requests, 0, "no doctor event was forwarded");
  } finally {
    await server.shutdown();
    await Deno.remove(h.dir, { recursive: true });
  }
});
