/**
 * Discovery as Codex does it, from text and parsed data only: trust written
 * by the one trust-table writer is honoured for any path; a wrong hash,
 * hooks turned off, an async handler on an old Codex, a disabled entry and a
 * void file are each skipped for their own reason.
 */
import assert from "node:assert/strict";
import { parse as parseToml } from "smol-toml";
import { ContractError, type JsonObject } from "../../codex/json.ts";
import { discoverHooks, type DiscoveryInput } from "../../codex/discovery.ts";
import type { HookHandler } from "../../codex/hooks_json.ts";
import { profileFor } from "../../codex/profiles.ts";
import { trustEntry, trustToml } from "../../codex/trust.ts";
import { discover } from "../../simulator/discovery.ts";

const STOP: HookHandler = { type: "command", command: "echo stop", timeout: 5 };

/** A Codex home that does not exist on disk: discovery must not need it to. */
function input(home: string, config: string, hooks: unknown, version = "0.169"): DiscoveryInput {
  return {
    profile: profileFor(version),
    configPath: `${home}/config.toml`,
    config: parseToml(config) as JsonObject,
    hooksJsonPath: `${home}/hooks.json`,
    hooksJsonText: hooks === undefined ? undefined : JSON.stringify(hooks),
  };
}

for (
  const home of [
    "/nowhere/plain",
    `/nowhere/with "quotes" and 'single'`,
    "/nowhere/back\\slash",
    "/nowhere/del\u007fchar",
    "/nowhere/日本/😀",
    "/nowhere/tab\there",
  ]
) {
  Deno.test(`trust written by trustToml is honoured: ${JSON.stringify(home)}`, () => {
    const trust = trustToml([trustEntry(`${home}/hooks.json`, "Stop", 0, 0, {}, STOP)]);
    const d = discoverHooks(input(home, trust, { hooks: { Stop: [{ hooks: [STOP] }] } }));
    assert.deepEqual(d.skipped, []);
    assert.equal(d.handlers.length, 1);
    assert.equal(d.handlers[0]!.key, `${home}/hooks.json:stop:0:0`);
    assert.equal(d.handlers[0]!.source, `${home}/hooks.json`);
  });
}

Deno.test("a trust entry for another handler does not trust this one", () => {
  const other = { ...STOP, command: "echo other" };
  const trust = trustToml([trustEntry("/h/hooks.json", "Stop", 0, 0, {}, other)]);
  const d = discoverHooks(input("/h", trust, { hooks: { Stop: [{ hooks: [STOP] }] } }));
  assert.deepEqual(d.handlers, []);
  assert.deepEqual(d.skipped.map((s) => s.reason), ["untrusted"]);
  assert.ok(d.warnings.some((w) => w.includes("1 hooks need review")), d.warnings.join("\n"));
});

Deno.test("hooks off, disabled entries and async handlers on an old Codex are skipped for their reason", () => {
  const off = discoverHooks(
    input("/h", "[features]\nhooks = false\n", { hooks: { Stop: [{ hooks: [STOP] }] } }),
  );
  assert.equal(off.hooksEnabled, false);
  assert.deepEqual(off.skipped.map((s) => s.reason), ["hooks_off"]);
  const disabled = discoverHooks(
    input("/h", `[hooks.state."/h/hooks.json:stop:0:0"]\nenabled = false\n`, {
      hooks: { Stop: [{ hooks: [STOP] }] },
    }),
  );
  assert.deepEqual(disabled.skipped.map((s) => s.reason), ["disabled"]);
  const old = discoverHooks(
    input("/h", "[features]\ncodex_hooks = true\n", {
      hooks: { Stop: [{ hooks: [{ ...STOP, async: true }] }] },
    }, "0.124"),
  );
  assert.deepEqual(old.skipped.map((s) => s.reason), ["async_unsupported"]);
  assert.ok(old.warnings.some((w) => w.startsWith("skipping async hook in /h/hooks.json")));
});

Deno.test("inline [hooks] and hooks.json both load, with Codex's warning; a void file loads nothing", () => {
  const trust = trustToml([
    trustEntry("/h/hooks.json", "Stop", 0, 0, {}, STOP),
    trustEntry("/h/config.toml", "Stop", 0, 0, {}, STOP),
  ]);
  const inline =
    `[[hooks.Stop]]\n[[hooks.Stop.hooks]]\ntype = "command"\ncommand = "echo stop"\ntimeout = 5\n\n`;
  const both = discoverHooks(input("/h", inline + trust, { hooks: { Stop: [{ hooks: [STOP] }] } }));
  assert.deepEqual(both.handlers.map((h) => h.source), ["/h/hooks.json", "/h/config.toml"]);
  assert.ok(
    both.warnings.some((w) => w.startsWith("loading hooks from both /h/hooks.json and /h/config.toml")),
  );
  const voided = discoverHooks({ ...input("/h", "", undefined), hooksJsonText: "{ not json" });
  assert.deepEqual(voided.handlers, []);
  assert.ok(
    voided.warnings.some((w) => w.startsWith("failed to parse hooks config")),
    voided.warnings.join("\n"),
  );
});

Deno.test("the root-level notify argv is reported; an empty one is not", () => {
  assert.deepEqual(discoverHooks(input("/h", `notify = ["a", "b"]\n`, undefined)).notify, ["a", "b"]);
  assert.equal(discoverHooks(input("/h", `notify = []\n`, undefined)).notify, undefined);
});

Deno.test("the simulator's disk adapter: a config.toml syntax error is a ContractError naming the file", async () => {
  const home = await Deno.makeTempDir({ prefix: "lifeline-discovery-" });
  try {
    await Deno.writeTextFile(`${home}/config.toml`, "model = [\n");
    assert.throws(
      () => discover(home, profileFor("0.169")),
      (e) =>
        e instanceof ContractError &&
        e.message.startsWith(`Error loading config.toml: ${home}/config.toml: `),
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
