import assert from "node:assert/strict";
import {
  canonicalJson,
  eventLabel,
  HOOK_EVENTS,
  hookIdentity,
  hookTrustHash,
  hookTrustKey,
  LATEST_PROFILE,
  newerThanKnownNote,
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
    "pre_model_request",
    "post_model_request",
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
    "0.117",
    "0.124",
    "0.129",
    "0.130",
    "0.145",
    "0.148",
    "0.150",
    "0.169",
    "0.171",
  ]);
  const p114 = profileFor("0.114.0");
  assert.deepEqual([...p114.events], ["SessionStart", "Stop"]);
  assert.deepEqual([...p114.eventsWithoutTurnId], ["Stop"]);
  assert.equal(p114.featureKey, "codex_hooks");
  assert.equal(p114.hooksOnByDefault, false);
  assert.equal(p114.underDevelopmentNotice, true);
  assert.equal(p114.notifyExecClient, "codex-exec");
  assert.equal(profileFor("0.115.0").version, "0.114");
  assert.deepEqual([...profileFor("0.116.0").eventsWithoutTurnId], ["UserPromptSubmit", "Stop"]);
  assert.ok(!profileFor("0.116.0").events.includes("PreToolUse"));
  const p117 = profileFor("0.117.0");
  assert.ok(p117.events.includes("PreToolUse") && p117.events.includes("PostToolUse"));
  assert.deepEqual([...p117.eventsWithoutTurnId], []);
  assert.equal(p117.toolEventsCarryTurnId, true);
  assert.equal(p117.transcriptFormat, "function_call_output");
  assert.equal(profileFor("0.118.0").version, "0.117");
  assert.equal(profileFor("0.124.0").hooksOnByDefault, true);
  assert.equal(profileFor("0.124.0").trustEnforced, false);
  assert.equal(profileFor("0.124.0").notifyExecClient, "codex_exec");
  const p129 = profileFor("0.129.0");
  assert.equal(p129.version, "0.129");
  assert.equal(p129.trustEnforced, true);
  assert.equal(p129.legacyKeyDeprecated, true);
  assert.equal(p129.featureKey, "codex_hooks", "the hooks key is understood only from 0.130");
  assert.equal(profileFor("0.130.0").featureKey, "hooks");
  assert.equal(profileFor("0.130.0").trustEnforced, true);
  assert.ok(!profileFor("0.144.6").events.includes("SessionEnd"));
  assert.ok(profileFor("0.145.0").events.includes("SessionEnd"), "0.145 fires SessionEnd");
  assert.equal(profileFor("0.145.0").asyncHandlers, "skipped");
  assert.equal(profileFor("0.147.0").transcriptFormat, "function_call_output");
  assert.equal(profileFor("0.148.0").asyncHandlers, "background");
  assert.equal(profileFor("0.148.0").transcriptFormat, "command_execution");
  assert.ok(!profileFor("0.149.1").events.includes("Interrupt"));
  assert.equal(profileFor("0.150.1").interrupt, "Interrupt");
  assert.equal(profileFor("0.150.0").modelRequestPayload, null);
  const p169 = profileFor("codex-cli 0.169.0".replace("codex-cli ", ""));
  assert.equal(p169.version, "0.169");
  assert.ok(p169.events.includes("PreModelRequest") && p169.events.includes("PostModelRequest"));
  assert.equal(p169.modelRequestPayload, "0.169");
  assert.equal(p169.modelRequestOrder, "request_then_tools");
  assert.equal(p169.newerThanKnown, false);
  const p171 = profileFor("0.171.0");
  assert.equal(p171.version, "0.171");
  assert.equal(p171.modelRequestPayload, "0.171");
  assert.equal(p171.modelRequestOrder, "tools_within_request");
  assert.equal(p171.newerThanKnown, false);
  assert.equal(LATEST_PROFILE.version, "0.171");
  const newer = profileFor("0.180.2");
  assert.equal(newer.version, "0.171");
  assert.equal(newer.newerThanKnown, true);
  assert.equal(newer.requested, "0.180.2");
  assert.match(newerThanKnownNote(newer) ?? "", /Codex 0\.180\.2 is newer .*0\.171/);
  assert.equal(newerThanKnownNote(p171), undefined);
  assert.throws(() => profileFor("0.99.0"), /has no hooks/);
  assert.throws(() => profileFor("latest"), /Cannot read Codex version "latest"/);
});

Deno.test("model-request events have the trust labels Codex uses", () => {
  assert.equal(eventLabel("PreModelRequest"), "pre_model_request");
  assert.equal(eventLabel("PostModelRequest"), "post_model_request");
});
