/**
 * Reading sessions for the MCP tools: from the hub (`GET /sessions`,
 * `GET /sessions/:id`, which add the transport and the messages) when one
 * runs, else from the store through the read API, so that an agent can see
 * who is there even before anyone started a hub. Ids may be whole or a
 * unique prefix; an unknown id comes back with the closest ids.
 *
 * @module
 */

import { openExisting } from "../../lifecycle/read.ts";
import { processAlive } from "../../lifecycle/process.ts";
import { type SessionReport, sessionReport } from "../../lifecycle/status.ts";
import { HubCallError, type HubClient } from "./hub_client.ts";

/** A session as the tools read it: the status report, plus what the hub adds when it runs. */
export type ToolSession = SessionReport & {
  transport?: string;
  sources?: string[];
  messages?: unknown[];
};

/** Where the sessions come from. */
export interface SessionSource {
  stateDir: string;
  hub: HubClient;
  now: () => Date;
  staleBusyMs: number;
}

/** The ids closest to `given`: those sharing the longest prefix, then by edit distance. */
export function closestIds(given: string, ids: readonly string[], max = 5): string[] {
  const common = (a: string) => {
    let i = 0;
    while (i < a.length && i < given.length && a[i] === given[i]) i++;
    return i;
  };
  return [...ids].sort((a, b) => common(b) - common(a) || distance(a, given) - distance(b, given)).slice(
    0,
    max,
  );
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** Resolves a whole id or unique prefix among `ids`; throws a {@link HubCallError} as the hub would. */
export function resolveId(given: string, ids: readonly string[]): string {
  if (ids.includes(given)) return given;
  const matches = ids.filter((id) => id.startsWith(given));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new HubCallError(409, `session prefix ${JSON.stringify(given)} is ambiguous`, matches);
  }
  throw new HubCallError(404, `unknown session ${JSON.stringify(given)}`, closestIds(given, ids));
}

function fromStore(src: SessionSource): SessionReport[] {
  const store = openExisting(src.stateDir);
  if (!store) return [];
  try {
    store.maintain({
      now: src.now().toISOString(),
      staleBusyMs: src.staleBusyMs,
      alive: (pid, startedAt) => processAlive(pid, startedAt),
    });
    return store.sessions().map((s) => sessionReport(store, s));
  } catch {
    // A reader without the right to repair (or a busy store) still reads.
    return store.sessions().map((s) => sessionReport(store, s));
  } finally {
    store.close();
  }
}

/** Every session, most recently seen first, and whether the hub answered. */
export async function listSessions(src: SessionSource): Promise<{ sessions: ToolSession[]; hub: boolean }> {
  try {
    const body = await src.hub.get("/sessions");
    // The hub answers a list, or (older hubs) `{sessions: [...]}`.
    const list = Array.isArray(body) ? body : (body as { sessions?: unknown })?.sessions;
    if (Array.isArray(list)) return { sessions: list as ToolSession[], hub: true };
  } catch (e) {
    if (!(e instanceof HubCallError) || e.kind !== "no_hub") throw e;
  }
  return { sessions: fromStore(src), hub: false };
}

/** One session by whole id or unique prefix, with its messages when the hub runs. */
export async function getSession(src: SessionSource, given: string): Promise<ToolSession> {
  try {
    return await src.hub.get(`/sessions/${encodeURIComponent(given)}`) as ToolSession;
  } catch (e) {
    if (!(e instanceof HubCallError) || e.kind !== "no_hub") throw e;
  }
  const all = fromStore(src);
  const id = resolveId(given, all.map((s) => s.session_id));
  return all.find((s) => s.session_id === id)!;
}
