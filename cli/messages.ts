/**
 * `send` and `ask`: a message to a session through the hub's HTTP API
 * (`POST /sessions/:id/messages`), with the URL and token the running hub
 * left in the state dir. An `ask` then waits for the turn that answers it.
 *
 * @module
 */

import { hubInfoPath, readHubInfo, readHubToken } from "../hub/sidecar_files.ts";
import type { ReadOptions } from "./report.ts";
import { withStore } from "./report.ts";

/** A failure the command reports as one line and exit 1. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = "CliError";
  }
}

/** What the hub answered. */
export interface SendResult {
  id: string;
  status: "delivered" | "queued";
  detail: string;
}

/** Posts a message to a session through the running hub. */
export async function postMessage(
  stateDir: string,
  sessionId: string,
  kind: "notify" | "ask",
  text: string,
  f: typeof fetch = fetch,
): Promise<SendResult> {
  const info = readHubInfo(stateDir);
  const token = readHubToken(stateDir);
  if (!info || !token) {
    throw new CliError(
      `No hub is running for ${stateDir} (${hubInfoPath(stateDir)} is missing). ` +
        "Start one in another terminal with: lifeline hub",
    );
  }
  let res: Response;
  try {
    res = await f(`${info.url}/sessions/${encodeURIComponent(sessionId)}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ kind, text }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new CliError(
      `The hub at ${info.url} (from ${hubInfoPath(stateDir)}) does not answer: ${(e as Error).message}. ` +
        "Start it again with: lifeline hub",
    );
  }
  const body = await res.json().catch(() => ({})) as Record<string, unknown>;
  if (!res.ok) {
    throw new CliError(
      `The hub refused the message (HTTP ${res.status}): ${String(body.error ?? "no reason")}`,
    );
  }
  return body as unknown as SendResult;
}

/** The answer to an ask: the last assistant message of the first turn that ended after its delivery. */
export interface Answer {
  delivered_at: string | null;
  answer: string | null;
}

/** Looks once for the answer to message `id`. */
export function findAnswer(o: ReadOptions, sessionId: string, id: string): Answer {
  return withStore(o, (store) => {
    const d = store.deliveries(sessionId).find((x) => x.id === id);
    if (!d || d.delivered_at === null) return { delivered_at: null, answer: null };
    const at = d.delivered_at;
    const t = store.turns(sessionId).find((x) => x.ended_at !== null && x.ended_at >= at);
    return { delivered_at: at, answer: t ? (t.last_assistant_message ?? "") : null };
  }) ?? { delivered_at: null, answer: null };
}

/** Polls the store for the answer until it comes or `timeoutMs` passes. */
export async function waitForAnswer(
  read: () => ReadOptions,
  sessionId: string,
  id: string,
  timeoutMs: number,
): Promise<Answer> {
  const until = Date.now() + timeoutMs;
  let a = findAnswer(read(), sessionId, id);
  while (a.answer === null && Date.now() < until) {
    // The answer arrives through Codex's hooks, into the store; nothing signals this process.
    await new Promise((r) => setTimeout(r, 500));
    a = findAnswer(read(), sessionId, id);
  }
  return a;
}
