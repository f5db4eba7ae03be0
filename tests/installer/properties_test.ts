/**
 * Properties of install/uninstall on generated configs: install twice =
 * install once; uninstall after install = the original, byte for byte; every
 * comment survives; the result parses to the intended document (notify at
 * root, one trust entry per handler).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { HOOK_EVENTS } from "../../codex/events.ts";
import { profileFor } from "../../codex/profiles.ts";
import { planInstall, planUninstall } from "../../installer/plan.ts";
import { parseToml } from "../../installer/toml_edit.ts";

const PLACES = {
  deno: "/opt/deno/bin/deno",
  root: "/opt/lifeline",
  stateDir: "/home/u/.lifeline",
  codexHome: "/home/u/.codex",
};
const o = {
  places: PLACES,
  events: HOOK_EVENTS,
  profile: profileFor("0.169"),
  now: new Date("2026-11-21T00:00:00Z"),
};

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const text = fc.string({
  unit: fc.constantFrom("a", "b", "Z", " ", "\\", '"', "é", "/", ":", "-", "1"),
  maxLength: 12,
});
const str = text.map((s) => JSON.stringify(s));
const comment = fc.option(
  fc.string({ unit: fc.constantFrom("a", "b", " ", "-", "é", "!"), maxLength: 10 }).map((s) => `# c:${s}`),
  { nil: undefined },
);
const withComment = (line: string, c: string | undefined) => (c ? `${line} ${c}` : line);

const config = fc.record({
  lead: comment,
  model: fc.option(str, { nil: undefined }),
  notify: fc.constantFrom("none", "array", "table", "string"),
  notifyArgs: fc.array(text, { minLength: 1, maxLength: 3 }),
  features: fc.constantFrom("none", "table", "dotted", "inline", "hooks_false"),
  legacyValue: fc.boolean(),
  history: fc.constantFrom("none", "max_bytes", "persistence"),
  profiles: fc.uniqueArray(word, { maxLength: 2 }),
  mcp: fc.uniqueArray(
    fc.tuple(word, fc.dictionary(fc.stringMatching(/^[A-Z]{1,4}$/), text, { maxKeys: 2 })),
    { maxLength: 2, selector: (t) => t[0] },
  ),
  comments: fc.array(comment, { minLength: 8, maxLength: 8 }),
  crlf: fc.boolean(),
  finalNewline: fc.boolean(),
}).map((c) => {
  const lines: string[] = [];
  const k = (i: number) => c.comments[i];
  if (c.lead) lines.push(c.lead);
  if (c.model) lines.push(withComment(`model = ${c.model}`, k(0)));
  const argv = `[${c.notifyArgs.map((a) => JSON.stringify(a)).join(", ")}]`;
  if (c.notify === "array") lines.push(withComment(`notify = ${argv}`, k(1)));
  if (c.notify === "string") lines.push(`notify = ${JSON.stringify(c.notifyArgs[0])}`);
  if (c.features === "dotted") lines.push(withComment(`features.codex_hooks = ${c.legacyValue}`, k(2)));
  if (c.features === "inline") lines.push(`features = { codex_hooks = ${c.legacyValue}, other = true }`);
  if (c.features === "table") {
    lines.push("", "[features]", withComment(`codex_hooks = ${c.legacyValue}`, k(3)));
  }
  if (c.features === "hooks_false") lines.push("", "[features]", "hooks = false");
  if (c.notify === "table") lines.push("", "[notify]", `command = ${argv}`);
  if (c.history === "max_bytes") lines.push("", "[history]", withComment("max_bytes = 100", k(4)));
  if (c.history === "persistence") lines.push("", "[history]", 'persistence = "none"');
  for (const p of c.profiles) lines.push("", withComment(`[profiles.${p}]`, k(5)), `model = "x"`);
  for (const [name, env] of c.mcp) {
    lines.push("", `[mcp_servers.${name}]`, withComment(`command = "npx"`, k(6)));
    if (Object.keys(env).length) {
      lines.push(
        `env = { ${Object.entries(env).map(([a, b]) => `${a} = ${JSON.stringify(b)}`).join(", ")} }`,
      );
    }
  }
  if (k(7)) lines.push("", k(7)!);
  const nl = c.crlf ? "\r\n" : "\n";
  return lines.join(nl) + (c.finalNewline && lines.length ? nl : "");
});

const hooksJson = fc.option(
  fc.record({
    matcher: fc.option(fc.constantFrom("Bash", "^Bash", "*", "Edit|Write"), { nil: undefined }),
    cmd: text.filter((s) => s.trim() !== ""),
  }).map((h) =>
    JSON.stringify(
      {
        hooks: {
          PreToolUse: [{
            ...(h.matcher ? { matcher: h.matcher } : {}),
            hooks: [{ type: "command", command: h.cmd }],
          }],
        },
      },
      null,
      2,
    ) + "\n"
  ),
  { nil: undefined },
);

Deno.test("property: install twice = install once; uninstall after install = the original; comments survive", () => {
  fc.assert(
    fc.property(config, hooksJson, (toml, hj) => {
      parseToml(toml, "generated"); // the generator makes valid TOML
      const c = { path: `${PLACES.codexHome}/config.toml`, text: toml === "" ? undefined : toml };
      const h = { path: `${PLACES.codexHome}/hooks.json`, text: hj };
      const p = planInstall(c, h, undefined, o);
      const again = planInstall({ ...c, text: p.config.after }, { ...h, text: p.hooks.after }, p.manifest, o);
      assert.equal(again.config.after, p.config.after);
      assert.equal(again.hooks.after, p.hooks.after);
      const un = planUninstall({ ...c, text: p.config.after }, { ...h, text: p.hooks.after }, p.manifest!);
      assert.equal(un.config.after, c.text);
      assert.equal(un.hooks.after, h.text);
      for (const m of toml.matchAll(/# c:[^\r\n]*/g)) {
        assert.ok(p.config.after!.includes(m[0]), `comment lost: ${m[0]}`);
      }
      const doc = parseToml(p.config.after!, "after");
      assert.deepEqual(doc.notify, p.manifest!.notify.argv);
      const state = (doc.hooks as { state: Record<string, { trusted_hash: string }> }).state;
      for (const k of p.manifest!.trust_keys) assert.match(state[k]!.trusted_hash, /^sha256:[0-9a-f]{64}$/);
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: after a user edit, uninstall removes lifeline's entries and keeps the edit", () => {
  fc.assert(
    fc.property(config, (toml) => {
      const c = { path: `${PLACES.codexHome}/config.toml`, text: toml === "" ? undefined : toml };
      const h = { path: `${PLACES.codexHome}/hooks.json`, text: undefined };
      const p = planInstall(c, h, undefined, o);
      const nl = p.config.after!.includes("\r\n") ? "\r\n" : "\n";
      const edited = p.config.after!.replace(/(\r?\n)?$/, `${nl}[user_added]${nl}x = 1${nl}`);
      const un = planUninstall({ ...c, text: edited }, { ...h, text: p.hooks.after }, p.manifest!);
      const doc = parseToml(un.config.after!, "after");
      assert.deepEqual(doc.user_added, { x: 1 });
      assert.equal(un.hooks.after, undefined, "hooks.json held only lifeline's handlers: it goes");
      const before = c.text ? parseToml(c.text, "before") : {};
      const { user_added: _, ...rest } = doc;
      // What remains equals the original settings (legacy notify forms come back as the array form they meant).
      if (toml.includes("[notify]") || /^notify = "/m.test(toml)) {
        delete (before as Record<string, unknown>).notify, delete rest.notify;
      }
      const strip = (d: Record<string, unknown>) => {
        const h = d.history as Record<string, unknown> | undefined;
        if (h && Object.keys(h).length === 0) delete d.history;
        return d;
      };
      assert.deepEqual(strip(rest), strip(before as Record<string, unknown>));
    }),
    { numRuns: 200 },
  );
});
