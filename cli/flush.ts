/**
 * `lifeline flush`: sends every pending forwarding record now, backoff or
 * not (right after an outage every row is in backoff), optionally retrying
 * or dropping the parked ones first.
 *
 * @module
 */

import { flush } from "../lifecycle/forward/flush.ts";
import type { ForwardConfig } from "../lifecycle/forward/config.ts";
import { openExisting } from "../lifecycle/read.ts";

/** Options of {@link flushNow}. */
export interface FlushNowOptions {
  stateDir: string;
  config: ForwardConfig | undefined;
  retryParked?: boolean | undefined;
  dropParked?: boolean | undefined;
  budgetMs?: number;
  fetch?: typeof fetch;
}

/** What `lifeline flush` reports (`--json`). */
export interface FlushSummary {
  configured: boolean;
  sent: number;
  retried: number;
  parked: number;
  requeued: number;
  dropped: number;
  pending_after: number;
  parked_after: { target: string; key: string; error: string | null }[];
}

/** Flushes the outbox of `stateDir`. */
export async function flushNow(o: FlushNowOptions): Promise<FlushSummary> {
  const none: FlushSummary = {
    configured: o.config !== undefined,
    sent: 0,
    retried: 0,
    parked: 0,
    requeued: 0,
    dropped: 0,
    pending_after: 0,
    parked_after: [],
  };
  const store = openExisting(o.stateDir);
  if (!store) return none;
  try {
    const dropped = o.dropParked ? store.dropParked() : 0;
    const requeued = o.retryParked ? store.retryParked(new Date().toISOString()) : 0;
    const r = o.config
      ? await flush(store, o.config, {
        budgetMs: o.budgetMs ?? 60_000,
        ignoreBackoff: true,
        ...(o.fetch ? { fetch: o.fetch } : {}),
      })
      : { sent: 0, retried: 0, parked: 0 };
    return {
      ...none,
      ...r,
      requeued,
      dropped,
      pending_after: store.outbox("pending").length,
      parked_after: store.outbox("parked").map((p) => ({
        target: p.target,
        key: p.key,
        error: p.last_error,
      })),
    };
  } finally {
    store.close();
  }
}

/** The summary for a person. */
export function flushText(s: FlushSummary): string {
  const lines: string[] = [];
  if (!s.configured) {
    lines.push(
      "No forwarding target is configured: set LIFELINE_NEOTOMA_URL and/or OTEL_EXPORTER_OTLP_ENDPOINT.",
    );
  }
  if (s.dropped) lines.push(`dropped ${s.dropped} parked record(s)`);
  if (s.requeued) lines.push(`requeued ${s.requeued} parked record(s)`);
  if (s.configured) {
    lines.push(
      `sent ${s.sent}, will retry ${s.retried}, parked ${s.parked}; ` +
        `now ${s.pending_after} pending, ${s.parked_after.length} parked`,
    );
  }
  for (const p of s.parked_after.slice(0, 20)) lines.push(`  parked ${p.target} ${p.key}: ${p.error}`);
  if (s.parked_after.length) {
    lines.push("Send them again with --retry-parked, or delete them with --drop-parked.");
  }
  return lines.join("\n");
}
