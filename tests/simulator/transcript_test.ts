import assert from "node:assert/strict";
import { LATEST_PROFILE, PROFILES } from "../../codex/profiles.ts";
import { findCommandInTranscript } from "../../lifecycle/failures.ts";
import { rolloutPath, TranscriptFile, transcriptLines } from "../../simulator/transcript.ts";

Deno.test("the hooks read back the exit code the fake Codex writes to the transcript in each format", () => {
  for (const profile of PROFILES) {
    const lines = [
      ...transcriptLines({ kind: "session_meta", id: "s1", cwd: "/ws" }, profile),
      ...transcriptLines(
        { kind: "command", turnId: "t1", callId: "call_1_1", command: "exit 3", output: "boom", exitCode: 3 },
        profile,
      ),
      ...transcriptLines(
        { kind: "command", turnId: "t1", callId: "call_1_2", command: "true", output: "", exitCode: 0 },
        profile,
      ),
    ];
    const text = lines.join("\n") + "\n";
    assert.deepEqual(findCommandInTranscript(text, "call_1_1"), {
      exit_code: 3,
      status: "failed",
      output: "boom",
      source: profile.transcriptFormat,
    }, profile.version);
    assert.deepEqual(findCommandInTranscript(text, "call_1_2")?.status, "completed", profile.version);
    assert.equal(findCommandInTranscript(text, "call_9_9"), undefined);
  }
});

Deno.test("a transcript lives where Codex keeps rollouts and is appended line by line", async () => {
  const home = await Deno.makeTempDir();
  try {
    const at = new Date("2026-07-09T23:27:30.123Z");
    const path = rolloutPath(home, "019f-id", at);
    assert.equal(path, `${home}/sessions/2026/07/09/rollout-2026-07-09T23-27-30-019f-id.jsonl`);
    const t = new TranscriptFile(path, LATEST_PROFILE);
    t.append({ kind: "session_meta", id: "019f-id", cwd: "/ws" });
    t.append({ kind: "command", turnId: null, callId: "c", command: "ls", output: "", exitCode: 0 });
    t.append({ kind: "turn_aborted", turnId: "t1" });
    t.close();
    const lines = (await Deno.readTextFile(path)).split("\n");
    assert.equal(lines.length, 5, "four lines, each ending in a newline");
    assert.deepEqual(JSON.parse(lines[0]!), { type: "session_meta", payload: { id: "019f-id", cwd: "/ws" } });
    // 0.148+: the CommandExecution item, then the model-facing function_call_output.
    assert.equal(JSON.parse(lines[1]!).payload.item.exit_code, 0);
    assert.equal(JSON.parse(lines[2]!).payload.type, "function_call_output");
    assert.deepEqual(JSON.parse(lines[3]!).payload, {
      type: "turn_aborted",
      turn_id: "t1",
      reason: "interrupted",
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
