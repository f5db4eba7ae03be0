/** doctor's outbox check: counts pending and parked rows without writing into the store. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { outboxCheck } from "../../installer/doctor_checks.ts";
import type { Resolved } from "../../installer/options.ts";
import { Store } from "../../lifecycle/store/mod.ts";

Deno.test("doctor counts pending and parked records read-only, and warns about parked ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lifeline-doctor-outbox-" });
  try {
    Store.open(dir).close(); // the schema
    const raw = new DatabaseSync(join(dir, "lifeline.db"));
    const add = raw.prepare(
      "INSERT INTO outbox (target, key, body, created_at, next_attempt_at, status) VALUES (?, ?, '{}', 't', 't', ?)",
    );
    for (const [i, status] of ["pending", "pending", "parked", "sent"].entries()) {
      add.run("otlp_log", `k${i}`, status);
    }
    raw.close();
    const db = join(dir, "lifeline.db");
    const before = await Deno.readFile(db);
    const mtime = Deno.statSync(db).mtime?.getTime();
    const checks: { name: string; status: string; detail: string }[] = [];
    outboxCheck({ places: { stateDir: dir } } as unknown as Resolved, (name, status, detail) => {
      checks.push({ name, status, detail });
    });
    assert.deepEqual(checks, [{
      name: "outbox",
      status: "warn",
      detail: "2 pending, 1 parked, 1 sent (parked records are not retried automatically)",
    }]);
    assert.deepEqual(await Deno.readFile(db), before, "the store's bytes are unchanged");
    assert.equal(Deno.statSync(db).mtime?.getTime(), mtime);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
