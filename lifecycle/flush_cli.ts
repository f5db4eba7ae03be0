/**
 * `deno task flush`: sends every due forwarding record (Neotoma, OTLP) now,
 * and says what is still pending or parked. Exits 1 when a record is parked
 * (refused for good), so that a script notices.
 *
 * @module
 */

import { Store } from "./store/mod.ts";
import { readSettings } from "./settings.ts";
import { flush } from "./forward/flush.ts";

if (import.meta.main) {
  const out = (s: string) => Deno.stdout.writeSync(new TextEncoder().encode(s + "\n"));
  const { stateDir, forward: config } = readSettings((k) => Deno.env.get(k));
  if (!config) {
    out("No forwarding target is configured: set LIFELINE_NEOTOMA_URL and/or OTEL_EXPORTER_OTLP_ENDPOINT.");
    Deno.exit(0);
  }
  const store = Store.open(stateDir);
  let parked = 0;
  try {
    const r = await flush(store, config, { budgetMs: 60_000 });
    const pending = store.outbox("pending").length;
    const rows = store.outbox("parked");
    parked = rows.length;
    out(
      `sent ${r.sent}, will retry ${r.retried}, parked ${r.parked}; now ${pending} pending, ${parked} parked`,
    );
    for (const p of rows.slice(0, 20)) out(`  parked ${p.target} ${p.key}: ${p.last_error}`);
  } finally {
    store.close();
  }
  Deno.exit(parked > 0 ? 1 : 0);
}
