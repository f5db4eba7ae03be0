import assert from "node:assert/strict";
import {
  commandLines,
  findCommandInTranscript,
  functionOutputExits,
  interruptedTurns,
  lastTokenTotal,
  parseTranscriptLine,
  sessionMetaLine,
  tokenCountLine,
  turnAbortedLine,
} from "../../codex/transcript.ts";

const recorded = (name: string) =>
  Deno.readTextFile(new URL(`../testdata/recorded/${name}.transcript.jsonl`, import.meta.url));

// Real lines, recorded from the npm releases with `codex exec` against the mock model.
/** 0.130.0: a shell call `exit 3`; the only record of its exit code (no CommandExecution before 0.148). */
const FCO_0130 =
  `{"timestamp":"2026-12-01T17:27:53.028Z","type":"response_item","payload":{"type":"function_call_output",` +
  `"call_id":"call_1","output":"Chunk ID: 7f71df\\nWall time: 0.0000 seconds\\n` +
  `Process exited with code 3\\n` +
  `Original token count: 2\\nOutput:\\noops\\n"}}`;
/** 0.130.0: the function call itself. */
const FC_0130 =
  `{"timestamp":"2026-12-01T17:27:52.140Z","type":"response_item","payload":{"type":"function_call",` +
  `"name":"exec_command","arguments":"{\\"cmd\\":\\"echo oops >&2; exit 3\\"}","call_id":"call_1"}}`;
/** 0.114.0: SIGINT during a slow stream; that release fires no hook for it. */
const ABORTED_0114 =
  `{"timestamp":"2026-12-01T17:28:16.078Z","type":"event_msg","payload":{"type":"turn_aborted",` +
  `"turn_id":"01a232a6-606b-71a2-860e-99f99bc55ab4","reason":"interrupted"}}`;

Deno.test("0.169: the exit code is in the CommandExecution item, whose id is the tool_use_id", async () => {
  const text = await recorded("failing_tool");
  const c = findCommandInTranscript(text, "call_1");
  assert.deepEqual(c && { code: c.exit_code, status: c.status, source: c.source }, {
    code: 3,
    status: "failed",
    source: "command_execution",
  });
  assert.equal(c!.output, "oops\n");
  assert.deepEqual(functionOutputExits(text), [], "0.148+ has the item: nothing is left for Stop");
  assert.equal(findCommandInTranscript(text, "call_9"), undefined);
});

Deno.test("0.117-0.147: the exit code comes from function_call_output, matched by call_id", () => {
  const text = [FC_0130, FCO_0130].join("\n");
  const c = findCommandInTranscript(text, "call_1");
  assert.deepEqual(c, { exit_code: 3, status: "failed", output: "oops\n", source: "function_call_output" });
  assert.deepEqual(functionOutputExits(text), [{ tool_use_id: "call_1", exit_code: 3, output: "oops\n" }]);
  assert.equal(findCommandInTranscript(text, "call_2"), undefined, "another call's output is not ours");
});

Deno.test("turn_aborted with reason interrupted names the turn, on old and new releases", async () => {
  assert.deepEqual(interruptedTurns(ABORTED_0114), ["01a232a6-606b-71a2-860e-99f99bc55ab4"]);
  assert.deepEqual(interruptedTurns(await recorded("interrupt")), ["01a1fcb2-7de8-7313-af24-8269a1118712"]);
  assert.deepEqual(interruptedTurns(await recorded("tool_call")), []);
  const other = ABORTED_0114.replace('"interrupted"', '"replaced"');
  assert.deepEqual(interruptedTurns(other), [], "only interrupts count");
});

Deno.test("token totals from the last token_count line", async () => {
  assert.deepEqual(lastTokenTotal(await recorded("failing_tool")), {
    input_tokens: 20,
    cached_input_tokens: 0,
    output_tokens: 10,
    reasoning_output_tokens: 0,
    total_tokens: 30,
  });
  assert.equal(lastTokenTotal(ABORTED_0114), undefined);
});

Deno.test("cut, empty and foreign lines are skipped, never fatal", () => {
  const cut = FCO_0130.slice(40);
  assert.equal(parseTranscriptLine(cut), undefined);
  assert.equal(parseTranscriptLine(""), undefined);
  assert.equal(parseTranscriptLine("[1,2]"), undefined);
  const text = [cut, "not json", '{"type":"event_msg","payload":"x"}', ABORTED_0114, "{"].join("\n");
  assert.deepEqual(interruptedTurns(text), ["01a232a6-606b-71a2-860e-99f99bc55ab4"]);
  assert.equal(findCommandInTranscript(text, "call_1"), undefined);
  assert.deepEqual(functionOutputExits(text), []);
});

Deno.test("the writers produce what the readers read, per format, like the real lines", async () => {
  const rec = {
    turnId: "t1",
    callId: "call_1",
    command: "echo oops >&2; exit 3",
    output: "oops\n",
    exitCode: 3,
  };
  const old = commandLines("function_call_output", rec);
  assert.equal(old.length, 1);
  const real = JSON.parse(FCO_0130);
  assert.deepEqual(Object.keys(old[0]!.payload as object), Object.keys(real.payload));
  const oldText = old.map((l) => JSON.stringify(l)).join("\n");
  assert.equal(findCommandInTranscript(oldText, "call_1")?.source, "function_call_output");
  assert.equal(functionOutputExits(oldText)[0]?.exit_code, 3);

  const now = commandLines("command_execution", rec);
  assert.deepEqual(now.map((l) => (l.payload as { type: string }).type), [
    "item_completed",
    "function_call_output",
  ]);
  const realItem = (await recorded("failing_tool")).split("\n").map(parseTranscriptLine)
    .find((l) => (l?.payload as { item?: { type?: string } })?.item?.type === "CommandExecution")!;
  const item = (now[0]!.payload as { item: Record<string, unknown> }).item;
  for (const k of Object.keys(item)) assert.ok(k in (realItem.payload as { item: object }).item, k);
  const nowText = now.map((l) => JSON.stringify(l)).join("\n");
  assert.deepEqual(findCommandInTranscript(nowText, "call_1"), {
    exit_code: 3,
    status: "failed",
    output: "oops\n",
    source: "command_execution",
  });

  assert.deepEqual(interruptedTurns(JSON.stringify(turnAbortedLine("t9"))), ["t9"]);
  const tokens = {
    input_tokens: 3,
    cached_input_tokens: 1,
    output_tokens: 2,
    reasoning_output_tokens: 0,
    total_tokens: 5,
  };
  assert.deepEqual(lastTokenTotal(JSON.stringify(tokenCountLine(tokens, tokens))), tokens);
  assert.equal((sessionMetaLine("s1", "/w").payload as { id: string }).id, "s1");
});
