import assert from "node:assert/strict";
import {
  canonicalJson,
  eventLabel,
  HOOK_EVENTS,
  hookIdentity,
  hookTrustHash,
  hookTrustKey,
  profileFor,
  PROFILES,
} from "../../codex/mod.ts";

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return "sha256:" + [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("trust keys use the snake_case labels", () => {
  assert.deepEqual(HOOK_EVENTS.map(eventLabel), [
    "session_start",
    "user_prompt_submit",
    "pre_tool_use",
    "permission_request",
    "post_tool_use",
    "pre_compact",
    "post_compact",
    "subagent_start",
    "subagent_stop",
    "stop",
    "interrupt",
    "session_end",
  ]);
  assert.equal(hookTrustKey("/h/hooks.json", "PostToolUse", 2, 1), "/h/hooks.json:post_tool_use:2:1");
});

Deno.test("the hashed identity follows contract §12", () => {
  const h = { type: "command", command: "deno run /ä/x.ts", timeout: 5 };
  assert.equal(
    canonicalJson(hookIdentity("PreToolUse", { matcher: "Bash" }, h)),
    '{"event_name":"pre_tool_use","hooks":[{"async":false,"command":"deno run /ä/x.ts","timeout":5,"type":"command"}],"matcher":"Bash"}',
  );
  // matcher dropped for UserPromptSubmit and Stop whatever is configured; kept verbatim ("*") elsewhere
  assert.equal(hookIdentity("Stop", { matcher: "x" }, h).matcher, undefined);
  assert.equal(hookIdentity("UserPromptSubmit", { matcher: "*" }, h).matcher, undefined);
  assert.equal(hookIdentity("Interrupt", { matcher: "*" }, h).matcher, "*");
  // default timeout 600; SessionEnd default 1, clamped to 1..3
  const t = (e: Parameters<typeof hookIdentity>[0], timeout?: number) =>
    (hookIdentity(e, {}, { type: "command", command: "c", ...(timeout === undefined ? {} : { timeout }) })
      .hooks as { timeout: number }[])[0]!.timeout;
  assert.deepEqual([t("Stop"), t("Stop", 0), t("SessionEnd"), t("SessionEnd", 30), t("SessionEnd", 2)], [
    600,
    1,
    1,
    3,
    2,
  ]);
  // statusMessage only when set; additionalContextLimit only when not 2500, only for some events
  const full = hookIdentity("SessionStart", {}, {
    type: "command",
    command: "c",
    statusMessage: "s",
    additionalContextLimit: 100,
  });
  assert.deepEqual(Object.keys((full.hooks as object[])[0]!).sort(), [
    "additionalContextLimit",
    "async",
    "command",
    "statusMessage",
    "timeout",
    "type",
  ]);
  const same = hookIdentity("SessionStart", {}, {
    type: "command",
    command: "c",
    additionalContextLimit: 2500,
  });
  assert.equal("additionalContextLimit" in (same.hooks as object[])[0]!, false);
  assert.equal(
    "additionalContextLimit" in
      (hookIdentity("Stop", {}, { type: "command", command: "c", additionalContextLimit: 1 })
        .hooks as object[])[0]!,
    false,
  );
});

Deno.test("the hash is sha256 of the canonical identity (checked against WebCrypto)", async () => {
  const h = { type: "command", command: "echo 'hi' / ünïcode", timeout: 3 };
  const expected = await sha256(canonicalJson(hookIdentity("SessionEnd", { matcher: "other" }, h)));
  assert.equal(hookTrustHash("SessionEnd", { matcher: "other" }, h), expected);
  assert.notEqual(hookTrustHash("SessionEnd", {}, h), expected, "the matcher is part of the identity");
  assert.notEqual(
    hookTrustHash("SessionEnd", { matcher: "other" }, { ...h, command: h.command + " " }),
    expected,
  );
});

Deno.test("version profiles", () => {
  assert.deepEqual(PROFILES.map((p) => p.version), [
    "0.114",
    "0.116",
    "0.118",
    "0.124",
    "0.130",
    "0.145",
    "0.148",
    "0.150",
    "0.169",
  ]);
  const p114 = profileFor("0.114.0");
  assert.deepEqual([...p114.events], ["SessionStart", "Stop"]);
  assert.equal(p114.featureKey, "codex_hooks");
  assert.equal(p114.hooksOnByDefault, false);
  assert.equal(profileFor("0.124.0").hooksOnByDefault, true);
  assert.equal(profileFor("0.124.0").trustEnforced, false);
  assert.equal(profileFor("0.130.0").featureKey, "hooks");
  assert.equal(profileFor("0.130.0").trustEnforced, true);
  assert.equal(profileFor("0.145.0").asyncHandlers, "skipped");
  assert.equal(profileFor("0.148.0").asyncHandlers, "background");
  assert.ok(profileFor("0.148.0").events.includes("SessionEnd"));
  assert.ok(!profileFor("0.148.0").events.includes("Interrupt"));
  assert.equal(profileFor("0.150.1").interrupt, "Interrupt");
  assert.equal(profileFor("codex-cli 0.169.0".replace("codex-cli ", "")).version, "0.169");
  assert.throws(() => profileFor("0.99.0"), /has no hooks/);
  assert.throws(() => profileFor("latest"), /Cannot read Codex version "latest"/);
});
