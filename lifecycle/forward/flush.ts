/**
 * Sends outbox rows: Neotoma records one by one (each with its idempotency
 * key), OTLP spans and logs in batches. At-least-once delivery made
 * exactly-once in effect by those keys and stable span and log ids. A row
 * refused for good (4xx other than 408 and 429) is parked with its error;
 * anything else is retried later with exponential backoff. Nothing here
 * imports from npm: hooks flush their own new rows within a small budget.
 *
 * @module
 */

import type { ForwardConfig } from "./config.ts";
import type { OutboxRow, Store } from "../store/mod.ts";
import { neotomaRequest } from "./neotoma.ts";
import { defaultResource, OTLP_BATCHES, resourceOf } from "./otlp.ts";
import { headerProblem, readCapped, redactError } from "./safe_send.ts";

/** What a flush did. */
export interface FlushReport {
  sent: number;
  retried: number;
  parked: number;
}

/** Options of {@link flush}. */
export interface FlushOptions {
  /** Stop starting new requests after this long; requests in flight are cut at the deadline. */
  budgetMs: number;
  now?: () => Date;
  /** Only these rows (a hook flushes what it just wrote). */
  ids?: readonly number[];
  fetch?: typeof fetch;
  /** Send pending rows even before their backoff ends (`lifeline flush`). */
  ignoreBackoff?: boolean;
  /** Resource attributes for OTLP (default: service lifeline, host from `HOSTNAME`). */
  resource?: Record<string, string>;
}

/** Backoff before retry `attempt` (1-based): 2^attempt s, at most 10 min. */
function retryDelayMs(attempt: number): number {
  return Math.min(2 ** attempt, 600) * 1000;
}

async function send(
  f: typeof fetch,
  url: string,
  headers: Record<string, string>,
  body: unknown,
  deadline: number,
): Promise<{ ok: true } | { ok: false; permanent: boolean; error: string }> {
  const left = deadline - Date.now();
  if (left <= 0) return { ok: false, permanent: false, error: "flush budget used up before sending" };
  const bad = headerProblem(headers);
  if (bad) return { ok: false, permanent: true, error: `Cannot send to "${new URL(url).host}": ${bad}` };
  try {
    const res = await f(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(left),
    });
    const text = res.ok ? (res.body?.cancel().catch(() => {}), "") : await readCapped(res);
    if (res.ok) return { ok: true };
    const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
    return { ok: false, permanent, error: redactError(`HTTP ${res.status}: ${text.slice(0, 300)}`, headers) };
  } catch (e) {
    const name = (e as Error).name;
    return {
      ok: false,
      permanent: false,
      error: name === "TimeoutError" || name === "AbortError"
        ? "timed out"
        : redactError(`network: ${(e as Error).message}`, headers),
    };
  }
}

/** Sends due outbox rows within the budget. Never throws for a target's failure. */
export async function flush(store: Store, config: ForwardConfig, o: FlushOptions): Promise<FlushReport> {
  const now = o.now ?? (() => new Date());
  const f = o.fetch ?? fetch;
  const deadline = Date.now() + o.budgetMs;
  const report: FlushReport = { sent: 0, retried: 0, parked: 0 };
  const settle = (rows: OutboxRow[], r: Awaited<ReturnType<typeof send>>) => {
    const ids = rows.map((x) => x.id);
    if (r.ok) {
      store.settleOutbox(ids, { sent: true, at: now().toISOString() });
      report.sent += ids.length;
    } else {
      const attempt = Math.max(...rows.map((x) => x.attempts)) + 1;
      store.settleOutbox(ids, {
        sent: false,
        parked: r.permanent,
        error: r.error,
        retryAt: new Date(now().getTime() + retryDelayMs(attempt)).toISOString(),
      });
      if (r.permanent) report.parked += ids.length;
      else report.retried += ids.length;
    }
  };
  while (Date.now() < deadline) {
    const rows = store.leaseOutbox(
      now().toISOString(),
      Math.max(o.budgetMs, 30_000),
      50,
      o.ids,
      o.ignoreBackoff === true,
    );
    if (rows.length === 0) break;
    for (const row of rows.filter((r) => r.target === "neotoma")) {
      if (!config.neotoma) continue;
      const req = neotomaRequest(config.neotoma, JSON.parse(row.body));
      settle([row], await send(f, req.url, req.headers, req.body, deadline));
    }
    if (config.otlp) {
      const resource = resourceOf(o.resource ?? defaultResource(config.hostname));
      for (const b of OTLP_BATCHES) {
        const batch = rows.filter((r) => r.target === b.target);
        if (batch.length === 0) continue;
        const body = b.wrap(resource, batch.map((r) => JSON.parse(r.body)));
        settle(batch, await send(f, `${config.otlp.endpoint}${b.path}`, config.otlp.headers, body, deadline));
      }
    }
    if (o.ids) break; // a hook sends only what it just wrote, once
    if (report.retried > 0) break; // the target is failing: leave the rest for later
  }
  return report;
}
