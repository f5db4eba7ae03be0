/**
 * hooks.json edited as text: install and uninstall touch only lifeline's
 * groups, whatever layout the user's parts have, and the result always
 * re-parses to the intended document.
 */
import assert from "node:assert/strict";
import { profileFor } from "../../codex/profiles.ts";
import { planInstall, planUninstall } from "../../installer/plan.ts";

const PLACES = { deno: "/d/deno", root: "/opt/lifeline", stateDir: "/s", codexHome: "/c" };
const o = {
  places: PLACES,
  events: ["Stop", "PreToolUse"] as const,
  profile: profileFor("0.169"),
  now: new Date(0),
};
const config = { path: "/c/config.toml", text: 'model = "o3"\n' };

const LAYOUTS = [
  '{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"say hi"}]}]}}\n',
  '{\n    "description": "four spaces",\n    "hooks": {\n        "Stop": [ { "hooks": [ { "type": "command", "command": "say" } ] } ]\n    }\n}',
  '{\r\n\t"hooks": {\r\n\t\t"PreToolUse": [\r\n\t\t\t{"matcher": "Bash", "hooks": [{"type": "command", "command": "g"}]}\r\n\t\t]\r\n\t}\r\n}\r\n',
  '{ "description": "no hooks yet" }\n',
];

for (const [i, text] of LAYOUTS.entries()) {
  Deno.test(`layout ${i}: install keeps the user's bytes; uninstall after a user edit removes only lifeline's`, () => {
    const hooks = { path: "/c/hooks.json", text };
    const p = planInstall(config, hooks, undefined, { ...o, events: [...o.events] });
    const after = p.hooks.after!;
    // The user's handlers are there verbatim, in their own layout.
    for (const m of text.matchAll(/\{[^{}]*"command": ?"[^"]*"[^{}]*\}/g)) {
      assert.ok(after.includes(m[0]), m[0]);
    }
    assert.ok(after.startsWith(text.slice(0, text.search(/"(Stop|PreToolUse)"|"description"/))), after);
    const doc = JSON.parse(after);
    assert.equal(doc.hooks.Stop.at(-1).hooks[0].statusMessage, "lifeline: recording Stop");
    // The user edits the installed file by hand, in their own style.
    const edit = (t: string) =>
      t.includes('"description"')
        ? t.replace(/"description": "[^"]*"/, '"description": "mine"')
        : t.replace(/^\{/, '{"description": "mine", ');
    const edited = edit(after);
    const u = planUninstall(config, { path: "/c/hooks.json", text: edited }, p.manifest!, PLACES.root);
    const expected = edit(text);
    assert.deepEqual(JSON.parse(u.hooks.after!), JSON.parse(expected));
    if (JSON.parse(text).hooks) {
      assert.equal(u.hooks.after, expected, "byte for byte, minus lifeline's groups");
    }
  });
}
