import assert from "node:assert/strict";
import fc from "fast-check";
import {
  ContractError,
  exit2,
  HOOK_EVENTS,
  type HookEventName,
  hookOutput,
  OUTPUT_FIELDS,
  outputProblems,
} from "../../codex/mod.ts";

Deno.test("builders produce exactly the listed fields", () => {
  const r = hookOutput("Stop", { decision: "block", reason: "message for you" });
  assert.deepEqual(r, { exitCode: 0, stdout: '{"decision":"block","reason":"message for you"}', stderr: "" });
  const s = hookOutput("SessionStart", {
    hookSpecificOutput: { hookEventName: "SessionStart", additionalContext: "x" },
  });
  assert.equal(JSON.parse(s.stdout).hookSpecificOutput.additionalContext, "x");
});

Deno.test("an unlisted field is a type error and a runtime error", () => {
  // @ts-expect-error: Interrupt accepts only systemMessage
  assert.throws(() => hookOutput("Interrupt", { continue: false }), ContractError);
  const preToolUse = () =>
    // @ts-expect-error: PreToolUse rejects continue
    hookOutput("PreToolUse", { continue: false });
  assert.throws(preToolUse, /field "continue" is not accepted for PreToolUse/);
  assert.throws(
    // @ts-expect-error: decision "approve" does not exist
    () => hookOutput("Stop", { decision: "approve", reason: "r" }),
    /field "decision" must be "block"/,
  );
});

Deno.test("semantic rules Codex enforces", () => {
  assert.deepEqual(outputProblems("Stop", { decision: "block" }), [
    '"decision": "block" needs a non-empty "reason"',
  ]);
  assert.deepEqual(outputProblems("PostToolUse", { reason: "r" }), [
    'field "reason" without "decision" is not accepted for PostToolUse',
  ]);
  assert.match(
    outputProblems("PreToolUse", {
      hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "allow" },
    })
      .join(),
    /only accepted together with/,
  );
  assert.match(
    outputProblems("SessionStart", { hookSpecificOutput: { hookEventName: "Stop" } }).join(),
    /must be "SessionStart"/,
  );
  assert.deepEqual(outputProblems("Interrupt", {}), []);
});

Deno.test("exit 2 only where Codex gives it a meaning, and never without a reason", () => {
  assert.deepEqual(exit2("Stop", "continue please"), { exitCode: 2, stdout: "", stderr: "continue please" });
  assert.throws(() => exit2("Stop", "  "), /the reason is empty/);
  // @ts-expect-error: SessionStart cannot exit 2
  assert.throws(() => exit2("SessionStart", "x"), /treats it as a failed run/);
});

Deno.test("property: any field outside the event's list is refused", () => {
  const allNames = [...new Set(Object.values(OUTPUT_FIELDS).flatMap((s) => s.top))];
  fc.assert(
    fc.property(
      fc.constantFrom(...HOOK_EVENTS),
      fc.oneof(fc.constantFrom(...allNames), fc.string({ minLength: 1, maxLength: 12 })),
      fc.jsonValue({ maxDepth: 1 }),
      (event: HookEventName, field, value) => {
        fc.pre(!OUTPUT_FIELDS[event].top.includes(field));
        const problems = outputProblems(event, { [field]: value });
        assert.ok(problems.some((p) => p.includes(`field "${field}" is not accepted`)), problems.join());
        assert.throws(() => hookOutput(event, { [field]: value } as never), ContractError);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("property: systemMessage alone is valid for every event", () => {
  fc.assert(
    fc.property(fc.constantFrom(...HOOK_EVENTS), fc.string(), (event, msg) => {
      assert.deepEqual(outputProblems(event, { systemMessage: msg }), []);
      assert.equal(JSON.parse(hookOutput(event, { systemMessage: msg }).stdout).systemMessage, msg);
    }),
  );
});
