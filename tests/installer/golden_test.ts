/**
 * Golden fixtures: configs of the kinds users have. For each: the install
 * result (compared with `expected/`; refresh with `deno task update-golden`),
 * idempotence, the uninstall round trip, every comment kept, and what Codex
 * would load from the result (all of lifeline's handlers trusted, every user
 * hook still there).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { HOOK_EVENTS, type HookEventName } from "../../codex/events.ts";
import { profileFor } from "../../codex/profiles.ts";
import { planInstall, planUninstall } from "../../installer/plan.ts";
import { parseToml } from "../../installer/toml_edit.ts";
import { discover } from "../../simulator/discovery.ts";

const DIR = new URL("../testdata/installer/", import.meta.url).pathname;
const UPDATE = Deno.env.get("LIFELINE_UPDATE_GOLDEN") === "1";
export const PLACES = {
  deno: "/opt/deno/bin/deno",
  root: "/opt/lifeline",
  stateDir: "/home/u/.lifeline",
  codexHome: "/home/u/.codex",
};
const CONFIG = `${PLACES.codexHome}/config.toml`;
const HOOKS = `${PLACES.codexHome}/hooks.json`;

const read = (p: string) => {
  try {
    return Deno.readTextFileSync(p);
  } catch {
    return undefined;
  }
};

const cases = [...Deno.readDirSync(DIR)].filter((e) => e.isDirectory).map((e) => e.name).sort();

Deno.test("there are at least 15 golden configs", () => assert.ok(cases.length >= 15, String(cases.length)));

for (const name of cases) {
  Deno.test(`golden install: ${name}`, async () => {
    const dir = join(DIR, name);
    const spec = JSON.parse(read(join(dir, "case.json")) ?? "{}") as {
      profile?: string;
      codex_version?: string;
      events?: HookEventName[];
      expect_error?: string;
    };
    const config = { path: CONFIG, text: read(join(dir, "config.toml")) };
    const hooks = { path: HOOKS, text: read(join(dir, "hooks.json")) };
    const o = {
      places: PLACES,
      events: spec.events ?? HOOK_EVENTS,
      profile: profileFor(spec.profile ?? "0.169"),
      now: new Date("2026-11-21T00:00:00Z"),
      codexVersion: spec.codex_version,
    };
    if (spec.expect_error) {
      assert.throws(() => planInstall(config, hooks, undefined, o), new RegExp(spec.expect_error));
      return;
    }
    const plan = planInstall(config, hooks, undefined, o);
    const exp = join(dir, "expected");
    if (UPDATE) {
      Deno.mkdirSync(exp, { recursive: true });
      Deno.writeTextFileSync(join(exp, "config.toml"), plan.config.after!);
      Deno.writeTextFileSync(join(exp, "hooks.json"), plan.hooks.after!);
      Deno.writeTextFileSync(join(exp, "notes.txt"), plan.notes.join("\n") + "\n");
    }
    assert.equal(
      plan.config.after,
      read(join(exp, "config.toml")),
      "config.toml differs from expected/ (deno task update-golden)",
    );
    assert.equal(plan.hooks.after, read(join(exp, "hooks.json")), "hooks.json differs from expected/");
    assert.equal(plan.notes.join("\n") + "\n", read(join(exp, "notes.txt")));

    // idempotent: a second install changes no byte
    const again = planInstall(
      { path: CONFIG, text: plan.config.after },
      { path: HOOKS, text: plan.hooks.after },
      plan.manifest,
      o,
    );
    assert.equal(again.config.after, plan.config.after);
    assert.equal(again.hooks.after, plan.hooks.after);
    // …and a second install with the manifest lost does not duplicate anything either
    const lost = planInstall(
      { path: CONFIG, text: plan.config.after },
      { path: HOOKS, text: plan.hooks.after },
      undefined,
      o,
    );
    assert.equal(lost.hooks.after, plan.hooks.after);

    // uninstall round trip: byte-identical (a missing file stays missing)
    const un = planUninstall({ path: CONFIG, text: plan.config.after }, {
      path: HOOKS,
      text: plan.hooks.after,
    }, plan.manifest!);
    assert.equal(un.config.after, config.text);
    assert.equal(un.hooks.after, hooks.text);

    // every comment survives, the line endings and final newline too
    for (const line of (config.text ?? "").split(/\r?\n/)) {
      const c = line.indexOf("#") >= 0 && !/["'][^"']*#/.test(line)
        ? line.slice(line.indexOf("#"))
        : undefined;
      if (c) assert.ok(plan.config.after!.includes(c), `comment lost: ${c}`);
    }
    if (config.text?.includes("\r\n")) assert.ok(!/[^\r]\n/.test(plan.config.after!), "CRLF kept");
    if (config.text && config.text.length > 0) {
      assert.equal(plan.config.after!.endsWith("\n"), config.text.endsWith("\n"));
    }

    // what Codex would load: every lifeline handler trusted; user hooks kept
    const home = await Deno.makeTempDir();
    try {
      // Move only the trust keys' hooks.json path; the commands (and so the hashes) stay as written.
      Deno.writeTextFileSync(
        join(home, "config.toml"),
        plan.config.after!.replaceAll(`"${HOOKS}:`, `"${home}/hooks.json:`),
      );
      Deno.writeTextFileSync(join(home, "hooks.json"), plan.hooks.after!);
      const d = discover(home, o.profile);
      const lifeline = d.handlers.filter((h) => h.handler.command?.includes("/opt/lifeline/hooks/"));
      const expectedEvents = o.events.filter((e) => o.profile.events.includes(e));
      const parsed = parseToml(plan.config.after!, "after");
      const off = (parsed.features as Record<string, unknown> | undefined)?.[o.profile.featureKey] === false;
      if (off) assert.equal(d.hooksEnabled, false, "an explicit false is respected");
      else {assert.deepEqual(
          lifeline.map((h) => h.event).sort(),
          [...expectedEvents].sort(),
          d.skipped.map((s) => `${s.event}:${s.reason}`).join(),
        );}
      const userBefore = hooks.text ? Object.values(JSON.parse(hooks.text).hooks ?? {}).flat().length : 0;
      const after = JSON.parse(plan.hooks.after!).hooks as Record<string, { hooks: { command: string }[] }[]>;
      const userAfter = Object.values(after).flat().filter((g) =>
        !g.hooks.some((h) => h.command.includes("/opt/lifeline/"))
      ).length;
      assert.equal(userAfter, userBefore, "user groups kept");
      assert.deepEqual(parsed.notify, plan.manifest!.notify.argv);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  });
}
