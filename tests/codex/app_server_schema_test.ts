/**
 * The app-server protocol lifeline relies on, checked against Codex itself:
 * the schema is regenerated from the installed binaries and every field in
 * `RELIED_FIELDS` must resolve with the types, enums and requiredness of the
 * committed slice; and the parsers, run over a recorded real stream, must
 * read no field outside `RELIED_FIELDS` (so the list cannot drift from the
 * code).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { KNOWN_NOTIFICATIONS, parseServerMessage } from "../../codex/app_server/protocol.ts";
import { NOTIFICATION_SCHEMA, RELIED_FIELDS, REQUEST_SCHEMA } from "../../codex/app_server/fields.ts";
import * as req from "../../codex/app_server/requests.ts";
import { NOISY_NOTIFICATIONS } from "../../codex/app_server/requests.ts";
import { generateSchema, type SchemaSlice, slicePath, sliceSchema } from "../harness/app_server_schema.ts";

const VERSIONS = ["0.169.0", "0.171.0"];
const RECORDING = fileURLToPath(
  new URL("../testdata/recorded/app_server/0.169.0/deliver_start_steer.jsonl", import.meta.url),
);

for (const version of VERSIONS) {
  Deno.test(`every relied-on app-server field is in the schema Codex ${version} generates, unchanged`, async () => {
    const dir = await generateSchema(version);
    try {
      const fresh = await sliceSchema(dir, version);
      const missing = Object.entries(fresh.files).flatMap(([file, paths]) =>
        Object.entries(paths).filter(([, facts]) => facts === "missing").map(([p]) => `${file}: ${p}`)
      );
      assert.deepEqual(missing, [], `Codex ${version} lacks fields lifeline reads`);
      assert.deepEqual(fresh.notifications, KNOWN_NOTIFICATIONS, "a notification lifeline reads is gone");
      assert.deepEqual(fresh.requests, Object.keys(REQUEST_SCHEMA), "a request lifeline sends is gone");
      assert.deepEqual(fresh.optOut, NOISY_NOTIFICATIONS, "a notification lifeline opts out of is unknown");
      const committed = JSON.parse(await Deno.readTextFile(slicePath(version))) as SchemaSlice;
      for (const [file, paths] of Object.entries(fresh.files)) {
        for (const [path, facts] of Object.entries(paths)) {
          assert.deepEqual(
            facts,
            committed.files[file]?.[path],
            `${file}: field "${path}" changed in Codex ${version}; ` +
              `check the parser, then run "deno run -A tests/harness/app_server_schema.ts ${version}"`,
          );
        }
      }
      assert.deepEqual(fresh, committed);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** Wraps `value` so that every property read is recorded as a dotted path (`[]` for array elements). */
function recording(value: unknown, seen: Set<string>, path = ""): unknown {
  if (typeof value !== "object" || value === null) return value;
  const isArray = Array.isArray(value);
  return new Proxy(value as object, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return v;
      if (isArray && !/^\d+$/.test(key)) return v; // length, map, filter, …
      const child = isArray ? `${path}[]` : path === "" ? key : `${path}.${key}`;
      seen.add(child);
      return recording(v, seen, child);
    },
  });
}

function assertWithin(seen: Set<string>, file: string): void {
  const relied = RELIED_FIELDS[file] ?? [];
  const outside = [...seen].filter((p) =>
    !relied.some((r) => r === p || r.startsWith(`${p}.`) || r.startsWith(`${p}[]`))
  );
  assert.deepEqual(outside, [], `the parsers read fields of ${file} that RELIED_FIELDS does not list`);
}

async function recorded(): Promise<{ dir: string; message: Record<string, unknown> }[]> {
  const text = await Deno.readTextFile(RECORDING);
  return text.trim().split("\n").map((l) => JSON.parse(l));
}

