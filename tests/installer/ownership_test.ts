/**
 * The one "is this handler lifeline's?" rule inverts the command builders:
 * every command `hookCommand` and every argv `notifyArgv` makes is
 * recognised, for the event it was made for, whatever the paths hold; a
 * command that merely mentions lifeline or one of its paths is not.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { HOOK_EVENTS } from "../../codex/events.ts";
import {
  type HandlerPlaces,
  HOOK_SCRIPTS,
  hookCommand,
  lifelineHookEvent,
  lifelineNotify,
  notifyArgv,
  notifyShellArgv,
  quotedWords,
  shellQuote,
} from "../../hooks/handlers.ts";
import { profileFor } from "../../codex/profiles.ts";
import { isLifelineHandler } from "../../installer/edits/hooks_json.ts";
import { planInstall } from "../../installer/plan.ts";
import { parseToml } from "../../installer/toml_edit.ts";

/** Path characters people and tests put in paths: spaces, quotes, shell syntax, unicode. */
const hostile = fc.string({
  unit: fc.constantFrom(
    "a",
    "Z",
    "0",
    "/",
    " ",
    "'",
    '"',
    "\\",
    "$",
    "`",
    ";",
    "&",
    "|",
    "é",
    "日",
    "😀",
    "\n",
    "\t",
    "-",
    "=",
    ",",
  ),
  minLength: 1,
  maxLength: 16,
});
const absolute = hostile.map((s) => `/${s}`);
const places: fc.Arbitrary<HandlerPlaces> = fc.record({
  deno: absolute,
  root: absolute,
  stateDir: absolute,
  codexHome: absolute,
  netHosts: fc.option(fc.array(fc.constantFrom("127.0.0.1:4318", "neotoma.example:443"), { minLength: 1 }), {
    nil: undefined,
  }),
}).map(({ netHosts, ...p }) => (netHosts ? { ...p, netHosts } : p));
const event = fc.constantFrom(...HOOK_EVENTS);

Deno.test("property: every hook command the builder makes is recognised, for its own event", () => {
  fc.assert(
    fc.property(places, event, (p, e) => {
      assert.equal(lifelineHookEvent(hookCommand(e, p), p.root), e);
      assert.ok(isLifelineHandler(hookCommand(e, p), p.root, new Set()));
    }),
    { numRuns: 500 },
  );
});

Deno.test("property: a command built for another checkout is not this checkout's", () => {
  fc.assert(
    fc.property(places, absolute, event, (p, other, e) => {
      fc.pre(other !== p.root);
      assert.equal(lifelineHookEvent(hookCommand(e, p), other), undefined);
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: every notify argv the builder makes is recognised, with what it chains", () => {
  fc.assert(
    fc.property(
      places,
      fc.option(fc.array(hostile, { minLength: 1, maxLength: 3 }), { nil: undefined }),
      (p, chain) => {
        assert.deepEqual(lifelineNotify(notifyArgv(p, chain), p.root), { chain: chain ?? null });
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("property: the shell-word reader gives back exactly the words shellQuote quoted", () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(hostile, fc.constant("")), { minLength: 1, maxLength: 6 }), (words) => {
      assert.deepEqual(quotedWords(words.map(shellQuote).join(" ")), words);
    }),
    { numRuns: 500 },
  );
});

Deno.test("property: user commands that mention lifeline or its script paths are not lifeline's", () => {
  const root = "/opt/lifeline";
  const p = { deno: "/usr/bin/deno", root, stateDir: "/home/u/.lifeline", codexHome: "/home/u/.codex" };
  const mention = fc.oneof(
    fc.constant("lifeline"),
    fc.constantFrom(...HOOK_EVENTS).map((e) => `${root}/hooks/${HOOK_SCRIPTS[e]}`),
    fc.constantFrom(...HOOK_EVENTS).map((e) => hookCommand(e, p)),
  );
  const wrapped = fc.tuple(hostile, mention, hostile, fc.constantFrom("prefix", "suffix", "both", "quoted"))
    .map(([a, m, b, how]) =>
      how === "prefix"
        ? `${a}; ${m}`
        : how === "suffix"
        ? `${m} ${b}`
        : how === "both"
        ? `${a} ${m} ${b}`
        : `sh -c ${shellQuote(m)}`
    );
  fc.assert(
    fc.property(wrapped, (command) => {
      assert.equal(lifelineHookEvent(command, root), undefined, command);
      assert.equal(isLifelineHandler(command, root, new Set()), false, command);
    }),
    { numRuns: 500 },
  );
});

Deno.test("examples: near misses of a lifeline command are not lifeline's", () => {
  const p = { deno: "/usr/bin/deno", root: "/opt/lifeline", stateDir: "/s", codexHome: "/c" };
  const cmd = hookCommand("Stop", p);
  const misses = [
    `echo /opt/lifeline/hooks/stop.ts`,
    `deno run /opt/lifeline/hooks/stop.ts`,
    cmd.replace(" --codex-pid=$PPID", ""),
    cmd.replace("/opt/lifeline/hooks/stop.ts", "/opt/lifeline/hooks/stop.ts.bak"),
    cmd.replace("/opt/lifeline/hooks/stop.ts", "/opt/lifeline/hooks/unknown.ts"),
    cmd.replace(" run ", "  run "),
    cmd.replace("/usr/bin/deno", `"/usr/bin/deno"`),
    `${cmd} && rm -rf ~`,
    `$(${cmd})`,
  ];
  for (const m of misses) assert.equal(lifelineHookEvent(m, p.root), undefined, m);
  assert.equal(lifelineHookEvent(cmd, p.root), "Stop");
  assert.ok(isLifelineHandler("my own recorded command", p.root, new Set(["my own recorded command"])));
  assert.equal(
    lifelineNotify(["/usr/bin/notify-send", "lifeline", "/opt/lifeline/hooks/notify.ts"], p.root),
    undefined,
  );
  assert.equal(lifelineNotify([...notifyArgv(p), "--extra"], p.root), undefined);
  assert.equal(lifelineNotify([...notifyArgv(p), "--chain=[]"], p.root), undefined);
});

Deno.test("install replaces lifeline's handlers and notify built with another deno, without a manifest", () => {
  const old = { deno: "/old/deno", root: "/opt/lifeline", stateDir: "/s", codexHome: "/c" };
  const now = { ...old, deno: "/new/deno" };
  const hooks = JSON.stringify({
    hooks: {
      Stop: [
        { hooks: [{ type: "command", command: "echo mine /opt/lifeline/hooks/stop.ts" }] },
        { hooks: [{ type: "command", command: hookCommand("Stop", old), timeout: 10 }] },
      ],
    },
  });
  const config = `notify = ${JSON.stringify(notifyArgv(old, ["notify-send", "Codex"]))}\n`;
  const plan = planInstall(
    { path: "/c/config.toml", text: config },
    { path: "/c/hooks.json", text: hooks },
    undefined,
    {
      places: now,
      events: ["Stop"],
      profile: profileFor("0.169"),
      now: new Date(0),
    },
  );
  const stop = JSON.parse(plan.hooks.after!).hooks.Stop;
  assert.deepEqual(stop.map((g: { hooks: { command: string }[] }) => g.hooks[0]!.command), [
    "echo mine /opt/lifeline/hooks/stop.ts",
    hookCommand("Stop", now),
  ]);
  // The old lifeline notify is lifeline's: replaced, never chained to itself; the user's program stays,
  // now run on its own beside lifeline's.
  assert.deepEqual(
    parseToml(plan.config.after!, "/c/config.toml").notify,
    notifyShellArgv(now, ["notify-send", "Codex"]),
  );
});
