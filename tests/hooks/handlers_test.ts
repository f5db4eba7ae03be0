/**
 * The command lines lifeline installs: the event hooks and notify are built
 * by one argv builder, so they differ only where their jobs differ.
 */
import assert from "node:assert/strict";
import { HOOK_EVENTS } from "../../codex/events.ts";
import { type HandlerPlaces, hookCommand, notifyArgv } from "../../hooks/handlers.ts";

const places: HandlerPlaces = {
  deno: "/opt/deno/bin/deno",
  root: "/opt/lifeline",
  stateDir: "/home/u/.lifeline",
  codexHome: "/home/u/.codex",
  netHosts: ["127.0.0.1:4318"],
};

/** The `--flag=` words of an argv, without the script and its own arguments. */
const denoFlags = (argv: readonly string[]) => argv.slice(1, argv.findIndex((w) => w.endsWith(".ts")));

Deno.test("notify gets the event hooks' flags except --allow-run=<deno> (it starts no sidecar)", () => {
  const notify = notifyArgv(places);
  for (const event of HOOK_EVENTS) {
    const hook = hookCommand(event, places).split(" ");
    assert.deepEqual(denoFlags(notify), denoFlags(hook).filter((f) => f !== `--allow-run=${places.deno}`));
    assert.ok(denoFlags(hook).includes(`--allow-run=${places.deno}`), event);
  }
  assert.ok(notify.includes("--allow-net=127.0.0.1:4318"), "notify may flush its own records too");
  assert.deepEqual(notify.slice(-2), ["/opt/lifeline/hooks/notify.ts", "--state-dir=/home/u/.lifeline"]);
});

Deno.test("a chained notify may run exactly the user's program, and passes it on --chain", () => {
  const chain = ["/usr/bin/notify-send", "done"];
  const argv = notifyArgv(places, chain);
  assert.ok(argv.includes("--allow-run=/usr/bin/notify-send"));
  assert.equal(argv.at(-1), `--chain=${JSON.stringify(chain)}`);
  assert.deepEqual(notifyArgv(places, []), notifyArgv(places), "an empty chain is no chain");
});

Deno.test("an event hook's command: its deadline under Codex's timeout and the Codex pid from the shell", () => {
  const cmd = hookCommand("SessionEnd", places);
  assert.match(
    cmd,
    / \/opt\/lifeline\/hooks\/session_end\.ts --state-dir=\/home\/u\/\.lifeline --deadline-ms=1800 /,
  );
  assert.ok(cmd.endsWith(" --codex-pid=$PPID"));
});