Deno.test("the notification parsers read only relied-on fields, over a real stream and the error shapes", async () => {
  const extra: Record<string, unknown>[] = [
    // As 0.169.0 sends it (the bridge, subscribing mid-turn, no longer hears it in the recording).
    {
      method: "turn/started",
      params: {
        threadId: "t",
        turn: {
          id: "u",
          rootTurnId: "u",
          items: [],
          itemsView: "notLoaded",
          status: "inProgress",
          error: null,
          startedAt: 1796145182,
          completedAt: null,
          durationMs: null,
        },
      },
      emittedAtMs: 1796145182354,
    },
    {
      method: "turn/completed",
      params: {
        threadId: "t",
        turn: {
          id: "u",
          status: "failed",
          items: [],
          error: { message: "m", codexErrorInfo: "usageLimitExceeded", additionalDetails: "d" },
        },
      },
    },
    { method: "thread/closed", params: { threadId: "t" } },
    { method: "serverRequest/resolved", params: { threadId: "t", requestId: 0 } },
  ];
  const counts = new Map<string, number>();
  const messages = [...(await recorded()).filter((r) => r.dir === "recv").map((r) => r.message), ...extra];
  for (const message of messages) {
    const method = message["method"];
    if (typeof method !== "string" || message["id"] !== undefined) continue;
    const file = NOTIFICATION_SCHEMA[method as keyof typeof NOTIFICATION_SCHEMA];
    if (!file) {
      assert.equal(parseServerMessage(message).kind, "ignored", `"${method}" is not read, so it is ignored`);
      continue;
    }
    const seen = new Set<string>();
    const parsed = parseServerMessage({ ...message, params: recording(message["params"], seen) });
    assert.equal(parsed.kind, "notification", `${method} parses: ${JSON.stringify(parsed)}`);
    assertWithin(seen, file);
    counts.set(method, (counts.get(method) ?? 0) + 1);
  }
  assert.deepEqual(
    [...counts.keys()].sort(),
    [...KNOWN_NOTIFICATIONS].sort(),
    "every notification is exercised",
  );
});

Deno.test("the result parsers read only relied-on fields of the real results", async () => {
  const lines = await recorded();
  const methodOf = new Map<unknown, string>();
  for (const r of lines) {
    if (r.dir === "send" && r.message["id"] !== undefined) {
      methodOf.set(r.message["id"], String(r.message["method"]));
    }
  }
  const parsers: Record<string, (v: unknown) => unknown> = {
    "initialize": req.parseInitializeResult,
    "thread/loaded/list": req.parseLoadedList,
    "thread/resume": req.parseThreadResult,
    "turn/start": req.parseTurnStartResult,
    "turn/steer": req.parseTurnSteerResult,
    "thread/turns/list": req.parseTurnsList,
  };
  const checked = new Set<string>();
  for (const r of lines) {
    if (r.dir !== "recv" || !("result" in r.message)) continue;
    const method = methodOf.get(r.message["id"]) ?? "";
    if (method === "thread/unsubscribe") continue; // its result is not read
    const parse = parsers[method];
    const file = REQUEST_SCHEMA[method]?.result;
    assert.ok(parse && file, `a parser and a schema for the result of "${method}"`);
    const seen = new Set<string>();
    assert.notEqual(
      parse(recording(r.message["result"], seen)),
      undefined,
      `the result of "${method}" parses`,
    );
    assertWithin(seen, file);
    checked.add(method);
  }
  assert.deepEqual([...checked].sort(), Object.keys(parsers).sort());
});

Deno.test("the requests lifeline builds send only relied-on params", () => {
  const paths = (v: unknown, prefix = ""): string[] => {
    if (Array.isArray(v)) return v.flatMap((x) => paths(x, `${prefix}[]`));
    if (typeof v !== "object" || v === null) return [prefix];
    return Object.entries(v).flatMap(([k, x]) => paths(x, prefix === "" ? k : `${prefix}.${k}`));
  };
  const built = [
    req.initializeRequest("lifeline", "1", ["item/started"]),
    req.loadedListRequest("c"),
    req.threadReadRequest("t"),
    req.threadListRequest("c"),
    req.threadStartRequest({
      cwd: "/w",
      model: "m",
      ephemeral: false,
      approvalPolicy: "never",
      sandbox: "read-only",
    }),
    req.threadResumeRequest("t"),
    req.threadUnsubscribeRequest("t"),
    req.latestTurnRequest("t"),
    req.turnStartRequest("t", "x"),
    req.turnSteerRequest("t", "u", "x"),
  ];
  assert.deepEqual(built.map((b) => b.method), Object.keys(REQUEST_SCHEMA));
  for (const b of built) {
    const file = REQUEST_SCHEMA[b.method]!.params;
    const outside = paths(b.params).filter((p) => !(RELIED_FIELDS[file] ?? []).includes(p));
    assert.deepEqual(outside, [], `"${b.method}" sends params ${file} does not list`);
  }
});
