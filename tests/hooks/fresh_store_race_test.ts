/**
 * The first use of a fresh store: many hook processes start at once on a
 * state dir with no database yet. Every one of them must record its event
 * (the schema is created once, under the write lock, and switching to WAL
 * tolerates concurrent first opens).
 */
import assert from "node:assert/strict";
import { Store } from "../../lifecycle/store/mod.ts";
import { errorLog, runHookProcess, sandbox } from "../harness/hook_process.ts";

const HOOKS = 16;
const ROUNDS = 3;

Deno.test(`${HOOKS} concurrent hooks on a fresh state dir store every event (${ROUNDS} rounds)`, async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const sb = await sandbox();
    try {
      const ids = Array.from({ length: HOOKS }, (_, i) => `race-${round}-${i}`);
      const runs = await Promise.all(ids.map((id) =>
        runHookProcess(
          "SessionStart",
          JSON.stringify({ session_id: id, hook_event_name: "SessionStart", cwd: "/tmp", source: "startup" }),
          sb,
          { env: { LIFELINE_SIDECAR: "off" } },
        )
      ));
      for (const r of runs) assert.deepEqual(r, { code: 0, stdout: "", stderr: "" });
      assert.equal(await errorLog(sb.stateDir), "", `round ${round}: the hooks logged errors`);
      const store = Store.open(sb.stateDir);
      try {
        const stored = ids.filter((id) => store.session(id) !== undefined);
        assert.deepEqual(stored, ids, `round ${round}: ${HOOKS - stored.length} events lost`);
      } finally {
        store.close();
      }
    } finally {
      await sb.cleanup();
    }
  }
});
